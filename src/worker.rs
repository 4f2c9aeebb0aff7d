//! `sluice standalone` (Kafka's `connect-standalone`) and the worker of plain `sluice`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use runtime::config::files::{read_connector_file, read_properties_file, InitialState};
use runtime::config::worker::StandaloneConfig;
use runtime::herder::TargetState;
use runtime::loggers::Loggers;
use runtime::standalone::StandaloneHerder;

/// `sluice standalone worker.properties [connector.properties|connector.json ...]`.
#[derive(Debug, clap::Args)]
pub struct StandaloneArgs {
    /// The worker configuration (Kafka's connect-standalone.properties keys).
    pub worker_properties: PathBuf,
    /// Connector configurations to create at start-up, `.properties` or `.json`.
    pub connector_configs: Vec<PathBuf>,
}

/// A running standalone worker: its herder and REST server.
pub struct RunningWorker {
    herder: Arc<StandaloneHerder>,
    rest: tokio::task::JoinHandle<std::io::Result<()>>,
    stop_rest: tokio::sync::oneshot::Sender<()>,
    /// The REST address actually bound.
    pub rest_addr: SocketAddr,
}

impl RunningWorker {
    /// Stops the REST server, then every connector (committing offsets).
    pub async fn shutdown(self) {
        let _ = self.stop_rest.send(());
        let _ = self.rest.await;
        self.herder.stop().await;
    }
}

/// The first `listeners` entry as a socket address; an empty host binds every interface,
/// as in Kafka.
fn listener_address(listeners: &[String]) -> anyhow::Result<(String, u16)> {
    let first = listeners
        .first()
        .ok_or_else(|| anyhow!("listeners is empty; set e.g. listeners=http://:8083"))?;
    let rest = first.strip_prefix("http://").ok_or_else(|| {
        if first.starts_with("https://") {
            anyhow!(
                "listeners={first}: HTTPS listeners are not supported by sluice yet; use http://"
            )
        } else {
            anyhow!("listeners={first}: expected http://host:port")
        }
    })?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| anyhow!("listeners={first}: missing the port, e.g. http://:8083"))?;
    let port: u16 = port
        .parse()
        .map_err(|_| anyhow!("listeners={first}: '{port}' is not a port number"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_owned(), port))
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Starts a standalone worker from parsed worker properties and creates the connectors.
pub async fn start_standalone(
    props: BTreeMap<String, String>,
    connector_files: &[PathBuf],
    loggers: Loggers,
) -> anyhow::Result<RunningWorker> {
    let config = StandaloneConfig::parse(&props)
        .map_err(|e| anyhow!("invalid worker configuration: {e}"))?;
    for key in &config.worker.unknown_keys {
        tracing::warn!(key = %key, "the worker configuration '{key}' was supplied but isn't a known config");
    }
    // Read every connector file first: a typo fails fast, before anything starts.
    let connectors = connector_files
        .iter()
        .map(|path| read_connector_file(path).map_err(anyhow::Error::from))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (host, port) = listener_address(&config.worker.listeners)?;
    let bind_host = if host.is_empty() {
        "0.0.0.0"
    } else {
        host.as_str()
    };
    let listener = tokio::net::TcpListener::bind((bind_host, port))
        .await
        .with_context(|| format!("cannot listen on {bind_host}:{port} for the REST API"))?;
    let rest_addr = listener.local_addr()?;
    let advertised_host = config
        .worker
        .rest_advertised_host_name
        .clone()
        .unwrap_or_else(|| {
            if host.is_empty() {
                hostname()
            } else {
                host.clone()
            }
        });
    let advertised_port = config
        .worker
        .rest_advertised_port
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(rest_addr.port());
    let worker_id = format!("{advertised_host}:{advertised_port}");
    let herder = StandaloneHerder::start(config, worker_id, loggers).await?;
    let router = runtime::rest::router(herder.clone());
    let (stop_rest, stopped) = tokio::sync::oneshot::channel::<()>();
    let rest = tokio::spawn(runtime::rest::serve(listener, router, async move {
        let _ = stopped.await;
    }));
    tracing::info!(address = %rest_addr, "Kafka Connect REST API listening");
    for (file, path) in connectors.into_iter().zip(connector_files) {
        let initial = file.initial_state.map(|s| match s {
            InitialState::Running => TargetState::Running,
            InitialState::Paused => TargetState::Paused,
            InitialState::Stopped => TargetState::Stopped,
        });
        let info = herder
            .add_connector(file.config, initial)
            .await
            .map_err(|e| anyhow!("cannot create the connector of {}: {e}", path.display()))?;
        tracing::info!(connector = %info.name, file = %path.display(), "created connector");
    }
    Ok(RunningWorker {
        herder,
        rest,
        stop_rest,
        rest_addr,
    })
}

/// `sluice standalone`.
pub async fn run_standalone(args: StandaloneArgs, loggers: Loggers) -> anyhow::Result<()> {
    let props = read_properties_file(&args.worker_properties)?;
    let worker = start_standalone(props, &args.connector_configs, loggers).await?;
    crate::shutdown_signal().await;
    tracing::info!("shutting down");
    worker.shutdown().await;
    Ok(())
}

/// The worker configuration of plain `sluice`: Kafka's shipped
/// `connect-standalone.properties` (JSON with schemas, 10 s offset flushes) on the local
/// broker, REST on 127.0.0.1:8083 and offsets under the data directory.
pub fn all_in_one_worker_props(bootstrap: &str, data_dir: &Path) -> BTreeMap<String, String> {
    [
        ("bootstrap.servers", bootstrap.to_owned()),
        ("listeners", "http://127.0.0.1:8083".to_owned()),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_owned(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_owned(),
        ),
        ("key.converter.schemas.enable", "true".to_owned()),
        ("value.converter.schemas.enable", "true".to_owned()),
        ("offset.flush.interval.ms", "10000".to_owned()),
        (
            "offset.storage.file.filename",
            data_dir.join("connect.offsets").display().to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Fails with a clear message when `path` would be read as a connector file by mistake.
pub fn check_worker_file(path: &Path) -> anyhow::Result<()> {
    if path.extension().is_some_and(|e| e == "json") {
        bail!(
            "{}: the first argument is the worker configuration (.properties); connector \
             configurations follow it",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_parse_like_kafka() -> anyhow::Result<()> {
        let l = |s: &str| listener_address(&[s.to_owned()]);
        assert_eq!(l("http://:8083")?, (String::new(), 8083));
        assert_eq!(
            l("http://127.0.0.1:18083/")?,
            ("127.0.0.1".to_owned(), 18083)
        );
        assert_eq!(l("http://[::1]:8083")?, ("::1".to_owned(), 8083));
        assert!(l("https://:8443").is_err_and(|e| e.to_string().contains("HTTPS")));
        assert!(l("http://host").is_err_and(|e| e.to_string().contains("port")));
        assert!(listener_address(&[]).is_err());
        Ok(())
    }
}
