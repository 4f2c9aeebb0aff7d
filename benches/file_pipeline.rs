//! A file → topic → file pipeline on the sluice Connect worker, next to Apache Kafka
//! Connect 3.9.
//!
//! Not a criterion bench: it starts the release `sluice broker` (fresh temporary data
//! directory, free loopback port), then, one after the other on that broker, a
//! `sluice standalone` worker and a Kafka Connect 3.9 `ConnectStandalone` worker (each
//! with its own topic, offsets file, REST port and output file). Each worker gets the
//! same `worker.properties` and, through `POST /connectors`, the same FileStreamSource
//! (input file → topic) and FileStreamSink (topic → output file). It prints numbers,
//! checks the output against the input and asserts nothing.
//!
//! ```text
//! cargo build --release --bin sluice
//! SLUICE_CONNECT_CP=... cargo bench --bench file_pipeline -- [--lines N] [--batch-size N]
//!     [--json] [--only sluice|kafka] [--sluice PATH] [--settle-ms MS] [--timeout SECS]
//! ```
//!
//! Measured for each worker:
//! * REST ready: from spawning the process until `GET /` answers 200;
//! * idle RSS: VmRSS of the worker (summed over its child processes, if any), `--settle-ms`
//!   after REST ready, before any connector exists;
//! * lines/s: N / (time from the first `POST /connectors` until the sink file holds all
//!   N lines), polling the output file's size; the input file (N lines of 100 bytes plus
//!   `\n`) is written before the worker starts and the topic is created beforehand (one
//!   partition) so that neither worker waits for auto-creation;
//! * peak RSS: the largest sampled sum of VmRSS during the run, and the sum of VmHWM.
//!
//! Kafka Connect needs `SLUICE_CONNECT_CP` (the classpath `scripts/test` exports) and
//! `java`; without it only sluice runs. Its JVM gets the options `connect-standalone.sh`
//! uses (`KAFKA_HEAP_OPTS`, default `-Xms256M -Xmx2G`, and `KAFKA_JVM_PERFORMANCE_OPTS`).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

#[path = "common/proc_stats.rs"]
mod proc_stats;
#[path = "common/process.rs"]
mod process;
use proc_stats::{process_tree, tree_cpu, tree_kb};
use process::{free_port, Proc};

const USAGE: &str = "\
usage: cargo bench --bench file_pipeline -- [options]
  --lines N            lines in the input file (default 2,000,000; 100 bytes + newline each)
  --batch-size N       FileStreamSource batch.size (default 2000, Kafka's default)
  --json               also run with JsonConverter (schemas.enable=true) for key and value
  --only sluice|kafka  run one worker
  --sluice PATH        sluice binary (default: release/sluice in CARGO_TARGET_DIR or next to this bench)
  --settle-ms MS       wait after REST ready before sampling idle RSS (default 2000)
  --timeout SECS       bound on one pipeline run (default 600); a run whose output stops
                       growing for 60 s ends earlier
environment:
  SLUICE_CONNECT_CP    classpath of Apache Kafka Connect 3.9 (see scripts/test); without it,
                       only sluice runs
  JAVA                 java binary (default: java on PATH)
  KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS   as in connect-standalone.sh";

const LINE_LEN: u64 = 100;
/// A run whose output file does not grow for this long has stalled.
const STALL: Duration = Duration::from_secs(60);
const KAFKA_HEAP_OPTS: &str = "-Xms256M -Xmx2G";
const KAFKA_JVM_PERFORMANCE_OPTS: &str = "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
     -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
     -XX:MaxInlineLevel=15 -Djava.awt.headless=true";

// Targets from the issue.
const TARGET_SPEEDUP: f64 = 3.0;
const TARGET_RSS_RATIO: f64 = 0.10;
const TARGET_REST_READY: Duration = Duration::from_millis(500);

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
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(opts: &Options) -> Result<(), String> {
    let sluice = opts
        .sluice
        .clone()
        .or_else(default_sluice_path)
        .ok_or("cannot locate the sluice binary; pass --sluice PATH")?;
    if !sluice.is_file() {
        return Err(format!(
            "no sluice binary at {}; build it with `cargo build --release --bin sluice` or pass \
             --sluice PATH",
            sluice.display()
        ));
    }
    if let Some(age) = std::fs::metadata(&sluice)
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.elapsed().ok())
    {
        eprintln!(
            "   sluice binary {} built {} s ago",
            sluice.display(),
            age.as_secs()
        );
    }
    let connect_cp = std::env::var("SLUICE_CONNECT_CP")
        .ok()
        .filter(|s| !s.is_empty());
    let mut systems = Vec::new();
    if opts.only != Some(System::Kafka) {
        systems.push(System::Sluice);
    }
    let mut notes = Vec::new();
    if opts.only != Some(System::Sluice) {
        if connect_cp.is_some() {
            systems.push(System::Kafka);
        } else {
            let note = "SLUICE_CONNECT_CP is not set: Kafka Connect 3.9 is not run, sluice only \
                        (scripts/test --deps-only prints the variable)";
            eprintln!("!! {note}");
            notes.push(note.to_owned());
        }
    }
    if systems.is_empty() {
        return Err("nothing to run".into());
    }

    let dir = tempfile::Builder::new()
        .prefix("sluice-file-pipeline-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    eprintln!("== work dir {}", dir.path().display());
    let broker = Broker::start(&sluice, dir.path())?;
    eprintln!("== broker ready on {}", broker.bootstrap);

    let input = dir.path().join("input.txt");
    let started = Instant::now();
    let expected = write_input(&input, opts.lines)?;
    eprintln!(
        "== input: {} lines, {} bytes, fnv1a64 {:016x} (written in {:.1} s)",
        expected.lines,
        expected.bytes,
        expected.fnv,
        started.elapsed().as_secs_f64()
    );

    let converters: &[Converter] = if opts.json {
        &[Converter::String, Converter::Json]
    } else {
        &[Converter::String]
    };
    let mut results = Vec::new();
    for &converter in converters {
        for &system in &systems {
            eprintln!("== {} / {}", system.name(), converter.name());
            let setup = RunSetup {
                opts,
                sluice: &sluice,
                connect_cp: connect_cp.as_deref(),
                broker: &broker,
                input: &input,
                expected: &expected,
                work: dir.path(),
            };
            let result = run_pipeline(&setup, system, converter);
            eprintln!("   {}", result.summary());
            results.push(result);
        }
    }
    let broker_problems = broker.stop();
    print_report(opts, &results, &notes, &broker_problems);
    Ok(())
}

// ----------------------------------------------------------------------------
// Options

#[derive(Debug)]
struct Options {
    lines: u64,
    batch_size: u64,
    json: bool,
    only: Option<System>,
    sluice: Option<PathBuf>,
    settle: Duration,
    timeout: Duration,
}

impl Options {
    /// `Ok(None)` means `--help`.
    fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut opts = Options {
            lines: 2_000_000,
            batch_size: 2000,
            json: false,
            only: None,
            sluice: None,
            settle: Duration::from_millis(2000),
            timeout: Duration::from_secs(600),
        };
        let mut args = args.peekable();
        let count = |name: &str, v: String| -> Result<u64, String> {
            v.replace(['_', ','], "")
                .parse::<u64>()
                .map_err(|_| format!("{name} {v:?}: not a count"))
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                // `cargo bench` passes this to every bench binary.
                "--bench" => {}
                "-h" | "--help" => return Ok(None),
                "--lines" => opts.lines = count("--lines", value("--lines")?)?.max(1),
                "--batch-size" => {
                    opts.batch_size = count("--batch-size", value("--batch-size")?)?.max(1)
                }
                "--json" => opts.json = true,
                "--only" => {
                    opts.only = Some(match value("--only")?.as_str() {
                        "sluice" => System::Sluice,
                        "kafka" => System::Kafka,
                        other => return Err(format!("--only {other:?}: expected sluice or kafka")),
                    })
                }
                "--sluice" => opts.sluice = Some(PathBuf::from(value("--sluice")?)),
                "--settle-ms" => {
                    opts.settle =
                        Duration::from_millis(count("--settle-ms", value("--settle-ms")?)?)
                }
                "--timeout" => {
                    opts.timeout =
                        Duration::from_secs(count("--timeout", value("--timeout")?)?.max(1))
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(opts))
    }
}

/// `$CARGO_TARGET_DIR/release/sluice`, else `release/sluice` beside this bench
/// (which cargo builds as `release/deps/file_pipeline-<hash>`).
fn default_sluice_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir).join("release").join("sluice"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.join("sluice"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum System {
    Sluice,
    Kafka,
}

impl System {
    fn name(self) -> &'static str {
        match self {
            System::Sluice => "sluice",
            System::Kafka => "kafka-connect-3.9",
        }
    }

    fn short(self) -> &'static str {
        match self {
            System::Sluice => "sluice",
            System::Kafka => "kafka",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Converter {
    String,
    Json,
}

impl Converter {
    fn name(self) -> &'static str {
        match self {
            Converter::String => "StringConverter",
            Converter::Json => "JsonConverter+schemas",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Converter::String => "string",
            Converter::Json => "json",
        }
    }

    fn worker_properties(self) -> &'static str {
        match self {
            Converter::String => {
                "key.converter=org.apache.kafka.connect.storage.StringConverter\n\
                 value.converter=org.apache.kafka.connect.storage.StringConverter\n"
            }
            Converter::Json => {
                "key.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 value.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 key.converter.schemas.enable=true\n\
                 value.converter.schemas.enable=true\n"
            }
        }
    }
}

// ----------------------------------------------------------------------------
// Input and output files

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digest {
    lines: u64,
    bytes: u64,
    fnv: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Writes `lines` lines of `LINE_LEN` printable bytes (a 12-digit line number, then
/// letters that shift with the line) plus `\n`.
fn write_input(path: &Path, lines: u64) -> Result<Digest, String> {
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut h = FNV_OFFSET;
    let mut line = Vec::with_capacity(LINE_LEN as usize + 1);
    for i in 0..lines {
        line.clear();
        let _ = write!(line, "{i:012} ");
        while (line.len() as u64) < LINE_LEN {
            line.push(b'a' + ((i as usize + line.len()) % 26) as u8);
        }
        line.push(b'\n');
        h = fnv(h, &line);
        out.write_all(&line)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Digest {
        lines,
        bytes: lines * (LINE_LEN + 1),
        fnv: h,
    })
}

fn digest_file(path: &Path) -> Result<Digest, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut d = Digest {
        lines: 0,
        bytes: 0,
        fnv: FNV_OFFSET,
    };
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            return Ok(d);
        }
        let chunk = &buf[..n];
        d.lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        d.bytes += n as u64;
        d.fnv = fnv(d.fnv, chunk);
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
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
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = proc.exited() {
                return Err(format!(
                    "the broker exited ({status}); log:\n{}",
                    proc.log_tail(20)
                ));
            }
            if TcpStream::connect(&bootstrap).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the broker does not listen on {bootstrap} after 30 s; log:\n{}",
                    proc.log_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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

    fn stop(self) -> Vec<String> {
        let mut proc = self.proc;
        let mut notes = Vec::new();
        if let Some(status) = proc.exited() {
            notes.push(format!("the broker had exited by itself ({status})"));
        }
        notes.extend(proc.problems(8));
        notes
    }
}

// ----------------------------------------------------------------------------
// Memory of a process tree

// ----------------------------------------------------------------------------
// Minimal HTTP/1.1 client (Connection: close)

fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if let Some(b) = body {
        let _ = write!(
            req,
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        );
    }
    req.push_str("\r\n");
    req.push_str(body.unwrap_or(""));
    stream
        .write_all(req.as_bytes())
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut resp = Vec::new();
    stream
        .read_to_end(&mut resp)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("{method} {path}: no HTTP status in {text:?}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn connector_json(name: &str, config: &[(&str, &str)]) -> String {
    let fields: Vec<String> = config
        .iter()
        .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
        .collect();
    format!(
        "{{\"name\":{},\"config\":{{{}}}}}",
        json_string(name),
        fields.join(",")
    )
}

// ----------------------------------------------------------------------------
// One pipeline run

struct RunSetup<'a> {
    opts: &'a Options,
    sluice: &'a Path,
    connect_cp: Option<&'a str>,
    broker: &'a Broker,
    input: &'a Path,
    expected: &'a Digest,
    work: &'a Path,
}

#[derive(Debug)]
struct RunResult {
    system: System,
    converter: Converter,
    rest_ready: Option<Duration>,
    idle_rss: u64,
    /// From the first POST to the first output byte.
    first_output: Option<Duration>,
    /// From the first POST to the whole output.
    elapsed: Option<Duration>,
    peak_rss_sampled: u64,
    peak_rss_hwm: u64,
    /// CPU time of the worker and of the broker from the first POST to the whole output.
    worker_cpu: Option<Duration>,
    broker_cpu: Option<Duration>,
    output: Option<Digest>,
    /// Why the run is not a clean, complete one.
    failure: Option<String>,
    problems: Vec<String>,
}

impl RunResult {
    fn new(system: System, converter: Converter) -> RunResult {
        RunResult {
            system,
            converter,
            rest_ready: None,
            idle_rss: 0,
            first_output: None,
            elapsed: None,
            peak_rss_sampled: 0,
            peak_rss_hwm: 0,
            worker_cpu: None,
            broker_cpu: None,
            output: None,
            failure: None,
            problems: Vec::new(),
        }
    }

    fn ok(&self) -> bool {
        self.failure.is_none() && self.elapsed.is_some()
    }

    fn lines_per_sec(&self, lines: u64) -> Option<f64> {
        let e = self.elapsed?;
        self.ok().then(|| lines as f64 / e.as_secs_f64())
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "REST ready {}, idle RSS {}, ",
            fmt_secs(self.rest_ready),
            mib(self.idle_rss)
        );
        let _ = write!(
            s,
            "all output after {}, peak RSS {}",
            fmt_secs(self.elapsed),
            mib(self.peak_rss_sampled.max(self.peak_rss_hwm))
        );
        if let Some(f) = &self.failure {
            let _ = write!(s, "; FAILED: {f}");
        }
        s
    }
}

fn run_pipeline(setup: &RunSetup<'_>, system: System, converter: Converter) -> RunResult {
    let mut result = RunResult::new(system, converter);
    if let Err(e) = run_pipeline_inner(setup, &mut result) {
        eprintln!("!! {} / {}: {e}", system.name(), converter.name());
        result.failure = Some(e);
    }
    result
}

fn run_pipeline_inner(setup: &RunSetup<'_>, r: &mut RunResult) -> Result<(), String> {
    let (system, converter) = (r.system, r.converter);
    let tag = format!("{}-{}", system.short(), converter.short());
    let dir = setup.work.join(&tag);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let topic = format!("file-pipeline-{tag}");
    setup.broker.create_topic(&topic)?;
    let output = dir.join("output.txt");
    let rest_port = free_port()?;
    let rest_addr: SocketAddr = ([127, 0, 0, 1], rest_port).into();

    let worker_props = dir.join("worker.properties");
    let props = format!(
        "bootstrap.servers={}\n\
         listeners=http://127.0.0.1:{rest_port}\n\
         {}\
         offset.storage.file.filename={}\n\
         offset.flush.interval.ms=1000\n\
         plugin.discovery=service_load\n",
        setup.broker.bootstrap,
        converter.worker_properties(),
        dir.join("connect.offsets").display()
    );
    std::fs::write(&worker_props, props)
        .map_err(|e| format!("cannot write {}: {e}", worker_props.display()))?;

    let cmd = match system {
        System::Sluice => {
            let mut cmd = Command::new(setup.sluice);
            cmd.arg("standalone").arg(&worker_props);
            cmd
        }
        System::Kafka => {
            let cp = setup.connect_cp.ok_or("SLUICE_CONNECT_CP is not set")?;
            let java = std::env::var("JAVA").unwrap_or_else(|_| "java".to_owned());
            let heap = std::env::var("KAFKA_HEAP_OPTS").unwrap_or_else(|_| KAFKA_HEAP_OPTS.into());
            let perf = std::env::var("KAFKA_JVM_PERFORMANCE_OPTS")
                .unwrap_or_else(|_| KAFKA_JVM_PERFORMANCE_OPTS.into());
            let mut cmd = Command::new(java);
            cmd.args(heap.split_whitespace())
                .args(perf.split_whitespace())
                .arg("-cp")
                .arg(cp)
                .arg("org.apache.kafka.connect.cli.ConnectStandalone")
                .arg(&worker_props);
            cmd
        }
    };
    let started = Instant::now();
    let mut proc = Proc::spawn(cmd, &dir.join("worker.log"))?;
    let outcome = drive(setup, r, &mut proc, started, rest_addr, &topic, &output);
    r.problems = proc.problems(8);
    outcome?;
    // The output is complete (by size); check it line by line.
    let got = digest_file(&output)?;
    r.output = Some(got);
    if got != *setup.expected {
        return Err(format!(
            "OUTPUT DIFFERS FROM INPUT: {} lines / {} bytes / fnv {:016x}, expected {} / {} / {:016x}",
            got.lines,
            got.bytes,
            got.fnv,
            setup.expected.lines,
            setup.expected.bytes,
            setup.expected.fnv
        ));
    }
    Ok(())
}

fn drive(
    setup: &RunSetup<'_>,
    r: &mut RunResult,
    proc: &mut Proc,
    started: Instant,
    rest_addr: SocketAddr,
    topic: &str,
    output: &Path,
) -> Result<(), String> {
    // (a) REST ready.
    let deadline = started + Duration::from_secs(120);
    loop {
        if let Some(status) = proc.exited() {
            return Err(format!(
                "the worker exited ({status}) before its REST API answered; log:\n{}",
                proc.log_tail(20)
            ));
        }
        if let Ok((200, _)) = http(rest_addr, "GET", "/", None) {
            r.rest_ready = Some(started.elapsed());
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "GET / did not answer 200 within 120 s; log:\n{}",
                proc.log_tail(20)
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }

    // (b) Idle RSS.
    std::thread::sleep(setup.opts.settle);
    let pids = process_tree(proc.pid());
    r.idle_rss = tree_kb(&pids, "VmRSS");
    eprintln!(
        "   REST ready after {}, idle RSS {} ({} process{})",
        fmt_secs(r.rest_ready),
        mib(r.idle_rss),
        pids.len(),
        if pids.len() == 1 { "" } else { "es" }
    );

    // (c) Create the connectors, then wait for the whole output.
    let input = setup.input.display().to_string();
    let out = output.display().to_string();
    let batch = setup.opts.batch_size.to_string();
    // Names (and so the sink's consumer group) differ per run: a group that a killed
    // worker left behind would hold up the next join until its session times out.
    let tag = topic.trim_start_matches("file-pipeline-");
    let source = connector_json(
        &format!("file-pipeline-source-{tag}"),
        &[
            (
                "connector.class",
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
            ),
            ("tasks.max", "1"),
            ("file", &input),
            ("topic", topic),
            ("batch.size", &batch),
        ],
    );
    let sink = connector_json(
        &format!("file-pipeline-sink-{tag}"),
        &[
            (
                "connector.class",
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
            ),
            ("tasks.max", "1"),
            ("file", &out),
            ("topics", topic),
        ],
    );
    let broker_pid = [setup.broker.proc.pid()];
    let (worker_cpu0, broker_cpu0) = (tree_cpu(&pids), tree_cpu(&broker_pid));
    let t0 = Instant::now();
    for body in [&source, &sink] {
        let (status, text) = http(rest_addr, "POST", "/connectors", Some(body))?;
        if status != 201 {
            return Err(format!("POST /connectors answered {status}: {text}"));
        }
    }
    let posted = t0.elapsed();
    let want = setup.expected.bytes;
    let deadline = t0 + setup.opts.timeout;
    let mut last_len = 0;
    let mut last_growth = Instant::now();
    let mut next_sample = Instant::now();
    let mut pids = pids;
    let mut samples = 0u32;
    loop {
        let now = Instant::now();
        let len = file_len(output);
        if len > 0 && r.first_output.is_none() {
            r.first_output = Some(now - t0);
        }
        if len >= want {
            r.elapsed = Some(now - t0);
            break;
        }
        if len != last_len {
            last_len = len;
            last_growth = now;
        }
        if now >= next_sample {
            // Re-scan the tree now and then (children may come and go).
            samples += 1;
            if samples.is_multiple_of(20) {
                pids = process_tree(proc.pid());
            }
            r.peak_rss_sampled = r.peak_rss_sampled.max(tree_kb(&pids, "VmRSS"));
            next_sample = now + Duration::from_millis(100);
            if let Some(status) = proc.exited() {
                return Err(format!(
                    "the worker exited ({status}) with {} of {} lines written; log:\n{}",
                    len / (LINE_LEN + 1),
                    setup.expected.lines,
                    proc.log_tail(20)
                ));
            }
        }
        if now > deadline || now - last_growth > STALL {
            let why = if now > deadline {
                format!("timed out after {:?}", setup.opts.timeout)
            } else {
                format!("output stopped growing for {STALL:?}")
            };
            return Err(format!(
                "{why}: LOST LINES? output has {len} of {want} bytes (~{} of {} lines)",
                len / (LINE_LEN + 1),
                setup.expected.lines
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    r.worker_cpu = Some(tree_cpu(&pids).saturating_sub(worker_cpu0));
    r.broker_cpu = Some(tree_cpu(&broker_pid).saturating_sub(broker_cpu0));
    r.peak_rss_sampled = r.peak_rss_sampled.max(tree_kb(&pids, "VmRSS"));
    r.peak_rss_hwm = tree_kb(&pids, "VmHWM");
    eprintln!(
        "   connectors created in {} ms; first output after {}, all {} lines after {}",
        posted.as_millis(),
        fmt_secs(r.first_output),
        setup.expected.lines,
        fmt_secs(r.elapsed)
    );
    // Give a sink that writes more than it should a moment to show it.
    std::thread::sleep(Duration::from_millis(300));
    Ok(())
}

// ----------------------------------------------------------------------------
// Report

fn fmt_secs(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".to_owned(), |d| format!("{:.3} s", d.as_secs_f64()))
}

fn mib(bytes: u64) -> String {
    if bytes == 0 {
        "-".to_owned()
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn group(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mark(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

fn machine_info() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(
            || "?".to_owned(),
            |kb| format!("{:.1} GiB", kb as f64 / 1048576.0),
        );
    format!("{cores} cores ({model}), {mem} RAM")
}

fn java_version() -> Option<String> {
    let java = std::env::var("JAVA").unwrap_or_else(|_| "java".to_owned());
    let out = Command::new(java).arg("-version").output().ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .map(str::to_owned)
}

fn print_report(opts: &Options, results: &[RunResult], notes: &[String], broker: &[String]) {
    let mut out = String::new();
    let n = opts.lines;
    let _ = writeln!(
        out,
        "\nfile pipeline: FileStreamSource -> topic (1 partition, sluice broker) -> FileStreamSink"
    );
    let _ = writeln!(
        out,
        "{n} lines x {LINE_LEN} B + \\n ({:.1} MB), written before the worker starts; \
         batch.size={}, offset.flush.interval.ms=1000",
        (n * (LINE_LEN + 1)) as f64 / 1e6,
        opts.batch_size
    );
    let _ = writeln!(
        out,
        "machine: {}; workers, broker and this bench share it",
        machine_info()
    );
    if results.iter().any(|r| r.system == System::Kafka) {
        let _ = writeln!(
            out,
            "kafka connect: {}, JVM options of connect-standalone.sh ({})",
            java_version().unwrap_or_else(|| "java ?".to_owned()),
            std::env::var("KAFKA_HEAP_OPTS").unwrap_or_else(|_| KAFKA_HEAP_OPTS.into())
        );
    }
    let _ = writeln!(
        out,
        "idle RSS {} ms after REST ready; lines/s = N / (first POST -> sink file complete); \
         CPU wrk/brk = CPU time of the worker / the broker over that span",
        opts.settle.as_millis()
    );
    for note in notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<18} {:<22} {:>10} {:>10} {:>11} {:>9} {:>11} {:>10} {:>10} {:>13}  output",
        "system",
        "converter",
        "REST ready",
        "idle RSS",
        "lines/s",
        "secs",
        "1st output",
        "peak RSS",
        "VmHWM",
        "CPU wrk/brk"
    );
    for r in results {
        let verdict = match (&r.failure, &r.output) {
            (None, Some(d)) => format!("OK ({} lines, fnv {:016x})", d.lines, d.fnv),
            (Some(f), _) => format!("!!! FAILED: {}", f.lines().next().unwrap_or("")),
            (None, None) => "?".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<18} {:<22} {:>10} {:>10} {:>11} {:>9} {:>11} {:>10} {:>10} {:>13}  {verdict}",
            r.system.name(),
            r.converter.name(),
            fmt_secs(r.rest_ready),
            mib(r.idle_rss),
            r.lines_per_sec(n).map_or("-".to_owned(), group),
            r.elapsed
                .map_or("-".to_owned(), |e| format!("{:.2}", e.as_secs_f64())),
            fmt_secs(r.first_output),
            mib(r.peak_rss_sampled),
            mib(r.peak_rss_hwm),
            match (r.worker_cpu, r.broker_cpu) {
                (Some(w), Some(b)) => format!("{:.1}/{:.1} s", w.as_secs_f64(), b.as_secs_f64()),
                _ => "-".to_owned(),
            },
        );
    }

    let _ = writeln!(out, "\ntargets (sluice vs kafka connect 3.9):");
    for conv in [Converter::String, Converter::Json] {
        let find = |s: System| {
            results
                .iter()
                .find(|r| r.system == s && r.converter == conv)
        };
        let (Some(s), k) = (find(System::Sluice), find(System::Kafka)) else {
            continue;
        };
        let name = conv.name();
        match k.and_then(|k| Some((k, k.lines_per_sec(n)?, s.lines_per_sec(n)?))) {
            Some((_, kl, sl)) => {
                let x = sl / kl;
                let _ = writeln!(
                    out,
                    "  {name:<22} lines/s sluice/kafka = {x:>6.2}x  (target >= {TARGET_SPEEDUP}x)  {}",
                    mark(x >= TARGET_SPEEDUP)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {name:<22} lines/s sluice/kafka =      -   (a run failed or is missing)  MISS"
                );
            }
        }
        if let Some(k) = k.filter(|k| k.idle_rss > 0 && s.idle_rss > 0) {
            let x = s.idle_rss as f64 / k.idle_rss as f64;
            let _ = writeln!(
                out,
                "  {name:<22} idle RSS sluice/kafka = {x:>6.3}   (target <= {TARGET_RSS_RATIO})  {}",
                mark(x <= TARGET_RSS_RATIO)
            );
        }
        if let (Some(k), true) = (k, s.peak_rss_sampled > 0) {
            if k.peak_rss_sampled > 0 {
                let _ = writeln!(
                    out,
                    "  {name:<22} peak RSS sluice/kafka = {:>6.3}   (no target)",
                    s.peak_rss_sampled as f64 / k.peak_rss_sampled as f64
                );
            }
        }
        let _ = writeln!(
            out,
            "  {name:<22} sluice REST ready     = {}  (target <= {:.1} s)  {}",
            fmt_secs(s.rest_ready),
            TARGET_REST_READY.as_secs_f64(),
            mark(s.rest_ready.is_some_and(|d| d <= TARGET_REST_READY))
        );
    }

    let lost: Vec<&RunResult> = results.iter().filter(|r| !r.ok()).collect();
    if !lost.is_empty() {
        let _ = writeln!(
            out,
            "\n!!!!!!!! {} RUN(S) FAILED OR LOST/CORRUPTED LINES !!!!!!!!",
            lost.len()
        );
        for r in lost {
            let _ = writeln!(
                out,
                "  {} / {}: {}",
                r.system.name(),
                r.converter.name(),
                r.failure.as_deref().unwrap_or("no result")
            );
        }
    }
    for r in results.iter().filter(|r| !r.problems.is_empty()) {
        let _ = writeln!(
            out,
            "\n{} / {} worker log warnings/errors:",
            r.system.name(),
            r.converter.name()
        );
        for p in &r.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    if !broker.is_empty() {
        let _ = writeln!(out, "\nbroker log warnings/errors:");
        for p in broker {
            let _ = writeln!(out, "  {p}");
        }
    }
    print!("{out}");
}
