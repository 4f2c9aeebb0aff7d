//! The Kafka tutorial tools: `topics`, `produce`, `consume` and `groups`.
//!
//! They take the flags of Apache Kafka's shell scripts (`kafka-topics.sh
//! --bootstrap-server … --create --topic …`) and print what those print, so a
//! tutorial written for Kafka works with `sluice` in place of the script. They
//! talk to any Kafka-protocol broker through librdkafka (the `rdkafka` crate).
//!
//! Each tool is split the same way: clap arguments are resolved by a pure
//! function into a plan (an action, a line format, a record formatter), which
//! the unit tests cover; only `run` talks to the broker. This module holds what
//! they share: connection flags, the librdkafka context, error wording.

pub mod consume;
pub mod groups;
pub mod produce;
mod topic_ids;
pub mod topics;

use anyhow::{anyhow, bail, Context as _};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the tools look for a broker when `--bootstrap-server` is not given.
pub const DEFAULT_BOOTSTRAP_SERVER: &str = "127.0.0.1:9092";

/// How long the TCP reachability check waits for each bootstrap server.
const CONNECT_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Flags every tool takes to find and talk to the broker.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// The broker to connect to, HOST:PORT (several separated by commas).
    #[arg(
        long,
        visible_alias = "broker-list",
        value_name = "HOST:PORT",
        env = "SLUICE_BOOTSTRAP_SERVER",
        default_value = DEFAULT_BOOTSTRAP_SERVER,
        global = true
    )]
    pub bootstrap_server: String,

    /// A properties file with client settings (e.g. security.protocol=SSL),
    /// passed to librdkafka as they are.
    #[arg(long, value_name = "FILE", global = true)]
    pub command_config: Option<PathBuf>,

    /// How long to wait for the broker to answer a request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000, global = true)]
    pub request_timeout_ms: u64,
}

impl ConnectionArgs {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms.max(1))
    }

    /// The librdkafka settings shared by every client: bootstrap servers,
    /// the `--command-config` file, then `extra` (later entries win).
    pub fn client_config(&self, extra: &[(String, String)]) -> anyhow::Result<ClientConfig> {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.bootstrap_server)
            .set("client.id", "sluice-cli")
            .set(
                "socket.timeout.ms",
                self.request_timeout_ms.max(10).to_string(),
            )
            .set_log_level(
                if tracing::enabled!(target: "librdkafka", tracing::Level::DEBUG) {
                    RDKafkaLogLevel::Debug
                } else {
                    RDKafkaLogLevel::Warning
                },
            );
        if let Some(path) = &self.command_config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --command-config file {}", path.display()))?;
            for (key, value) in parse_properties_file(&text) {
                config.set(key, value);
            }
        }
        for (key, value) in extra {
            config.set(key, value);
        }
        Ok(config)
    }

    /// Fails fast, with advice, when no bootstrap server accepts a TCP
    /// connection: librdkafka would otherwise retry until the request timeout.
    pub async fn check_reachable(&self) -> anyhow::Result<()> {
        let servers = parse_bootstrap_servers(&self.bootstrap_server)?;
        let mut last_error = String::new();
        for (host, port) in &servers {
            let attempt = tokio::time::timeout(
                CONNECT_CHECK_TIMEOUT,
                tokio::net::TcpStream::connect((host.as_str(), *port)),
            )
            .await;
            match attempt {
                Ok(Ok(_stream)) => return Ok(()),
                Ok(Err(e)) => last_error = e.to_string(),
                Err(_) => {
                    last_error = format!("no answer within {}s", CONNECT_CHECK_TIMEOUT.as_secs())
                }
            }
        }
        Err(unreachable_error(&self.bootstrap_server, &last_error))
    }
}

/// The message for "no broker there", with what to do about it.
pub fn unreachable_error(bootstrap: &str, detail: &str) -> anyhow::Error {
    anyhow!(
        "cannot reach broker at {bootstrap}: {detail} — is it running? start it with \
         `sluice broker`, or point to another one with --bootstrap-server HOST:PORT"
    )
}

/// Splits `--bootstrap-server` into (host, port) pairs; accepts `[::1]:9092`.
pub fn parse_bootstrap_servers(list: &str) -> anyhow::Result<Vec<(String, u16)>> {
    let mut servers = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        // Kafka accepts listener-style URLs in the list too.
        let address = entry.split_once("://").map_or(entry, |(_, rest)| rest);
        let parsed = address.rsplit_once(':').and_then(|(host, port)| {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = port.parse::<u16>().ok()?;
            (!host.is_empty() && port != 0).then(|| (host.to_string(), port))
        });
        match parsed {
            Some(server) => servers.push(server),
            None => bail!("invalid --bootstrap-server entry {entry:?}: expected HOST:PORT, e.g. 127.0.0.1:9092"),
        }
    }
    if servers.is_empty() {
        bail!("--bootstrap-server is empty: expected HOST:PORT, e.g. 127.0.0.1:9092");
    }
    Ok(servers)
}

/// Parses a repeatable `KEY=VALUE` flag value; `flag` names it in errors.
pub fn parse_key_value(flag: &str, raw: &str) -> anyhow::Result<(String, String)> {
    let Some((key, value)) = raw.split_once('=') else {
        bail!("{flag} {raw:?}: expected KEY=VALUE");
    };
    let key = key.trim();
    if key.is_empty() {
        bail!("{flag} {raw:?}: the key before '=' is empty");
    }
    Ok((key.to_string(), value.to_string()))
}

/// Parses all values of a repeatable `KEY=VALUE` flag.
pub fn parse_key_values(flag: &str, raws: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raws.iter().map(|raw| parse_key_value(flag, raw)).collect()
}

/// Java-style properties, the common subset: `key=value` or `key: value`
/// lines, `#`/`!` comments, blank lines skipped.
pub fn parse_properties_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with('!'))
        .map(|line| {
            let split = line.find(['=', ':']);
            match split {
                Some(i) => (
                    line[..i].trim().to_string(),
                    line[i + 1..].trim().to_string(),
                ),
                None => (line.to_string(), String::new()),
            }
        })
        .collect()
}

/// Turns a librdkafka error into one a user can act on: timeouts and transport
/// failures become "cannot reach broker", with the last connection error seen.
pub fn explain(
    error: KafkaError,
    what: &str,
    bootstrap: &str,
    context: &CliContext,
) -> anyhow::Error {
    let unreachable = matches!(
        error_code(&error),
        Some(
            RDKafkaErrorCode::OperationTimedOut
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::Resolve
                | RDKafkaErrorCode::RequestTimedOut
        )
    );
    if matches!(
        error_code(&error),
        Some(RDKafkaErrorCode::UnsupportedFeature | RDKafkaErrorCode::UnsupportedVersion)
    ) {
        return anyhow!(
            "{what} failed: the broker at {bootstrap} does not support this request ({error})"
        );
    }
    if unreachable {
        let detail = match context.last_error() {
            Some(seen) => format!("{what} failed ({error}); last connection error: {seen}"),
            None => format!("{what} failed: {error}"),
        };
        return unreachable_error(bootstrap, &detail);
    }
    anyhow!("{what} failed: {error}")
}

/// The broker or librdkafka error code behind `error`, admin errors included.
pub fn error_code(error: &KafkaError) -> Option<RDKafkaErrorCode> {
    match error {
        KafkaError::AdminOp(code) => Some(*code),
        other => other.rdkafka_error_code(),
    }
}

/// Runs a blocking librdkafka call off the async worker threads.
pub async fn blocking<T, F>(f: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .context("internal error: a background task failed")
}

/// librdkafka callbacks for the tools: its log lines go to `tracing` at debug
/// level (`SLUICE_LOG=librdkafka=debug` shows them), and the last client
/// error is kept so a timeout can say what actually went wrong. Clones share
/// that error, so a clone kept outside the client can still read it.
#[derive(Debug, Default, Clone)]
pub struct CliContext {
    last_error: Arc<Mutex<Option<String>>>,
}

impl CliContext {
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn remember(&self, message: String) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(message);
    }
}

impl ClientContext for CliContext {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        tracing::debug!(target: "librdkafka", ?level, facility, "{message}");
        if (level as i32) <= (RDKafkaLogLevel::Error as i32) {
            self.remember(message.to_string());
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", %error, "{reason}");
        self.remember(reason.to_string());
    }
}

impl ConsumerContext for CliContext {}

/// True when writing to stdout failed because the reader went away
/// (`sluice consume … | head`): the tool then stops quietly, like `cat`.
pub fn is_broken_pipe(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_servers_parse() {
        let parsed =
            parse_bootstrap_servers("127.0.0.1:9092, kafka:19092,[::1]:9093").expect("valid list");
        assert_eq!(
            parsed,
            vec![
                ("127.0.0.1".to_string(), 9092),
                ("kafka".to_string(), 19092),
                ("::1".to_string(), 9093)
            ]
        );
        let url = parse_bootstrap_servers("PLAINTEXT://localhost:9092").expect("url form");
        assert_eq!(url, vec![("localhost".to_string(), 9092)]);
    }

    #[test]
    fn bad_bootstrap_servers_say_what_is_expected() {
        for bad in [
            "",
            "localhost",
            "localhost:x",
            ":9092",
            "host:0",
            "host:70000",
        ] {
            let error = parse_bootstrap_servers(bad).expect_err(bad).to_string();
            assert!(error.contains("HOST:PORT"), "{bad}: {error}");
        }
    }

    #[test]
    fn key_values_split_on_first_equals() {
        assert_eq!(
            parse_key_value("--config", "a.b=c=d").expect("valid"),
            ("a.b".to_string(), "c=d".to_string())
        );
        assert_eq!(
            parse_key_value("--config", "k=").expect("valid"),
            ("k".to_string(), String::new())
        );
        assert!(parse_key_value("--config", "novalue").is_err());
        assert!(parse_key_value("--config", "=v").is_err());
    }

    #[test]
    fn properties_file_subset() {
        let text = "# comment\n! other\n\nsecurity.protocol = SSL\nsasl.mechanism: PLAIN\nflag\n";
        assert_eq!(
            parse_properties_file(text),
            vec![
                ("security.protocol".to_string(), "SSL".to_string()),
                ("sasl.mechanism".to_string(), "PLAIN".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn timeouts_become_unreachable_with_last_error() {
        let context = CliContext::default();
        context.remember("Connect to ipv4#127.0.0.1:1 failed: Connection refused".to_string());
        let error = explain(
            KafkaError::MetadataFetch(RDKafkaErrorCode::OperationTimedOut),
            "fetching metadata",
            "127.0.0.1:1",
            &context,
        )
        .to_string();
        assert!(
            error.starts_with("cannot reach broker at 127.0.0.1:1"),
            "{error}"
        );
        assert!(error.contains("Connection refused"), "{error}");
        assert!(error.contains("sluice broker"), "{error}");

        let other = explain(
            KafkaError::AdminOp(RDKafkaErrorCode::TopicAlreadyExists),
            "creating topic",
            "x:1",
            &context,
        )
        .to_string();
        assert!(other.starts_with("creating topic failed"), "{other}");
    }
}
