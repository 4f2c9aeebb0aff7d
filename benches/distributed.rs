//! Distributed mode: failover time and file → file throughput of a `sluice distributed`
//! cluster.
//!
//! Not a criterion bench: it starts the `sluice broker` (fresh temporary data directory, free
//! loopback port) and `sluice distributed` workers (the processes of `tests/support`), prints
//! numbers and asserts nothing.
//!
//! ```text
//! cargo bench --bench distributed -- [--lines N] [--pipelines N] [--runs N] [--json]
//!     [--sluice PATH] [--only failover|throughput]
//! ```
//!
//! Measured:
//! * failover: 3 workers run 3 FileStreamSource → FileStreamSink pipelines (6 connectors,
//!   6 tasks) with `scheduled.rebalance.max.delay.ms=0`; one worker holding work is SIGKILLed;
//!   the time from the kill until `GET /connectors/{name}/status` shows every connector and task
//!   RUNNING on the two survivors (polled every 50 ms). It includes the failure detection
//!   (`session.timeout.ms=6000`, the broker's minimum). Median of `--runs` (3) runs, each on a
//!   fresh group.
//! * throughput: `--pipelines` (6) pipelines of `--lines` (300,000) lines of 100 bytes each,
//!   written before the connectors are created; lines/s = pipelines × lines / (time from the
//!   first `POST /connectors` until every output file is as long as its input), on a 3-worker
//!   cluster and on a single worker.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::json;
use support::{rest, Broker, ClusterNames, DistributedWorker, WorkerKind};

const USAGE: &str = "\
usage: cargo bench --bench distributed -- [options]
  --lines N            lines per pipeline input file (default 300,000; 100 bytes + newline each)
  --pipelines N        pipelines in the throughput run (default 6)
  --runs N             failover runs, the median is printed (default 3)
  --only failover|throughput   run one part
  --json               print the results as one JSON object on the last line
  --sluice PATH        sluice binary (default: the one Cargo built for this bench)
  --timeout SECS       bound on one throughput run (default 600)";

const LINE_LEN: usize = 100;

#[derive(Debug)]
struct Options {
    lines: usize,
    pipelines: usize,
    runs: usize,
    only: Option<String>,
    json: bool,
    sluice: Option<PathBuf>,
    timeout: Duration,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut o = Options {
            lines: 300_000,
            pipelines: 6,
            runs: 3,
            only: None,
            json: false,
            sluice: None,
            timeout: Duration::from_secs(600),
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--lines" => o.lines = number(&value("--lines")?)?,
                "--pipelines" => o.pipelines = number(&value("--pipelines")?)?,
                "--runs" => o.runs = number(&value("--runs")?)?.max(1),
                "--only" => {
                    let v = value("--only")?;
                    if v != "failover" && v != "throughput" {
                        return Err(format!("--only {v}: expected failover or throughput"));
                    }
                    o.only = Some(v);
                }
                "--json" => o.json = true,
                "--sluice" => o.sluice = Some(PathBuf::from(value("--sluice")?)),
                "--timeout" => {
                    o.timeout = Duration::from_secs(number(&value("--timeout")?)? as u64)
                }
                "--bench" => {} // cargo bench passes it
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(o))
    }
}

fn number(s: &str) -> Result<usize, String> {
    s.replace(['_', ','], "")
        .parse()
        .map_err(|e| format!("{s:?} is not a number: {e}"))
}

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    // The workers are started through tests/support, which runs SLUICE_BIN when set.
    let sluice = opts
        .sluice
        .clone()
        .unwrap_or_else(|| PathBuf::from(support::SLUICE_BIN));
    if !sluice.is_file() {
        eprintln!("error: no sluice binary at {}", sluice.display());
        return ExitCode::FAILURE;
    }
    std::env::set_var("SLUICE_BIN", &sluice);
    eprintln!("== sluice binary {}", sluice.display());
    let broker = Broker::start();
    let dir = tempfile::Builder::new()
        .prefix("sluice-bench-distributed-")
        .tempdir()
        .expect("a temporary directory");
    eprintln!("== work dir {}", dir.path().display());

    let mut results = serde_json::Map::new();
    results.insert("sluice".into(), json!(sluice.display().to_string()));
    if opts.only.as_deref() != Some("throughput") {
        match failover(&broker, dir.path(), opts.runs) {
            Ok(times) => {
                let mut sorted = times.clone();
                sorted.sort();
                let median = sorted[sorted.len() / 2];
                println!(
                    "failover (SIGKILL → all tasks RUNNING elsewhere, scheduled.rebalance.max.delay.ms=0, \
                     session.timeout.ms=6000): median {:.2} s of {:?}",
                    median.as_secs_f64(),
                    times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect::<Vec<_>>()
                );
                results.insert("failover_median_s".into(), json!(median.as_secs_f64()));
                results.insert(
                    "failover_runs_s".into(),
                    json!(times.iter().map(Duration::as_secs_f64).collect::<Vec<_>>()),
                );
            }
            Err(e) => {
                eprintln!("failover: {e}");
                results.insert("failover_error".into(), json!(e));
            }
        }
    }
    if opts.only.as_deref() != Some("failover") {
        for workers in [3, 1] {
            match throughput(&broker, dir.path(), &opts, workers) {
                Ok(elapsed) => {
                    let total = opts.pipelines * opts.lines;
                    let rate = total as f64 / elapsed.as_secs_f64();
                    println!(
                        "throughput, {workers} worker(s): {} pipelines × {} lines in {:.2} s = {:.0} lines/s",
                        opts.pipelines,
                        opts.lines,
                        elapsed.as_secs_f64(),
                        rate
                    );
                    results.insert(format!("throughput_{workers}w_lines_per_s"), json!(rate));
                    results.insert(
                        format!("throughput_{workers}w_s"),
                        json!(elapsed.as_secs_f64()),
                    );
                }
                Err(e) => {
                    eprintln!("throughput with {workers} worker(s): {e}");
                    results.insert(format!("throughput_{workers}w_error"), json!(e));
                }
            }
        }
    }
    if opts.json {
        println!("{}", serde_json::Value::Object(results));
    }
    ExitCode::SUCCESS
}

/// Names, files and connector configs of one pipeline.
struct Pipeline {
    source: String,
    sink: String,
    input: PathBuf,
    output: PathBuf,
    topic: String,
}

fn pipelines(dir: &Path, names: &ClusterNames, count: usize) -> Vec<Pipeline> {
    (0..count)
        .map(|i| Pipeline {
            source: format!("src-{i}"),
            sink: format!("sink-{i}"),
            input: dir.join(format!("{}-in-{i}.txt", names.group)),
            output: dir.join(format!("{}-out-{i}.txt", names.group)),
            topic: format!("{}-data-{i}", names.group),
        })
        .collect()
}

fn create_all(port: u16, pipelines: &[Pipeline], deadline: Instant) -> Result<(), String> {
    for p in pipelines {
        let source = json!({"name": p.source, "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "tasks.max": "1", "file": p.input.display().to_string(), "topic": p.topic}});
        let sink = json!({"name": p.sink, "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1", "file": p.output.display().to_string(), "topics": p.topic}});
        for body in [source, sink] {
            loop {
                let r = rest(port, "POST", "/connectors", Some(&body));
                if r.status == 201 {
                    break;
                }
                if Instant::now() > deadline || r.status == 400 || r.body.contains("already exists")
                {
                    return Err(format!("POST /connectors: {r}"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    Ok(())
}

/// Item ("name" or "name/task") → worker id, when every connector and task is RUNNING.
fn running_placement(port: u16, pipelines: &[Pipeline]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for p in pipelines {
        for name in [&p.source, &p.sink] {
            let r = rest(port, "GET", &format!("/connectors/{name}/status"), None);
            if r.status != 200 || r.json["connector"]["state"] != "RUNNING" {
                return None;
            }
            out.push((
                name.clone(),
                r.json["connector"]["worker_id"].as_str()?.to_owned(),
            ));
            let tasks = r.json["tasks"].as_array()?;
            if tasks.is_empty() {
                return None;
            }
            for t in tasks {
                if t["state"] != "RUNNING" {
                    return None;
                }
                out.push((
                    format!("{name}/{}", t["id"]),
                    t["worker_id"].as_str()?.to_owned(),
                ));
            }
        }
    }
    Some(out)
}

fn start_workers(
    broker: &Broker,
    dir: &Path,
    names: &ClusterNames,
    count: usize,
    extra: &[(String, String)],
) -> Vec<DistributedWorker> {
    (0..count)
        .map(|_| {
            DistributedWorker::start(
                WorkerKind::Sluice,
                &broker.bootstrap(),
                names,
                None,
                dir,
                extra,
            )
        })
        .collect()
}

fn failover(broker: &Broker, dir: &Path, runs: usize) -> Result<Vec<Duration>, String> {
    let extra = vec![(
        "scheduled.rebalance.max.delay.ms".to_owned(),
        "0".to_owned(),
    )];
    let mut times = Vec::new();
    for run in 0..runs {
        let names = ClusterNames::unique(&format!("bench-failover-{run}"));
        let mut workers = start_workers(broker, dir, &names, 3, &extra);
        let ps = pipelines(dir, &names, 3);
        for p in &ps {
            std::fs::write(&p.input, "a line\n").map_err(|e| e.to_string())?;
        }
        let port = workers[0].port();
        create_all(port, &ps, Instant::now() + Duration::from_secs(60))?;
        let ids: BTreeSet<String> = workers.iter().map(DistributedWorker::worker_id).collect();
        let deadline = Instant::now() + Duration::from_secs(90);
        let placement = loop {
            if let Some(p) = running_placement(port, &ps) {
                if p.iter().map(|(_, w)| w.clone()).collect::<BTreeSet<_>>() == ids {
                    break p;
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "run {run}: the 6 connectors never ran spread over 3 workers"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        // Kill the last worker (not the one we ask), which holds work.
        let victim = workers[2].worker_id();
        let held = placement.iter().filter(|(_, w)| *w == victim).count();
        workers[2].kill();
        let killed = Instant::now();
        loop {
            if let Some(p) = running_placement(port, &ps) {
                if p.iter().all(|(_, w)| *w != victim) {
                    break;
                }
            }
            if killed.elapsed() > Duration::from_secs(120) {
                return Err(format!(
                    "run {run}: the work of {victim} did not move within 120 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let took = killed.elapsed();
        eprintln!(
            "   failover run {run}: {held} items of {victim} running elsewhere after {:.2} s",
            took.as_secs_f64()
        );
        times.push(took);
        for w in &mut workers {
            w.stop();
        }
    }
    Ok(times)
}

fn write_input(path: &Path, lines: usize) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    for n in 0..lines {
        writeln!(w, "{n:0width$}", width = LINE_LEN).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok((lines * (LINE_LEN + 1)) as u64)
}

fn throughput(
    broker: &Broker,
    dir: &Path,
    opts: &Options,
    workers: usize,
) -> Result<Duration, String> {
    let names = ClusterNames::unique(&format!("bench-tp-{workers}w"));
    let ps = pipelines(dir, &names, opts.pipelines);
    let mut sizes = Vec::new();
    for p in &ps {
        sizes.push(write_input(&p.input, opts.lines)?);
    }
    let mut cluster = start_workers(broker, dir, &names, workers, &[]);
    let port = cluster[0].port();
    let started = Instant::now();
    let deadline = started + opts.timeout;
    create_all(port, &ps, deadline)?;
    loop {
        let done = ps
            .iter()
            .zip(&sizes)
            .all(|(p, size)| std::fs::metadata(&p.output).map(|m| m.len()).unwrap_or(0) >= *size);
        if done {
            break;
        }
        if Instant::now() > deadline {
            let got: Vec<u64> = ps
                .iter()
                .map(|p| std::fs::metadata(&p.output).map(|m| m.len()).unwrap_or(0))
                .collect();
            return Err(format!(
                "not done within {:?}: output sizes {got:?} of {sizes:?}",
                opts.timeout
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    for w in &mut cluster {
        w.stop();
    }
    for p in &ps {
        let _ = std::fs::remove_file(&p.input);
        let _ = std::fs::remove_file(&p.output);
    }
    Ok(elapsed)
}
