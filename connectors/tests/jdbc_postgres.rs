//! The JDBC source against a real PostgreSQL server (tests/services): the shared scenarios
//! (jdbc_common), PostgreSQL's column types, schema evolution, the server going away, and
//! connection errors in validate(). One server serves the file's tests (a database each);
//! the tests that stop the server start their own.

mod jdbc_common;
mod services;

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use connect_api::data::{Decimal, Value};
use connect_api::Result;
use services::Postgres;

use jdbc_common::*;

/// The file's shared server: started by the first test that needs it, stopped when the
/// last test holding it ends.
fn shared_server() -> Arc<Postgres> {
    static SHARED: Mutex<Weak<Postgres>> = Mutex::new(Weak::new());
    let mut guard = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(pg) = guard.upgrade() {
        return pg;
    }
    let pg = Arc::new(Postgres::start());
    *guard = Arc::downgrade(&pg);
    pg
}

/// A fresh database on a server, with the URLs to reach it.
struct TestDb {
    server: Arc<Postgres>,
    jdbc_url: String,
    native_url: String,
}

fn database_on(server: Arc<Postgres>, name: &str) -> TestDb {
    server.execute_in("postgres", &format!("CREATE DATABASE {name}"));
    let port = server.port();
    TestDb {
        jdbc_url: format!("jdbc:postgresql://127.0.0.1:{port}/{name}?user=postgres"),
        native_url: format!("postgres://postgres@127.0.0.1:{port}/{name}"),
        server,
    }
}

/// A fresh database on the shared server, or `None` when PostgreSQL is not available.
async fn database(name: &str) -> Result<Option<(TestDb, Sql)>> {
    if !services::postgres_available() {
        return Ok(None);
    }
    let db = database_on(shared_server(), name);
    let sql = Sql::open(&db.native_url).await?;
    Ok(Some((db, sql)))
}

macro_rules! database {
    ($name:expr) => {
        match database($name).await? {
            Some(found) => found,
            None => return Ok(()),
        }
    };
}

#[tokio::test]
async fn pg_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let (db, mut sql) = database!("in_order");
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_partitions_are_confluents() -> Result<()> {
    let (db, mut sql) = database!("partitions");
    scenario_partition(&db.jdbc_url, &mut sql, Flavor::Postgres, "public.orders").await
}

#[tokio::test]
async fn pg_tables_are_split_across_tasks() -> Result<()> {
    let (db, mut sql) = database!("split");
    scenario_tables_split_across_tasks(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_timestamp_incrementing_mode() -> Result<()> {
    let (db, mut sql) = database!("ts_inc");
    scenario_timestamp_incrementing(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_timestamp_mode() -> Result<()> {
    let (db, mut sql) = database!("ts_only");
    scenario_timestamp(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_query_mode() -> Result<()> {
    let (db, mut sql) = database!("query_mode");
    scenario_query_mode(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_added_columns_show_up_without_a_restart() -> Result<()> {
    let (db, mut sql) = database!("evolution");
    scenario_schema_evolution(&db.jdbc_url, &mut sql, Flavor::Postgres, "TEXT").await
}

#[tokio::test]
async fn pg_concurrent_transactions_committing_out_of_order() -> Result<()> {
    let (db, mut sql) = database!("out_of_order");
    let url = &db.jdbc_url;
    let mut first = Sql::open(&db.native_url).await?;
    // Confluent's behaviour (no delay): the row of the transaction that committed last,
    // with the lower id, is skipped for good.
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, &mut sql, Flavor::Postgres, how, 0).await?;
    assert_eq!(seen, [1, 3]);
    // With incrementing.delay.interval.ms, nothing is lost and the order is by id.
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, &mut sql, Flavor::Postgres, how, 700).await?;
    assert_eq!(seen, [1, 2, 3]);
    Ok(())
}

#[tokio::test]
async fn pg_column_types_map_like_confluent() -> Result<()> {
    let (db, mut sql) = database!("types");
    sql.exec(
        "CREATE TABLE types (id SERIAL PRIMARY KEY, si SMALLINT, i INT NOT NULL, bi BIGINT, \
         r REAL, d DOUBLE PRECISION, n NUMERIC(10,2), n0 NUMERIC(5), nu NUMERIC, b BOOLEAN, \
         c CHAR(3), vc VARCHAR(10), t TEXT, by BYTEA, dt DATE, tm TIME, ts TIMESTAMP, \
         tstz TIMESTAMPTZ, u UUID, j JSON, jb JSONB)",
    )
    .await?;
    sql.exec(
        "INSERT INTO types (si, i, bi, r, d, n, n0, nu, b, c, vc, t, by, dt, tm, ts, tstz, u, j, jb) \
         VALUES (-300, 70000, 9000000000, 1.5, 2.25, 12.34, 12345, 0, true, 'ab', 'hello', \
         'world', '\\xdeadbeef', '2024-02-29', '13:14:15.5', '2024-02-29 13:14:15.123456', \
         '2024-02-29 13:14:15.123+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": 1}', \
         '{\"k\": 2}')",
    )
    .await?;
    sql.exec("INSERT INTO types (i) VALUES (1)").await?;
    let offsets = MemoryOffsets::default();
    let mut task = start_task(config(&db.jdbc_url, &[]), &offsets).await?;
    let records = poll_n(&mut task, 2, &offsets).await?;
    let r = &records[0];
    assert_fields(
        r,
        &[
            ("id", Value::Int32(1)),
            ("si", Value::Int16(-300)),
            ("i", Value::Int32(70000)),
            ("bi", Value::Int64(9_000_000_000)),
            ("r", Value::Float32(1.5)),
            ("d", Value::Float64(2.25)),
            ("n", Value::Decimal(Decimal::new(1234, 2))),
            ("n0", Value::Decimal(Decimal::new(12345, 0))),
            // Unconstrained NUMERIC: Confluent's scale 127 (NUMERIC_TYPE_SCALE_HIGH).
            ("nu", Value::Decimal(Decimal::new(0, 127))),
            ("b", Value::Boolean(true)),
            // CHAR is blank-padded, as the driver returns it.
            ("c", Value::String("ab ".into())),
            ("vc", Value::String("hello".into())),
            ("t", Value::String("world".into())),
            ("by", Value::Bytes(vec![0xDE, 0xAD, 0xBE, 0xEF])),
            ("dt", Value::Date(19_782)),
            ("tm", Value::Time(47_655_500)),
            ("ts", Value::Timestamp(1_709_212_455_123)),
            ("tstz", Value::Timestamp(1_709_205_255_123)),
            // uuid, json and jsonb are strings (PostgreSqlDatabaseDialect.addFieldToSchema).
            (
                "u",
                Value::String("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
            ),
            ("j", Value::String("{\"k\": 1}".into())),
            ("jb", Value::String("{\"k\": 2}".into())),
        ],
    );
    let s = schema(r);
    for f in s.fields()? {
        let required = matches!(f.name(), "id" | "i");
        assert_eq!(f.schema().is_optional(), !required, "field {}", f.name());
    }
    let logical = |name: &str| {
        s.field(name)
            .ok()
            .flatten()
            .and_then(|f| f.schema().name().map(str::to_owned))
    };
    assert_eq!(
        logical("n").as_deref(),
        Some("org.apache.kafka.connect.data.Decimal")
    );
    assert_eq!(
        logical("dt").as_deref(),
        Some("org.apache.kafka.connect.data.Date")
    );
    assert_eq!(
        logical("tm").as_deref(),
        Some("org.apache.kafka.connect.data.Time")
    );
    assert_eq!(
        logical("tstz").as_deref(),
        Some("org.apache.kafka.connect.data.Timestamp")
    );
    // The second row: all NULL but the required columns.
    for f in s.fields()? {
        if !matches!(f.name(), "id" | "i") {
            assert_eq!(field(&records[1], f.name()), Value::Null, "{}", f.name());
        }
    }
    task.stop().await?;

    // numeric.mapping=best_fit narrows NUMERIC(p,s) as Confluent does.
    let cfg = config(&db.jdbc_url, &[("numeric.mapping", "best_fit")]);
    let mut task = start_task(cfg, &offsets).await?;
    sql.exec("INSERT INTO types (i, n, n0) VALUES (2, 0.5, 7)")
        .await?;
    let r = &poll_n(&mut task, 1, &offsets).await?[0];
    assert_fields(r, &[("n", Value::Float64(0.5)), ("n0", Value::Int32(7))]);
    task.stop().await
}

#[tokio::test]
async fn pg_server_going_away_is_retried_from_the_offset() -> Result<()> {
    if !services::postgres_available() {
        return Ok(());
    }
    // A server of its own: this test stops it.
    let mut pg = Postgres::start();
    let (jdbc_url, native_url) = (format!("{}?user=postgres", pg.jdbc_url()), pg.url());
    let mut sql = Sql::open(&native_url).await?;
    sql.exec(Flavor::Postgres.orders()).await?;
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
    pg.stop();
    let e = poll_until_error(&mut task).await;
    assert!(!e.to_string().contains("password"), "{e}");
    pg.start_again();
    pg.execute("INSERT INTO orders (item) VALUES ('b')");
    assert_eq!(ids(&poll_recovering(&mut task, 1, &offsets).await?), [2]);

    // A crash: the same.
    pg.kill();
    poll_until_error(&mut task).await;
    pg.start_again();
    pg.execute("INSERT INTO orders (item) VALUES ('c'), ('d')");
    // (Crash recovery skips sequence values: PostgreSQL logs them 32 ahead.)
    let expected: Vec<i64> = pg
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

#[tokio::test]
async fn pg_connection_errors_are_clear_validation_errors() -> Result<()> {
    let Some((db, _sql)) = database("validation").await? else {
        return Ok(());
    };
    let port = db.server.port();
    // A good URL validates.
    assert_eq!(url_errors(&config(&db.jdbc_url, &[])), Vec::<String>::new());
    // An unknown database.
    let missing = format!("jdbc:postgresql://127.0.0.1:{port}/no_such_db?user=postgres");
    let errors = url_errors(&config(&missing, &[]));
    assert!(
        errors.len() == 1 && errors[0].contains("no_such_db"),
        "{errors:?}"
    );
    // An unknown user (the server trusts every known one).
    let errors = url_errors(&config(
        &db.jdbc_url,
        &[
            ("connection.user", "nobody"),
            ("connection.password", "s3cret"),
        ],
    ));
    assert!(
        errors.len() == 1 && errors[0].contains("nobody"),
        "{errors:?}"
    );
    assert!(!errors[0].contains("s3cret"), "{errors:?}");
    // Nothing listening.
    let errors = url_errors(&config("jdbc:postgresql://127.0.0.1:1/x", &[]));
    assert!(
        errors.len() == 1 && errors[0].contains("cannot connect"),
        "{errors:?}"
    );
    // A malformed URL.
    let errors = url_errors(&config("jdbc:postgresql:", &[]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The password is masked.
    let shown = shown_password(&config(&db.jdbc_url, &[("connection.password", "s3cret")]));
    assert_eq!(shown, ["[hidden]"]);
    Ok(())
}
