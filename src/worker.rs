//! `sluice standalone` (Kafka's `connect-standalone`), `sluice distributed` (Kafka's
//! `connect-distributed`) and the worker of plain `sluice` (a distributed worker).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use runtime::config::files::{read_connector_file, read_properties_file, InitialState};
use runtime::config::worker::{DistributedConfig, StandaloneConfig, WorkerConfig};
use runtime::distributed::DistributedHerder;
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

/// `sluice distributed worker.properties`.
#[derive(Debug, clap::Args)]
pub struct DistributedArgs {
    /// The worker configuration (Kafka's connect-distributed.properties keys).
    pub worker_properties: PathBuf,
}

/// The herder of a running worker.
enum WorkerHerder {
    Standalone(Arc<StandaloneHerder>),
    Distributed(Arc<DistributedHerder>),
}

/// A running worker: its herder and REST server.
pub struct RunningWorker {
    herder: WorkerHerder,
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
        match self.herder {
            WorkerHerder::Standalone(h) => h.stop().await,
            WorkerHerder::Distributed(h) => h.stop().await,
        }
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
    let rest = RestListener::bind(&config.worker).await?;
    let worker_id = rest.worker_id.clone();
    let herder = StandaloneHerder::start(config, worker_id, loggers).await?;
    let (rest_addr, rest, stop_rest) = rest.serve(runtime::rest::router(herder.clone()));
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
        herder: WorkerHerder::Standalone(herder),
        rest,
        stop_rest,
        rest_addr,
    })
}

/// The REST listener of a worker, bound, with the identity other workers know it by.
struct RestListener {
    listener: tokio::net::TcpListener,
    /// `host:port` as advertised (Kafka's worker id).
    worker_id: String,
    /// The advertised base URL, e.g. `http://host:8083/`.
    url: String,
}

impl RestListener {
    /// Binds the first `listeners` entry and works out the advertised address
    /// (`rest.advertised.host.name`/`.port`, else the listener's, else the hostname).
    async fn bind(worker: &WorkerConfig) -> anyhow::Result<Self> {
        let (host, port) = listener_address(&worker.listeners)?;
        let bind_host = if host.is_empty() {
            "0.0.0.0"
        } else {
            host.as_str()
        };
        let listener = tokio::net::TcpListener::bind((bind_host, port))
            .await
            .with_context(|| format!("cannot listen on {bind_host}:{port} for the REST API"))?;
        let bound = listener.local_addr()?;
        let advertised_host = worker.rest_advertised_host_name.clone().unwrap_or_else(|| {
            if host.is_empty() {
                hostname()
            } else {
                host.clone()
            }
        });
        let advertised_port = worker
            .rest_advertised_port
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(bound.port());
        let authority = if advertised_host.contains(':') {
            format!("[{advertised_host}]:{advertised_port}")
        } else {
            format!("{advertised_host}:{advertised_port}")
        };
        Ok(Self {
            listener,
            worker_id: format!("{advertised_host}:{advertised_port}"),
            url: format!("http://{authority}/"),
        })
    }

    /// Serves `router` until the returned sender fires.
    fn serve(
        self,
        router: runtime::rest::Router,
    ) -> (
        SocketAddr,
        tokio::task::JoinHandle<std::io::Result<()>>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let address = self
            .listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(runtime::rest::serve(self.listener, router, async move {
            let _ = stopped.await;
        }));
        tracing::info!(address = %address, "Kafka Connect REST API listening");
        (address, task, stop)
    }
}

/// Starts a distributed worker from parsed worker properties.
pub async fn start_distributed(
    props: BTreeMap<String, String>,
    loggers: Loggers,
) -> anyhow::Result<RunningWorker> {
    let config = DistributedConfig::parse(&props)
        .map_err(|e| anyhow!("invalid worker configuration: {e}"))?;
    for key in &config.worker.unknown_keys {
        tracing::warn!(key = %key, "the worker configuration '{key}' was supplied but isn't a known config");
    }
    let rest = RestListener::bind(&config.worker).await?;
    let herder =
        DistributedHerder::start(config, rest.worker_id.clone(), rest.url.clone(), loggers).await?;
    let (rest_addr, task, stop_rest) = rest.serve(runtime::rest::router(herder.clone()));
    Ok(RunningWorker {
        herder: WorkerHerder::Distributed(herder),
        rest: task,
        stop_rest,
        rest_addr,
    })
}

/// `sluice distributed`.
pub async fn run_distributed(args: DistributedArgs, loggers: Loggers) -> anyhow::Result<()> {
    check_worker_file(&args.worker_properties)?;
    let props = read_properties_file(&args.worker_properties)?;
    let worker = start_distributed(props, loggers).await?;
    crate::shutdown_signal().await;
    tracing::info!("shutting down");
    worker.shutdown().await;
    Ok(())
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
/// `connect-distributed.properties` (group `connect-cluster`, topics `connect-configs`,
/// `connect-offsets` and `connect-status` with replication factor 1, JSON with schemas,
/// 10 s offset flushes) on the local broker, REST on 127.0.0.1:8083. Connectors,
/// their target states and offsets live in the broker's topics under `./data`, so they
/// survive a restart.
pub fn all_in_one_worker_props(bootstrap: &str) -> BTreeMap<String, String> {
    [
        ("bootstrap.servers", bootstrap.to_owned()),
        ("listeners", "http://127.0.0.1:8083".to_owned()),
        ("group.id", "connect-cluster".to_owned()),
        ("config.storage.topic", "connect-configs".to_owned()),
        ("offset.storage.topic", "connect-offsets".to_owned()),
        ("status.storage.topic", "connect-status".to_owned()),
        ("config.storage.replication.factor", "1".to_owned()),
        ("offset.storage.replication.factor", "1".to_owned()),
        ("status.storage.replication.factor", "1".to_owned()),
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
