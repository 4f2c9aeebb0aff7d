//! End to end: plain `sluice` (the broker on 127.0.0.1:9092, the schema registry on
//! 127.0.0.1:8081 and a distributed worker on 127.0.0.1:8083, data under `./data`) keeps what users create with curl across a
//! restart: connectors, their target states and their source offsets live in the
//! broker's internal topics.
//!
//! Plain `sluice` listens on the fixed default ports, so this test needs them free; it
//! fails with a message saying so if another process holds them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REST: u16 = 8083;
const BROKER: u16 = 9092;
const REGISTRY: u16 = 8081;

struct Process(Child);

impl Process {
    /// SIGTERM, then wait for the clean shutdown.
    fn terminate(mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sluice did not stop within 60 s of SIGTERM");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A minimal HTTP/1.1 client for the Connect REST API: (status, body).
fn http(method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    http_on(REST, method, path, body)
}

/// A minimal HTTP/1.1 client: (status, body).
fn http_on(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(100)));
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn start(dir: &Path) -> Process {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("sluice.log"))
        .expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .current_dir(dir)
        .env("SLUICE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn sluice");
    let process = Process(child);
    wait_until(dir, Duration::from_secs(60), "GET / answers 200", || {
        http("GET", "/", None).0 == 200
    });
    process
}

fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("sluice.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn wait_until(dir: &Path, timeout: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting until {what}; sluice's log:\n{}",
            log_tail(dir)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn state(connector: &str) -> Option<String> {
    let (status, body) = http("GET", &format!("/connectors/{connector}/status"), None);
    if status != 200 {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(&body).ok()?;
    let task = json["tasks"][0]["state"].as_str().unwrap_or("none");
    Some(format!(
        "{}/{task}",
        json["connector"]["state"].as_str().unwrap_or("?")
    ))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn append(path: &Path, range: std::ops::Range<u32>) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("input file");
    for i in range {
        writeln!(file, "line-{i}").expect("append");
    }
}

#[test]
fn plain_sluice_keeps_connectors_states_and_offsets_across_restarts() {
    for port in [REST, BROKER, REGISTRY] {
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} is in use: plain `sluice` needs 127.0.0.1:{BROKER}, :{REGISTRY} and \
             :{REST}; stop whatever holds it (a running sluice?) and run the test again"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let input = dir.join("in.txt");
    let output = dir.join("out.txt");
    append(&input, 0..100);

    let sluice = start(dir);
    // The schema registry is up too, and keeps what it is given across the restart.
    let schema = r#"{"schema":"{\"type\":\"record\",\"name\":\"Line\",\"fields\":[{\"name\":\"text\",\"type\":\"string\"}]}"}"#;
    let (status, answer) = http_on(
        REGISTRY,
        "POST",
        "/subjects/lines-value/versions",
        Some(schema),
    );
    assert_eq!(status, 200, "POST /subjects/lines-value/versions: {answer}");
    let source = format!(
        r#"{{"name":"source","config":{{"connector.class":"FileStreamSource","file":"{}","topic":"lines"}}}}"#,
        input.display()
    );
    let sink = format!(
        r#"{{"name":"sink","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}}"#,
        output.display()
    );
    let paused = r#"{"name":"idle","config":{"connector.class":"FileStreamSink","file":"/dev/null","topics":"lines"},"initial_state":"PAUSED"}"#;
    for body in [&source, &sink, &paused.to_owned()] {
        let (status, answer) = http("POST", "/connectors", Some(body));
        assert_eq!(status, 201, "POST /connectors {body}: {answer}");
    }
    wait_until(
        dir,
        Duration::from_secs(60),
        "the first 100 lines arrive",
        || lines(&output).len() >= 100,
    );
    wait_until(dir, Duration::from_secs(30), "idle is PAUSED", || {
        state("idle").as_deref() == Some("PAUSED/PAUSED")
    });
    // Let the source's offset be flushed (every 10 s in plain sluice) before stopping:
    // the clean stop below flushes it anyway.
    sluice.terminate();

    append(&input, 100..150);
    let sluice = start(dir);
    let (status, body) = http("GET", "/connectors", None);
    assert_eq!(status, 200);
    let mut names: Vec<String> = serde_json::from_str(&body).expect("a JSON list");
    names.sort();
    assert_eq!(
        names,
        ["idle", "sink", "source"],
        "connectors after restart"
    );
    wait_until(dir, Duration::from_secs(60), "every line arrives", || {
        lines(&output).len() >= 150
    });
    wait_until(dir, Duration::from_secs(30), "idle is still PAUSED", || {
        state("idle").as_deref() == Some("PAUSED/PAUSED")
    });
    assert_eq!(state("source").as_deref(), Some("RUNNING/RUNNING"));
    let (status, answer) = http_on(REGISTRY, "GET", "/subjects/lines-value/versions", None);
    assert_eq!(
        (status, answer.as_str()),
        (200, "[1]"),
        "the registered schema after the restart"
    );
    let got = lines(&output);
    let expected: Vec<String> = (0..150).map(|i| format!("line-{i}")).collect();
    assert_eq!(
        got, expected,
        "the sink got every line once, in order: the source resumed from its stored offset \
         instead of re-reading the file"
    );
    sluice.terminate();
}
