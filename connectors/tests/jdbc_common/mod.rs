//! The JDBC source test harness and the scenarios every database runs: the connector is
//! driven through the connect-api traits (connector → task configs → tasks), with offsets
//! committed in memory as the runtime would commit them.
//!
//! Each scenario takes the connector's `connection.url`, a [`Sql`] handle to change the
//! database while the task runs, and the [`Flavor`] that supplies the DDL, so SQLite,
//! PostgreSQL and MariaDB run the same scenarios (`jdbc_sqlite.rs`, `jdbc_postgres.rs`,
//! `jdbc_mariadb.rs`). Scenarios expect an empty database of their own; [`test_database`] makes one
//! on a server from tests/services that the file's tests share.

// Each test file compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, OffsetStorageReader, SourceConnector, SourceTask,
    SourceTaskContext,
};
use connect_api::data::{Schema, Value};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};
use connectors::jdbc::config::ConnectionUrl;
use connectors::jdbc::dialect::Db;
use connectors::jdbc::JdbcSourceConnector;

use crate::services::{self, Kind, Maria, Pg, Server};

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Committed offsets in memory, keyed by the partition's JSON.
#[derive(Default, Clone)]
pub struct MemoryOffsets(Arc<Mutex<HashMap<String, SourceMap>>>);

impl MemoryOffsets {
    /// Commits the offsets of `records` (the last one per partition wins).
    pub fn commit(&self, records: &[SourceRecord]) {
        if let Ok(mut map) = self.0.lock() {
            for r in records {
                let key = serde_json::Value::Object(r.source_partition.clone()).to_string();
                map.insert(key, r.source_offset.clone());
            }
        }
    }
}

impl OffsetStorageReader for MemoryOffsets {
    fn offset<'a>(&'a self, partition: &'a SourceMap) -> BoxFuture<'a, Result<Option<SourceMap>>> {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        let found = self.0.lock().ok().and_then(|m| m.get(&key).cloned());
        Box::pin(async move { Ok(found) })
    }
}

struct Context {
    config: ConfigMap,
    offsets: MemoryOffsets,
}

impl SourceTaskContext for Context {
    fn config(&self) -> &ConfigMap {
        &self.config
    }
    fn offset_storage_reader(&self) -> &dyn OffsetStorageReader {
        &self.offsets
    }
}

struct NoConnectorContext;

impl ConnectorContext for NoConnectorContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

/// Runs SQL against the database under test (a connection of its own, not the task's).
pub struct Sql(Db);

impl Sql {
    /// Connects to a native (sqlx) URL.
    pub async fn open(native_url: &str) -> Result<Self> {
        let url = ConnectionUrl::parse(native_url, None, None).map_err(ConnectError::connector)?;
        Ok(Self(
            Db::connect(&url, 20, Duration::from_millis(100)).await?,
        ))
    }

    /// Runs one statement.
    pub async fn exec(&mut self, sql: &str) -> Result<()> {
        self.0.execute(sql).await
    }

    /// Closes the connection.
    pub async fn close(self) {
        self.0.close().await;
    }
}

/// The database family a scenario runs on: the DDL it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MariaDB (through the MySQL dialect).
    MariaDb,
}

impl Flavor {
    /// `orders`: a database-assigned id and a NOT NULL item.
    pub fn orders(self) -> &'static str {
        match self {
            Flavor::Sqlite => {
                "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL)"
            }
            Flavor::Postgres => "CREATE TABLE orders (id SERIAL PRIMARY KEY, item TEXT NOT NULL)",
            Flavor::MariaDb => {
                "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(50) NOT NULL)"
            }
        }
    }

    /// A table `name` with an explicit integer key `id` and a nullable text `v`.
    pub fn keyed(self, name: &str) -> String {
        match self {
            Flavor::Sqlite => format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY, v TEXT)"),
            Flavor::Postgres => format!("CREATE TABLE {name} (id INT PRIMARY KEY, v TEXT)"),
            Flavor::MariaDb => format!("CREATE TABLE {name} (id INT PRIMARY KEY, v VARCHAR(50))"),
        }
    }

    /// `events`: an explicit id, a NOT NULL timestamp `updated` (µs precision where the
    /// database has a choice) and a text `v`.
    pub fn events(self) -> &'static str {
        match self {
            Flavor::Sqlite => {
                "CREATE TABLE events (id INTEGER PRIMARY KEY, updated TIMESTAMP NOT NULL, v TEXT)"
            }
            Flavor::Postgres => {
                "CREATE TABLE events (id INT PRIMARY KEY, updated TIMESTAMP NOT NULL, v TEXT)"
            }
            Flavor::MariaDb => {
                "CREATE TABLE events (id INT PRIMARY KEY, updated DATETIME(6) NOT NULL, v VARCHAR(50))"
            }
        }
    }

    /// `ALTER TABLE` changing the type of a column (`None`: SQLite cannot).
    pub fn change_type(self, table: &str, column: &str, sql_type: &str) -> Option<String> {
        match self {
            Flavor::Sqlite => None,
            Flavor::Postgres => Some(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE {sql_type}"
            )),
            Flavor::MariaDb => Some(format!(
                "ALTER TABLE {table} MODIFY {column} {sql_type} NULL"
            )),
        }
    }

    /// `ALTER TABLE … ADD COLUMN` of a nullable column.
    pub fn add_column(self, table: &str, column: &str, sql_type: &str) -> String {
        format!("ALTER TABLE {table} ADD COLUMN {column} {sql_type} NULL")
    }
}

/// A connector configuration: incrementing mode, topic prefix `db-`, 50 ms polls, batches of
/// two rows, and `extra` on top.
pub fn config(url: &str, extra: &[(&str, &str)]) -> ConfigMap {
    let mut map: ConfigMap = [
        ("connection.url", url),
        ("mode", "incrementing"),
        ("topic.prefix", "db-"),
        ("poll.interval.ms", "50"),
        ("batch.max.rows", "2"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        map.insert((*k).to_owned(), (*v).to_owned());
    }
    map
}

/// Starts the connector, then one task per task config (the runtime's sequence).
pub async fn start_tasks(
    config: ConfigMap,
    max_tasks: usize,
    offsets: &MemoryOffsets,
) -> Result<Vec<Box<dyn SourceTask>>> {
    let mut connector = JdbcSourceConnector::new();
    connector
        .start(Arc::new(NoConnectorContext), config)
        .await?;
    let task_configs = connector.task_configs(max_tasks)?;
    connector.stop().await?;
    let mut tasks = Vec::new();
    for task_config in task_configs {
        let mut task = connector.create_task();
        let context = Arc::new(Context {
            config: task_config.clone(),
            offsets: offsets.clone(),
        });
        task.start(context, task_config).await?;
        tasks.push(task);
    }
    Ok(tasks)
}

/// Starts one task (see [`start_tasks`]).
pub async fn start_task(config: ConfigMap, offsets: &MemoryOffsets) -> Result<Box<dyn SourceTask>> {
    let mut tasks = start_tasks(config, 1, offsets).await?;
    assert_eq!(tasks.len(), 1);
    Ok(tasks.remove(0))
}

/// Polls until `count` records arrived, committing their offsets as the runtime would.
pub async fn poll_n(
    task: &mut Box<dyn SourceTask>,
    count: usize,
    offsets: &MemoryOffsets,
) -> Result<Vec<SourceRecord>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut records = Vec::new();
    while records.len() < count {
        assert!(
            Instant::now() < deadline,
            "timed out with {} of {count} records",
            records.len()
        );
        let batch = task.poll().await?;
        offsets.commit(&batch);
        records.extend(batch);
    }
    assert_eq!(records.len(), count, "more records than expected");
    Ok(records)
}

/// Polls for `period` and returns whatever arrived.
pub async fn poll_for(
    task: &mut Box<dyn SourceTask>,
    period: Duration,
    offsets: &MemoryOffsets,
) -> Result<Vec<SourceRecord>> {
    let deadline = Instant::now() + period;
    let mut records = Vec::new();
    while Instant::now() < deadline {
        let batch = task.poll().await?;
        offsets.commit(&batch);
        records.extend(batch);
    }
    Ok(records)
}

/// A field of a record's Struct value (Null when absent).
pub fn field(record: &SourceRecord, name: &str) -> Value {
    match &record.value {
        Value::Struct(s) => s.get(name).cloned().unwrap_or(Value::Null),
        other => panic!("not a struct: {other:?}"),
    }
}

/// The `id` fields of `records`.
pub fn ids(records: &[SourceRecord]) -> Vec<i64> {
    records
        .iter()
        .map(|r| match field(r, "id") {
            Value::Int32(v) => i64::from(v),
            Value::Int64(v) => v,
            other => panic!("id {other:?}"),
        })
        .collect()
}

/// The JSON text of a source offset or partition.
pub fn json(map: &SourceMap) -> String {
    serde_json::Value::Object(map.clone()).to_string()
}

/// A record's value schema.
pub fn schema(record: &SourceRecord) -> Schema {
    record
        .value_schema
        .clone()
        .unwrap_or_else(|| panic!("record without a value schema: {record:?}"))
}

/// Checks each `(column, value)` of `record`, naming the column on failure.
pub fn assert_fields(record: &SourceRecord, expected: &[(&str, Value)]) {
    for (name, value) in expected {
        assert_eq!(&field(record, name), value, "column {name}");
    }
}

/// Rows inserted while the task runs arrive in id order; a task restarted from the
/// committed offsets neither repeats nor skips rows.
pub async fn scenario_in_order_and_restart(url: &str, sql: &mut Sql, flavor: Flavor) -> Result<()> {
    sql.exec(flavor.orders()).await?;
    for item in ["a", "b", "c"] {
        sql.exec(&format!("INSERT INTO orders (item) VALUES ('{item}')"))
            .await?;
    }
    let offsets = MemoryOffsets::default();
    let mut task = start_task(config(url, &[]), &offsets).await?;
    let first = poll_n(&mut task, 3, &offsets).await?;
    assert_eq!(ids(&first), [1, 2, 3]);
    let r = &first[2];
    assert_eq!(r.topic, "db-orders");
    assert_eq!(json(&r.source_offset), r#"{"incrementing":3}"#);
    assert_eq!(schema(r).name(), Some("orders"));
    assert_eq!(field(r, "item"), Value::String("c".into()));
    // The id is assigned by the database: NOT NULL, so a required field.
    let fields = schema(r).fields()?.to_vec();
    assert!(!fields[0].schema().is_optional());
    assert!(!fields[1].schema().is_optional());

    // Rows inserted while the task runs, one at a time and in a burst larger than a batch.
    sql.exec("INSERT INTO orders (item) VALUES ('d')").await?;
    assert_eq!(ids(&poll_n(&mut task, 1, &offsets).await?), [4]);
    for item in ["e", "f", "g", "h", "i"] {
        sql.exec(&format!("INSERT INTO orders (item) VALUES ('{item}')"))
            .await?;
    }
    assert_eq!(ids(&poll_n(&mut task, 5, &offsets).await?), [5, 6, 7, 8, 9]);
    task.stop().await?;

    // Stopped: rows keep coming; the restarted task starts after the committed offset.
    sql.exec("INSERT INTO orders (item) VALUES ('j')").await?;
    sql.exec("INSERT INTO orders (item) VALUES ('k')").await?;
    let mut task = start_task(config(url, &[]), &offsets).await?;
    assert_eq!(ids(&poll_n(&mut task, 2, &offsets).await?), [10, 11]);
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

/// The source partition and offset are Confluent's (`{"protocol":"1","table":<fqn>}`).
pub async fn scenario_partition(url: &str, sql: &mut Sql, flavor: Flavor, fqn: &str) -> Result<()> {
    sql.exec(flavor.orders()).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    let offsets = MemoryOffsets::default();
    let mut task = start_task(config(url, &[]), &offsets).await?;
    let records = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(
        json(&records[0].source_partition),
        format!(r#"{{"protocol":"1","table":"{fqn}"}}"#)
    );
    task.stop().await
}

/// Three tables over two tasks: Confluent's grouping (contiguous, the first groups larger);
/// each task reads only its own tables; a whitelist narrows the set.
pub async fn scenario_tables_split_across_tasks(
    url: &str,
    sql: &mut Sql,
    flavor: Flavor,
) -> Result<()> {
    for t in ["t1", "t2", "t3"] {
        sql.exec(&flavor.keyed(t)).await?;
        sql.exec(&format!(
            "INSERT INTO {t} (id, v) VALUES (1, '{t}'), (2, '{t}')"
        ))
        .await?;
    }
    let offsets = MemoryOffsets::default();
    // The ids are not database-assigned (except SQLite's rowid): name the column.
    let cfg = config(
        url,
        &[("batch.max.rows", "10"), ("incrementing.column.name", "id")],
    );
    let mut tasks = start_tasks(cfg, 2, &offsets).await?;
    assert_eq!(tasks.len(), 2);
    let mut topics = Vec::new();
    for task in &mut tasks {
        let records = poll_for(task, Duration::from_millis(400), &offsets).await?;
        topics.push(records.iter().map(|r| r.topic.clone()).collect::<Vec<_>>());
    }
    let s = |v: &[&str]| v.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        topics,
        [
            s(&["db-t1", "db-t1", "db-t2", "db-t2"]),
            s(&["db-t3", "db-t3"])
        ]
    );
    // New rows go to the task that owns the table.
    sql.exec("INSERT INTO t3 (id, v) VALUES (3, 'new')").await?;
    let second = poll_for(&mut tasks[1], Duration::from_millis(300), &offsets).await?;
    assert_eq!(ids(&second), [3]);
    assert!(
        poll_for(&mut tasks[0], Duration::from_millis(200), &offsets)
            .await?
            .is_empty()
    );
    for mut task in tasks {
        task.stop().await?;
    }
    let cfg = config(
        url,
        &[
            ("table.whitelist", "t2"),
            ("incrementing.column.name", "id"),
        ],
    );
    let tasks = start_tasks(cfg, 4, &offsets).await?;
    assert_eq!(tasks.len(), 1);
    Ok(())
}

/// timestamp+incrementing: rows in (timestamp, id) order, Confluent's offset with
/// `timestamp_nanos`, an updated row read again, nothing repeated after a restart.
pub async fn scenario_timestamp_incrementing(
    url: &str,
    sql: &mut Sql,
    flavor: Flavor,
) -> Result<()> {
    sql.exec(flavor.events()).await?;
    sql.exec(
        "INSERT INTO events (id, updated, v) VALUES (1, '2024-01-01 00:00:00', 'a'), \
         (2, '2024-01-01 00:00:00', 'b'), (3, '2024-01-01 00:00:01.250', 'c')",
    )
    .await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        url,
        &[
            ("mode", "timestamp+incrementing"),
            ("incrementing.column.name", "id"),
            ("timestamp.column.name", "updated"),
        ],
    );
    let mut task = start_task(cfg.clone(), &offsets).await?;
    let records = poll_n(&mut task, 3, &offsets).await?;
    assert_eq!(ids(&records), [1, 2, 3]);
    assert_eq!(
        json(&records[2].source_offset),
        r#"{"incrementing":3,"timestamp":1704067201250,"timestamp_nanos":250000000}"#
    );
    assert_eq!(
        field(&records[2], "updated"),
        Value::Timestamp(1_704_067_201_250)
    );
    // An update moves a row forward in time: it is read again.
    sql.exec("UPDATE events SET updated = '2024-01-02 00:00:00', v = 'a2' WHERE id = 1")
        .await?;
    let updated = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(field(&updated[0], "v"), Value::String("a2".into()));
    // A new row with the same timestamp and a higher id.
    sql.exec("INSERT INTO events (id, updated, v) VALUES (4, '2024-01-02 00:00:00', 'd')")
        .await?;
    assert_eq!(ids(&poll_n(&mut task, 1, &offsets).await?), [4]);
    task.stop().await?;
    let mut task = start_task(cfg, &offsets).await?;
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

/// timestamp mode alone: rows in timestamp order, offset without `incrementing`, an
/// updated row read again, no repeats after a restart.
pub async fn scenario_timestamp(url: &str, sql: &mut Sql, flavor: Flavor) -> Result<()> {
    sql.exec(flavor.events()).await?;
    sql.exec(
        "INSERT INTO events (id, updated, v) VALUES (1, '2024-01-01 00:00:02', 'a'), \
         (2, '2024-01-01 00:00:01.000500', 'b')",
    )
    .await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        url,
        &[("mode", "timestamp"), ("timestamp.column.name", "updated")],
    );
    let mut task = start_task(cfg.clone(), &offsets).await?;
    let records = poll_n(&mut task, 2, &offsets).await?;
    assert_eq!(ids(&records), [2, 1]);
    assert_eq!(
        json(&records[0].source_offset),
        r#"{"timestamp":1704067201000,"timestamp_nanos":500000}"#
    );
    sql.exec("UPDATE events SET updated = '2024-01-03 00:00:00', v = 'b2' WHERE id = 2")
        .await?;
    let updated = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(field(&updated[0], "v"), Value::String("b2".into()));
    assert_eq!(
        json(&updated[0].source_offset),
        r#"{"timestamp":1704240000000,"timestamp_nanos":0}"#
    );
    task.stop().await?;
    let mut task = start_task(cfg, &offsets).await?;
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

/// Query mode: one task whatever `tasks.max`, the prefix is the topic, the partition is
/// `{"query":"query"}`, the Struct is unnamed; incrementing offsets work and resume.
pub async fn scenario_query_mode(url: &str, sql: &mut Sql, flavor: Flavor) -> Result<()> {
    sql.exec(flavor.orders()).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    sql.exec("INSERT INTO orders (item) VALUES ('b')").await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        url,
        &[
            ("query", "SELECT id, item FROM orders"),
            ("incrementing.column.name", "id"),
            ("topic.prefix", "all-orders"),
        ],
    );
    let mut tasks = start_tasks(cfg.clone(), 3, &offsets).await?;
    assert_eq!(tasks.len(), 1);
    let records = poll_n(&mut tasks[0], 2, &offsets).await?;
    assert_eq!(records[0].topic, "all-orders");
    assert_eq!(json(&records[0].source_partition), r#"{"query":"query"}"#);
    assert_eq!(json(&records[1].source_offset), r#"{"incrementing":2}"#);
    assert_eq!(schema(&records[0]).name(), None);
    assert_eq!(ids(&records), [1, 2]);
    tasks[0].stop().await?;
    sql.exec("INSERT INTO orders (item) VALUES ('c')").await?;
    let mut task = start_task(cfg, &offsets).await?;
    assert_eq!(ids(&poll_n(&mut task, 1, &offsets).await?), [3]);
    task.stop().await
}

/// How the out-of-order commit is produced.
pub enum OutOfOrder<'a> {
    /// Explicit ids, the higher inserted first (SQLite: one writer at a time).
    Simulated,
    /// Two real concurrent transactions: `first` begins and inserts (the lower id) and
    /// stays open while `second` inserts and commits (the higher id); `first` commits after
    /// a poll saw the higher id.
    Concurrent {
        /// The connection holding the open transaction.
        first: &'a mut Sql,
    },
}

/// Transactions commit out of id order: the higher id becomes visible first. Returns the
/// ids the task read (1 is there from the start, then 2 and 3 commit as 3 first).
pub async fn scenario_out_of_order_commits(
    url: &str,
    sql: &mut Sql,
    flavor: Flavor,
    how: OutOfOrder<'_>,
    delay_ms: u64,
) -> Result<Vec<i64>> {
    sql.exec("DROP TABLE IF EXISTS orders").await?;
    sql.exec(flavor.orders()).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    let offsets = MemoryOffsets::default();
    let delay = delay_ms.to_string();
    let cfg = config(url, &[("incrementing.delay.interval.ms", delay.as_str())]);
    let mut task = start_task(cfg, &offsets).await?;
    let mut seen = poll_n(&mut task, 1, &offsets).await?;
    match how {
        OutOfOrder::Simulated => {
            sql.exec("INSERT INTO orders (id, item) VALUES (3, 'c')")
                .await?;
            seen.extend(poll_for(&mut task, Duration::from_millis(200), &offsets).await?);
            sql.exec("INSERT INTO orders (id, item) VALUES (2, 'b')")
                .await?;
        }
        OutOfOrder::Concurrent { first } => {
            first.exec("BEGIN").await?;
            first.exec("INSERT INTO orders (item) VALUES ('b')").await?;
            sql.exec("INSERT INTO orders (item) VALUES ('c')").await?;
            seen.extend(poll_for(&mut task, Duration::from_millis(200), &offsets).await?);
            first.exec("COMMIT").await?;
        }
    }
    seen.extend(poll_for(&mut task, Duration::from_millis(delay_ms + 600), &offsets).await?);
    task.stop().await?;
    Ok(ids(&seen))
}

/// `ALTER TABLE … ADD COLUMN … NULL` while the task runs: the next records carry the new
/// column as an optional field (default null), earlier columns unchanged, without a restart;
/// dropping a column takes it out of the next records.
pub async fn scenario_schema_evolution(
    url: &str,
    sql: &mut Sql,
    flavor: Flavor,
    text_type: &str,
) -> Result<()> {
    sql.exec(flavor.orders()).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    let offsets = MemoryOffsets::default();
    let mut task = start_task(config(url, &[]), &offsets).await?;
    let before = poll_n(&mut task, 1, &offsets).await?;
    let names = |r: &SourceRecord| -> Vec<String> {
        schema(r)
            .fields()
            .map(|f| f.iter().map(|f| f.name().to_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names(&before[0]), ["id", "item"]);

    sql.exec(&flavor.add_column("orders", "note", text_type))
        .await?;
    sql.exec("INSERT INTO orders (item, note) VALUES ('b', 'hello')")
        .await?;
    sql.exec("INSERT INTO orders (item) VALUES ('c')").await?;
    let after = poll_n(&mut task, 2, &offsets).await?;
    assert_eq!(ids(&after), [2, 3]);
    let evolved = schema(&after[0]);
    assert_eq!(evolved.name(), Some("orders"));
    assert_eq!(names(&after[0]), ["id", "item", "note"]);
    let field_schema = |s: &Schema, name: &str| -> Schema {
        match s.field(name) {
            Ok(Some(f)) => f.schema().clone(),
            other => panic!("no field {name}: {other:?}"),
        }
    };
    let note = field_schema(&evolved, "note");
    assert!(note.is_optional(), "the added column is optional");
    assert_eq!(note.default_value(), None);
    assert_eq!(field(&after[0], "note"), Value::String("hello".into()));
    assert_eq!(field(&after[1], "note"), Value::Null);
    assert_eq!(field(&after[1], "item"), Value::String("c".into()));
    // The unchanged fields keep their schemas.
    assert_eq!(
        field_schema(&schema(&before[0]), "item"),
        field_schema(&evolved, "item")
    );

    // Another column, with rows already queued in the same poll cycle: still picked up.
    sql.exec(&flavor.add_column("orders", "qty", "INT")).await?;
    sql.exec("INSERT INTO orders (item, qty) VALUES ('d', 7)")
        .await?;
    let more = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(names(&more[0]), ["id", "item", "note", "qty"]);
    assert_eq!(field(&more[0], "qty"), Value::Int32(7));

    // Dropping a column: the next records leave it out (and values stay aligned).
    sql.exec("ALTER TABLE orders DROP COLUMN note").await?;
    sql.exec("INSERT INTO orders (item, qty) VALUES ('e', 8)")
        .await?;
    let dropped = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(names(&dropped[0]), ["id", "item", "qty"]);
    assert_eq!(field(&dropped[0], "item"), Value::String("e".into()));
    assert_eq!(field(&dropped[0], "qty"), Value::Int32(8));

    // A column's type changes: the next records carry the new type.
    if let Some(alter) = flavor.change_type("orders", "qty", "BIGINT") {
        sql.exec(&alter).await?;
        sql.exec("INSERT INTO orders (item, qty) VALUES ('f', 9000000000)")
            .await?;
        let widened = poll_n(&mut task, 1, &offsets).await?;
        assert_eq!(field(&widened[0], "qty"), Value::Int64(9_000_000_000));
        assert!(field_schema(&schema(&widened[0]), "qty").is_optional());
    }
    task.stop().await
}

/// The `connection.url` errors `validate()` reports for `config`.
pub fn url_errors(config: &ConfigMap) -> Vec<String> {
    JdbcSourceConnector::new()
        .validate(config)
        .into_iter()
        .find(|v| v.name == "connection.url")
        .map(|v| v.errors)
        .unwrap_or_default()
}

/// How `connection.password` is shown by `validate()`.
pub fn shown_password(config: &ConfigMap) -> Vec<String> {
    JdbcSourceConnector::new()
        .validate(config)
        .into_iter()
        .filter(|v| v.name == "connection.password")
        .filter_map(|v| v.value.map(|p| p.to_config_string()))
        .collect()
}

/// Polls until a poll fails; the error must be retriable.
pub async fn poll_until_error(task: &mut Box<dyn SourceTask>) -> ConnectError {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match task.poll().await {
            Err(e) => {
                assert!(e.is_retriable(), "not retriable: {e}");
                return e;
            }
            Ok(r) => assert!(r.is_empty(), "records while the database is away: {r:?}"),
        }
        assert!(
            Instant::now() < deadline,
            "no error while the database is away"
        );
    }
}

/// Polls (ignoring retriable errors, as the runtime retries them) until `count` records.
pub async fn poll_recovering(
    task: &mut Box<dyn SourceTask>,
    count: usize,
    offsets: &MemoryOffsets,
) -> Result<Vec<SourceRecord>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut records = Vec::new();
    while records.len() < count {
        assert!(
            Instant::now() < deadline,
            "did not recover: {} of {count} records",
            records.len()
        );
        match task.poll().await {
            Ok(batch) => {
                offsets.commit(&batch);
                records.extend(batch);
            }
            Err(e) if e.is_retriable() => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => return Err(e),
        }
    }
    Ok(records)
}

/// A server from tests/services as the JDBC tests use it (implemented for [`Pg`] and [`Maria`]).
pub trait TestServer: Kind + Send + Sync + 'static {
    /// The DDL it needs.
    const FLAVOR: Flavor;
    /// Whether it can be started (a skip, or a failure under scripts/test, when not).
    fn available() -> bool;
    /// Starts a server of its own.
    fn start() -> Server<Self>;
    /// Where the file's shared server is kept.
    fn shared() -> &'static Mutex<Weak<Server<Self>>>;
    /// Creates the database `name`.
    fn create_database(server: &Server<Self>, name: &str);
    /// The connector's `connection.url` of the database `name`, with the credentials.
    fn jdbc_url(server: &Server<Self>, name: &str) -> String;
    /// The sqlx URL of the database `name`.
    fn native_url(server: &Server<Self>, name: &str) -> String;
    /// A text the connector's errors must never show.
    fn secret(server: &Server<Self>) -> &'static str;
}

impl TestServer for Pg {
    const FLAVOR: Flavor = Flavor::Postgres;
    fn available() -> bool {
        services::postgres_available()
    }
    fn start() -> Server<Self> {
        Server::<Pg>::start()
    }
    fn shared() -> &'static Mutex<Weak<Server<Self>>> {
        static SHARED: Mutex<Weak<Server<Pg>>> = Mutex::new(Weak::new());
        &SHARED
    }
    fn create_database(server: &Server<Self>, name: &str) {
        server.execute_in("postgres", &format!("CREATE DATABASE {name}"));
    }
    fn jdbc_url(server: &Server<Self>, name: &str) -> String {
        let port = server.port();
        format!("jdbc:postgresql://127.0.0.1:{port}/{name}?user=postgres")
    }
    fn native_url(server: &Server<Self>, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", server.port())
    }
    /// The user has no password: the word itself.
    fn secret(_server: &Server<Self>) -> &'static str {
        "password"
    }
}

impl TestServer for Maria {
    const FLAVOR: Flavor = Flavor::MariaDb;
    fn available() -> bool {
        services::mariadb_available()
    }
    fn start() -> Server<Self> {
        Server::<Maria>::start()
    }
    fn shared() -> &'static Mutex<Weak<Server<Self>>> {
        static SHARED: Mutex<Weak<Server<Maria>>> = Mutex::new(Weak::new());
        &SHARED
    }
    fn create_database(server: &Server<Self>, name: &str) {
        server.execute(&format!("CREATE DATABASE {name}"));
    }
    fn jdbc_url(server: &Server<Self>, name: &str) -> String {
        let port = server.port();
        let (user, password) = (server.user(), server.password());
        format!("jdbc:mysql://127.0.0.1:{port}/{name}?user={user}&password={password}")
    }
    fn native_url(server: &Server<Self>, name: &str) -> String {
        let (user, password) = (server.user(), server.password());
        format!(
            "mysql://{user}:{password}@127.0.0.1:{}/{name}",
            server.port()
        )
    }
    fn secret(server: &Server<Self>) -> &'static str {
        server.password()
    }
}

/// The file's shared server: started by the first test that needs it, stopped when the
/// last test holding it ends.
pub fn shared_server<S: TestServer>() -> Arc<Server<S>> {
    let mut guard = S::shared().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = guard.upgrade() {
        return server;
    }
    let server = Arc::new(S::start());
    *guard = Arc::downgrade(&server);
    server
}

/// A fresh database on a server, with the URLs to reach it.
pub struct TestDb<S: TestServer> {
    /// The server.
    pub server: Arc<Server<S>>,
    /// The connector's `connection.url`.
    pub jdbc_url: String,
    /// The sqlx URL.
    pub native_url: String,
}

/// A fresh database `name` on the shared server, or `None` when the server is not available.
pub async fn test_database<S: TestServer>(name: &str) -> Result<Option<(TestDb<S>, Sql)>> {
    if !S::available() {
        return Ok(None);
    }
    let server = shared_server::<S>();
    S::create_database(&server, name);
    let db = TestDb {
        jdbc_url: S::jdbc_url(&server, name),
        native_url: S::native_url(&server, name),
        server,
    };
    let sql = Sql::open(&db.native_url).await?;
    Ok(Some((db, sql)))
}

/// [`test_database`] of the server kind `$kind`, returning from the test (a skip) when the server
/// is not available.
#[allow(unused_macros)]
macro_rules! database {
    ($kind:ty, $name:expr) => {
        match $crate::jdbc_common::test_database::<$kind>($name).await? {
            Some(found) => found,
            None => return Ok(()),
        }
    };
}
#[allow(unused_imports)]
pub(crate) use database;

/// Two real concurrent transactions commit out of id order: without a delay the row of the
/// one that committed last (the lower id) is skipped for good, as by Confluent; with
/// `incrementing.delay.interval.ms` nothing is lost and the order is by id.
pub async fn scenario_concurrent_out_of_order<S: TestServer>(
    db: &TestDb<S>,
    sql: &mut Sql,
) -> Result<()> {
    let url = &db.jdbc_url;
    let mut first = Sql::open(&db.native_url).await?;
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, sql, S::FLAVOR, how, 0).await?;
    assert_eq!(seen, [1, 3]);
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, sql, S::FLAVOR, how, 700).await?;
    assert_eq!(seen, [1, 2, 3]);
    Ok(())
}

/// The server stops cleanly, then crashes, while a task reads: each time the polls fail as
/// retriable (without showing the secret) and, the server back, the task goes on from its
/// offset. On a server of its own, since it stops it.
pub async fn scenario_server_going_away<S: TestServer>() -> Result<()> {
    if !S::available() {
        return Ok(());
    }
    let mut server = S::start();
    let jdbc_url = S::jdbc_url(&server, services::DATABASE);
    let mut sql = Sql::open(&S::native_url(&server, services::DATABASE)).await?;
    sql.exec(S::FLAVOR.orders()).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    sql.close().await;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        &jdbc_url,
        &[
            ("connection.attempts", "1"),
            ("connection.backoff.ms", "10"),
        ],
    );
    let mut task = start_task(cfg, &offsets).await?;
    assert_eq!(ids(&poll_n(&mut task, 1, &offsets).await?), [1]);

    // A clean stop: the poll fails (retriable), the task keeps its position.
    server.stop();
    let e = poll_until_error(&mut task).await;
    assert!(!e.to_string().contains(S::secret(&server)), "{e}");
    server.start_again();
    server.execute("INSERT INTO orders (item) VALUES ('b')");
    assert_eq!(ids(&poll_recovering(&mut task, 1, &offsets).await?), [2]);

    // A crash: the same.
    server.kill();
    poll_until_error(&mut task).await;
    server.start_again();
    server.execute("INSERT INTO orders (item) VALUES ('c'), ('d')");
    // (Crash recovery may skip sequence values: PostgreSQL logs them 32 ahead.)
    let expected: Vec<i64> = server
        .query("SELECT id FROM orders WHERE item IN ('c', 'd') ORDER BY id")
        .iter()
        .map(|row| row[0].parse().unwrap_or(-1))
        .collect();
    assert_eq!(
        ids(&poll_recovering(&mut task, 2, &offsets).await?),
        expected
    );
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

/// Checks that exactly the fields named `required` of `schema` are required.
pub fn assert_required_only(schema: &Schema, required: &[&str]) -> Result<()> {
    for f in schema.fields()? {
        let is_required = required.contains(&f.name());
        assert_eq!(f.schema().is_optional(), !is_required, "field {}", f.name());
    }
    Ok(())
}

/// Checks that every field of `schema` but those named `except` is null in `record`.
pub fn assert_null_but(record: &SourceRecord, schema: &Schema, except: &[&str]) -> Result<()> {
    for f in schema.fields()? {
        if !except.contains(&f.name()) {
            assert_eq!(field(record, f.name()), Value::Null, "{}", f.name());
        }
    }
    Ok(())
}
