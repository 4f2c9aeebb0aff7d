//! `sluice`: Kafka Connect-style data pipelines in one binary.
//!
//! Subcommands: `broker` runs the included Kafka-protocol broker; `standalone` and
//! `distributed` run Kafka Connect workers against any Kafka cluster; `registry` runs the
//! Confluent-compatible schema registry; the Kafka tutorial tools
//! (`topics`, `produce`, `consume`, `groups`) talk to any Kafka broker. Plain `sluice`
//! starts the broker on :9092, the schema registry on :8081 and a worker on :8083 with
//! data under `./data`.

mod cli;
mod worker;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sluice",
    version,
    about = "Kafka Connect-style data pipelines in one Rust binary"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the included single-node Kafka-protocol broker.
    Broker(BrokerArgs),
    /// Run a standalone Kafka Connect worker (like connect-standalone.sh).
    Standalone(worker::StandaloneArgs),
    /// Run a distributed Kafka Connect worker (like connect-distributed.sh).
    Distributed(worker::DistributedArgs),
    /// Run the Confluent-compatible schema registry (like schema-registry-start).
    Registry(RegistryArgs),
    /// Create, list, describe, alter and delete topics (like kafka-topics.sh).
    Topics(cli::topics::TopicsArgs),
    /// Produce lines from stdin to a topic (like kafka-console-producer.sh).
    Produce(cli::produce::ProduceArgs),
    /// Print records of a topic (like kafka-console-consumer.sh).
    Consume(cli::consume::ConsumeArgs),
    /// List and describe consumer groups (like kafka-consumer-groups.sh).
    Groups(cli::groups::GroupsArgs),
}

#[derive(Debug, clap::Args)]
struct RegistryArgs {
    /// The Kafka cluster holding the schemas topic (kafkastore.bootstrap.servers).
    #[arg(long, default_value = "127.0.0.1:9092")]
    bootstrap_servers: String,
    /// Where the REST API listens (listeners), e.g. http://0.0.0.0:8081.
    #[arg(long, default_value = "http://127.0.0.1:8081")]
    listeners: String,
    /// The topic the schemas are stored in (kafkastore.topic).
    #[arg(long, default_value = "_schemas")]
    topic: String,
    /// Replication factor of the schemas topic when it is created
    /// (kafkastore.topic.replication.factor).
    #[arg(long, default_value_t = 1)]
    replication_factor: i32,
    /// Registry instances with the same group id share the topic and elect one leader,
    /// which alone writes; the others forward writes to it (schema.registry.group.id).
    #[arg(long, default_value = "schema-registry")]
    group_id: String,
    /// The host name the other instances reach this one at (host.name). Default: the
    /// listener's address, or localhost when listening on 0.0.0.0.
    #[arg(long)]
    host_name: Option<String>,
    /// Whether this instance may become the leader (leader.eligibility).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    leader_eligibility: bool,
}

impl RegistryArgs {
    fn into_config(self) -> anyhow::Result<schema_registry::RegistryConfig> {
        let address = self
            .listeners
            .strip_prefix("http://")
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--listeners {}: expected http://host:port (HTTPS is not supported yet)",
                    self.listeners
                )
            })?
            .trim_end_matches('/');
        let listener = std::net::ToSocketAddrs::to_socket_addrs(address)
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--listeners {}: not a host:port to listen on",
                    self.listeners
                )
            })?;
        Ok(schema_registry::RegistryConfig {
            bootstrap_servers: self.bootstrap_servers,
            listener,
            topic: self.topic,
            topic_replication_factor: self.replication_factor,
            group_id: self.group_id,
            host_name: self.host_name,
            leader_eligibility: self.leader_eligibility,
        })
    }
}

#[derive(Debug, clap::Args)]
struct BrokerArgs {
    /// A server.properties-style file; flags below override it.
    #[arg(long, short = 'c')]
    config: Option<PathBuf>,
    /// Listeners, e.g. PLAINTEXT://127.0.0.1:9092 (loopback by default).
    #[arg(long)]
    listeners: Option<String>,
    /// The address given to clients in Metadata (defaults to the first listener).
    #[arg(long)]
    advertised_listeners: Option<String>,
    /// Data directory (log.dirs).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Node id (node.id).
    #[arg(long)]
    node_id: Option<i32>,
    /// Any broker setting as key=value (repeatable), e.g. --override num.partitions=3.
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

fn main() -> std::process::ExitCode {
    let loggers = init_tracing();
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match args.command {
            None => run_all_in_one(loggers).await,
            Some(Command::Broker(b)) => run_broker(b).await,
            Some(Command::Standalone(a)) => {
                worker::check_worker_file(&a.worker_properties)?;
                worker::run_standalone(a, loggers).await
            }
            Some(Command::Distributed(a)) => worker::run_distributed(a, loggers).await,
            Some(Command::Registry(a)) => run_registry(a).await,
            Some(Command::Topics(a)) => cli::topics::run(a).await,
            Some(Command::Produce(a)) => cli::produce::run(a).await,
            Some(Command::Consume(a)) => cli::consume::run(a).await,
            Some(Command::Groups(a)) => cli::groups::run(a).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

impl BrokerArgs {
    /// Plain `sluice`: the broker on the default port with data under ./data.
    fn all_in_one() -> Self {
        BrokerArgs {
            config: None,
            listeners: None,
            advertised_listeners: None,
            data_dir: Some(PathBuf::from("data/broker")),
            node_id: None,
            overrides: Vec::new(),
        }
    }

    fn into_config(self) -> anyhow::Result<broker::BrokerConfig> {
        let mut config = match &self.config {
            Some(path) => broker::BrokerConfig::from_properties_file(path)?,
            None => broker::BrokerConfig::default(),
        };
        if let Some(l) = &self.listeners {
            config.set("listeners", l)?;
        }
        if let Some(l) = &self.advertised_listeners {
            config.set("advertised.listeners", l)?;
        }
        if let Some(d) = self.data_dir {
            config.data_dir = d;
        }
        if let Some(n) = self.node_id {
            config.set("node.id", &n.to_string())?;
        }
        for o in &self.overrides {
            let (k, v) = o
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--override {o:?}: expected KEY=VALUE"))?;
            config.set(k.trim(), v.trim())?;
        }
        Ok(config)
    }
}

async fn run_broker(args: BrokerArgs) -> anyhow::Result<()> {
    let config = args.into_config()?;
    let broker = broker::Broker::start(config).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    broker.shutdown().await?;
    Ok(())
}

async fn run_registry(args: RegistryArgs) -> anyhow::Result<()> {
    let registry = schema_registry::start(args.into_config()?).await?;
    println!(
        "sluice schema registry listening on http://{} (Ctrl-C to stop)",
        registry.local_addr()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    registry.shutdown().await;
    Ok(())
}

/// Plain `sluice`: the broker on 127.0.0.1:9092, the schema registry on 127.0.0.1:8081
/// and a Connect worker on 127.0.0.1:8083, data under ./data.
async fn run_all_in_one(loggers: runtime::loggers::Loggers) -> anyhow::Result<()> {
    let config = BrokerArgs::all_in_one().into_config()?;
    let broker = broker::Broker::start(config).await?;
    let props = worker::all_in_one_worker_props(&broker.bootstrap());
    let registry = match schema_registry::start(schema_registry::RegistryConfig {
        bootstrap_servers: broker.bootstrap(),
        ..schema_registry::RegistryConfig::default()
    })
    .await
    {
        Ok(r) => r,
        Err(e) => {
            broker.shutdown().await?;
            return Err(e.into());
        }
    };
    let worker = match worker::start_distributed(props, loggers).await {
        Ok(w) => w,
        Err(e) => {
            registry.shutdown().await;
            broker.shutdown().await?;
            return Err(e);
        }
    };
    println!(
        "sluice is running: Kafka broker on {}, schema registry on http://{}, Kafka Connect REST API on http://{} (Ctrl-C to stop)",
        broker.bootstrap(),
        registry.local_addr(),
        worker.rest_addr
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    worker.shutdown().await;
    registry.shutdown().await;
    broker.shutdown().await?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Logs to stderr, filtered by `SLUICE_LOG` (default `info`); the returned [`Loggers`]
/// change the filter at run time (`PUT /admin/loggers/{namespace}`).
///
/// [`Loggers`]: runtime::loggers::Loggers
fn init_tracing() -> runtime::loggers::Loggers {
    use std::io::IsTerminal;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{reload, EnvFilter};

    let base = std::env::var("SLUICE_LOG").unwrap_or_else(|_| "info".to_owned());
    let filter = EnvFilter::try_new(&base).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    // Colours only on a terminal: logs redirected to a file stay plain text.
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .init();
    let root = base
        .split(',')
        .find(|d| !d.contains('='))
        .unwrap_or("info")
        .to_owned();
    // Directives set through the REST API, applied on top of SLUICE_LOG.
    let directives: Arc<Mutex<Vec<String>>> = Arc::default();
    let apply = move |namespace: &str, level: &str| {
        // log4j levels that tracing lacks map to the nearest one.
        let level = match level {
            "FATAL" => "error",
            "ALL" => "trace",
            other => other,
        }
        .to_ascii_lowercase();
        let directive = if namespace == "root" {
            level
        } else {
            format!("{namespace}={level}")
        };
        let Ok(mut all) = directives.lock() else {
            return;
        };
        all.push(directive);
        let spec = std::iter::once(base.as_str())
            .chain(all.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",");
        match EnvFilter::try_new(&spec) {
            Ok(filter) => {
                let _ = handle.reload(filter);
            }
            Err(e) => tracing::warn!(error = %e, "cannot apply the log level"),
        }
    };
    runtime::loggers::Loggers::new(&root, Some(Arc::new(apply)))
}
