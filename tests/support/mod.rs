//! Processes shared by the root package's integration tests: the sluice broker, and a Kafka
//! Connect standalone worker that is either the reference Apache Kafka Connect 3.9 (a JVM) or
//! `sluice standalone`, started the same way from the same `worker.properties`, so that one test
//! can run against both and compare.
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
        let process = ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start {cmd:?}: {e}"))?,
        );
        let mut broker = Broker {
            process,
            port,
            log,
            _dir: dir,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = broker.process.0.try_wait() {
                return Err(format!(
                    "the broker exited ({status}) before accepting connections on {addr}; its log:\n{}",
                    broker.log_tail()
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(broker);
            }
            if started.elapsed() >= BROKER_START_TIMEOUT {
                panic!(
                    "the broker did not accept connections on {addr} within {}s; its log:\n{}",
                    BROKER_START_TIMEOUT.as_secs(),
                    broker.log_tail()
                );
            }
            sleep(Duration::from_millis(50));
        }
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
                let classpath = std::env::var(CONNECT_CP_VAR).unwrap_or_default();
                if classpath.is_empty() {
                    panic!(
                        "{CONNECT_CP_VAR} is not set: run scripts/test, which installs Apache \
                         Kafka Connect 3.9 and sets {CONNECT_CP_VAR}"
                    );
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
