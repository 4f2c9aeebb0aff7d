//! Rows/s of the JDBC source connector (`io.confluent.connect.jdbc.JdbcSourceConnector`) from
//! a large table into a topic, through a release `sluice standalone` worker.
//!
//! Not a criterion bench: it starts a throwaway PostgreSQL (the connectors' test services,
//! `SLUICE_PG_BIN`), fills a table with N rows (default 1,000,000: a `BIGSERIAL` id, two short
//! texts, an int, a `NUMERIC(10,2)` → Connect Decimal and a `TIMESTAMP`), then the release
//! `sluice broker` and, for each run, a fresh `sluice standalone` worker (and `sluice registry`
//! for the Avro runs). Each run creates the connector (`mode=incrementing`, its own
//! `topic.prefix`) with `POST /connectors` and measures:
//! * rows/s: N / (time from `POST /connectors` until the topic's end offset reaches N), the end
//!   offset read with a Kafka client every 50 ms;
//! * first row: from `POST /connectors` until the end offset is above 0 (connector and task
//!   start, the first query and the first produce);
//! * worker RSS: idle (before the connector), peak of the samples during the run, and VmHWM;
//! * CPU seconds used during the run by the worker, the broker, PostgreSQL (and the registry),
//!   a rough picture of where the time goes.
//!
//! Runs: JSON converter (`schemas.enable=true`) and Avro converter, each with a large batch
//! (`batch.max.rows` 10000, `poll.interval.ms` 10), then, with `--confluent-defaults`, each with
//! Confluent's defaults (`batch.max.rows` 100, `poll.interval.ms` 5000). `--sqlite` adds the same
//! runs from a SQLite file (made with the `sqlite3` shell).
//!
//! ```text
//! eval "$(bash scripts/test --deps-only)"   # SLUICE_PG_BIN
//! cargo build --release --bin sluice
//! cargo bench --bench jdbc_source -- [--rows N] [--batch-max-rows N] [--poll-interval-ms MS]
//!     [--only json|avro] [--confluent-defaults] [--sqlite] [--no-postgres] [--sluice PATH]
//!     [--timeout SECS]
//! ```
//!
//! Results on the 2-core development machine, 1,000,000 rows, PostgreSQL 15, after the
//! AvroConverter cached its per-schema work: JSON 99 k rows/s, Avro 132 k rows/s with
//! `batch.max.rows` 10000; 82 k and 98 k rows/s with Confluent's defaults; worker RSS 16 MiB
//! idle, ≤ 73 MiB peak. The worker is CPU-bound (worker CPU ≈ wall time; broker and
//! PostgreSQL < 2 s each). Before that cache, `perf` put ~65 % of the worker's CPU in
//! converting, parsing and printing the Avro schema for every record (21–33 k rows/s).

#[path = "../connectors/tests/services/mod.rs"]
#[allow(unreachable_pub)]
mod services;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use serde_json::{json, Value};

#[path = "common/proc_stats.rs"]
mod proc_stats;
#[path = "common/process.rs"]
mod process;
use proc_stats::{process_tree, tree_cpu, tree_kb};
use process::{free_port, Proc};

const USAGE: &str = "\
usage: cargo bench --bench jdbc_source -- [options]
  --rows N               rows in the source table (default 1,000,000)
  --batch-max-rows N     batch.max.rows of the main runs (default 10000)
  --poll-interval-ms MS  poll.interval.ms of the main runs (default 10)
  --only json|avro       run one converter
  --confluent-defaults   also run with batch.max.rows=100, poll.interval.ms=5000
  --sqlite               also run from a SQLite file (needs the sqlite3 shell)
  --no-postgres          skip PostgreSQL (with --sqlite)
  --sluice PATH          sluice binary (default: release/sluice in CARGO_TARGET_DIR or beside this bench)
  --timeout SECS         bound on one run (default 900); a run whose topic stops growing for
                         60 s ends earlier
environment:
  SLUICE_PG_BIN          PostgreSQL's bin directory (eval \"$(bash scripts/test --deps-only)\")";

/// A run whose topic does not grow for this long has stalled.
const STALL: Duration = Duration::from_secs(60);
const TABLE: &str = "sales";

#[derive(Clone, Debug)]
struct Options {
    rows: u64,
    batch_max_rows: u64,
    poll_interval_ms: u64,
    json: bool,
    avro: bool,
    confluent_defaults: bool,
    sqlite: bool,
    postgres: bool,
    sluice: PathBuf,
    timeout: Duration,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut opts = Options {
            rows: 1_000_000,
            batch_max_rows: 10_000,
            poll_interval_ms: 10,
            json: true,
            avro: true,
            confluent_defaults: false,
            sqlite: false,
            postgres: true,
            sluice: default_sluice_path().ok_or("cannot find the sluice binary: pass --sluice")?,
            timeout: Duration::from_secs(900),
        };
        let number = |name: &str, v: Option<String>| -> Result<u64, String> {
            let v = v.ok_or(format!("{name} needs a value"))?;
            v.replace(['_', ','], "")
                .parse()
                .map_err(|e| format!("{name} {v}: {e}"))
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--rows" => opts.rows = number("--rows", args.next())?.max(1),
                "--batch-max-rows" => {
                    opts.batch_max_rows = number("--batch-max-rows", args.next())?.max(1)
                }
                "--poll-interval-ms" => {
                    opts.poll_interval_ms = number("--poll-interval-ms", args.next())?
                }
                "--only" => match args.next().as_deref() {
                    Some("json") => opts.avro = false,
                    Some("avro") => opts.json = false,
                    other => return Err(format!("--only json|avro, not {other:?}")),
                },
                "--confluent-defaults" => opts.confluent_defaults = true,
                "--sqlite" => opts.sqlite = true,
                "--no-postgres" => opts.postgres = false,
                "--sluice" => {
                    opts.sluice = PathBuf::from(args.next().ok_or("--sluice needs a path")?)
                }
                "--timeout" => {
                    opts.timeout = Duration::from_secs(number("--timeout", args.next())?.max(1))
                }
                "-h" | "--help" => return Ok(None),
                // cargo bench passes --bench to harness=false benches.
                "--bench" => {}
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(opts))
    }
}

/// `$CARGO_TARGET_DIR/release/sluice`, else `release/sluice` beside this bench
/// (which cargo builds as `release/deps/jdbc_source-<hash>`).
fn default_sluice_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir).join("release").join("sluice"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.join("sluice"))
}

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where the rows come from.
enum Source {
    Postgres(services::Postgres),
    Sqlite(PathBuf),
}

impl Source {
    fn name(&self) -> &'static str {
        match self {
            Source::Postgres(_) => "postgresql",
            Source::Sqlite(_) => "sqlite",
        }
    }

    fn connection(&self) -> Vec<(&'static str, String)> {
        match self {
            Source::Postgres(pg) => vec![
                ("connection.url", pg.jdbc_url()),
                ("connection.user", pg.user().to_owned()),
            ],
            Source::Sqlite(db) => vec![("connection.url", format!("jdbc:sqlite:{}", db.display()))],
        }
    }

    /// The server's processes (for CPU time): the postmaster and its children.
    fn pids(&self) -> Vec<u32> {
        match self {
            Source::Postgres(pg) => find_process(&pg.dir().display().to_string())
                .map(process_tree)
                .unwrap_or_default(),
            Source::Sqlite(_) => Vec::new(),
        }
    }
}

fn run(opts: &Options) -> Result<(), String> {
    if !opts.sluice.is_file() {
        return Err(format!(
            "{} does not exist: cargo build --release --bin sluice",
            opts.sluice.display()
        ));
    }
    let work = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    println!(
        "JDBC source bench: {} rows, sluice {}",
        opts.rows,
        opts.sluice.display()
    );

    let mut sources = Vec::new();
    if opts.postgres {
        if !services::postgres_available() {
            return Err(format!("{} is not set", services::PG_BIN_VAR));
        }
        let started = Instant::now();
        let pg = services::Postgres::start();
        pg.execute(&format!(
            "CREATE TABLE {TABLE} (id BIGSERIAL PRIMARY KEY, shop TEXT NOT NULL, \
             item TEXT NOT NULL, qty INT NOT NULL, price NUMERIC(10,2) NOT NULL, \
             sold_at TIMESTAMP NOT NULL);
             INSERT INTO {TABLE} (shop, item, qty, price, sold_at)
               SELECT 'shop-' || (g % 100), 'item-' || g, (g % 7) + 1, (g % 10000) / 100.0,
                      TIMESTAMP '2024-01-01' + g * INTERVAL '1 second'
               FROM generate_series(1, {rows}) AS g;
             VACUUM ANALYZE {TABLE};",
            rows = opts.rows
        ));
        println!(
            "postgresql: {} rows loaded in {:.1} s",
            opts.rows,
            started.elapsed().as_secs_f64()
        );
        sources.push(Source::Postgres(pg));
    }
    if opts.sqlite {
        let started = Instant::now();
        let db = work.path().join("bench.db");
        let sql = format!(
            "CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, \
             item TEXT NOT NULL, qty INTEGER NOT NULL, price NUMERIC(10,2) NOT NULL, \
             sold_at TIMESTAMP NOT NULL);
             WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows})
             INSERT INTO {TABLE} (shop, item, qty, price, sold_at)
               SELECT 'shop-' || (n % 100), 'item-' || n, (n % 7) + 1, (n % 10000) / 100.0,
                      datetime('2024-01-01', '+' || n || ' seconds') FROM g;",
            rows = opts.rows
        );
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(&sql)
            .output()
            .map_err(|e| format!("cannot run sqlite3: {e}"))?;
        if !out.status.success() {
            return Err(format!("sqlite3: {}", String::from_utf8_lossy(&out.stderr)));
        }
        println!(
            "sqlite: {} rows loaded in {:.1} s",
            opts.rows,
            started.elapsed().as_secs_f64()
        );
        sources.push(Source::Sqlite(db));
    }

    let broker = Broker::start(&opts.sluice, work.path())?;
    let mut registry = None;
    let mut results = Vec::new();
    let mut settings = vec![(opts.batch_max_rows, opts.poll_interval_ms)];
    if opts.confluent_defaults {
        settings.push((100, 5000));
    }
    let mut n = 0;
    for source in &sources {
        for &(batch, poll) in &settings {
            for avro in [false, true] {
                if (avro && !opts.avro) || (!avro && !opts.json) {
                    continue;
                }
                let registry_url = if avro {
                    if registry.is_none() {
                        registry = Some(Registry::start(&opts.sluice, work.path(), &broker)?);
                    }
                    registry.as_ref().map(|r: &Registry| r.url.clone())
                } else {
                    None
                };
                n += 1;
                let run = RunSpec {
                    n,
                    source,
                    batch,
                    poll,
                    registry: registry_url,
                    registry_pids: registry
                        .as_ref()
                        .map(|r| process_tree(r.proc.pid()))
                        .unwrap_or_default(),
                };
                let result = run.execute(opts, work.path(), &broker)?;
                result.print();
                results.push(result);
            }
        }
    }

    println!();
    println!(
        "| source | converter | batch.max.rows | poll.interval.ms | rows/s | first row | total | \
         worker RSS idle / peak / HWM | CPU s worker / broker / db / registry |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.2} s | {:.1} s | {} / {} / {} MiB | {:.1} / {:.1} / {:.1} / {:.1} |",
            r.source,
            r.converter,
            r.batch,
            r.poll,
            r.rows as f64 / r.total.as_secs_f64(),
            r.first_row.as_secs_f64(),
            r.total.as_secs_f64(),
            r.idle_rss >> 20,
            r.peak_rss >> 20,
            r.hwm >> 20,
            r.cpu_worker.as_secs_f64(),
            r.cpu_broker.as_secs_f64(),
            r.cpu_db.as_secs_f64(),
            r.cpu_registry.as_secs_f64(),
        );
    }
    Ok(())
}

struct RunSpec<'a> {
    n: usize,
    source: &'a Source,
    batch: u64,
    poll: u64,
    registry: Option<String>,
    registry_pids: Vec<u32>,
}

struct RunResult {
    source: &'static str,
    converter: &'static str,
    batch: u64,
    poll: u64,
    rows: u64,
    first_row: Duration,
    total: Duration,
    idle_rss: u64,
    peak_rss: u64,
    hwm: u64,
    cpu_worker: Duration,
    cpu_broker: Duration,
    cpu_db: Duration,
    cpu_registry: Duration,
}

impl RunResult {
    fn print(&self) {
        println!(
            "{} {} batch.max.rows={} poll.interval.ms={}: {} rows in {:.2} s = {:.0} rows/s \
             (first row after {:.2} s); worker RSS idle {} MiB, peak {} MiB (VmHWM {} MiB); \
             CPU s: worker {:.1}, broker {:.1}, db {:.1}, registry {:.1}",
            self.source,
            self.converter,
            self.batch,
            self.poll,
            self.rows,
            self.total.as_secs_f64(),
            self.rows as f64 / self.total.as_secs_f64(),
            self.first_row.as_secs_f64(),
            self.idle_rss >> 20,
            self.peak_rss >> 20,
            self.hwm >> 20,
            self.cpu_worker.as_secs_f64(),
            self.cpu_broker.as_secs_f64(),
            self.cpu_db.as_secs_f64(),
            self.cpu_registry.as_secs_f64(),
        );
    }
}

impl RunSpec<'_> {
    fn execute(&self, opts: &Options, work: &Path, broker: &Broker) -> Result<RunResult, String> {
        let converter = if self.registry.is_some() {
            "avro"
        } else {
            "json"
        };
        let dir = work.join(format!("run-{}", self.n));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let prefix = format!("r{}_{}_{converter}_", self.n, self.source.name());
        let topic = format!("{prefix}{TABLE}");
        broker.create_topic(&topic)?;

        let port = free_port()?;
        let properties = format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=10000\n\
             key.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n",
            broker.bootstrap,
            dir.join("connect.offsets").display()
        );
        let worker_file = dir.join("worker.properties");
        std::fs::write(&worker_file, properties).map_err(|e| format!("worker.properties: {e}"))?;
        let mut cmd = Command::new(&opts.sluice);
        cmd.arg("standalone").arg(&worker_file).current_dir(&dir);
        let mut worker = Proc::spawn(cmd, &dir.join("worker.log"))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while http(port, "GET", "/", None).map(|r| r.0) != Ok(200) {
            if let Some(status) = worker.exited() {
                return Err(format!(
                    "the worker exited ({status}):\n{}",
                    worker.log_tail(30)
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the worker's REST API does not answer:\n{}",
                    worker.log_tail(30)
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(1000));
        let worker_pids = process_tree(worker.pid());
        let idle_rss = tree_kb(&worker_pids, "VmRSS");

        let mut config = json!({
            "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
            "tasks.max": "1",
            "mode": "incrementing",
            "incrementing.column.name": "id",
            "table.whitelist": TABLE,
            "topic.prefix": prefix,
            "batch.max.rows": self.batch.to_string(),
            "poll.interval.ms": self.poll.to_string(),
        });
        for (k, v) in self.source.connection() {
            config[k] = json!(v);
        }
        if let Some(url) = &self.registry {
            config["value.converter"] = json!("io.confluent.connect.avro.AvroConverter");
            config["value.converter.schema.registry.url"] = json!(url);
        }
        let db_pids = self.source.pids();
        let cpu_before = (
            tree_cpu(&process_tree(worker.pid())),
            tree_cpu(&process_tree(broker.proc.pid())),
            tree_cpu(&db_pids),
            tree_cpu(&self.registry_pids),
        );

        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &broker.bootstrap)
            .create()
            .map_err(|e| format!("a Kafka client: {e}"))?;
        let body = json!({"name": "bench", "config": config});
        let started = Instant::now();
        let answer = http(port, "POST", "/connectors", Some(&body))?;
        if answer.0 != 201 {
            return Err(format!("POST /connectors: {} {}", answer.0, answer.1));
        }
        let mut first_row = None;
        let mut peak_rss = idle_rss;
        let mut last_end = 0;
        let mut last_growth = Instant::now();
        let mut next_report = Instant::now() + Duration::from_secs(10);
        let total = loop {
            let end = consumer
                .fetch_watermarks(&topic, 0, Duration::from_secs(5))
                .map(|(_, high)| high.max(0) as u64)
                .unwrap_or(0);
            let now = Instant::now();
            if end > 0 && first_row.is_none() {
                first_row = Some(now - started);
            }
            if end >= opts.rows {
                break now - started;
            }
            if end > last_end {
                last_end = end;
                last_growth = now;
            }
            peak_rss = peak_rss.max(tree_kb(&process_tree(worker.pid()), "VmRSS"));
            if now > next_report {
                eprintln!(
                    "  … {end} rows after {:.0} s",
                    (now - started).as_secs_f64()
                );
                next_report = now + Duration::from_secs(10);
            }
            if let Some(status) = worker.exited() {
                return Err(format!(
                    "the worker exited ({status}):\n{}",
                    worker.log_tail(30)
                ));
            }
            if now - started > opts.timeout || now - last_growth > STALL {
                let status = http(port, "GET", "/connectors/bench/status", None)
                    .map(|r| r.1)
                    .unwrap_or_default();
                return Err(format!(
                    "{topic} holds {end} of {} rows after {:.0} s (stalled or timed out); \
                     status {status}\n{}",
                    opts.rows,
                    (now - started).as_secs_f64(),
                    worker.log_tail(30)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let pids = process_tree(worker.pid());
        let peak_rss = peak_rss.max(tree_kb(&pids, "VmRSS"));
        let hwm = tree_kb(&pids, "VmHWM");
        let result = RunResult {
            source: self.source.name(),
            converter,
            batch: self.batch,
            poll: self.poll,
            rows: opts.rows,
            first_row: first_row.unwrap_or(total),
            total,
            idle_rss,
            peak_rss,
            hwm,
            cpu_worker: tree_cpu(&pids).saturating_sub(cpu_before.0),
            cpu_broker: tree_cpu(&process_tree(broker.proc.pid())).saturating_sub(cpu_before.1),
            // The connector's backends were forked after `db_pids` was taken.
            cpu_db: tree_cpu(&self.source.pids()).saturating_sub(cpu_before.2),
            cpu_registry: tree_cpu(&self.registry_pids).saturating_sub(cpu_before.3),
        };
        drop(worker);
        // The JSON records of a million rows take ~0.5 GB: free the disk for the next run.
        broker.delete_topic(&topic);
        Ok(result)
    }
}

// ----------------------------------------------------------------------------
// Processes

struct Broker {
    proc: Proc,
    sluice: PathBuf,
    bootstrap: String,
}

impl Broker {
    fn start(sluice: &Path, work: &Path) -> Result<Broker, String> {
        let port = free_port()?;
        let mut cmd = Command::new(sluice);
        cmd.arg("broker")
            .arg("--data-dir")
            .arg(work.join("broker-data"))
            .arg("--listeners")
            .arg(format!("PLAINTEXT://127.0.0.1:{port}"));
        let mut proc = Proc::spawn(cmd, &work.join("broker.log"))?;
        let bootstrap = format!("127.0.0.1:{port}");
        wait_listening(&mut proc, &bootstrap, "the broker")?;
        Ok(Broker {
            proc,
            sluice: sluice.to_path_buf(),
            bootstrap,
        })
    }

    fn create_topic(&self, topic: &str) -> Result<(), String> {
        let out = Command::new(&self.sluice)
            .args(["topics", "--bootstrap-server", &self.bootstrap, "--create"])
            .args(["--topic", topic, "--partitions", "1"])
            .env("NO_COLOR", "1")
            .output()
            .map_err(|e| format!("cannot run sluice topics: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "sluice topics --create --topic {topic} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

impl Broker {
    fn delete_topic(&self, topic: &str) {
        let _ = Command::new(&self.sluice)
            .args(["topics", "--bootstrap-server", &self.bootstrap, "--delete"])
            .args(["--topic", topic, "--if-exists"])
            .env("NO_COLOR", "1")
            .output();
    }
}

struct Registry {
    proc: Proc,
    url: String,
}

impl Registry {
    fn start(sluice: &Path, work: &Path, broker: &Broker) -> Result<Registry, String> {
        let port = free_port()?;
        let mut cmd = Command::new(sluice);
        cmd.arg("registry")
            .args(["--bootstrap-servers", &broker.bootstrap])
            .arg("--listeners")
            .arg(format!("http://127.0.0.1:{port}"));
        let mut proc = Proc::spawn(cmd, &work.join("registry.log"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while http(port, "GET", "/subjects", None).map(|r| r.0) != Ok(200) {
            if let Some(status) = proc.exited() {
                return Err(format!(
                    "the registry exited ({status}):\n{}",
                    proc.log_tail(30)
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the registry does not answer:\n{}",
                    proc.log_tail(30)
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Registry {
            proc,
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

fn wait_listening(proc: &mut Proc, addr: &str, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = proc.exited() {
            return Err(format!("{what} exited ({status}):\n{}", proc.log_tail(30)));
        }
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{what} does not listen on {addr}:\n{}",
                proc.log_tail(30)
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ----------------------------------------------------------------------------
// /proc: process trees, memory, CPU time

/// The first process whose command line contains `needle`.
fn find_process(needle: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        (cmdline.contains(needle) && pid != std::process::id()).then_some(pid)
    })
}

// ----------------------------------------------------------------------------
// Minimal HTTP/1.1 client (Connection: close): status and body.

fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, String), String> {
    use std::io::{Read, Write};
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| format!("timeout: {e}"))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {text:?}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}
