//! The JDBC source against a real SQLite file, driven through the connect-api traits; the
//! shared scenarios (jdbc_common) also run against PostgreSQL and MariaDB.

mod jdbc_common;
// jdbc_common's server helpers refer to it; SQLite needs no server.
mod services;

use std::time::{Duration, Instant};

use connect_api::data::{Decimal, Value};
use connect_api::{ConnectError, Result};

use jdbc_common::*;

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

macro_rules! sqlite {
    () => {{
        let db = sqlite_db().map_err(|e| ConnectError::with_source("tempdir", e))?;
        let sql = Sql::open(&db.native_url).await?;
        (db, sql)
    }};
}

#[tokio::test]
async fn sqlite_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, Flavor::Sqlite).await
}

#[tokio::test]
async fn sqlite_partitions_are_confluents() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_partition(&db.jdbc_url, &mut sql, Flavor::Sqlite, "orders").await
}

#[tokio::test]
async fn sqlite_tables_are_split_across_tasks() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_tables_split_across_tasks(&db.jdbc_url, &mut sql, Flavor::Sqlite).await
}

#[tokio::test]
async fn sqlite_timestamp_incrementing_mode() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_timestamp_incrementing(&db.jdbc_url, &mut sql, Flavor::Sqlite).await
}

#[tokio::test]
async fn sqlite_timestamp_mode() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_timestamp(&db.jdbc_url, &mut sql, Flavor::Sqlite).await
}

#[tokio::test]
async fn sqlite_out_of_order_commits_are_not_lost_with_a_delay() -> Result<()> {
    let (db, mut sql) = sqlite!();
    let url = &db.jdbc_url;
    // Confluent's behaviour: row 2 is skipped for good.
    let seen =
        scenario_out_of_order_commits(url, &mut sql, Flavor::Sqlite, OutOfOrder::Simulated, 0);
    assert_eq!(seen.await?, [1, 3]);
    // With the safety delay, nothing is lost and the order is by id.
    let seen =
        scenario_out_of_order_commits(url, &mut sql, Flavor::Sqlite, OutOfOrder::Simulated, 700);
    assert_eq!(seen.await?, [1, 2, 3]);
    Ok(())
}

#[tokio::test]
async fn sqlite_query_mode_uses_one_task_and_the_prefix_as_topic() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_query_mode(&db.jdbc_url, &mut sql, Flavor::Sqlite).await
}

#[tokio::test]
async fn sqlite_added_columns_show_up_without_a_restart() -> Result<()> {
    let (db, mut sql) = sqlite!();
    scenario_schema_evolution(&db.jdbc_url, &mut sql, Flavor::Sqlite, "TEXT").await
}

#[tokio::test]
async fn sqlite_column_types_map_like_confluent() -> Result<()> {
    let (db, mut sql) = sqlite!();
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
    assert_required_only(&schema, &["id", "b"])?;
    assert_eq!(field(&records[1], "s"), Value::Null);
    assert_eq!(field(&records[1], "b"), Value::Boolean(false));
    // Bulk records carry an empty offset.
    assert!(r.source_offset.is_empty());
    task.stop().await
}

#[tokio::test]
async fn sqlite_database_that_goes_away_is_retried_from_the_offset() -> Result<()> {
    let (db, mut sql) = sqlite!();
    sql.exec(Flavor::Sqlite.orders()).await?;
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
    let bad = config("jdbc:oracle:thin:@h:1521:x", &[]);
    let errors = url_errors(&bad);
    assert!(
        errors[0].contains("unsupported database 'oracle'"),
        "{errors:?}"
    );
    let missing = config("jdbc:sqlite:/nonexistent-dir/x.db", &[]);
    let errors = url_errors(&missing);
    assert!(
        errors[0].contains("cannot connect to sqlite:///nonexistent-dir/x.db"),
        "{errors:?}"
    );
    let refused = config(
        "jdbc:postgresql://127.0.0.1:1/db?user=u&password=secret",
        &[],
    );
    let errors = url_errors(&refused);
    assert!(errors[0].contains("cannot connect"), "{errors:?}");
    assert!(!errors[0].contains("secret"), "{errors:?}");
    // Passwords are PASSWORD-typed: the parsed value prints hidden.
    let with_password = config(
        "jdbc:sqlite:/nonexistent-dir/x.db",
        &[("connection.password", "hunter2")],
    );
    assert_eq!(shown_password(&with_password), ["[hidden]"]);
}
