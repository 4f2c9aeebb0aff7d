//! End to end: distributed mode. Several `sluice distributed` worker processes with one
//! `group.id` share FileStreamSource → topic → FileStreamSink pipelines on a broker started by
//! the test (the sluice broker, or Tansu in `same_cluster_on_tansu`); the tests kill, stop,
//! restart and add workers while a thread appends numbered lines to the source files, and check
//! through the REST API (`GET /connectors/{name}/status` and its `worker_id`s) where the work
//! runs and, in the sink files, that no line was lost (at-least-once: duplicates are allowed,
//! gaps are not).
//!
//! `kafka_connect_3_9_in_the_same_group` puts an Apache Kafka Connect 3.9 worker into the group
//! of a sluice worker. Every test prints the end of every worker's log when it fails.
//!
//! Run with `cargo test --test distributed -- --test-threads=1` (each test starts several
//! processes; in parallel they would compete for two cores and their timings would drift).
//!
//! `SLUICE_DTEST_KEEP=1` keeps each test's directory (worker logs, input and output files) and
//! prints where it is. `SLUICE_DISTRIBUTED_REFERENCE=1` runs the same tests with Apache Kafka Connect 3.9 workers
//! (`ConnectDistributed`, needs `SLUICE_CONNECT_CP`) in place of the sluice workers: a check of
//! the tests themselves against the reference implementation.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{sleep, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{
    kafka_connect_available, rest, sluice_bin, tail_file, tool_available, Broker, ClusterNames,
    DistributedWorker, Response, Tansu, WorkerKind, LOG_TAIL,
};
use tempfile::TempDir;

/// `session.timeout.ms` of the workers (see `support::distributed_worker_properties`).
const SESSION_TIMEOUT: Duration = Duration::from_secs(6);
/// `scheduled.rebalance.max.delay.ms` of the workers.
const REBALANCE_DELAY: Duration = Duration::from_secs(3);
/// Room on top of protocol timings for two busy cores and a debug build.
const MARGIN: Duration = Duration::from_secs(45);
/// How long the first assignment of a fresh cluster and the connectors' start may take.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long newly created connectors may take to run on a sluice-broker cluster whose workers
/// are all in the group: normally 0.3–3 s here. A worker whose herder blocks (e.g. on a request
/// to the leader while a rebalance waits for it) stalls the group for `rebalance.timeout.ms`
/// (20 s in these tests), which this bound catches.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long lines may take from a source file to its sink file once everything runs.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// The cluster under test.

/// The broker the workers talk to.
enum Kafka {
    Sluice(Broker),
    Tansu(Tansu),
}

impl Kafka {
    fn bootstrap(&self) -> String {
        match self {
            Kafka::Sluice(b) => b.bootstrap(),
            Kafka::Tansu(t) => t.bootstrap(),
        }
    }

    fn log_tail(&self) -> String {
        match self {
            Kafka::Sluice(b) => b.log_tail(),
            Kafka::Tansu(t) => t.log_tail(),
        }
    }
}

/// A broker, a group of workers and a directory for their files and the pipelines' files.
struct Cluster {
    // Workers first: they are killed before the broker and before the directory goes.
    workers: Vec<DistributedWorker>,
    kafka: Kafka,
    names: ClusterNames,
    extra: Vec<(String, String)>,
    /// Waits that succeeded but took longer than [`CONVERGE_TIMEOUT`]: checked at the end of a
    /// test by [`Cluster::assert_no_stalls`], so that the rest of the test still runs.
    stalls: Vec<String>,
    dir: TempDir,
}

impl Cluster {
    fn on_sluice(prefix: &str) -> Cluster {
        Cluster::with(Kafka::Sluice(Broker::start()), prefix)
    }

    fn with(kafka: Kafka, prefix: &str) -> Cluster {
        let keep = std::env::var("SLUICE_DTEST_KEEP").is_ok_and(|v| v == "1");
        let dir = tempfile::Builder::new()
            .prefix("sluice-distributed-")
            .disable_cleanup(keep)
            .tempdir()
            .expect("a temporary directory");
        if keep {
            eprintln!("   files of this test: {}", dir.path().display());
        }
        Cluster {
            workers: Vec::new(),
            kafka,
            names: ClusterNames::unique(prefix),
            extra: Vec::new(),
            stalls: Vec::new(),
            dir,
        }
    }

    /// Starts one more worker of `kind` in the group; returns its index.
    fn add(&mut self, kind: WorkerKind) -> usize {
        let worker = DistributedWorker::start(
            kind,
            &self.kafka.bootstrap(),
            &self.names,
            None,
            self.dir.path(),
            &self.extra,
        );
        self.workers.push(worker);
        self.workers.len() - 1
    }

    /// Starts `count` more workers of the kind under test: sluice, or Kafka Connect 3.9 with
    /// `SLUICE_DISTRIBUTED_REFERENCE=1`.
    fn add_sluice(&mut self, count: usize) {
        for _ in 0..count {
            self.add(kind_under_test());
        }
    }

    /// Worker ids of the workers whose process runs.
    fn live_ids(&mut self) -> Vec<String> {
        self.workers
            .iter_mut()
            .filter_map(|w| w.is_running().then(|| w.worker_id()))
            .collect()
    }

    /// The port of some running worker (the first).
    fn any_port(&mut self) -> Result<u16, String> {
        self.workers
            .iter_mut()
            .find_map(|w| w.is_running().then(|| w.port()))
            .ok_or_else(|| "no worker process is running".to_owned())
    }

    /// The end of every worker's log and of the broker's, for failure messages.
    fn logs(&self) -> String {
        let mut out = String::new();
        for w in &self.workers {
            out.push_str(&format!(
                "\n----- {} worker {} (log {}/worker.log), last {LOG_TAIL} lines -----\n{}\n",
                w.kind().name(),
                w.worker_id(),
                w.dir().display(),
                w.log_tail()
            ));
        }
        out.push_str(&format!(
            "\n----- broker, last {LOG_TAIL} lines -----\n{}\n",
            self.kafka.log_tail()
        ));
        out
    }

    /// The REST port of the group's leader per the newest "leader_url" (sluice) or "leaderUrl"
    /// (Kafka Connect) in the workers' logs, if any.
    fn leader_port(&self) -> Option<u16> {
        let mut newest: Option<(String, u16)> = None;
        for w in &self.workers {
            for line in w.log().lines() {
                let Some(rest) = line
                    .split_once("leader_url=\"http://127.0.0.1:")
                    .or_else(|| line.split_once("leaderUrl='http://127.0.0.1:"))
                    .map(|(_, r)| r)
                else {
                    continue;
                };
                let Some(port) = rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|p| p.parse().ok())
                else {
                    continue;
                };
                // Both log formats start with a sortable timestamp.
                let stamp = line.chars().take(30).collect::<String>();
                if newest.as_ref().is_none_or(|(s, _)| stamp >= *s) {
                    newest = Some((stamp, port));
                }
            }
        }
        newest.map(|(_, port)| port)
    }

    /// Polls `check` every 250 ms until it returns `Ok`; panics after `timeout` with its last
    /// error and the logs.
    fn wait<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&mut Cluster) -> Result<T, String>,
    ) -> T {
        let started = Instant::now();
        loop {
            match check(self) {
                Ok(v) => {
                    eprintln!("   {what}: after {:.1}s", started.elapsed().as_secs_f64());
                    return v;
                }
                Err(last) => {
                    if started.elapsed() >= timeout {
                        panic!(
                            "{what}: not within {}s; last: {last}\n{}",
                            timeout.as_secs(),
                            self.logs()
                        );
                    }
                }
            }
            sleep(Duration::from_millis(250));
        }
    }

    /// `POST /connectors` through worker `via`; expects 201. A 409 that is not "already exists"
    /// (no leader known yet, a rebalance in progress) and a refused connection are retried.
    fn create(&mut self, via: usize, name: &str, config: Value) {
        let port = self.workers[via].port();
        let body = json!({ "name": name, "config": config });
        self.wait(
            &format!("POST /connectors {name} via worker {via}"),
            START_TIMEOUT,
            |_| {
                let r = rest(port, "POST", "/connectors", Some(&body));
                match r.status {
                    201 => Ok(()),
                    0 | 409 | 503 if !r.body.contains("already exists") => Err(r.to_string()),
                    _ => panic!("POST /connectors {name} via worker {via}: {r}"),
                }
            },
        );
    }

    /// Creates every connector of `pipelines`, spreading the requests over the workers.
    fn create_pipelines(&mut self, pipelines: &[Pipeline]) {
        for (i, p) in pipelines.iter().enumerate() {
            let via = i % self.workers.len();
            self.create(via, &p.source, p.source_config());
            self.create((via + 1) % self.workers.len(), &p.sink, p.sink_config());
        }
    }

    /// Waits until every connector in `connectors` and its one task are RUNNING on workers
    /// that run (per the status of worker `via`, or any running worker) and `extra` accepts the
    /// placement; returns the placement: "name" and "name/task" → worker id.
    fn wait_running(
        &mut self,
        what: &str,
        timeout: Duration,
        connectors: &[String],
        mut extra: impl FnMut(&Placement) -> Result<(), String>,
    ) -> Placement {
        self.wait(what, timeout, |c| {
            let live = c.live_ids();
            let port = c.any_port()?;
            let placement = placement(port, connectors)?;
            if let Some((item, worker)) = placement.iter().find(|(_, w)| !live.contains(w)) {
                return Err(format!(
                    "{item} is on {worker}, which is not a running worker ({live:?}): {placement:?}"
                ));
            }
            extra(&placement)?;
            Ok(placement)
        })
    }

    /// [`wait_running`](Self::wait_running) with [`START_TIMEOUT`], recording a stall when it
    /// took longer than [`CONVERGE_TIMEOUT`].
    fn wait_converged(
        &mut self,
        what: &str,
        connectors: &[String],
        extra: impl FnMut(&Placement) -> Result<(), String>,
    ) -> Placement {
        let started = Instant::now();
        let placement = self.wait_running(what, START_TIMEOUT, connectors, extra);
        let took = started.elapsed();
        if took > CONVERGE_TIMEOUT {
            self.stalls.push(format!(
                "{what}: took {:.1}s (more than {}s)",
                took.as_secs_f64(),
                CONVERGE_TIMEOUT.as_secs()
            ));
        }
        placement
    }

    /// Fails when a [`wait_converged`](Self::wait_converged) was slow, with the logs.
    fn assert_no_stalls(&self) {
        assert!(
            self.stalls.is_empty(),
            "the cluster stalled (worked in the end, but far slower than it should):\n{}\n{}",
            self.stalls.join("\n"),
            self.logs()
        );
    }

    /// Waits until every line written to each pipeline's input is in its output.
    fn wait_delivered(&mut self, pipelines: &[Pipeline]) {
        for p in pipelines {
            let expected = read_lines(&p.input);
            self.wait(
                &format!("all {} lines of {} in {}", expected.len(), p.source, p.sink),
                DELIVERY_TIMEOUT,
                |_| p.check_delivered(&expected),
            );
        }
    }
}

/// The worker implementation under test: sluice, unless `SLUICE_DISTRIBUTED_REFERENCE=1`
/// asks for Apache Kafka Connect 3.9.
fn kind_under_test() -> WorkerKind {
    if std::env::var("SLUICE_DISTRIBUTED_REFERENCE").is_ok_and(|v| v == "1") {
        WorkerKind::KafkaConnect
    } else {
        WorkerKind::Sluice
    }
}

/// Which worker runs each connector ("name") and task ("name/0").
type Placement = BTreeMap<String, String>;

/// The placement of `connectors` per `GET /connectors/{name}/status` on `port`, when every
/// connector and task is RUNNING with exactly one task.
fn placement(port: u16, connectors: &[String]) -> Result<Placement, String> {
    let mut placement = Placement::new();
    for name in connectors {
        let r = rest(port, "GET", &format!("/connectors/{name}/status"), None);
        if r.status != 200 {
            return Err(format!("GET /connectors/{name}/status: {r}"));
        }
        let s = &r.json;
        if s["connector"]["state"] != "RUNNING" {
            return Err(format!("{name} is not RUNNING: {}", r.body));
        }
        placement.insert(name.clone(), worker_of(&s["connector"], &r)?);
        let tasks = s["tasks"].as_array().cloned().unwrap_or_default();
        if tasks.len() != 1 {
            return Err(format!(
                "{name} has {} tasks, not 1: {}",
                tasks.len(),
                r.body
            ));
        }
        for t in &tasks {
            if t["state"] != "RUNNING" {
                return Err(format!("a task of {name} is not RUNNING: {}", r.body));
            }
            placement.insert(format!("{name}/{}", t["id"]), worker_of(t, &r)?);
        }
    }
    Ok(placement)
}

fn worker_of(state: &Value, r: &Response) -> Result<String, String> {
    state["worker_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no worker_id in {}", r.body))
}

/// The distinct workers of a placement.
fn workers_of(placement: &Placement) -> BTreeSet<String> {
    placement.values().cloned().collect()
}

/// The state of a connector and of its tasks per `GET /connectors/{name}/status`.
fn states(port: u16, name: &str) -> Result<(String, Vec<String>), String> {
    let r = rest(port, "GET", &format!("/connectors/{name}/status"), None);
    if r.status != 200 {
        return Err(format!("GET /connectors/{name}/status: {r}"));
    }
    let connector = r.json["connector"]["state"]
        .as_str()
        .ok_or_else(|| format!("no connector state in {}", r.body))?
        .to_owned();
    let tasks = r.json["tasks"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| t["state"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok((connector, tasks))
}

/// The names `GET /connectors` lists on `port`.
fn listed(port: u16) -> Result<BTreeSet<String>, String> {
    let r = rest(port, "GET", "/connectors", None);
    if r.status != 200 {
        return Err(format!("GET /connectors: {r}"));
    }
    r.json
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| format!("GET /connectors is not a list: {}", r.body))
}

// ---------------------------------------------------------------------------------------------
// Pipelines: input file → FileStreamSource → topic → FileStreamSink → output file.

struct Pipeline {
    source: String,
    sink: String,
    topic: String,
    input: PathBuf,
    output: PathBuf,
}

impl Pipeline {
    /// `count` pipelines with files in `dir` and topics named after the cluster's group.
    fn make(dir: &Path, names: &ClusterNames, count: usize) -> Vec<Pipeline> {
        (0..count)
            .map(|i| {
                let p = Pipeline {
                    source: format!("src-{i}"),
                    sink: format!("sink-{i}"),
                    topic: format!("{}-data-{i}", names.group),
                    input: dir.join(format!("in-{i}.txt")),
                    output: dir.join(format!("out-{i}.txt")),
                };
                std::fs::write(&p.input, "").expect("create an input file");
                p
            })
            .collect()
    }

    fn source_config(&self) -> Value {
        json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "tasks.max": "1",
            "file": self.input.display().to_string(),
            "topic": self.topic,
        })
    }

    fn sink_config(&self) -> Value {
        json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1",
            "file": self.output.display().to_string(),
            "topics": self.topic,
        })
    }

    /// Ok when every line of `expected` is in the output (as a set: duplicates are allowed).
    fn check_delivered(&self, expected: &[String]) -> Result<(), String> {
        let got: BTreeSet<String> = read_lines(&self.output).into_iter().collect();
        let missing: Vec<&String> = expected.iter().filter(|l| !got.contains(*l)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} of {} lines missing in {} (first missing: {:?}; it has {} distinct lines)",
                missing.len(),
                expected.len(),
                self.output.display(),
                missing.iter().take(5).collect::<Vec<_>>(),
                got.len()
            ))
        }
    }
}

/// The names of the connectors of `pipelines`.
fn connector_names(pipelines: &[Pipeline]) -> Vec<String> {
    pipelines
        .iter()
        .flat_map(|p| [p.source.clone(), p.sink.clone()])
        .collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Appends `count` numbered lines ("<tag> 0000123") to `path`, starting at `from`.
fn append_lines(path: &Path, tag: &str, from: usize, count: usize) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open an input file");
    let text: String = (from..from + count)
        .map(|n| format!("{tag} {n:07}\n"))
        .collect();
    file.write_all(text.as_bytes())
        .expect("append to an input file");
}

/// A thread that appends a few numbered lines to every input file every 20 ms until stopped.
struct Appender {
    stop: Arc<AtomicBool>,
    written: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Appender {
    const LINES_PER_TICK: usize = 5;

    fn start(pipelines: &[Pipeline]) -> Appender {
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicUsize::new(0));
        let inputs: Vec<PathBuf> = pipelines.iter().map(|p| p.input.clone()).collect();
        let thread = {
            let stop = Arc::clone(&stop);
            let written = Arc::clone(&written);
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    for (i, input) in inputs.iter().enumerate() {
                        append_lines(input, &format!("p{i}"), n, Self::LINES_PER_TICK);
                    }
                    n += Self::LINES_PER_TICK;
                    written.store(n, Ordering::SeqCst);
                    sleep(Duration::from_millis(20));
                }
            })
        };
        Appender {
            stop,
            written,
            thread: Some(thread),
        }
    }

    /// Lines appended to each file so far.
    fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }

    /// Waits until `more` further lines were appended to each file.
    fn wait_for_more(&self, more: usize) {
        let target = self.written() + more;
        while self.written() < target {
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops appending; returns the number of lines appended to each file.
    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("the appender thread panicked");
        }
        self.written()
    }
}

impl Drop for Appender {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// `sluice topics --create` (one partition), for brokers that do not auto-create topics.
fn create_topic(bootstrap: &str, topic: &str) {
    let out = Command::new(sluice_bin())
        .args([
            "topics",
            "--bootstrap-server",
            bootstrap,
            "--create",
            "--topic",
        ])
        .arg(topic)
        .args([
            "--partitions",
            "1",
            "--replication-factor",
            "1",
            "--if-not-exists",
        ])
        .output()
        .expect("run sluice topics");
    assert!(
        out.status.success(),
        "sluice topics --create --topic {topic} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// Three workers share six connectors (three pipelines); one is SIGKILLed and its work moves
/// to the other two without losing a line.
#[test]
fn three_workers_share_and_survive_sigkill() {
    let mut c = Cluster::on_sluice("dt-kill");
    c.add_sluice(3);
    // The first worker (the group's first member, normally the leader) dies.
    share_then_kill(&mut c, 3, 0);
}

/// With `connect.protocol=eager` (Kafka's stop-the-world rebalancing, sub-protocol
/// `default`) two workers still share the work, and a SIGKILLed follower's work moves to
/// the survivor without losing a line.
#[test]
fn eager_protocol_shares_and_survives_sigkill() {
    let mut c = Cluster::on_sluice("dt-eager");
    c.extra
        .push(("connect.protocol".to_owned(), "eager".to_owned()));
    c.add_sluice(2);
    share_then_kill(&mut c, 2, 1);
}

/// Runs `pipelines` file pipelines on the cluster's workers, checks that they are spread
/// over all of them, SIGKILLs worker `victim`, checks that its work runs elsewhere, and
/// that every appended line arrives.
fn share_then_kill(c: &mut Cluster, pipelines: usize, victim: usize) {
    let workers = c.workers.len();
    let pipelines = Pipeline::make(c.dir.path(), &c.names, pipelines);
    let names = connector_names(&pipelines);
    let appender = Appender::start(&pipelines);
    c.create_pipelines(&pipelines);

    let all: BTreeSet<String> = c.workers.iter().map(|w| w.worker_id()).collect();
    let before = c.wait_converged(
        &format!(
            "{n} connectors and {n} tasks RUNNING, spread over the {workers} workers",
            n = names.len()
        ),
        &names,
        |p| {
            if workers_of(p) == all {
                Ok(())
            } else {
                Err(format!("not on all of {all:?}: {p:?}"))
            }
        },
    );
    eprintln!("   placement before the kill: {before:?}");

    let victim_id = c.workers[victim].worker_id();
    let moved: Vec<String> = before
        .iter()
        .filter(|(_, w)| **w == victim_id)
        .map(|(item, _)| item.clone())
        .collect();
    c.workers[victim].kill();
    let killed = Instant::now();
    let after = c.wait_running(
        "everything RUNNING on the survivors after SIGKILL",
        SESSION_TIMEOUT + REBALANCE_DELAY + MARGIN,
        &names,
        |_| Ok(()),
    );
    eprintln!(
        "   {} items of the killed worker running elsewhere {:.1}s after SIGKILL: {after:?}",
        moved.len(),
        killed.elapsed().as_secs_f64()
    );
    for item in &moved {
        assert_ne!(
            after[item], victim_id,
            "{item} still shows the killed worker {victim_id}"
        );
    }

    appender.wait_for_more(100);
    let written = appender.finish();
    eprintln!(
        "   {written} lines appended to each of the {} inputs",
        pipelines.len()
    );
    c.wait_delivered(&pipelines);
    c.assert_no_stalls();
}

/// A fourth worker joins three that run six connectors: incremental cooperative rebalancing
/// moves only part of the work to it, nothing moves between the old workers, data keeps flowing.
#[test]
fn fourth_worker_moves_only_part_of_the_work() {
    let mut c = Cluster::on_sluice("dt-join");
    c.add_sluice(3);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 3);
    let names = connector_names(&pipelines);
    for (i, p) in pipelines.iter().enumerate() {
        append_lines(&p.input, &format!("p{i}"), 0, 100);
    }
    c.create_pipelines(&pipelines);
    let all: BTreeSet<String> = c.workers.iter().map(|w| w.worker_id()).collect();
    let before = c.wait_converged(
        "6 connectors and 6 tasks RUNNING over the 3 workers",
        &names,
        |p| {
            (workers_of(p) == all)
                .then_some(())
                .ok_or_else(|| format!("not on all of {all:?}: {p:?}"))
        },
    );
    eprintln!("   placement with 3 workers: {before:?}");

    let fourth = c.add(kind_under_test());
    let newcomer = c.workers[fourth].worker_id();
    // Running something on the newcomer, and the same placement on two polls 2 s apart (a
    // cooperative rebalance revokes first and assigns in a second round).
    let mut previous: Option<Placement> = None;
    let after = c.wait(
        "the 4th worker runs something and the placement is stable",
        SESSION_TIMEOUT + REBALANCE_DELAY + MARGIN,
        |c| {
            let placement = placement(c.any_port()?, &names)?;
            if !placement.values().any(|w| *w == newcomer) {
                return Err(format!("nothing on {newcomer}: {placement:?}"));
            }
            let stable = previous.as_ref() == Some(&placement);
            previous = Some(placement.clone());
            if stable {
                Ok(placement)
            } else {
                sleep(Duration::from_secs(2));
                Err(format!("placement still changing: {placement:?}"))
            }
        },
    );
    eprintln!("   placement with 4 workers: {after:?}");

    let moved: Vec<&String> = before
        .keys()
        .filter(|item| before[*item] != after[*item])
        .collect();
    for item in &moved {
        assert_eq!(
            after[*item], newcomer,
            "{item} moved from {} to {}, another old worker: only moves to the new worker are \
             expected\nbefore: {before:?}\nafter: {after:?}",
            before[*item], after[*item]
        );
    }
    let limit = before.len().div_ceil(4) + 1;
    assert!(
        moved.len() <= limit,
        "{} of {} items moved when the 4th worker joined (at most {limit} expected): {moved:?}\n\
         before: {before:?}\nafter: {after:?}",
        moved.len(),
        before.len()
    );

    for (i, p) in pipelines.iter().enumerate() {
        append_lines(&p.input, &format!("p{i}"), 100, 10);
    }
    c.wait_delivered(&pipelines);
    c.assert_no_stalls();
}

/// Each of three workers in turn is stopped (SIGTERM) and started again while lines are
/// appended: in the end every line arrived.
#[test]
fn rolling_restart_loses_nothing() {
    let mut c = Cluster::on_sluice("dt-roll");
    c.add_sluice(3);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 3);
    let names = connector_names(&pipelines);
    let appender = Appender::start(&pipelines);
    c.create_pipelines(&pipelines);
    c.wait_converged("6 connectors RUNNING", &names, |_| Ok(()));

    for i in 0..c.workers.len() {
        let id = c.workers[i].worker_id();
        c.workers[i].stop();
        c.wait_running(
            &format!("everything RUNNING without {id} after SIGTERM"),
            REBALANCE_DELAY + MARGIN,
            &names,
            |_| Ok(()),
        );
        appender.wait_for_more(25);
        c.workers[i].restart();
        // Back in the group, it gets work again (its old work after the scheduled delay, or
        // a share through revocations from the others).
        c.wait_running(
            &format!("everything RUNNING, some of it on {id}, after it came back"),
            REBALANCE_DELAY + MARGIN,
            &names,
            |p| {
                p.values()
                    .any(|w| *w == id)
                    .then_some(())
                    .ok_or_else(|| format!("nothing on {id}: {p:?}"))
            },
        );
        appender.wait_for_more(25);
    }
    let written = appender.finish();
    eprintln!("   {written} lines appended to each of the 3 inputs");
    c.wait_delivered(&pipelines);
    c.assert_no_stalls();
}

/// Configs, target states (PAUSED, STOPPED) and source offsets survive a restart of the whole
/// cluster: they live in the internal topics, not in the processes.
#[test]
fn cluster_restart_restores_configs_target_states_and_offsets() {
    let mut c = Cluster::on_sluice("dt-cold");
    c.add_sluice(2);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 3);
    // Pipeline 0 runs; the source of pipeline 1 gets paused, the source of pipeline 2 stopped.
    let (p0, p1, p2) = (&pipelines[0], &pipelines[1], &pipelines[2]);
    append_lines(&p0.input, "p0", 0, 1000);
    c.create(0, &p0.source, p0.source_config());
    c.create(1, &p0.sink, p0.sink_config());
    c.create(1, &p1.source, p1.source_config());
    c.create(0, &p2.source, p2.source_config());
    let names: Vec<String> = [&p0.source, &p0.sink, &p1.source, &p2.source]
        .into_iter()
        .cloned()
        .collect();
    c.wait_running("4 connectors RUNNING", START_TIMEOUT, &names, |_| Ok(()));

    let port = c.workers[0].port();
    let r = rest(
        port,
        "PUT",
        &format!("/connectors/{}/pause", p1.source),
        None,
    );
    assert_eq!(r.status, 202, "PUT /connectors/{}/pause: {r}", p1.source);
    let r = rest(
        port,
        "PUT",
        &format!("/connectors/{}/stop", p2.source),
        None,
    );
    assert_eq!(r.status, 204, "PUT /connectors/{}/stop: {r}", p2.source);
    let expect_targets = |c: &mut Cluster| -> Result<(), String> {
        let port = c.any_port()?;
        let paused = states(port, &p1.source)?;
        if paused.0 != "PAUSED" || paused.1.is_empty() || paused.1.iter().any(|s| s != "PAUSED") {
            return Err(format!(
                "{} is not PAUSED with PAUSED tasks: {paused:?}",
                p1.source
            ));
        }
        let stopped = states(port, &p2.source)?;
        if stopped.0 != "STOPPED" || !stopped.1.is_empty() {
            return Err(format!(
                "{} is not STOPPED without tasks: {stopped:?}",
                p2.source
            ));
        }
        Ok(())
    };
    c.wait(
        "the paused and the stopped connector",
        START_TIMEOUT,
        expect_targets,
    );
    c.wait_delivered(&pipelines[..1]);

    // The committed source offset reaches the end of the file (offset.flush.interval.ms=1000).
    // Informative only: a clean stop flushes offsets anyway, and the line count at the end
    // tells whether the source resumed from its offset.
    let size = std::fs::metadata(&p0.input).expect("input size").len();
    let offsets_path = format!("/connectors/{}/offsets", p0.source);
    let polled = Instant::now();
    loop {
        let port = c.any_port().unwrap_or_else(|e| panic!("{e}\n{}", c.logs()));
        let r = rest(port, "GET", &offsets_path, None);
        if r.status == 200 && r.json["offsets"][0]["offset"]["position"].as_u64() == Some(size) {
            eprintln!(
                "   GET {offsets_path}: position {size} after {:.1}s",
                polled.elapsed().as_secs_f64()
            );
            break;
        }
        if polled.elapsed() > Duration::from_secs(15) {
            eprintln!("   note: GET {offsets_path} did not show position {size} within 15s: {r}");
            break;
        }
        sleep(Duration::from_millis(250));
    }

    for w in &mut c.workers {
        w.stop();
    }
    append_lines(&p0.input, "p0", 1000, 500);
    for w in &mut c.workers {
        w.restart();
    }

    let expected: BTreeSet<String> = names.iter().cloned().collect();
    for i in 0..c.workers.len() {
        let port = c.workers[i].port();
        c.wait(
            &format!("GET /connectors on worker {i} after the cluster restart"),
            START_TIMEOUT,
            |_| {
                let got = listed(port)?;
                (got == expected)
                    .then_some(())
                    .ok_or_else(|| format!("{got:?}, expected {expected:?}"))
            },
        );
    }
    c.wait_running(
        "the running pipeline RUNNING again",
        START_TIMEOUT,
        &names[..2],
        |_| Ok(()),
    );
    c.wait(
        "the paused and the stopped connector after the restart",
        START_TIMEOUT,
        expect_targets,
    );
    c.wait_delivered(&pipelines[..1]);
    let out = read_lines(&p0.output);
    let distinct: BTreeSet<&String> = out.iter().collect();
    eprintln!(
        "   sink: {} lines, {} distinct, for 1500 source lines",
        out.len(),
        distinct.len()
    );
    assert!(
        out.len() < 2 * 1500,
        "the sink holds {} lines for 1500 source lines: the source re-read its file from the \
         start after the restart instead of resuming at its offset",
        out.len()
    );
}

/// REST on any worker: writes sent to a follower are forwarded to the leader, and what one
/// worker changes every worker shows.
#[test]
fn rest_on_any_worker() {
    let mut c = Cluster::on_sluice("dt-rest");
    c.add_sluice(3);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 2);
    let ports: Vec<u16> = c.workers.iter().map(|w| w.port()).collect();
    // The first connector through a follower (per the logs), the second through another worker.
    let leader = c.wait("the workers' logs name the leader", START_TIMEOUT, |c| {
        c.leader_port()
            .ok_or_else(|| "no leader_url in the logs yet".to_owned())
    });
    let follower = ports
        .iter()
        .position(|&p| p != leader)
        .expect("a worker that is not the leader");
    eprintln!("   leader: port {leader}; creating through follower {follower}");
    c.create(follower, &pipelines[0].source, pipelines[0].source_config());
    c.create(
        (follower + 1) % ports.len(),
        &pipelines[1].source,
        pipelines[1].source_config(),
    );
    let names = vec![pipelines[0].source.clone(), pipelines[1].source.clone()];
    let expected: BTreeSet<String> = names.iter().cloned().collect();
    for (i, &port) in ports.iter().enumerate() {
        c.wait(
            &format!("both connectors listed by worker {i}"),
            START_TIMEOUT,
            |_| {
                let got = listed(port)?;
                (got == expected)
                    .then_some(())
                    .ok_or_else(|| format!("{got:?}"))
            },
        );
    }
    c.wait_running("both connectors RUNNING", START_TIMEOUT, &names, |_| Ok(()));

    // A duplicate is refused with Kafka Connect's error body.
    let r = rest(
        ports[2],
        "POST",
        "/connectors",
        Some(&json!({"name": names[0], "config": pipelines[0].source_config()})),
    );
    assert_eq!(
        r.status, 409,
        "POST of an existing connector via worker 2: {r}"
    );
    assert_eq!(r.json["error_code"], 409, "the error body: {r}");
    assert!(
        r.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("already exists")),
        "the error message: {r}"
    );

    // PUT config through worker 0, visible on worker 2.
    let mut config = pipelines[0].source_config();
    config["batch.size"] = json!("500");
    let path = format!("/connectors/{}/config", names[0]);
    let r = rest(ports[0], "PUT", &path, Some(&config));
    assert_eq!(r.status, 200, "PUT {path} via worker 0: {r}");
    c.wait("the new config on worker 2", START_TIMEOUT, |_| {
        let r = rest(ports[2], "GET", &path, None);
        (r.status == 200 && r.json["batch.size"] == "500")
            .then_some(())
            .ok_or_else(|| r.to_string())
    });

    // Pause through worker 1, seen by worker 0; resume through worker 2.
    let name = &names[1];
    let r = rest(ports[1], "PUT", &format!("/connectors/{name}/pause"), None);
    assert_eq!(r.status, 202, "pause via worker 1: {r}");
    c.wait("PAUSED seen by worker 0", START_TIMEOUT, |_| {
        let s = states(ports[0], name)?;
        (s.0 == "PAUSED" && !s.1.is_empty() && s.1.iter().all(|t| t == "PAUSED"))
            .then_some(())
            .ok_or_else(|| format!("{s:?}"))
    });
    let r = rest(ports[2], "PUT", &format!("/connectors/{name}/resume"), None);
    assert_eq!(r.status, 202, "resume via worker 2: {r}");
    c.wait_running("RUNNING again after resume", START_TIMEOUT, &names, |_| {
        Ok(())
    });

    // DELETE through worker 0: gone everywhere.
    let r = rest(
        ports[0],
        "DELETE",
        &format!("/connectors/{}", names[0]),
        None,
    );
    assert_eq!(r.status, 204, "DELETE via worker 0: {r}");
    for (i, &port) in ports.iter().enumerate() {
        c.wait(
            &format!("{} gone from worker {i}", names[0]),
            START_TIMEOUT,
            |_| {
                let got = listed(port)?;
                let status = rest(
                    port,
                    "GET",
                    &format!("/connectors/{}/status", names[0]),
                    None,
                );
                (got == BTreeSet::from([names[1].clone()]) && status.status == 404)
                    .then_some(())
                    .ok_or_else(|| format!("listed {got:?}; status {status}"))
            },
        );
    }
    // The data still flows for the one left.
    append_lines(&pipelines[1].input, "p1", 0, 10);
    let p = &pipelines[1];
    c.create(1, &p.sink, p.sink_config());
    c.wait_delivered(&pipelines[1..]);

    // A cluster-wide logger level set through one worker reaches every worker (Kafka's
    // `logger-cluster-<namespace>` record in the config topic). Only sluice's loggers are
    // `tracing` targets.
    if kind_under_test() == WorkerKind::Sluice {
        let level = serde_json::json!({"level": "DEBUG"});
        let r = rest(
            ports[1],
            "PUT",
            "/admin/loggers/runtime::transforms?scope=cluster",
            Some(&level),
        );
        assert_eq!(r.status, 204, "PUT /admin/loggers/...?scope=cluster: {r}");
        for (i, &port) in ports.iter().enumerate() {
            c.wait(
                &format!("the cluster logger level applied on worker {i}"),
                START_TIMEOUT,
                |_| {
                    let r = rest(port, "GET", "/admin/loggers/runtime::transforms", None);
                    (r.json["level"] == "DEBUG")
                        .then_some(())
                        .ok_or_else(|| format!("{r}"))
                },
            );
        }
    }
}

/// Test (a), smaller, on Tansu: the runtime needs nothing but the Kafka protocol.
#[test]
fn same_cluster_on_tansu() {
    if !tool_available("SLUICE_TANSU", "same_cluster_on_tansu") {
        return;
    }
    let mut c = Cluster::with(Kafka::Tansu(Tansu::start()), "dt-tansu");
    c.add_sluice(2);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 1);
    create_topic(&c.kafka.bootstrap(), &pipelines[0].topic);
    let names = connector_names(&pipelines);
    let appender = Appender::start(&pipelines);
    c.create_pipelines(&pipelines);
    // Tansu answers JoinGroup slowly (about session.timeout.ms / 2): generous timeouts.
    let all: BTreeSet<String> = c.workers.iter().map(|w| w.worker_id()).collect();
    let before = c.wait_running(
        "2 connectors and 2 tasks RUNNING over the 2 workers",
        START_TIMEOUT * 2,
        &names,
        |p| {
            (workers_of(p) == all)
                .then_some(())
                .ok_or_else(|| format!("not on both of {all:?}: {p:?}"))
        },
    );
    eprintln!("   placement on Tansu: {before:?}");
    c.workers[1].kill();
    let killed = Instant::now();
    c.wait_running(
        "everything RUNNING on the survivor after SIGKILL",
        SESSION_TIMEOUT + REBALANCE_DELAY + MARGIN * 2,
        &names,
        |_| Ok(()),
    );
    eprintln!(
        "   recovered on Tansu {:.1}s after SIGKILL",
        killed.elapsed().as_secs_f64()
    );
    appender.wait_for_more(50);
    appender.finish();
    c.wait_delivered(&pipelines);
}

/// A sluice worker and an Apache Kafka Connect 3.9 worker with the same group.id and topics on
/// the sluice broker. Whatever happens — they share the work, or the JVM is refused — the sluice
/// side must stay intact. The outcome is printed.
#[test]
fn kafka_connect_3_9_in_the_same_group() {
    if !kafka_connect_available() {
        return;
    }
    let mut c = Cluster::on_sluice("dt-mixed");
    c.add(WorkerKind::Sluice);
    let pipelines = Pipeline::make(c.dir.path(), &c.names, 2);
    let (p0, p1) = (&pipelines[0], &pipelines[1]);
    append_lines(&p0.input, "p0", 0, 100);
    c.create(0, &p0.source, p0.source_config());
    c.create(0, &p0.sink, p0.sink_config());
    let first = connector_names(&pipelines[..1]);
    c.wait_running("the sluice pipeline RUNNING", START_TIMEOUT, &first, |_| {
        Ok(())
    });

    let java = c.add(WorkerKind::KafkaConnect);
    let java_id = c.workers[java].worker_id();
    let java_port = c.workers[java].port();
    let sluice_port = c.workers[0].port();
    // Let the JVM try to join: either it joins (its log says so, its REST lists the
    // connectors) or it gives up / errors.
    let joined = {
        let started = Instant::now();
        loop {
            let log = c.workers[java].log();
            if log.contains("Joined group at generation") && log.contains("Finished starting") {
                break true;
            }
            if !c.workers[java].is_running() || started.elapsed() > Duration::from_secs(90) {
                break false;
            }
            sleep(Duration::from_millis(500));
        }
    };
    let java_log = c.workers[java].log();
    let interesting: Vec<&str> = java_log
        .lines()
        .filter(|l| {
            l.starts_with('[')
                && (l.contains("ERROR")
                    || l.contains("WARN")
                    || l.contains("Joined group")
                    || l.contains("assignment")
                    || l.contains("Exception"))
        })
        .take(40)
        .collect();
    eprintln!(
        "   Kafka Connect 3.9 {} the group; its log, selected lines:\n{}",
        if joined { "joined" } else { "did not join" },
        interesting.join("\n")
    );

    if joined {
        // Shared work: a pipeline created through the JVM's REST API runs and delivers, and
        // both workers list the same connectors.
        append_lines(&p1.input, "p1", 0, 100);
        let java_idx = java;
        c.create(java_idx, &p1.source, p1.source_config());
        c.create(java_idx, &p1.sink, p1.sink_config());
        let names = connector_names(&pipelines);
        let both = BTreeSet::from([c.workers[0].worker_id(), java_id.clone()]);
        let placement = c.wait_running(
            "all 4 connectors RUNNING in the mixed cluster, on both workers",
            START_TIMEOUT,
            &names,
            |p| {
                (workers_of(p) == both)
                    .then_some(())
                    .ok_or_else(|| format!("not on both of {both:?}: {p:?}"))
            },
        );
        eprintln!("   mixed placement: {placement:?} (the JVM is {java_id})");
        let expected: BTreeSet<String> = names.iter().cloned().collect();
        for port in [sluice_port, java_port] {
            c.wait("GET /connectors on both workers", START_TIMEOUT, |_| {
                let got = listed(port)?;
                (got == expected)
                    .then_some(())
                    .ok_or_else(|| format!("port {port}: {got:?}"))
            });
        }
        c.wait_delivered(&pipelines);
    } else {
        // Refused: the JVM said why, and the sluice cluster is unaffected.
        assert!(
            java_log.contains("ERROR") || !c.workers[java].is_running(),
            "Kafka Connect 3.9 neither joined nor logged an error within 90 s:\n{}",
            tail_file(&c.workers[java].dir().join("worker.log"), LOG_TAIL)
        );
    }
    // Either way the sluice worker still lists and runs its pipeline, and data flows.
    let got = listed(sluice_port).unwrap_or_else(|e| panic!("{e}\n{}", c.logs()));
    assert!(
        first.iter().all(|n| got.contains(n)),
        "the sluice worker lost its connectors: {got:?}\n{}",
        c.logs()
    );
    c.workers[java].stop();
    append_lines(&p0.input, "p0", 100, 10);
    c.wait_running(
        "the sluice pipeline RUNNING after the JVM left",
        SESSION_TIMEOUT + REBALANCE_DELAY + MARGIN,
        &first,
        |_| Ok(()),
    );
    c.wait_delivered(&pipelines[..1]);
}
