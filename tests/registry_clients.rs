//! Real Schema Registry clients against `sluice registry`.
//!
//! Each test starts `sluice broker` and `sluice registry` (the registry stores its schemas in the
//! broker's `_schemas` topic) and runs a check program written against a widely used client:
//!
//! - confluent-kafka's `SchemaRegistryClient` (Python, `schema-registry/compat/python`): the
//!   whole client API, the error fields it reads, and `AvroSerializer` → the sluice broker →
//!   `AvroDeserializer` with nested records, arrays, maps, unions, enums, bytes and logical types;
//! - @kafkajs/confluent-schema-registry 3.x with kafkajs (Node, `schema-registry/compat/node`):
//!   register, ids, encode/decode, evolution, an incompatible schema rejected, records through
//!   the broker; and the records each language wrote decoded by the other, so that both agree
//!   with sluice on ids and on the wire format;
//! - the Python client across a registry restart: the ids, schemas, versions and configs it
//!   gets afterwards are the ones it got before, and new ids do not reuse old ones.
//!
//! A check program prints every check and exits non-zero listing the mismatches; the test then
//! fails with its output and the end of the registry's and the broker's logs.
//!
//! `scripts/test` installs the clients and sets `SLUICE_PYTHON` and `SLUICE_REGISTRY_NODE_DIR`;
//! without them these tests skip (fail with `SLUICE_REQUIRE_TOOLS=1`). By hand:
//!
//! ```text
//! eval "$(scripts/test --deps-only)" && cargo test -p sluice --test registry_clients
//! ```

mod support;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::{Broker, ChildGuard, Registry};
use tempfile::TempDir;

/// How long one check program may run before it is killed.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The repository root (this package's directory), read at run time first: a test binary reused
/// from a checkout at another path would otherwise look for the scripts there.
fn repo_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn python_script() -> PathBuf {
    repo_dir().join("schema-registry/compat/python/registry_clients.py")
}

/// `SLUICE_PYTHON`, or `None` (skip) when it is not set.
fn python() -> Option<String> {
    support::tool_available(
        "SLUICE_PYTHON",
        "confluent-kafka's Schema Registry client (confluent-kafka[avro,schemaregistry])",
    )
    .then(|| std::env::var("SLUICE_PYTHON").expect("SLUICE_PYTHON is set"))
}

/// `SLUICE_REGISTRY_NODE_DIR` with @kafkajs/confluent-schema-registry installed, or `None`.
fn node_dir() -> Option<PathBuf> {
    if !support::tool_available(
        "SLUICE_REGISTRY_NODE_DIR",
        "@kafkajs/confluent-schema-registry (npm ci in schema-registry/compat/node)",
    ) {
        return None;
    }
    let dir = PathBuf::from(
        std::env::var_os("SLUICE_REGISTRY_NODE_DIR").expect("SLUICE_REGISTRY_NODE_DIR is set"),
    );
    assert!(
        dir.join("node_modules/@kafkajs/confluent-schema-registry")
            .is_dir(),
        "{} has no node_modules/@kafkajs/confluent-schema-registry: run scripts/test, which \
         installs it there",
        dir.display()
    );
    Some(dir)
}

/// A broker and a registry on it, and a directory for the scripts' files.
struct Services {
    // The registry first: it is killed before the broker it talks to.
    registry: Registry,
    broker: Broker,
    dir: TempDir,
}

impl Services {
    fn start() -> Services {
        let broker = Broker::start();
        let registry = Registry::start(&broker.bootstrap());
        Services {
            registry,
            broker,
            dir: TempDir::new().expect("temporary directory for the check programs' files"),
        }
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// `python registry_clients.py --registry … --bootstrap … --phase <phase> <args>`.
    fn python(&self, python: &str, phase: &str, args: &[&str]) {
        let mut cmd = Command::new(python);
        cmd.arg(python_script())
            .args(["--registry", &self.registry.url()])
            .args(["--bootstrap", &self.broker.bootstrap()])
            .args(["--phase", phase])
            .args(args);
        self.run(&format!("confluent-kafka ({phase})"), cmd);
    }

    /// Runs a check program to completion (or [`SCRIPT_TIMEOUT`]); panics with its output and
    /// the services' logs unless it exits 0.
    fn run(&self, what: &str, mut cmd: Command) {
        let log = self.dir.path().join(format!(
            "{}.log",
            what.replace(|c: char| !c.is_alphanumeric(), "_")
        ));
        let out = File::create(&log).expect("create the check program's log");
        let err = out.try_clone().expect("reopen the check program's log");
        // cargo puts its build directories on LD_LIBRARY_PATH, and one holds the librdkafka
        // that rdkafka-sys builds: confluent-kafka must load its own.
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
                Ok(None) if started.elapsed() >= SCRIPT_TIMEOUT => break None,
                Ok(None) => sleep(Duration::from_millis(100)),
                Err(e) => panic!("cannot wait for {cmd:?}: {e}"),
            }
        };
        drop(child); // kills it if it still runs
        let output = read_lossy(&log);
        let elapsed = started.elapsed().as_secs_f64();
        match status {
            Some(s) if s.success() => {
                let last = output.lines().last().unwrap_or("");
                eprintln!("{what}: {last} ({elapsed:.1}s)");
            }
            _ => panic!(
                "{what} failed ({}):\n{output}\n--- registry log (end) ---\n{}\n--- broker log (end) ---\n{}",
                status.map_or_else(
                    || format!("killed after {elapsed:.0}s, its time limit"),
                    |s| format!("{s} after {elapsed:.1}s"),
                ),
                self.registry.log_tail(),
                self.broker.log_tail(),
            ),
        }
    }
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// confluent-kafka's `SchemaRegistryClient`: register, lookup, fetch, list, compatibility,
/// the 409 of an incompatible schema, soft and permanent deletes.
#[test]
fn confluent_kafka_registry_client_api() {
    let Some(python) = python() else { return };
    let services = Services::start();
    services.python(&python, "api", &[]);
}

/// `AvroSerializer` (TopicNameStrategy, key and value) → the sluice broker → `AvroDeserializer`.
#[test]
fn confluent_kafka_avro_round_trip() {
    let Some(python) = python() else { return };
    let services = Services::start();
    services.python(&python, "produce", &["--topic", "py-events"]);
}

/// @kafkajs/confluent-schema-registry, and each language decoding what the other wrote: Python
/// produces to `py-events`, Node checks its own client, produces to `node-events` and decodes
/// `py-events`, then Python decodes `node-events`.
#[test]
fn kafkajs_registry_client_and_cross_language() {
    let Some(python) = python() else { return };
    let Some(node) = node_dir() else { return };
    let services = Services::start();
    let py_expect = services.file("py-events.json");
    let node_expect = services.file("node-events.json");
    services.python(
        &python,
        "produce",
        &["--topic", "py-events", "--expect-out", &py_expect],
    );

    let mut cmd = Command::new("node");
    cmd.arg(node.join("registry_clients.js"))
        .args(["--registry", &services.registry.url()])
        .args(["--bootstrap", &services.broker.bootstrap()])
        .args(["--topic", "node-events", "--py-topic", "py-events"])
        .args(["--expect-in", &py_expect, "--expect-out", &node_expect])
        .current_dir(&node);
    services.run("@kafkajs/confluent-schema-registry", cmd);

    services.python(
        &python,
        "read-node",
        &["--topic", "node-events", "--expect-in", &node_expect],
    );
}

/// Registrations and records made before a registry restart (SIGKILL, then the same port) read
/// the same afterwards through fresh clients; re-registering returns the old ids and a new
/// schema gets an id above them all.
#[test]
fn confluent_kafka_across_registry_restart() {
    let Some(python) = python() else { return };
    let mut services = Services::start();
    let state = services.file("state.json");
    let args = [
        "--topic",
        "restart-events",
        "--prefix",
        "restart",
        "--state",
        &state,
    ];
    services.python(&python, "before-restart", &args);
    services.registry.restart();
    services.python(&python, "after-restart", &args);
}
