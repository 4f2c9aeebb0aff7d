//! Processes shared by the root package's integration tests: the sluice broker, and a Kafka
//! Connect standalone worker that is either the reference Apache Kafka Connect 3.9 (a JVM) or
//! `sluice standalone`, started the same way from the same `worker.properties`, so that one test
//! can run against both and compare.
//!
//! For distributed mode: [`DistributedWorker`] (`sluice distributed` or Kafka Connect's
//! `ConnectDistributed`, killable and restartable on the same port), [`ClusterNames`] (a unique
//! `group.id` and internal topics per test), [`Tansu`] (another Kafka-protocol broker) and a
//! blocking JSON-over-HTTP client, [`rest`].
//!
//! Use it from a test file with `mod support;`. Every process runs on a free loopback port with
//! its files (configuration, offsets, log) in a temporary directory, and is killed when its
//! handle is dropped, also when an assertion fails.
//!
//! Kafka Connect needs `SLUICE_CONNECT_CP`, the classpath `scripts/test` installs and exports.
//! When it is missing, a test run by `scripts/test` fails, saying so; a plain `cargo test` outside
//! `scripts/test` (no `SLUICE_BIN` in the environment either) skips, printing how to run it:
//! see [`kafka_connect_available`].

// Each test file compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The sluice binary Cargo built for these tests.
pub const SLUICE_BIN: &str = env!("CARGO_BIN_EXE_sluice");
/// How long the broker may take to accept connections.
const BROKER_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a worker may take until `GET /` answers 200 (a JVM on two busy cores is slow).
const WORKER_START_TIMEOUT: Duration = Duration::from_secs(120);
/// Log lines shown when something fails.
pub const LOG_TAIL: usize = 60;
/// The variable that holds Kafka Connect's classpath.
pub const CONNECT_CP_VAR: &str = "SLUICE_CONNECT_CP";

/// Whether the reference Kafka Connect can be started. Missing under `scripts/test` (which
/// exports `SLUICE_BIN`) is a failure; missing under a plain `cargo test` skips the caller, which
/// returns early when this is false.
pub fn kafka_connect_available() -> bool {
    if std::env::var_os(CONNECT_CP_VAR).is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let message = format!(
        "{CONNECT_CP_VAR} is not set: run scripts/test, which installs Apache Kafka Connect 3.9 and \
         sets {CONNECT_CP_VAR} (or `eval \"$(scripts/test --deps-only)\"` before cargo test)"
    );
    if std::env::var_os("SLUICE_BIN").is_some() {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// Whether the tool named by the environment variable `var` (e.g. `SLUICE_TANSU`) is set. When it
/// is missing the caller skips (returns early) after printing why, unless `SLUICE_REQUIRE_TOOLS=1`,
/// which makes a missing tool a failure.
pub fn tool_available(var: &str, what: &str) -> bool {
    if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let message = format!(
        "{var} is not set, so {what} cannot run: run scripts/test, which installs it and sets \
         {var} (or `eval \"$(scripts/test --deps-only)\"` before cargo test)"
    );
    if std::env::var("SLUICE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{message} (SLUICE_REQUIRE_TOOLS=1)");
    }
    eprintln!("skipped: {message}");
    false
}

/// A child process killed when dropped, so that a failing test leaves nothing running.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port that was free a moment ago (the OS picks it; the listener is closed at once).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

/// The last `lines` lines of a file, lossily decoded; empty when it cannot be read.
pub fn tail_file(path: &Path, lines: usize) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Stdout and stderr of a child both into `log`.
fn log_to(cmd: &mut Command, log: &Path) -> Result<(), String> {
    let out = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("cannot reopen {}: {e}", log.display()))?;
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    Ok(())
}

/// Tries `start` up to three times: a port taken between choosing it and binding it makes the
/// process exit, and then another port is tried.
fn with_retries<T>(mut start: impl FnMut() -> Result<T, String>) -> T {
    let mut last_error = String::new();
    for _ in 0..3 {
        match start() {
            Ok(started) => return started,
            Err(e) => last_error = e,
        }
    }
    panic!("{last_error}");
}

/// `sluice broker` on a free loopback port with its own data directory.
pub struct Broker {
    process: ChildGuard,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl Broker {
    /// Starts the broker and waits until it accepts connections.
    pub fn start() -> Broker {
        with_retries(Broker::try_start)
    }

    fn try_start() -> Result<Broker, String> {
        let dir =
            TempDir::new().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port = free_port();
        let log = dir.path().join("broker.log");
        let mut cmd = Command::new(SLUICE_BIN);
        cmd.arg("broker")
            .arg("--listeners")
            .arg(format!("PLAINTEXT://127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            // Connect's workers and sink tasks join groups: no need to wait for more members.
            .args(["--override", "group.initial.rebalance.delay.ms=0"])
            .env("NO_COLOR", "1");
        log_to(&mut cmd, &log)?;
        let mut process = ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start {cmd:?}: {e}"))?,
        );
        wait_accepting(&mut process, port, "the broker", &log)?;
        Ok(Broker {
            process,
            port,
            log,
            _dir: dir,
        })
    }

    /// `host:port` for `bootstrap.servers`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The end of the broker's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }
}

/// Waits until the broker process `what` accepts connections on loopback `port`: an error
/// with its log if it exits first (the caller retries on another port), a panic with its
/// log after [`BROKER_START_TIMEOUT`].
fn wait_accepting(
    process: &mut ChildGuard,
    port: u16,
    what: &str,
    log: &Path,
) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = process.0.try_wait() {
            return Err(format!(
                "{what} exited ({status}) before accepting connections on {addr}; its log:\n{}",
                tail_file(log, LOG_TAIL)
            ));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if started.elapsed() >= BROKER_START_TIMEOUT {
            panic!(
                "{what} did not accept connections on {addr} within {}s; its log:\n{}",
                BROKER_START_TIMEOUT.as_secs(),
                tail_file(log, LOG_TAIL)
            );
        }
        sleep(Duration::from_millis(50));
    }
}

/// `sluice registry` (the schema registry) on a free loopback port against a broker, with `args`
/// added to its command line. Killable and restartable on the same port.
pub struct Registry {
    process: Option<ChildGuard>,
    bootstrap: String,
    args: Vec<String>,
    port: u16,
    log: PathBuf,
    dir: TempDir,
}

impl Registry {
    /// Starts `sluice registry --bootstrap-servers <bootstrap>` and waits until `GET /subjects`
    /// answers 200.
    pub fn start(bootstrap: &str) -> Registry {
        Registry::start_with(bootstrap, &[])
    }

    /// As [`Registry::start`], with more command-line arguments (e.g. `["--topic", "_s2"]`).
    pub fn start_with(bootstrap: &str, args: &[&str]) -> Registry {
        with_retries(|| {
            let mut registry = Registry {
                process: None,
                bootstrap: bootstrap.to_owned(),
                args: args.iter().map(|a| (*a).to_owned()).collect(),
                port: free_port(),
                log: PathBuf::new(),
                dir: TempDir::new()
                    .map_err(|e| format!("cannot create a temporary directory: {e}"))?,
            };
            registry.log = registry.dir.path().join("registry.log");
            registry.spawn()?;
            Ok(registry)
        })
    }

    fn spawn(&mut self) -> Result<(), String> {
        let mut cmd = Command::new(sluice_bin());
        cmd.arg("registry")
            .arg("--bootstrap-servers")
            .arg(&self.bootstrap)
            .arg("--listeners")
            .arg(format!("http://127.0.0.1:{}", self.port))
            .args(&self.args)
            .env("NO_COLOR", "1");
        // Appends, so that the log of a restarted registry keeps what came before.
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot open {}: {e}", self.log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot reopen {}: {e}", self.log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let process = self.process.insert(ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start {cmd:?}: {e}"))?,
        ));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = process.0.try_wait() {
                return Err(format!(
                    "the registry exited ({status}) before answering on port {}; its log:\n{}",
                    self.port,
                    tail_file(&self.log, LOG_TAIL)
                ));
            }
            if http_get_status(self.port, "/subjects") == Ok(200) {
                return Ok(());
            }
            if started.elapsed() >= WORKER_START_TIMEOUT {
                panic!(
                    "the registry did not answer GET /subjects on port {} within {}s; its log:\n{}",
                    self.port,
                    WORKER_START_TIMEOUT.as_secs(),
                    tail_file(&self.log, LOG_TAIL)
                );
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL: no clean shutdown.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.0.kill();
            let _ = process.0.wait();
        }
    }

    /// Kills the registry if it runs, then starts it again on the same port.
    pub fn restart(&mut self) {
        self.kill();
        if let Err(e) = self.spawn() {
            panic!("restarting the registry: {e}");
        }
    }

    /// The REST port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`, for `schema.registry.url`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The end of the registry's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }

    /// A request to the registry's REST API (JSON in and out).
    pub fn rest(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Response {
        rest(self.port, method, path, body)
    }
}

/// Which Connect worker implementation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerKind {
    /// Apache Kafka Connect 3.9.0 (`ConnectStandalone` on the JVM), the reference.
    KafkaConnect,
    /// `sluice standalone`.
    Sluice,
}

impl WorkerKind {
    pub fn name(self) -> &'static str {
        match self {
            WorkerKind::KafkaConnect => "Kafka Connect 3.9",
            WorkerKind::Sluice => "sluice",
        }
    }
}

/// What to start a worker with beyond the defaults.
#[derive(Clone, Debug, Default)]
pub struct WorkerOptions {
    /// Extra or overriding `worker.properties` entries, e.g. `("offset.flush.interval.ms", "500")`.
    pub properties: Vec<(String, String)>,
    /// Connector files (`.properties` or `.json`) given on the command line after
    /// `worker.properties`, started with the worker.
    pub connector_files: Vec<PathBuf>,
    /// JVM options for Kafka Connect (ignored for sluice); empty means [`DEFAULT_JVM_OPTIONS`].
    pub jvm_options: Vec<String>,
    /// Classpath entries appended to `SLUICE_CONNECT_CP` for Kafka Connect (ignored for sluice),
    /// e.g. Confluent's AvroConverter jars from `SLUICE_CONFLUENT_AVRO_CP`.
    pub extra_classpath: Vec<String>,
}

/// A bounded heap: several JVMs may run at once on a small CI machine.
pub const DEFAULT_JVM_OPTIONS: &[&str] = &["-Xms64m", "-Xmx512m"];

/// Kafka Connect logs through SLF4J, bound to log4j 2 on this classpath.
const LOG4J2_PROPERTIES: &str = "\
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
";

/// `/admin/loggers` reads and sets log4j 1 (reload4j) loggers: give it a root logger at INFO,
/// as Kafka's own `connect-log4j.properties` does.
const LOG4J_PROPERTIES: &str = "\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
";

/// A standalone Connect worker process with its REST API on a free loopback port.
pub struct Worker {
    // Declared first so that it is dropped (killed) before its directory is removed.
    process: ChildGuard,
    kind: WorkerKind,
    port: u16,
    log: PathBuf,
    dir: TempDir,
}

impl Worker {
    /// Starts a worker of `kind` against the broker at `bootstrap` with the default options.
    pub fn start(kind: WorkerKind, bootstrap: &str) -> Worker {
        Worker::start_with(kind, bootstrap, &WorkerOptions::default())
    }

    /// Starts a worker and waits until `GET /` answers 200; panics with the end of its log if it
    /// exits or does not answer in time.
    pub fn start_with(kind: WorkerKind, bootstrap: &str, options: &WorkerOptions) -> Worker {
        with_retries(|| Worker::try_start(kind, bootstrap, options))
    }

    fn try_start(
        kind: WorkerKind,
        bootstrap: &str,
        options: &WorkerOptions,
    ) -> Result<Worker, String> {
        let dir =
            TempDir::new().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port = free_port();
        let properties = worker_properties(bootstrap, port, dir.path(), &options.properties);
        let worker_file = dir.path().join("worker.properties");
        write(&worker_file, &properties)?;
        let log = dir.path().join("worker.log");

        let mut cmd = match kind {
            WorkerKind::KafkaConnect => {
                let mut classpath = std::env::var(CONNECT_CP_VAR).unwrap_or_default();
                if classpath.is_empty() {
                    panic!(
                        "{CONNECT_CP_VAR} is not set: run scripts/test, which installs Apache \
                         Kafka Connect 3.9 and sets {CONNECT_CP_VAR}"
                    );
                }
                for entry in &options.extra_classpath {
                    classpath.push(':');
                    classpath.push_str(entry);
                }
                let log4j2 = dir.path().join("log4j2.properties");
                let log4j = dir.path().join("log4j.properties");
                write(&log4j2, LOG4J2_PROPERTIES)?;
                write(&log4j, LOG4J_PROPERTIES)?;
                let mut cmd = Command::new("java");
                if options.jvm_options.is_empty() {
                    cmd.args(DEFAULT_JVM_OPTIONS);
                } else {
                    cmd.args(&options.jvm_options);
                }
                cmd.arg(format!("-Dlog4j2.configurationFile={}", log4j2.display()))
                    .arg(format!("-Dlog4j.configuration=file:{}", log4j.display()))
                    .arg("-cp")
                    .arg(classpath)
                    .arg("org.apache.kafka.connect.cli.ConnectStandalone");
                cmd
            }
            WorkerKind::Sluice => {
                let mut cmd = Command::new(SLUICE_BIN);
                cmd.arg("standalone").env("NO_COLOR", "1");
                cmd
            }
        };
        cmd.arg(&worker_file)
            .args(&options.connector_files)
            .current_dir(dir.path());
        log_to(&mut cmd, &log)?;
        let process = ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start {}: {cmd:?}: {e}", kind.name()))?,
        );
        let mut worker = Worker {
            process,
            kind,
            port,
            log,
            dir,
        };
        worker.wait_until_ready()?;
        Ok(worker)
    }

    fn wait_until_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.process.0.try_wait() {
                return Err(format!(
                    "{} exited ({status}) before its REST API answered on port {}; its log:\n{}",
                    self.kind.name(),
                    self.port,
                    self.log_tail()
                ));
            }
            // Jetty answers 404 until Kafka Connect has registered its resources.
            let last = match http_get_status(self.port, "/") {
                Ok(200) => return Ok(()),
                Ok(status) => format!("HTTP {status}"),
                Err(e) => e,
            };
            if started.elapsed() >= WORKER_START_TIMEOUT {
                panic!(
                    "{} did not answer GET / with 200 on port {} within {}s (last: {last}); its log:\n{}",
                    self.kind.name(),
                    self.port,
                    WORKER_START_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(200));
        }
    }

    pub fn kind(&self) -> WorkerKind {
        self.kind
    }

    /// `http://127.0.0.1:<port>`, the base of the REST API.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The REST port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The worker's own temporary directory (holds worker.properties, the offsets file and the
    /// log): a place for the connectors' input and output files too.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The end of the worker's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.process.0.try_wait(), Ok(None))
    }
}

/// The worker configuration both implementations read: the keys of Kafka's
/// `connect-standalone.properties`, then `extra` (later keys win in both).
fn worker_properties(bootstrap: &str, port: u16, dir: &Path, extra: &[(String, String)]) -> String {
    let mut text = String::new();
    let mut put = |k: &str, v: &str| {
        let _ = writeln!(text, "{k}={v}");
    };
    put("bootstrap.servers", bootstrap);
    put("listeners", &format!("http://127.0.0.1:{port}"));
    put(
        "offset.storage.file.filename",
        &dir.join("connect.offsets").display().to_string(),
    );
    put("offset.flush.interval.ms", "1000");
    put(
        "key.converter",
        "org.apache.kafka.connect.json.JsonConverter",
    );
    put(
        "value.converter",
        "org.apache.kafka.connect.json.JsonConverter",
    );
    // The jars are on the classpath, found through their ServiceLoader manifests; no plugin.path.
    put("plugin.discovery", "service_load");
    for (k, v) in extra {
        put(k, v);
    }
    text
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The status code of a plain `GET` on the loopback port (no HTTP client needed to wait).
fn http_get_status(port: u16, path: &str) -> Result<u16, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))
        .map_err(|e| format!("connect: {e}"))?;
    let timeout = Some(Duration::from_secs(5));
    stream
        .set_read_timeout(timeout)
        .and_then(|()| stream.set_write_timeout(timeout))
        .map_err(|e| format!("socket timeouts: {e}"))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < 12 {
        match stream.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    // "HTTP/1.1 200 OK"
    let line = String::from_utf8_lossy(&head[..read]);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {line:?}"))
}

// ---------------------------------------------------------------------------------------------
// Distributed mode.

/// How long a distributed worker may take to answer `GET /` after it was spawned.
const DISTRIBUTED_START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a SIGTERMed worker may take to leave the group and exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// The names one Connect cluster uses: its `group.id` and its three internal topics. Each test
/// makes its own with [`ClusterNames::unique`] so that tests sharing a broker never meet.
#[derive(Clone, Debug)]
pub struct ClusterNames {
    pub group: String,
    pub config_topic: String,
    pub offset_topic: String,
    pub status_topic: String,
}

impl ClusterNames {
    /// `<prefix>-<random>` for the group, and `<group>-configs|offsets|status` for the topics.
    pub fn unique(prefix: &str) -> ClusterNames {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let group = format!("{prefix}-{}", &id[..8]);
        ClusterNames {
            config_topic: format!("{group}-configs"),
            offset_topic: format!("{group}-offsets"),
            status_topic: format!("{group}-status"),
            group,
        }
    }
}

/// The `worker.properties` of a distributed worker: Kafka's `connect-distributed.properties`
/// keys, with timings small enough for tests (`session.timeout.ms=6000`, the sluice broker's
/// `group.min.session.timeout.ms`; `heartbeat.interval.ms=1000`; `offset.flush.interval.ms=1000`;
/// `scheduled.rebalance.max.delay.ms=3000`; the same session and heartbeat for the sink tasks'
/// consumers), then `extra` (later keys win).
pub fn distributed_worker_properties(
    bootstrap: &str,
    names: &ClusterNames,
    port: u16,
    extra: &[(String, String)],
) -> String {
    let mut text = String::new();
    let mut put = |k: &str, v: &str| {
        let _ = writeln!(text, "{k}={v}");
    };
    put("bootstrap.servers", bootstrap);
    put("group.id", &names.group);
    put("listeners", &format!("http://127.0.0.1:{port}"));
    put("config.storage.topic", &names.config_topic);
    put("offset.storage.topic", &names.offset_topic);
    put("status.storage.topic", &names.status_topic);
    put("config.storage.replication.factor", "1");
    put("offset.storage.replication.factor", "1");
    put("status.storage.replication.factor", "1");
    put("offset.storage.partitions", "5");
    put("status.storage.partitions", "5");
    put(
        "key.converter",
        "org.apache.kafka.connect.json.JsonConverter",
    );
    put(
        "value.converter",
        "org.apache.kafka.connect.json.JsonConverter",
    );
    put("session.timeout.ms", "6000");
    put("heartbeat.interval.ms", "1000");
    put("rebalance.timeout.ms", "20000");
    put("offset.flush.interval.ms", "1000");
    put("scheduled.rebalance.max.delay.ms", "3000");
    // The sink tasks' consumer groups: a sink task that moves off a killed worker gets its
    // partitions once the dead consumer's session expires (45 s by default).
    put("consumer.session.timeout.ms", "6000");
    put("consumer.heartbeat.interval.ms", "1000");
    // The jars are on the classpath, found through their ServiceLoader manifests; no plugin.path.
    put("plugin.discovery", "service_load");
    for (k, v) in extra {
        put(k, v);
    }
    text
}

/// One distributed Connect worker: `sluice distributed worker.properties` (the binary in
/// `SLUICE_BIN` when set, else the one Cargo built) or, with [`WorkerKind::KafkaConnect`],
/// Apache Kafka Connect 3.9's `ConnectDistributed`. Its REST port stays the same across
/// [`kill`](Self::kill)/[`stop`](Self::stop) and [`restart`](Self::restart), so its worker id
/// (`127.0.0.1:<port>`) does too. Its files (`worker.properties`, `worker.log`, appended to by
/// every start) live in `<dir>/worker-<port>/`; the process is killed when the handle drops.
pub struct DistributedWorker {
    process: Option<ChildGuard>,
    kind: WorkerKind,
    port: u16,
    dir: PathBuf,
    log: PathBuf,
    starts: u32,
}

impl DistributedWorker {
    /// Starts a worker of `kind` in the cluster `names` on the broker at `bootstrap`, on a free
    /// port (or `port`), under `dir`, with `extra` worker properties; waits until `GET /`
    /// answers 200 and panics with the end of its log if it exits or does not answer in time.
    pub fn start(
        kind: WorkerKind,
        bootstrap: &str,
        names: &ClusterNames,
        port: Option<u16>,
        dir: &Path,
        extra: &[(String, String)],
    ) -> DistributedWorker {
        let mut last_error = String::new();
        for _ in 0..3 {
            let fixed = port.is_some();
            let port = port.unwrap_or_else(free_port);
            let wdir = dir.join(format!("worker-{port}"));
            if let Err(e) = std::fs::create_dir_all(&wdir) {
                panic!("cannot create {}: {e}", wdir.display());
            }
            let properties = distributed_worker_properties(bootstrap, names, port, extra);
            if let Err(e) = write(&wdir.join("worker.properties"), &properties) {
                panic!("{e}");
            }
            let mut worker = DistributedWorker {
                process: None,
                kind,
                port,
                log: wdir.join("worker.log"),
                dir: wdir,
                starts: 0,
            };
            match worker.spawn_and_wait() {
                Ok(()) => return worker,
                // A port taken meanwhile: try another, unless the caller chose it.
                Err(e) if fixed => panic!("{e}"),
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    /// Starts `sluice distributed` (see [`start`](Self::start)).
    pub fn sluice(
        bootstrap: &str,
        names: &ClusterNames,
        dir: &Path,
        extra: &[(String, String)],
    ) -> DistributedWorker {
        DistributedWorker::start(WorkerKind::Sluice, bootstrap, names, None, dir, extra)
    }

    fn command(&self) -> Result<Command, String> {
        let worker_file = self.dir.join("worker.properties");
        let mut cmd = match self.kind {
            WorkerKind::KafkaConnect => {
                let classpath = std::env::var(CONNECT_CP_VAR).unwrap_or_default();
                if classpath.is_empty() {
                    panic!(
                        "{CONNECT_CP_VAR} is not set: run scripts/test, which installs Apache \
                         Kafka Connect 3.9 and sets {CONNECT_CP_VAR}"
                    );
                }
                let log4j2 = self.dir.join("log4j2.properties");
                let log4j = self.dir.join("log4j.properties");
                write(&log4j2, LOG4J2_PROPERTIES)?;
                write(&log4j, LOG4J_PROPERTIES)?;
                let mut cmd = Command::new("java");
                cmd.args(DEFAULT_JVM_OPTIONS)
                    .arg(format!("-Dlog4j2.configurationFile={}", log4j2.display()))
                    .arg(format!("-Dlog4j.configuration=file:{}", log4j.display()))
                    .arg("-cp")
                    .arg(classpath)
                    .arg("org.apache.kafka.connect.cli.ConnectDistributed");
                cmd
            }
            WorkerKind::Sluice => {
                let mut cmd = Command::new(sluice_bin());
                cmd.arg("distributed").env("NO_COLOR", "1");
                cmd
            }
        };
        cmd.arg(worker_file).current_dir(&self.dir);
        Ok(cmd)
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let mut cmd = self.command()?;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot open {}: {e}", self.log.display()))?;
        self.starts += 1;
        let _ = writeln!(
            &out,
            "===== test harness: start #{} of {} on port {} =====",
            self.starts,
            self.kind.name(),
            self.port
        );
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot reopen {}: {e}", self.log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {cmd:?}: {e}", self.kind.name()))?;
        self.process = Some(ChildGuard(child));
        let started = Instant::now();
        loop {
            if let Some(Ok(Some(status))) = self.process.as_mut().map(|p| p.0.try_wait()) {
                self.process = None;
                return Err(format!(
                    "{} (distributed) exited ({status}) before its REST API answered on port {}; \
                     its log:\n{}",
                    self.kind.name(),
                    self.port,
                    self.log_tail()
                ));
            }
            let last = match http_get_status(self.port, "/") {
                Ok(200) => return Ok(()),
                Ok(status) => format!("HTTP {status}"),
                Err(e) => e,
            };
            if started.elapsed() >= DISTRIBUTED_START_TIMEOUT {
                panic!(
                    "{} (distributed) did not answer GET / with 200 on port {} within {}s \
                     (last: {last}); its log:\n{}",
                    self.kind.name(),
                    self.port,
                    DISTRIBUTED_START_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL: the worker vanishes without leaving the group (the coordinator notices after
    /// `session.timeout.ms`). No-op when it is not running.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            let _ = p.0.kill();
            let _ = p.0.wait();
        }
    }

    /// SIGTERM and wait for the exit (a clean shutdown: tasks stop, offsets are flushed, the
    /// worker leaves the group); SIGKILL after 30 s. No-op when it is not running.
    pub fn stop(&mut self) {
        let Some(mut p) = self.process.take() else {
            return;
        };
        let pid = p.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let started = Instant::now();
        while started.elapsed() < STOP_TIMEOUT {
            if let Ok(Some(_)) = p.0.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        eprintln!(
            "{} on port {} did not exit within {}s of SIGTERM; killing it",
            self.kind.name(),
            self.port,
            STOP_TIMEOUT.as_secs()
        );
        // Dropping the guard kills it.
    }

    /// Starts the worker again (a new process, same port, same `worker.properties`) after
    /// [`kill`](Self::kill) or [`stop`](Self::stop); waits until `GET /` answers 200.
    pub fn restart(&mut self) {
        assert!(
            self.process.is_none(),
            "restart() of the worker on port {} that is still running",
            self.port
        );
        if let Err(e) = self.spawn_and_wait() {
            panic!("restarting: {e}");
        }
    }

    /// Whether the process is running.
    pub fn is_running(&mut self) -> bool {
        matches!(
            self.process.as_mut().map(|p| p.0.try_wait()),
            Some(Ok(None))
        )
    }

    pub fn kind(&self) -> WorkerKind {
        self.kind
    }

    /// The REST port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The worker id that `GET /connectors/{name}/status` shows: the advertised `host:port`.
    pub fn worker_id(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The worker's directory (`worker.properties`, `worker.log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The whole log (every start), lossily decoded.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// The end of the worker's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }

    /// A REST call to this worker: see [`rest`].
    pub fn rest(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Response {
        rest(self.port, method, path, body)
    }
}

/// The sluice binary: `SLUICE_BIN` when set (scripts/test builds it), else the one Cargo built
/// for these tests.
pub fn sluice_bin() -> PathBuf {
    std::env::var_os("SLUICE_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(SLUICE_BIN))
}

/// Tansu, a Rust Kafka-compatible broker (`SLUICE_TANSU`), in memory on a free loopback port.
/// Check [`tool_available`]`("SLUICE_TANSU", ..)` first.
pub struct Tansu {
    process: ChildGuard,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl Tansu {
    /// Starts Tansu and waits until it accepts connections.
    pub fn start() -> Tansu {
        with_retries(Tansu::try_start)
    }

    fn try_start() -> Result<Tansu, String> {
        let bin = std::env::var("SLUICE_TANSU").unwrap_or_default();
        assert!(!bin.is_empty(), "SLUICE_TANSU is not set");
        let dir =
            TempDir::new().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port = free_port();
        let log = dir.path().join("tansu.log");
        let url = format!("tcp://127.0.0.1:{port}");
        let mut cmd = Command::new(&bin);
        cmd.arg("broker")
            .args(["--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .current_dir(dir.path());
        log_to(&mut cmd, &log)?;
        let mut process = ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start {cmd:?}: {e}"))?,
        );
        wait_accepting(&mut process, port, "Tansu", &log)?;
        Ok(Tansu {
            process,
            port,
            log,
            _dir: dir,
        })
    }

    /// `host:port` for `bootstrap.servers`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The end of Tansu's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }
}

/// An HTTP answer: the status (0 when the request failed, with the reason in `body`), the raw
/// body, and the body parsed as JSON (`Null` when it is not JSON).
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
    pub json: serde_json::Value,
}

impl std::fmt::Display for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.body)
    }
}

/// A blocking HTTP/1.1 request to `127.0.0.1:<port>` with an optional JSON body (60 s
/// timeout; chunked answers are decoded). Never panics: a connection failure is status 0.
pub fn rest(port: u16, method: &str, path: &str, body: Option<&serde_json::Value>) -> Response {
    match try_rest(port, method, path, body) {
        Ok(r) => r,
        Err(e) => Response {
            status: 0,
            body: e,
            json: serde_json::Value::Null,
        },
    }
}

fn try_rest(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<Response, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let timeout = Some(Duration::from_secs(60));
    stream
        .set_read_timeout(timeout)
        .and_then(|()| stream.set_write_timeout(timeout))
        .map_err(|e| format!("socket timeouts: {e}"))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send {method} {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read the answer to {method} {path}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no HTTP head in {:?}", String::from_utf8_lossy(&raw)))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut payload = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        payload = dechunk(&payload)?;
    }
    let body = String::from_utf8_lossy(&payload).into_owned();
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    Ok(Response { status, body, json })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size {size_text:?}: {e}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}
