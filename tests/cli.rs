//! The Kafka tutorial tools (`sluice topics|produce|consume|groups`) run as a
//! user would run them, against a real broker: the sluice broker started from
//! the built binary on a free loopback port with a temporary data directory.
//!
//! `SLUICE_TEST_BOOTSTRAP=HOST:PORT` points the suite at another running
//! Kafka-protocol broker instead (names get a unique suffix for that case).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sluice");
/// Longest a broker may take to accept connections.
const BROKER_START_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one tool invocation may run before the test kills it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The broker under test; a child process is killed when this is dropped,
/// also when an assertion fails.
struct Broker {
    child: Option<Child>,
    bootstrap: String,
    log: Option<PathBuf>,
    _data: tempfile::TempDir,
}

impl Broker {
    fn start() -> Broker {
        let data = tempfile::tempdir().expect("temporary directory");
        if let Ok(bootstrap) = std::env::var("SLUICE_TEST_BOOTSTRAP") {
            return Broker {
                child: None,
                bootstrap,
                log: None,
                _data: data,
            };
        }
        let port = free_port();
        let bootstrap = format!("127.0.0.1:{port}");
        let log = data.path().join("broker.log");
        let log_file = std::fs::File::create(&log).expect("broker log file");
        let child = Command::new(BIN)
            .args([
                "broker",
                "--listeners",
                &format!("PLAINTEXT://{bootstrap}"),
                "--data-dir",
            ])
            .arg(data.path().join("data"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file handle"))
            .stderr(log_file)
            .spawn()
            .expect("spawn `sluice broker`");
        let mut broker = Broker {
            child: Some(child),
            bootstrap,
            log: Some(log),
            _data: data,
        };
        broker.wait_until_listening();
        broker
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + BROKER_START_TIMEOUT;
        loop {
            if TcpStream::connect(&self.bootstrap).is_ok() {
                return;
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "the broker exited during startup ({status}):\n{}",
                        self.log_text()
                    );
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "the broker did not accept connections on {} within {BROKER_START_TIMEOUT:?}:\n{}",
                    self.bootstrap,
                    self.log_text()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default()
    }

    /// Runs `sluice ARGS --bootstrap-server B`, feeding `stdin`, bounded by COMMAND_TIMEOUT.
    fn sluice(&self, args: &[&str], stdin: Option<&str>) -> Outcome {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .args(["--bootstrap-server", &self.bootstrap])
            .env_remove("SLUICE_BOOTSTRAP_SERVER")
            .env("SLUICE_LOG", "warn");
        run(
            command,
            stdin,
            &format!("sluice {}", args.join(" ")),
            &self.log_text_hint(),
        )
    }

    fn log_text_hint(&self) -> String {
        match &self.log {
            Some(_) => format!("broker log:\n{}", self.log_text()),
            None => format!("external broker at {}", self.bootstrap),
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

struct Outcome {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    what: String,
}

impl Outcome {
    #[track_caller]
    fn ok(self) -> Outcome {
        assert!(
            self.status.success(),
            "`{}` failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.what,
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    fn fails_with(self, needle: &str) -> Outcome {
        assert!(
            !self.status.success(),
            "`{}` should fail, but succeeded:\n{}",
            self.what,
            self.stdout
        );
        assert!(
            self.stderr.contains(needle),
            "`{}` should say {needle:?}; stderr:\n{}",
            self.what,
            self.stderr
        );
        self
    }
}

fn run(mut command: Command, stdin: Option<&str>, what: &str, context: &str) -> Outcome {
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sluice");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
        // Dropping the pipe closes stdin: end of input.
    }
    let stdout = read_in_background(child.stdout.take().expect("stdout pipe"));
    let stderr = read_in_background(child.stderr.take().expect("stderr pipe"));
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for sluice") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{what}` did not finish within {COMMAND_TIMEOUT:?}\n{context}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        what: what.to_string(),
    }
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// Unique names, so runs against a long-lived external broker do not collide.
fn name(base: &str) -> String {
    if std::env::var_os("SLUICE_TEST_BOOTSTRAP").is_none() {
        return base.to_string();
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{base}-{}-{nanos}", std::process::id())
}

/// The `Topic: T\t...` header line of a `--describe` output.
fn describe_header<'a>(describe: &'a str, topic: &str) -> &'a str {
    describe
        .lines()
        .find(|line| line.starts_with(&format!("Topic: {topic}\t")))
        .unwrap_or_else(|| panic!("no header for {topic} in:\n{describe}"))
}

fn configs_of(header: &str) -> Vec<String> {
    let configs = header.split("Configs: ").nth(1).unwrap_or("").trim();
    configs
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The kafka-consumer-groups.sh table as rows of cells, header checked.
fn group_table(describe: &str) -> Vec<Vec<String>> {
    let mut lines = describe
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("Consumer group"));
    let header: Vec<&str> = lines
        .next()
        .expect("a header line")
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        [
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID"
        ]
    );
    lines
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn kafka_quickstart_against_the_sluice_broker() {
    let broker = Broker::start();
    let events = name("quickstart-events");
    let compacted = name("compacted");
    let group = name("tutorial-group");

    // kafka-topics.sh
    let created = broker
        .sluice(
            &[
                "topics",
                "--create",
                "--topic",
                &events,
                "--partitions",
                "2",
                "--replication-factor",
                "1",
            ],
            None,
        )
        .ok();
    assert_eq!(created.stdout.trim(), format!("Created topic {events}."));
    broker
        .sluice(
            &[
                "topics",
                "create",
                &compacted,
                "--config",
                "cleanup.policy=compact",
            ],
            None,
        )
        .ok();
    broker
        .sluice(&["topics", "--create", "--topic", &events], None)
        .fails_with("already exists");
    broker
        .sluice(
            &["topics", "--create", "--topic", &events, "--if-not-exists"],
            None,
        )
        .ok();

    let listed = broker.sluice(&["topics", "--list"], None).ok();
    let names: Vec<&str> = listed.stdout.lines().collect();
    assert!(
        names.contains(&events.as_str()) && names.contains(&compacted.as_str()),
        "{names:?}"
    );

    let described = broker
        .sluice(&["topics", "--describe", "--topic", &events], None)
        .ok()
        .stdout;
    let header = describe_header(&described, &events);
    assert!(header.contains("\tTopicId: "), "{header}");
    assert!(
        header.contains("\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: "),
        "{header}"
    );
    for partition in 0..2 {
        let prefix = format!("\tTopic: {events}\tPartition: {partition}\tLeader: ");
        assert!(
            described.lines().any(|l| l.starts_with(&prefix)),
            "no partition {partition}:\n{described}"
        );
    }
    let compacted_described = broker
        .sluice(&["topics", "describe", &compacted], None)
        .ok()
        .stdout;
    let compacted_configs = configs_of(describe_header(&compacted_described, &compacted));
    assert_eq!(compacted_configs, ["cleanup.policy=compact"]);

    // --alter: partitions, then configs (set, then delete).
    broker
        .sluice(
            &["topics", "--alter", "--topic", &events, "--partitions", "3"],
            None,
        )
        .ok();
    broker
        .sluice(
            &["topics", "--alter", "--topic", &events, "--partitions", "2"],
            None,
        )
        .fails_with("can only be added");
    broker
        .sluice(
            &[
                "topics",
                "--alter",
                "--topic",
                &events,
                "--config",
                "retention.ms=123456",
            ],
            None,
        )
        .ok();
    // The broker refuses unknown names and bad values; the tool says so.
    for bad in ["bogus.key=1", "retention.ms=soon"] {
        broker
            .sluice(
                &["topics", "--alter", "--topic", &events, "--config", bad],
                None,
            )
            .fails_with("refused the config change");
    }
    let described = broker
        .sluice(&["topics", "--describe", "--topic", &events], None)
        .ok()
        .stdout;
    let header = describe_header(&described, &events);
    assert!(header.contains("\tPartitionCount: 3\t"), "{header}");
    assert_eq!(configs_of(header), ["retention.ms=123456"]);
    broker
        .sluice(
            &[
                "topics",
                "--alter",
                "--topic",
                &events,
                "--delete-config",
                "retention.ms",
            ],
            None,
        )
        .ok();
    let described = broker
        .sluice(&["topics", "--describe", "--topic", &events], None)
        .ok()
        .stdout;
    assert!(
        configs_of(describe_header(&described, &events)).is_empty(),
        "{described}"
    );

    // kafka-console-producer.sh with keys.
    let records = ["k1:first", "k2:second", "k3:third", "k4:fourth", "k5:fifth"];
    let input = records.join("\n") + "\n";
    broker
        .sluice(
            &[
                "produce",
                "--topic",
                &events,
                "--property",
                "parse.key=true",
                "--property",
                "key.separator=:",
            ],
            Some(&input),
        )
        .ok();
    broker
        .sluice(
            &[
                "produce",
                "--topic",
                &events,
                "--property",
                "parse.key=true",
            ],
            Some("no separator here\n"),
        )
        .fails_with("no key separator");

    // kafka-console-consumer.sh without a group: reads, commits nothing.
    let consumed = broker
        .sluice(
            &[
                "consume",
                "--topic",
                &events,
                "--from-beginning",
                "--max-messages",
                "5",
                "--timeout-ms",
                "30000",
                "--property",
                "print.key=true",
                "--property",
                "key.separator=:",
            ],
            None,
        )
        .ok();
    assert_eq!(sorted_lines(&consumed.stdout), sorted_lines(&input));
    assert!(
        consumed.stderr.contains("Processed a total of 5 messages"),
        "{}",
        consumed.stderr
    );

    // With a group: offsets are committed, so the group has no lag.
    let consumed = broker
        .sluice(
            &[
                "consume",
                "--topic",
                &events,
                "--group",
                &group,
                "--from-beginning",
                "--max-messages",
                "5",
                "--timeout-ms",
                "60000",
            ],
            None,
        )
        .ok();
    let mut values: Vec<String> = records
        .iter()
        .map(|r| r.split_once(':').map_or("", |(_, v)| v).to_string())
        .collect();
    values.sort();
    assert_eq!(sorted_lines(&consumed.stdout), values);

    // kafka-consumer-groups.sh
    let groups = broker.sluice(&["groups", "--list"], None).ok();
    assert!(
        groups.stdout.lines().any(|g| g == group),
        "{}",
        groups.stdout
    );
    let described = broker
        .sluice(&["groups", "--describe", "--group", &group], None)
        .ok()
        .stdout;
    let rows = group_table(&described);
    let rows: Vec<&Vec<String>> = rows.iter().filter(|r| r.get(1) == Some(&events)).collect();
    assert!(!rows.is_empty(), "no rows for {events}:\n{described}");
    let mut committed_total = 0;
    for row in &rows {
        assert_eq!(row.len(), 9, "{row:?}");
        assert_eq!(row[0], group);
        let current: i64 = row[3]
            .parse()
            .unwrap_or_else(|_| panic!("CURRENT-OFFSET in {row:?}"));
        let log_end: i64 = row[4]
            .parse()
            .unwrap_or_else(|_| panic!("LOG-END-OFFSET in {row:?}"));
        assert_eq!(current, log_end, "{row:?}");
        assert_eq!(row[5], "0", "LAG in {row:?}");
        committed_total += current;
    }
    assert_eq!(committed_total, 5, "{described}");
    broker
        .sluice(
            &["groups", "--describe", "--group", &name("no-such-group")],
            None,
        )
        .fails_with("does not exist");

    // Delete.
    broker
        .sluice(&["topics", "--delete", "--topic", &compacted], None)
        .ok();
    let listed = broker.sluice(&["topics", "--list"], None).ok();
    assert!(
        !listed.stdout.lines().any(|t| t == compacted),
        "{}",
        listed.stdout
    );
    broker
        .sluice(&["topics", "--describe", "--topic", &compacted], None)
        .fails_with("does not exist");
    broker
        .sluice(
            &["topics", "--delete", "--topic", &compacted, "--if-exists"],
            None,
        )
        .ok();
}

#[test]
fn no_broker_gives_advice_quickly() {
    let port = free_port(); // bound and released: nothing listens there now
    let mut command = Command::new(BIN);
    command
        .args([
            "topics",
            "--list",
            "--bootstrap-server",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("SLUICE_BOOTSTRAP_SERVER");
    let started = Instant::now();
    let outcome = run(command, None, "sluice topics --list", "no broker");
    let outcome = outcome.fails_with("cannot reach broker at 127.0.0.1:");
    assert!(
        outcome.stderr.contains("sluice broker"),
        "{}",
        outcome.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn usage_mistakes_are_explained() {
    let mut command = Command::new(BIN);
    command.args(["topics", "--bootstrap-server", "127.0.0.1:1"]);
    run(command, None, "sluice topics", "no action").fails_with("--create, --list");
    let mut command = Command::new(BIN);
    command.args([
        "consume",
        "--topic",
        "t",
        "--offset",
        "5",
        "--bootstrap-server",
        "127.0.0.1:1",
    ]);
    run(command, None, "sluice consume --offset", "no partition").fails_with("needs --partition");
}
