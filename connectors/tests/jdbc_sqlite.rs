//! The JDBC source against a real SQLite file, driven through the connect-api traits.
//!
//! Each scenario takes the connector's `connection.url` and a [`Sql`] handle to change the
//! database while the task runs, so PostgreSQL and MariaDB variants can run the same
//! scenarios against the servers the test scripts start (only the DDL differs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, OffsetStorageReader, SourceConnector, SourceTask,
    SourceTaskContext,
};
use connect_api::data::{Decimal, Value};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};
use connectors::jdbc::config::ConnectionUrl;
use connectors::jdbc::dialect::Db;
use connectors::jdbc::JdbcSourceConnector;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Committed offsets in memory, keyed by the partition's JSON.
#[derive(Default, Clone)]
struct MemoryOffsets(Arc<Mutex<HashMap<String, SourceMap>>>);

impl MemoryOffsets {
    fn commit(&self, records: &[SourceRecord]) {
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

/// Runs SQL against the database under test (a separate connection from the task's).
struct Sql(Db);

impl Sql {
    async fn open(native_url: &str) -> Result<Self> {
        let url = ConnectionUrl::parse(native_url, None, None).map_err(ConnectError::connector)?;
        Ok(Self(Db::connect(&url, 1, Duration::ZERO).await?))
    }

    async fn exec(&mut self, sql: &str) -> Result<()> {
        self.0.execute(sql).await
    }
}

fn config(url: &str, extra: &[(&str, &str)]) -> ConfigMap {
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
async fn start_tasks(
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

/// Polls until `count` records arrived, committing their offsets as the runtime would.
async fn poll_n(
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
async fn poll_for(
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

fn field(record: &SourceRecord, name: &str) -> Value {
    match &record.value {
        Value::Struct(s) => s.get(name).cloned().unwrap_or(Value::Null),
        other => panic!("not a struct: {other:?}"),
    }
}

fn ids(records: &[SourceRecord]) -> Vec<i64> {
    records
        .iter()
        .map(|r| match field(r, "id") {
            Value::Int32(v) => i64::from(v),
            Value::Int64(v) => v,
            other => panic!("id {other:?}"),
        })
        .collect()
}

struct SqliteDb {
    _dir: tempfile::TempDir,
    jdbc_url: String,
    native_url: String,
}

fn sqlite_db() -> std::io::Result<SqliteDb> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("test.db");
    Ok(SqliteDb {
        jdbc_url: format!("jdbc:sqlite:{}", path.display()),
        native_url: format!("sqlite://{}?mode=rwc", path.display()),
        _dir: dir,
    })
}

const SQLITE_ORDERS: &str =
    "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL)";

/// Rows inserted while the task runs arrive in id order; a task restarted from the
/// committed offsets neither repeats nor skips rows.
async fn scenario_in_order_and_restart(url: &str, sql: &mut Sql, create: &str) -> Result<()> {
    sql.exec(create).await?;
    for item in ["a", "b", "c"] {
        sql.exec(&format!("INSERT INTO orders (item) VALUES ('{item}')"))
            .await?;
    }
    let offsets = MemoryOffsets::default();
    let mut tasks = start_tasks(config(url, &[]), 1, &offsets).await?;
    let mut task = tasks.remove(0);
    let first = poll_n(&mut task, 3, &offsets).await?;
    assert_eq!(ids(&first), [1, 2, 3]);
    let r = &first[2];
    assert_eq!(r.topic, "db-orders");
    assert_eq!(
        serde_json::Value::Object(r.source_offset.clone()).to_string(),
        r#"{"incrementing":3}"#
    );
    assert_eq!(
        r.value_schema.as_ref().and_then(|s| s.name()),
        Some("orders")
    );
    assert_eq!(field(r, "item"), Value::String("c".into()));

    for item in ["d", "e"] {
        sql.exec(&format!("INSERT INTO orders (item) VALUES ('{item}')"))
            .await?;
    }
    let more = poll_n(&mut task, 2, &offsets).await?;
    assert_eq!(ids(&more), [4, 5]);
    task.stop().await?;

    sql.exec("INSERT INTO orders (item) VALUES ('f')").await?;
    let mut tasks = start_tasks(config(url, &[]), 1, &offsets).await?;
    let mut task = tasks.remove(0);
    let resumed = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(ids(&resumed), [6]);
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

#[tokio::test]
async fn sqlite_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, SQLITE_ORDERS).await
}

#[tokio::test]
async fn sqlite_partitions_are_confluents() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    sql.exec(SQLITE_ORDERS).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    let offsets = MemoryOffsets::default();
    let mut task = start_tasks(config(&db.jdbc_url, &[]), 1, &offsets)
        .await?
        .remove(0);
    let records = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(
        serde_json::Value::Object(records[0].source_partition.clone()).to_string(),
        r#"{"protocol":"1","table":"orders"}"#
    );
    task.stop().await
}

#[tokio::test]
async fn sqlite_tables_are_split_across_tasks() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    for t in ["t1", "t2", "t3"] {
        sql.exec(&format!(
            "CREATE TABLE {t} (id INTEGER PRIMARY KEY, v TEXT)"
        ))
        .await?;
        sql.exec(&format!("INSERT INTO {t} (v) VALUES ('{t}')"))
            .await?;
    }
    let offsets = MemoryOffsets::default();
    let mut tasks = start_tasks(
        config(&db.jdbc_url, &[("batch.max.rows", "10")]),
        2,
        &offsets,
    )
    .await?;
    assert_eq!(tasks.len(), 2);
    let mut topics = Vec::new();
    for task in &mut tasks {
        let records = poll_for(task, Duration::from_millis(400), &offsets).await?;
        topics.push(records.iter().map(|r| r.topic.clone()).collect::<Vec<_>>());
    }
    assert_eq!(
        topics,
        [
            vec!["db-t1".to_owned(), "db-t2".to_owned()],
            vec!["db-t3".to_owned()]
        ]
    );
    // A whitelist narrows the set.
    let tasks = start_tasks(
        config(&db.jdbc_url, &[("table.whitelist", "t2")]),
        4,
        &offsets,
    )
    .await?;
    assert_eq!(tasks.len(), 1);
    Ok(())
}

#[tokio::test]
async fn sqlite_column_types_map_like_confluent() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    sql.exec(
        "CREATE TABLE types (id INTEGER PRIMARY KEY, b BOOLEAN NOT NULL, ti TINYINT, si SMALLINT, \
         i INT, bi BIGINT, r REAL, d DOUBLE, n NUMERIC(10,2), dec DECIMAL(5,1), s VARCHAR(10), \
         t TEXT, bl BLOB, dt DATE, tm TIME, ts TIMESTAMP, ts_ms DATETIME)",
    )
    .await?;
    sql.exec(
        "INSERT INTO types VALUES (1, 1, -5, 300, 70000, 9000000000, 1.5, 2.25, 12.34, -3.5, \
         'hello', 'world', x'DEADBEEF', '2024-02-29', '13:14:15.500', '2024-02-29 13:14:15.123', \
         1700000000000)",
    )
    .await?;
    sql.exec("INSERT INTO types (id, b) VALUES (2, 0)").await?;
    let offsets = MemoryOffsets::default();
    let mut task = start_tasks(config(&db.jdbc_url, &[("mode", "bulk")]), 1, &offsets)
        .await?
        .remove(0);
    let records = poll_n(&mut task, 2, &offsets).await?;
    let r = &records[0];
    let expect = [
        ("id", Value::Int32(1)),
        ("b", Value::Boolean(true)),
        ("ti", Value::Int8(-5)),
        ("si", Value::Int16(300)),
        ("i", Value::Int32(70000)),
        ("bi", Value::Int64(9_000_000_000)),
        ("r", Value::Float32(1.5)),
        ("d", Value::Float64(2.25)),
        ("n", Value::Decimal(Decimal::new(1234, 2))),
        ("dec", Value::Decimal(Decimal::new(-35, 1))),
        ("s", Value::String("hello".into())),
        ("t", Value::String("world".into())),
        ("bl", Value::Bytes(vec![0xDE, 0xAD, 0xBE, 0xEF])),
        ("dt", Value::Date(19_782)),
        ("tm", Value::Time(47_655_500)),
        ("ts", Value::Timestamp(1_709_212_455_123)),
        ("ts_ms", Value::Timestamp(1_700_000_000_000)),
    ];
    for (name, value) in &expect {
        assert_eq!(&field(r, name), value, "column {name}");
    }
    // Nullable columns are optional and come through as null; NOT NULL ones are required.
    let schema = r
        .value_schema
        .clone()
        .ok_or_else(|| ConnectError::data("no schema"))?;
    for f in schema.fields()? {
        let required = matches!(f.name(), "id" | "b");
        assert_eq!(f.schema().is_optional(), !required, "field {}", f.name());
    }
    assert_eq!(field(&records[1], "s"), Value::Null);
    assert_eq!(field(&records[1], "b"), Value::Boolean(false));
    // Bulk records carry an empty offset.
    assert!(r.source_offset.is_empty());
    task.stop().await
}

#[tokio::test]
async fn sqlite_timestamp_incrementing_mode() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    sql.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, updated TIMESTAMP NOT NULL, v TEXT)")
        .await?;
    sql.exec("INSERT INTO events VALUES (1, '2024-01-01 00:00:00', 'a'), (2, '2024-01-01 00:00:00', 'b'), (3, '2024-01-01 00:00:01.250', 'c')").await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        &db.jdbc_url,
        &[
            ("mode", "timestamp+incrementing"),
            ("timestamp.column.name", "updated"),
        ],
    );
    let mut task = start_tasks(cfg.clone(), 1, &offsets).await?.remove(0);
    let records = poll_n(&mut task, 3, &offsets).await?;
    assert_eq!(ids(&records), [1, 2, 3]);
    assert_eq!(
        serde_json::Value::Object(records[2].source_offset.clone()).to_string(),
        r#"{"incrementing":3,"timestamp":1704067201250,"timestamp_nanos":250000000}"#
    );
    // An update moves a row forward in time: it is read again.
    sql.exec("UPDATE events SET updated = '2024-01-02 00:00:00', v = 'a2' WHERE id = 1")
        .await?;
    let updated = poll_n(&mut task, 1, &offsets).await?;
    assert_eq!(field(&updated[0], "v"), Value::String("a2".into()));
    task.stop().await?;
    let mut task = start_tasks(cfg, 1, &offsets).await?.remove(0);
    assert!(poll_for(&mut task, Duration::from_millis(300), &offsets)
        .await?
        .is_empty());
    task.stop().await
}

/// Transactions commit out of id order: id 5 becomes visible before id 4. Confluent's
/// behaviour (delay 0) skips 4; with `incrementing.delay.interval.ms` both arrive.
async fn scenario_out_of_order_commits(
    url: &str,
    sql: &mut Sql,
    delay_ms: u64,
) -> Result<Vec<i64>> {
    sql.exec("DROP TABLE IF EXISTS orders").await?;
    sql.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
        .await?;
    sql.exec("INSERT INTO orders VALUES (1, 'a')").await?;
    let offsets = MemoryOffsets::default();
    let delay = delay_ms.to_string();
    let cfg = config(url, &[("incrementing.delay.interval.ms", delay.as_str())]);
    let mut task = start_tasks(cfg, 1, &offsets).await?.remove(0);
    let mut seen = poll_n(&mut task, 1, &offsets).await?;
    // id 5 commits first...
    sql.exec("INSERT INTO orders VALUES (5, 'e')").await?;
    seen.extend(poll_for(&mut task, Duration::from_millis(200), &offsets).await?);
    // ...then the transaction that took id 4 commits, within the delay.
    sql.exec("INSERT INTO orders VALUES (4, 'd')").await?;
    seen.extend(poll_for(&mut task, Duration::from_millis(delay_ms + 600), &offsets).await?);
    task.stop().await?;
    Ok(ids(&seen))
}

#[tokio::test]
async fn sqlite_out_of_order_commits_are_not_lost_with_a_delay() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    // Confluent's behaviour: row 4 is skipped for good.
    assert_eq!(
        scenario_out_of_order_commits(&db.jdbc_url, &mut sql, 0).await?,
        [1, 5]
    );
    // With the safety delay, nothing is lost and the order is by id.
    assert_eq!(
        scenario_out_of_order_commits(&db.jdbc_url, &mut sql, 700).await?,
        [1, 4, 5]
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_query_mode_uses_one_task_and_the_prefix_as_topic() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    sql.exec(SQLITE_ORDERS).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a'), ('b')")
        .await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        &db.jdbc_url,
        &[
            ("query", "SELECT id, item FROM orders"),
            ("incrementing.column.name", "id"),
            ("topic.prefix", "all-orders"),
        ],
    );
    let mut tasks = start_tasks(cfg, 3, &offsets).await?;
    assert_eq!(tasks.len(), 1);
    let records = poll_n(&mut tasks[0], 2, &offsets).await?;
    assert_eq!(records[0].topic, "all-orders");
    assert_eq!(
        serde_json::Value::Object(records[0].source_partition.clone()).to_string(),
        r#"{"query":"query"}"#
    );
    assert_eq!(
        records[0].value_schema.as_ref().and_then(|s| s.name()),
        None
    );
    assert_eq!(ids(&records), [1, 2]);
    Ok(())
}

#[tokio::test]
async fn sqlite_database_that_goes_away_is_retried_from_the_offset() -> Result<()> {
    let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let mut sql = Sql::open(&db.native_url).await?;
    sql.exec(SQLITE_ORDERS).await?;
    sql.exec("INSERT INTO orders (item) VALUES ('a')").await?;
    let offsets = MemoryOffsets::default();
    let cfg = config(
        &db.jdbc_url,
        &[
            ("connection.backoff.ms", "10"),
            ("connection.attempts", "1"),
        ],
    );
    let mut task = start_tasks(cfg, 1, &offsets).await?.remove(0);
    assert_eq!(ids(&poll_n(&mut task, 1, &offsets).await?), [1]);
    // The table disappears (as if the database were gone): polls fail as retriable.
    sql.exec("ALTER TABLE orders RENAME TO orders_away").await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match task.poll().await {
            Err(e) => {
                assert!(e.is_retriable(), "{e}");
                break;
            }
            Ok(r) => assert!(r.is_empty()),
        }
        assert!(
            Instant::now() < deadline,
            "no error while the table is gone"
        );
    }
    sql.exec("ALTER TABLE orders_away RENAME TO orders").await?;
    sql.exec("INSERT INTO orders (item) VALUES ('b')").await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut records = Vec::new();
    while records.is_empty() {
        assert!(Instant::now() < deadline, "did not recover");
        if let Ok(r) = task.poll().await {
            records.extend(r);
        }
    }
    assert_eq!(ids(&records), [2]);
    task.stop().await
}

#[test]
fn validate_reports_bad_urls_and_unreachable_databases() {
    let connector = JdbcSourceConnector::new();
    let errors_of = |config: &ConfigMap, key: &str| -> Vec<String> {
        connector
            .validate(config)
            .into_iter()
            .find(|v| v.name == key)
            .map(|v| v.errors)
            .unwrap_or_default()
    };
    let bad = config("jdbc:oracle:thin:@h:1521:x", &[]);
    let errors = errors_of(&bad, "connection.url");
    assert!(
        errors[0].contains("unsupported database 'oracle'"),
        "{errors:?}"
    );
    let missing = config("jdbc:sqlite:/nonexistent-dir/x.db", &[]);
    let errors = errors_of(&missing, "connection.url");
    assert!(
        errors[0].contains("cannot connect to sqlite:///nonexistent-dir/x.db"),
        "{errors:?}"
    );
    let refused = config(
        "jdbc:postgresql://127.0.0.1:1/db?user=u&password=secret",
        &[],
    );
    let errors = errors_of(&refused, "connection.url");
    assert!(errors[0].contains("cannot connect"), "{errors:?}");
    assert!(!errors[0].contains("secret"), "{errors:?}");
    // Passwords are PASSWORD-typed: the parsed value prints hidden.
    let with_password = config(
        "jdbc:sqlite:/nonexistent-dir/x.db",
        &[("connection.password", "hunter2")],
    );
    let shown: Vec<String> = connector
        .validate(&with_password)
        .into_iter()
        .filter(|v| v.name == "connection.password")
        .filter_map(|v| v.value.map(|p| p.to_config_string()))
        .collect();
    assert_eq!(shown, ["[hidden]"]);
}
