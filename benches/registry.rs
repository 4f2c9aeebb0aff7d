//! The schema registry: registration latency, lookups and read throughput of `sluice registry`.
//!
//! Not a criterion bench: it starts the release `sluice broker` and `sluice registry` as real
//! processes (the ones of `tests/support`: free loopback ports, data and logs in temporary
//! directories), prints numbers and asserts nothing.
//!
//! ```text
//! apt-get install wrk        # the read load tool; without it a built-in load loop runs
//! cargo bench --bench registry -- [--schemas N] [--versions N] [--duration SECS]
//!     [--connections N] [--threads N] [--load wrk|builtin] [--json] [--sluice PATH]
//! ```
//!
//! The environment sets the defaults of the options: `REGBENCH_SCHEMAS` (1000),
//! `REGBENCH_VERSIONS` (1000), `REGBENCH_DURATION` (10 s), `REGBENCH_CONNECTIONS` (64),
//! `REGBENCH_THREADS` (2), `REGBENCH_LOAD` (`wrk` when installed, else `builtin`).
//!
//! Measured, over one HTTP/1.1 keep-alive connection (reqwest), one request at a time:
//! * register: `POST /subjects/t{i}-value/versions` of N distinct Avro records to N distinct
//!   subjects (a new id each: a write to `_schemas` and its read-back, no compatibility check);
//! * re-register: the same N schemas again (the idempotent path: the existing id, no write);
//! * lookup: `POST /subjects/t{i}-value` of the N schemas;
//! * evolve: `--versions` new versions under ONE subject with `compatibility=BACKWARD` (each
//!   adds an optional field and drops the previous one, so every schema has the same size and
//!   is compatible with the latest version, and with every other);
//!
//! and for each the p50/p90/p99/max latency, requests/s, and the p50 of the first and of the
//! last tenth of the requests (growth with the number of stored schemas).
//!
//! Read throughput: `wrk -t{threads} -c{connections} -d{duration}s --latency` (or, without
//! wrk, as many tokio tasks as connections for the same time) on `GET /schemas/ids/{id}` of
//! the first and of the last of the N schemas (the registry finds an id by walking its
//! subjects in name order, `t0…-value` first; a warm-up schema takes id 1) and on
//! `GET /subjects/t{N-1}-value/versions/latest`: requests/s and latency percentiles. The load
//! tool runs on the same cores as the registry.
//!
//! Memory: VmRSS/VmHWM of the registry process after the N registrations and at the end.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{Broker, Registry};

const USAGE: &str = "\
usage: cargo bench --bench registry -- [options]
  --schemas N          distinct schemas registered to distinct subjects (default 1000,
                       env REGBENCH_SCHEMAS)
  --versions N         versions registered under one BACKWARD subject (default 1000,
                       env REGBENCH_VERSIONS)
  --duration SECS      length of each read load run (default 10, env REGBENCH_DURATION)
  --connections N      concurrent connections of the read load (default 64,
                       env REGBENCH_CONNECTIONS)
  --threads N          wrk threads (default 2, env REGBENCH_THREADS)
  --load wrk|builtin   read load tool (default wrk when on PATH, env REGBENCH_LOAD)
  --json               print the results as one JSON object on the last line
  --sluice PATH        sluice binary (default: the one Cargo built for this bench)";

/// Registry content type.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// The subject of the evolution run; sorts after the `t{i}-value` subjects.
const EVOLVE_SUBJECT: &str = "zz-evolve-value";

#[derive(Debug)]
struct Options {
    schemas: usize,
    versions: usize,
    duration: u64,
    connections: usize,
    threads: usize,
    load: Option<String>,
    json: bool,
    sluice: Option<PathBuf>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let env = |name: &str, default: usize| -> Result<usize, String> {
            match std::env::var(name) {
                Ok(v) if !v.is_empty() => number(&v).map_err(|e| format!("{name}: {e}")),
                _ => Ok(default),
            }
        };
        let mut o = Options {
            schemas: env("REGBENCH_SCHEMAS", 1000)?,
            versions: env("REGBENCH_VERSIONS", 1000)?,
            duration: env("REGBENCH_DURATION", 10)? as u64,
            connections: env("REGBENCH_CONNECTIONS", 64)?,
            threads: env("REGBENCH_THREADS", 2)?,
            load: std::env::var("REGBENCH_LOAD")
                .ok()
                .filter(|v| !v.is_empty()),
            json: false,
            sluice: None,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--schemas" => o.schemas = number(&value("--schemas")?)?,
                "--versions" => o.versions = number(&value("--versions")?)?,
                "--duration" => o.duration = number(&value("--duration")?)? as u64,
                "--connections" => o.connections = number(&value("--connections")?)?,
                "--threads" => o.threads = number(&value("--threads")?)?,
                "--load" => o.load = Some(value("--load")?),
                "--json" => o.json = true,
                "--sluice" => o.sluice = Some(PathBuf::from(value("--sluice")?)),
                "--bench" => {} // cargo bench passes it
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if let Some(load) = &o.load {
            if load != "wrk" && load != "builtin" {
                return Err(format!("--load {load}: expected wrk or builtin"));
            }
        }
        o.schemas = o.schemas.max(1);
        o.duration = o.duration.max(1);
        o.connections = o.connections.max(1);
        o.threads = o.threads.clamp(1, o.connections);
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
    let sluice = opts
        .sluice
        .clone()
        .unwrap_or_else(|| PathBuf::from(support::SLUICE_BIN));
    if !sluice.is_file() {
        eprintln!("error: no sluice binary at {}", sluice.display());
        return ExitCode::FAILURE;
    }
    // The registry is started through tests/support, which runs SLUICE_BIN when set.
    std::env::set_var("SLUICE_BIN", &sluice);
    let wrk_installed = Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty());
    let use_wrk = match opts.load.as_deref() {
        Some("builtin") => false,
        Some(_) if !wrk_installed => {
            eprintln!("error: --load wrk, but wrk is not installed: apt-get install wrk");
            return ExitCode::FAILURE;
        }
        Some(_) => true,
        None => {
            if !wrk_installed {
                eprintln!(
                    "!! install wrk: apt-get install wrk (falling back to the built-in load loop)"
                );
            }
            wrk_installed
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };

    eprintln!("== sluice binary {}", sluice.display());
    let broker = Broker::start();
    eprintln!("== broker on {}", broker.bootstrap());
    let started = Instant::now();
    let registry = Registry::start(&broker.bootstrap());
    eprintln!(
        "== registry on {} (answered GET /subjects {:.2} s after spawn)",
        registry.url(),
        started.elapsed().as_secs_f64()
    );
    let pid = registry_pid(registry.port());
    if pid.is_none() {
        eprintln!("!! cannot find the registry process in /proc: no RSS");
    }

    match runtime.block_on(run(&opts, &registry, pid, use_wrk)) {
        Ok(results) => {
            if opts.json {
                println!("{results}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: {e}\nregistry log:\n{}\nbroker log:\n{}",
                registry.log_tail(),
                broker.log_tail()
            );
            ExitCode::FAILURE
        }
    }
}

/// A distinct Avro record: a few common fields and one named after `i`.
fn record_schema(i: usize) -> String {
    json!({
        "type": "record",
        "name": format!("Event{i}"),
        "namespace": "bench.registry",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
            {"name": format!("f{i}"), "type": ["null", "string"], "default": null},
        ]
    })
    .to_string()
}

/// Version `k` of the evolving record: the fixed fields plus the optional `x{k}` (BACKWARD
/// compatible with every other version: the reader's new field has a default, the dropped
/// one is ignored).
fn evolve_schema(k: usize) -> String {
    json!({
        "type": "record",
        "name": "Evolving",
        "namespace": "bench.registry",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": format!("x{k}"), "type": ["null", "string"], "default": null},
        ]
    })
    .to_string()
}

/// Latencies of sequential requests, in request order.
struct Run {
    name: String,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Run {
    fn stats(&self) -> Stats {
        Stats::of(&self.latencies, self.elapsed)
    }

    /// p50 of the first and of the last tenth of the requests.
    fn drift(&self) -> (Duration, Duration) {
        let tenth = (self.latencies.len() / 10).max(1);
        let first = Stats::of(&self.latencies[..tenth], Duration::ZERO).p50;
        let last = Stats::of(
            &self.latencies[self.latencies.len() - tenth..],
            Duration::ZERO,
        )
        .p50;
        (first, last)
    }
}

#[derive(Clone, Copy)]
struct Stats {
    count: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    per_s: f64,
}

impl Stats {
    fn of(latencies: &[Duration], elapsed: Duration) -> Stats {
        let mut sorted = latencies.to_vec();
        sorted.sort();
        let at = |q: f64| -> Duration {
            if sorted.is_empty() {
                return Duration::ZERO;
            }
            let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            sorted[rank - 1]
        };
        Stats {
            count: sorted.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: sorted.last().copied().unwrap_or_default(),
            per_s: if elapsed.is_zero() {
                0.0
            } else {
                sorted.len() as f64 / elapsed.as_secs_f64()
            },
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

async fn run(
    opts: &Options,
    registry: &Registry,
    pid: Option<u32>,
    use_wrk: bool,
) -> Result<Value, String> {
    let base = registry.url();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("an HTTP client: {e}"))?;
    let n = opts.schemas;
    let mut results = serde_json::Map::new();
    results.insert("schemas".into(), json!(n));
    results.insert("versions".into(), json!(opts.versions));
    let mut runs: Vec<Run> = Vec::new();

    // Warm-up: the connection, and the first write (producer id, metadata).
    post(
        &client,
        &format!("{base}/subjects/warmup-value/versions"),
        &record_schema(usize::MAX),
        200,
    )
    .await?;
    let rss_start = pid.and_then(rss);

    let schemas: Vec<String> = (0..n).map(record_schema).collect();
    let width = (n - 1).to_string().len();
    let subject = |i: usize| format!("t{i:0width$}-value");

    eprintln!("== register {n} schemas to {n} subjects");
    let mut ids = Vec::with_capacity(n);
    let run_register = timed(
        &format!("register new (N={n} subjects)"),
        n,
        |i| {
            let url = format!("{base}/subjects/{}/versions", subject(i));
            let body = schemas[i].clone();
            let client = &client;
            async move { post(client, &url, &body, 200).await }
        },
        |v| ids.push(v["id"].as_i64().unwrap_or(-1)),
    )
    .await?;
    print_run(&run_register);
    runs.push(run_register);
    let rss_loaded = pid.and_then(rss);
    if let Some((rss, hwm)) = rss_loaded {
        println!(
            "registry RSS after {n} schemas: VmRSS {} (VmHWM {})",
            mib(rss),
            mib(hwm)
        );
    }
    let first_id = ids.first().copied().unwrap_or(1);
    let last_id = ids.last().copied().unwrap_or(1);

    eprintln!("== re-register the {n} schemas (idempotent)");
    let mut same_ids = true;
    let run_again = timed(
        "re-register (idempotent)",
        n,
        |i| {
            let url = format!("{base}/subjects/{}/versions", subject(i));
            let body = schemas[i].clone();
            let client = &client;
            async move { post(client, &url, &body, 200).await }
        },
        |v| same_ids &= v["id"].as_i64().is_some(),
    )
    .await?;
    if !same_ids {
        eprintln!("!! re-registration answered without an id");
    }
    print_run(&run_again);
    runs.push(run_again);

    eprintln!("== look up the {n} schemas (POST /subjects/{{s}})");
    let run_lookup = timed(
        "lookup POST /subjects/{s}",
        n,
        |i| {
            let url = format!("{base}/subjects/{}", subject(i));
            let body = schemas[i].clone();
            let client = &client;
            async move { post(client, &url, &body, 200).await }
        },
        |_| {},
    )
    .await?;
    print_run(&run_lookup);
    runs.push(run_lookup);

    if opts.versions > 0 {
        let v = opts.versions;
        eprintln!("== register {v} versions under {EVOLVE_SUBJECT} (BACKWARD)");
        let config = client
            .put(format!("{base}/config/{EVOLVE_SUBJECT}"))
            .header("Content-Type", CONTENT_TYPE)
            .body(json!({"compatibility": "BACKWARD"}).to_string())
            .send()
            .await
            .map_err(|e| format!("PUT /config/{EVOLVE_SUBJECT}: {e}"))?;
        if !config.status().is_success() {
            return Err(format!(
                "PUT /config/{EVOLVE_SUBJECT}: HTTP {}",
                config.status()
            ));
        }
        let evolving: Vec<String> = (0..v).map(evolve_schema).collect();
        let run_evolve = timed(
            &format!("register version (BACKWARD, 1 subject, {v} versions)"),
            v,
            |k| {
                let url = format!("{base}/subjects/{EVOLVE_SUBJECT}/versions");
                let body = evolving[k].clone();
                let client = &client;
                async move { post(client, &url, &body, 200).await }
            },
            |_| {},
        )
        .await?;
        print_run(&run_evolve);
        runs.push(run_evolve);
    }

    // Read throughput.
    let last_subject = subject(n - 1);
    let targets = [
        (
            format!("GET /schemas/ids/{first_id}"),
            format!("/schemas/ids/{first_id}"),
        ),
        (
            format!("GET /schemas/ids/{last_id}"),
            format!("/schemas/ids/{last_id}"),
        ),
        (
            format!("GET /subjects/{last_subject}/versions/latest"),
            format!("/subjects/{last_subject}/versions/latest"),
        ),
    ];
    let mut loads = Vec::new();
    for (name, path) in &targets {
        let url = format!("{base}{path}");
        let check = client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        if check.status() != 200 {
            return Err(format!("GET {path}: HTTP {}", check.status()));
        }
        let _ = check.bytes().await;
        eprintln!(
            "== {} on {name}: {} connections, {} s",
            if use_wrk { "wrk" } else { "built-in load" },
            opts.connections,
            opts.duration
        );
        let load = if use_wrk {
            wrk(&url, opts)?
        } else {
            builtin_load(&client, &url, opts).await
        };
        println!("{name}: {}", load.line());
        loads.push((name.clone(), load));
    }
    let rss_end = pid.and_then(rss);

    // Summary.
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n== summary: sluice registry, {n} schemas, {} versions; latencies in ms, one keep-alive connection",
        opts.versions
    );
    let _ = writeln!(
        table,
        "{:<52} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "sequential", "count", "p50", "p90", "p99", "max", "req/s", "p50 1st", "p50 last"
    );
    for r in &runs {
        let s = r.stats();
        let (first, last) = r.drift();
        let _ = writeln!(
            table,
            "{:<52} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9.0} {:>9} {:>9}",
            r.name,
            s.count,
            ms(s.p50),
            ms(s.p90),
            ms(s.p99),
            ms(s.max),
            s.per_s,
            ms(first),
            ms(last)
        );
        let key = r
            .name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(2)
            .collect::<Vec<_>>()
            .join("_")
            .to_ascii_lowercase();
        results.insert(
            key,
            json!({"p50_ms": s.p50.as_secs_f64() * 1e3, "p90_ms": s.p90.as_secs_f64() * 1e3,
                   "p99_ms": s.p99.as_secs_f64() * 1e3, "max_ms": s.max.as_secs_f64() * 1e3,
                   "per_s": s.per_s, "first_tenth_p50_ms": first.as_secs_f64() * 1e3,
                   "last_tenth_p50_ms": last.as_secs_f64() * 1e3}),
        );
    }
    let _ = writeln!(
        table,
        "{:<52} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}   ({}, -c{} -d{}s)",
        "concurrent reads",
        "req/s",
        "p50",
        "p90",
        "p99",
        "max",
        "errors",
        if use_wrk {
            format!("wrk -t{}", opts.threads)
        } else {
            "built-in tokio load".to_owned()
        },
        opts.connections,
        opts.duration
    );
    let mut read_results = Vec::new();
    for (name, l) in &loads {
        let _ = writeln!(
            table,
            "{:<52} {:>10.0} {:>8} {:>8} {:>8} {:>8} {:>8}",
            name,
            l.per_s,
            opt_ms(l.p50),
            opt_ms(l.p90),
            opt_ms(l.p99),
            opt_ms(l.max),
            l.errors
        );
        read_results.push(json!({"name": name, "per_s": l.per_s,
            "p50_ms": l.p50.map(|d| d.as_secs_f64() * 1e3),
            "p90_ms": l.p90.map(|d| d.as_secs_f64() * 1e3),
            "p99_ms": l.p99.map(|d| d.as_secs_f64() * 1e3),
            "max_ms": l.max.map(|d| d.as_secs_f64() * 1e3), "errors": l.errors}));
    }
    results.insert("reads".into(), json!(read_results));
    results.insert(
        "load_tool".into(),
        json!(if use_wrk { "wrk" } else { "builtin" }),
    );
    for (label, value) in [
        ("after warm-up", rss_start),
        (&*format!("after {n} schemas"), rss_loaded),
        ("at the end", rss_end),
    ] {
        if let Some((rss, hwm)) = value {
            let _ = writeln!(
                table,
                "registry memory {label:<22} VmRSS {:>10}   VmHWM {:>10}",
                mib(rss),
                mib(hwm)
            );
        }
    }
    results.insert("rss_start_kib".into(), json!(rss_start.map(|r| r.0)));
    results.insert("rss_loaded_kib".into(), json!(rss_loaded.map(|r| r.0)));
    results.insert("rss_end_kib".into(), json!(rss_end.map(|r| r.0)));
    results.insert("hwm_end_kib".into(), json!(rss_end.map(|r| r.1)));
    print!("{table}");
    Ok(Value::Object(results))
}

/// Runs `count` requests one after the other, timing each; `seen` gets each answer.
async fn timed<F, Fut>(
    name: &str,
    count: usize,
    mut request: F,
    mut seen: impl FnMut(&Value),
) -> Result<Run, String>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<Value, String>>,
{
    let mut latencies = Vec::with_capacity(count);
    let started = Instant::now();
    for i in 0..count {
        let t = Instant::now();
        let answer = request(i).await?;
        latencies.push(t.elapsed());
        seen(&answer);
    }
    Ok(Run {
        name: name.to_owned(),
        latencies,
        elapsed: started.elapsed(),
    })
}

fn print_run(r: &Run) {
    let s = r.stats();
    let (first, last) = r.drift();
    println!(
        "{}: {} requests, p50 {} ms, p90 {} ms, p99 {} ms, max {} ms, {:.0}/s; p50 of the first tenth {} ms, of the last tenth {} ms",
        r.name,
        s.count,
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.max),
        s.per_s,
        ms(first),
        ms(last)
    );
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    schema: &str,
    want: u16,
) -> Result<Value, String> {
    let response = client
        .post(url)
        .header("Content-Type", CONTENT_TYPE)
        .body(json!({ "schema": schema }).to_string())
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|e| format!("POST {url}: reading the answer: {e}"))?;
    if status != want {
        return Err(format!("POST {url}: HTTP {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("POST {url}: {e} in {text:?}"))
}

/// Requests/s and latency percentiles of a concurrent read load.
struct Load {
    per_s: f64,
    p50: Option<Duration>,
    p90: Option<Duration>,
    p99: Option<Duration>,
    max: Option<Duration>,
    /// Non-2xx answers and socket errors.
    errors: u64,
}

impl Load {
    fn line(&self) -> String {
        format!(
            "{:.0} requests/s, latency p50 {} ms, p90 {} ms, p99 {} ms, max {} ms, {} errors",
            self.per_s,
            opt_ms(self.p50),
            opt_ms(self.p90),
            opt_ms(self.p99),
            opt_ms(self.max),
            self.errors
        )
    }
}

fn opt_ms(d: Option<Duration>) -> String {
    d.map(ms).unwrap_or_else(|| "-".to_owned())
}

/// Runs wrk and parses its report.
fn wrk(url: &str, opts: &Options) -> Result<Load, String> {
    let output = Command::new("wrk")
        .arg(format!("-t{}", opts.threads))
        .arg(format!("-c{}", opts.connections))
        .arg(format!("-d{}s", opts.duration))
        .arg("--latency")
        .arg(url)
        .output()
        .map_err(|e| format!("running wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {text}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse_wrk(&text).ok_or_else(|| format!("cannot read the report of wrk:\n{text}"))
}

/// `Requests/sec:`, the `Latency Distribution` lines, `Latency` max, `Non-2xx` and socket
/// errors of a `wrk --latency` report.
fn parse_wrk(text: &str) -> Option<Load> {
    let mut load = Load {
        per_s: 0.0,
        p50: None,
        p90: None,
        p99: None,
        max: None,
        errors: 0,
    };
    let mut per_s = None;
    let mut in_distribution = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => per_s = v.parse().ok(),
            ["Latency", "Distribution"] => in_distribution = true,
            ["Latency", _avg, _stdev, max, ..] if !in_distribution => load.max = wrk_duration(max),
            ["50%", v] if in_distribution => load.p50 = wrk_duration(v),
            ["90%", v] if in_distribution => load.p90 = wrk_duration(v),
            ["99%", v] if in_distribution => load.p99 = wrk_duration(v),
            ["Non-2xx", "or", "3xx", "responses:", v] => load.errors += v.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                load.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>()
            }
            _ => {}
        }
    }
    load.per_s = per_s?;
    Some(load)
}

/// wrk's `123.45us`, `1.23ms`, `1.02s`, `1.5m`.
fn wrk_duration(s: &str) -> Option<Duration> {
    let (number, scale) = if let Some(v) = s.strip_suffix("us") {
        (v, 1e-6)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1e-3)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('m') {
        (v, 60.0)
    } else {
        return None;
    };
    number
        .parse::<f64>()
        .ok()
        .map(|v| Duration::from_secs_f64(v * scale))
}

/// `connections` tokio tasks, each issuing GETs one after the other for `duration` seconds on
/// the shared keep-alive pool (one connection per task).
async fn builtin_load(client: &reqwest::Client, url: &str, opts: &Options) -> Load {
    let deadline = Instant::now() + Duration::from_secs(opts.duration);
    let url: Arc<str> = url.into();
    let started = Instant::now();
    let tasks: Vec<_> = (0..opts.connections)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0_u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match client.get(&*url).send().await {
                        Ok(r) if r.status().is_success() => {
                            if r.bytes().await.is_err() {
                                errors += 1;
                            }
                        }
                        _ => errors += 1,
                    }
                    latencies.push(t.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    let s = Stats::of(&all, started.elapsed());
    Load {
        per_s: s.per_s,
        p50: Some(s.p50),
        p90: Some(s.p90),
        p99: Some(s.p99),
        max: Some(s.max),
        errors,
    }
}

/// The `sluice registry` process listening on `port`, found by its command line.
fn registry_pid(port: u16) -> Option<u32> {
    let listener = format!("http://127.0.0.1:{port}");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_it = args.contains(&&b"registry"[..]) && args.contains(&listener.as_bytes());
            is_it.then_some(pid)
        })
}

/// VmRSS and VmHWM of a process, in KiB.
fn rss(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
