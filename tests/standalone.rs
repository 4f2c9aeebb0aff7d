//! End to end: `sluice standalone` as a separate process, on a broker started by the
//! test, moving lines from a file through a topic into another file with the
//! FileStreamSource and FileStreamSink connectors, driven through the REST API.
//!
//! Covered: order, clean restart without duplicates, SIGKILL without gaps, pause and
//! resume, file rotation, and a sink that fails to open its file and recovers after a
//! task restart.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A minimal HTTP/1.1 client: (status, body).
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the REST API");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

struct Setup {
    dir: tempfile::TempDir,
    broker_port: u16,
    rest_port: u16,
    _broker: Process,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let broker_port = free_port();
        let log = std::fs::File::create(dir.path().join("broker.log")).expect("log");
        let broker = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["broker", "--listeners"])
            .arg(format!("PLAINTEXT://127.0.0.1:{broker_port}"))
            .arg("--data-dir")
            .arg(dir.path().join("broker"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn sluice broker");
        wait_for_port(broker_port, "the broker");
        let rest_port = free_port();
        let setup = Self {
            dir,
            broker_port,
            rest_port,
            _broker: Process(broker),
        };
        std::fs::write(
            setup.path("worker.properties"),
            format!(
                "bootstrap.servers=127.0.0.1:{}\nlisteners=http://127.0.0.1:{}\n\
                 key.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 value.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 offset.storage.file.filename={}\noffset.flush.interval.ms=200\n",
                setup.broker_port,
                setup.rest_port,
                setup.path("connect.offsets").display()
            ),
        )
        .expect("worker.properties");
        setup
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `sluice standalone` with `connector_files`; waits for the REST API.
    fn worker(&self, connector_files: &[&str]) -> Process {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("worker.log"))
            .expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .arg("standalone")
            .arg(self.path("worker.properties"))
            .args(connector_files.iter().map(|f| self.path(f)))
            .env("SLUICE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn sluice standalone");
        let worker = Process(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", self.rest_port)).is_ok()
                && http(self.rest_port, "GET", "/", None).0 == 200
            {
                return worker;
            }
            assert!(
                Instant::now() < deadline,
                "the worker's REST API did not start; log:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.path("worker.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn rest(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        http(self.rest_port, method, path, body)
    }

    /// The connector files of a file→topic→file pipeline.
    fn write_connector_files(&self, topic: &str) {
        std::fs::write(
            self.path("source.properties"),
            format!(
                "name=source\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic={topic}\n",
                self.path("in.txt").display()
            ),
        )
        .expect("source.properties");
        std::fs::write(
            self.path("sink.json"),
            format!(
                r#"{{"name":"sink","config":{{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","file":"{}","topics":"{topic}"}}}}"#,
                self.path("out.txt").display()
            ),
        )
        .expect("sink.json");
    }

    fn status_of(&self, connector: &str) -> serde_like::Status {
        let (code, body) = self.rest("GET", &format!("/connectors/{connector}/status"), None);
        assert_eq!(code, 200, "{body}");
        serde_like::Status::parse(&body)
    }

    fn wait_task_state(&self, connector: &str, state: &str) -> serde_like::Status {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.status_of(connector);
            if status.task_states.first().map(String::as_str) == Some(state) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{connector}'s task never became {state}: {status:?}\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Just enough JSON picking for the status body, to avoid a JSON dependency here.
mod serde_like {
    #[derive(Debug)]
    pub struct Status {
        pub body: String,
        pub task_states: Vec<String>,
    }

    impl Status {
        pub fn parse(body: &str) -> Self {
            let tasks = body.split("\"tasks\":").nth(1).unwrap_or("");
            let task_states = tasks
                .split("\"state\":\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(str::to_owned)
                .collect();
            Self {
                body: body.to_owned(),
                task_states,
            }
        }
    }
}

fn append_lines(path: &Path, range: std::ops::Range<usize>) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open input");
    let text: String = range.map(|i| format!("line {i:06}\n")).collect();
    file.write_all(text.as_bytes()).expect("append");
}

fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("line {i:06}")).collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Waits until `path` has at least `count` lines; returns them.
fn wait_lines(setup: &Setup, path: &Path, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lines = read_lines(path);
        if lines.len() >= count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "{} has {} lines, expected {count}\n{}",
            path.display(),
            lines.len(),
            setup.log_tail()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sigterm(process: &mut Process) {
    let pid = process.0.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while process.0.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "the worker did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn lines_arrive_in_order_and_a_clean_restart_neither_loses_nor_repeats() {
    let setup = Setup::new();
    setup.write_connector_files("lines");
    append_lines(&setup.path("in.txt"), 0..1000);
    let mut worker = setup.worker(&["source.properties", "sink.json"]);
    assert_eq!(
        wait_lines(&setup, &setup.path("out.txt"), 1000),
        expected(0..1000)
    );
    let (code, body) = setup.rest("GET", "/connectors/source/offsets", None);
    assert_eq!(code, 200);
    assert!(body.contains(r#""position":12000"#), "{body}");

    sigterm(&mut worker);
    append_lines(&setup.path("in.txt"), 1000..1500);
    let _worker = setup.worker(&["source.properties", "sink.json"]);
    let lines = wait_lines(&setup, &setup.path("out.txt"), 1500);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(read_lines(&setup.path("out.txt")), expected(0..1500));
    assert_eq!(lines, expected(0..1500));
    let (_, topics) = setup.rest("GET", "/connectors/sink/topics", None);
    assert_eq!(topics, r#"{"sink":{"topics":["lines"]}}"#);
}

#[test]
fn sigkill_loses_no_line() {
    let setup = Setup::new();
    setup.write_connector_files("lines");
    let mut worker = setup.worker(&["source.properties", "sink.json"]);
    let total = 20_000;
    for chunk in 0..10 {
        append_lines(&setup.path("in.txt"), chunk * 1000..(chunk + 1) * 1000);
        std::thread::sleep(Duration::from_millis(50));
        if chunk == 6 {
            worker.0.kill().expect("SIGKILL");
            let _ = worker.0.wait();
            worker = setup.worker(&["source.properties", "sink.json"]);
        }
    }
    append_lines(&setup.path("in.txt"), 10_000..total);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut seen: Vec<String> = read_lines(&setup.path("out.txt"));
        seen.sort();
        seen.dedup();
        if seen == expected(0..total) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after SIGKILL, {} distinct lines of {total} arrived\n{}",
            seen.len(),
            setup.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(worker);
}

#[test]
fn pause_stops_the_flow_and_resume_restarts_it() {
    let setup = Setup::new();
    setup.write_connector_files("paused");
    let _worker = setup.worker(&["source.properties", "sink.json"]);
    append_lines(&setup.path("in.txt"), 0..100);
    wait_lines(&setup, &setup.path("out.txt"), 100);

    let (code, _) = setup.rest("PUT", "/connectors/source/pause", None);
    assert_eq!(code, 202);
    setup.wait_task_state("source", "PAUSED");
    let status = setup.status_of("source");
    assert!(
        status.body.contains(r#""connector":{"state":"PAUSED""#),
        "{status:?}"
    );
    append_lines(&setup.path("in.txt"), 100..200);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        read_lines(&setup.path("out.txt")).len(),
        100,
        "lines flowed while paused"
    );

    let (code, _) = setup.rest("PUT", "/connectors/source/resume", None);
    assert_eq!(code, 202);
    setup.wait_task_state("source", "RUNNING");
    assert_eq!(
        wait_lines(&setup, &setup.path("out.txt"), 200),
        expected(0..200)
    );
}

#[test]
fn rotation_keeps_every_line() {
    let setup = Setup::new();
    setup.write_connector_files("rotated");
    let _worker = setup.worker(&["source.properties", "sink.json"]);
    let input = setup.path("in.txt");
    append_lines(&input, 0..300);
    wait_lines(&setup, &setup.path("out.txt"), 300);
    // logrotate's default: the old file is renamed, a new one is created.
    append_lines(&input, 300..350);
    std::fs::rename(&input, setup.path("in.txt.1")).expect("rotate");
    append_lines(&input, 350..500);
    assert_eq!(
        wait_lines(&setup, &setup.path("out.txt"), 500),
        expected(0..500)
    );
    // copytruncate: the file is truncated in place.
    std::fs::write(&input, "").expect("truncate");
    append_lines(&input, 500..520);
    assert_eq!(
        wait_lines(&setup, &setup.path("out.txt"), 520),
        expected(0..520)
    );
}

#[test]
fn a_sink_that_cannot_open_its_file_fails_with_a_trace_and_recovers_after_restart() {
    let setup = Setup::new();
    let _worker = setup.worker(&[]);
    let out = setup.path("missing-dir/out.txt");
    let sink = format!(
        r#"{{"name":"sink","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"broken"}}}}"#,
        out.display()
    );
    let (code, body) = setup.rest("POST", "/connectors", Some(&sink));
    assert_eq!(code, 201, "{body}");
    let status = setup.wait_task_state("sink", "FAILED");
    assert!(
        status.body.contains("\"trace\":") && status.body.contains("missing-dir"),
        "the trace should name the file: {}",
        status.body
    );
    let source = format!(
        r#"{{"name":"source","config":{{"connector.class":"FileStreamSource","file":"{}","topic":"broken"}}}}"#,
        setup.path("in.txt").display()
    );
    assert_eq!(setup.rest("POST", "/connectors", Some(&source)).0, 201);
    append_lines(&setup.path("in.txt"), 0..50);

    std::fs::create_dir(setup.path("missing-dir")).expect("mkdir");
    let (code, body) = setup.rest("POST", "/connectors/sink/tasks/0/restart", None);
    assert_eq!(code, 204, "{body}");
    setup.wait_task_state("sink", "RUNNING");
    assert_eq!(wait_lines(&setup, &out, 50), expected(0..50));
}
