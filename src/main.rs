//! `sluice`: Kafka Connect-style data pipelines in one binary.
//!
//! Subcommands: `broker` runs the included Kafka-protocol broker; the Kafka
//! tutorial tools (`topics`, `produce`, `consume`, `groups`) talk to any Kafka
//! broker. Plain `sluice` starts everything with data under `./data`.

mod cli;

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
    init_tracing();
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
            None => run_broker(BrokerArgs::all_in_one()).await,
            Some(Command::Broker(b)) => run_broker(b).await,
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

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLUICE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: logs redirected to a file stay plain text.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}
