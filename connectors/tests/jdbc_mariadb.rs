//! The JDBC source against a real MariaDB server (tests/services), through the MySQL dialect:
//! the shared scenarios (jdbc_common), MariaDB's column types, schema evolution, the server
//! going away, and connection errors in validate(). One server serves the file's tests (a
//! database each); the tests that stop the server start their own.

mod jdbc_common;
mod services;

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use connect_api::data::{Decimal, Value};
use connect_api::Result;
use services::MariaDb;

use jdbc_common::*;

/// The file's shared server: started by the first test that needs it, stopped when the
/// last test holding it ends.
fn shared_server() -> Arc<MariaDb> {
    static SHARED: Mutex<Weak<MariaDb>> = Mutex::new(Weak::new());
    let mut guard = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = guard.upgrade() {
        return server;
    }
    let server = Arc::new(MariaDb::start());
    *guard = Arc::downgrade(&server);
    server
}

/// A fresh database on a server, with the URLs to reach it.
struct TestDb {
    server: Arc<MariaDb>,
    jdbc_url: String,
    native_url: String,
}

fn database_on(server: Arc<MariaDb>, name: &str) -> TestDb {
    server.execute(&format!("CREATE DATABASE {name}"));
    let port = server.port();
    let (user, password) = (server.user(), server.password());
    TestDb {
        jdbc_url: format!("jdbc:mysql://127.0.0.1:{port}/{name}?user={user}&password={password}"),
        native_url: format!("mysql://{user}:{password}@127.0.0.1:{port}/{name}"),
        server,
    }
}

/// A fresh database on the shared server, or `None` when MariaDB is not available.
async fn database(name: &str) -> Result<Option<(TestDb, Sql)>> {
    if !services::mariadb_available() {
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
async fn mariadb_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let (db, mut sql) = database!("in_order");
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_partitions_are_confluents_also_with_a_jdbc_mariadb_url() -> Result<()> {
    let (db, mut sql) = database!("partitions");
    let url = db.jdbc_url.replace("jdbc:mysql:", "jdbc:mariadb:");
    scenario_partition(&url, &mut sql, Flavor::MariaDb, "partitions.orders").await
}

#[tokio::test]
async fn mariadb_tables_are_split_across_tasks() -> Result<()> {
    let (db, mut sql) = database!("split");
    scenario_tables_split_across_tasks(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_timestamp_incrementing_mode() -> Result<()> {
    let (db, mut sql) = database!("ts_inc");
    scenario_timestamp_incrementing(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_timestamp_mode() -> Result<()> {
    let (db, mut sql) = database!("ts_only");
    scenario_timestamp(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_query_mode() -> Result<()> {
    let (db, mut sql) = database!("query_mode");
    scenario_query_mode(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_added_columns_show_up_without_a_restart() -> Result<()> {
    let (db, mut sql) = database!("evolution");
    scenario_schema_evolution(&db.jdbc_url, &mut sql, Flavor::MariaDb, "VARCHAR(20)").await
}

#[tokio::test]
async fn mariadb_concurrent_transactions_committing_out_of_order() -> Result<()> {
    let (db, mut sql) = database!("out_of_order");
    let url = &db.jdbc_url;
    let mut first = Sql::open(&db.native_url).await?;
    // Confluent's behaviour (no delay): the row of the transaction that committed last,
    // with the lower id, is skipped for good.
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, &mut sql, Flavor::MariaDb, how, 0).await?;
    assert_eq!(seen, [1, 3]);
    // With incrementing.delay.interval.ms, nothing is lost and the order is by id.
    let how = OutOfOrder::Concurrent { first: &mut first };
    let seen = scenario_out_of_order_commits(url, &mut sql, Flavor::MariaDb, how, 700).await?;
    assert_eq!(seen, [1, 2, 3]);
    Ok(())
}

#[tokio::test]
async fn mariadb_column_types_map_like_confluent() -> Result<()> {
    let (db, mut sql) = database!("types");
    sql.exec(
        "CREATE TABLE types (id INT AUTO_INCREMENT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, \
         si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, \
         i INT NOT NULL, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, f FLOAT, d DOUBLE, \
         de DECIMAL(10,2), b1 BIT(1), tb TINYINT(1), c CHAR(3), vc VARCHAR(10), t TEXT, \
         bl BLOB, bn BINARY(4), dt DATE, tm TIME(3), dt6 DATETIME(6), ts TIMESTAMP NULL, \
         y YEAR)",
    )
    .await?;
    sql.exec("SET time_zone = '+00:00'").await?;
    sql.exec(
        "INSERT INTO types (ti, tiu, si, siu, mi, miu, i, iu, bi, biu, f, d, de, b1, tb, c, vc, \
         t, bl, bn, dt, tm, dt6, ts, y) VALUES (-5, 200, -300, 60000, -70000, 16000000, 70000, \
         4000000000, 9000000000, 9000000000, 1.5, 2.25, 12.34, b'1', 1, 'ab', 'hello', 'world', \
         x'DEADBEEF', x'CAFE', '2024-02-29', '13:14:15.500', '2024-02-29 13:14:15.123456', \
         '2024-02-29 13:14:15', 2024)",
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
            ("ti", Value::Int8(-5)),
            // Unsigned integers widen (GenericDatabaseDialect.addFieldToSchema).
            ("tiu", Value::Int16(200)),
            ("si", Value::Int16(-300)),
            ("siu", Value::Int32(60000)),
            // MEDIUMINT is JDBC INTEGER.
            ("mi", Value::Int32(-70000)),
            ("miu", Value::Int64(16_000_000)),
            ("i", Value::Int32(70000)),
            ("iu", Value::Int64(4_000_000_000)),
            ("bi", Value::Int64(9_000_000_000)),
            ("biu", Value::Int64(9_000_000_000)),
            // FLOAT is JDBC REAL.
            ("f", Value::Float32(1.5)),
            ("d", Value::Float64(2.25)),
            ("de", Value::Decimal(Decimal::new(1234, 2))),
            // BIT(1), and TINYINT(1) (Connector/J's tinyInt1isBit), are JDBC BIT: int8.
            ("b1", Value::Int8(1)),
            ("tb", Value::Int8(1)),
            ("c", Value::String("ab".into())),
            ("vc", Value::String("hello".into())),
            ("t", Value::String("world".into())),
            ("bl", Value::Bytes(vec![0xDE, 0xAD, 0xBE, 0xEF])),
            // BINARY is padded with zero bytes.
            ("bn", Value::Bytes(vec![0xCA, 0xFE, 0, 0])),
            ("dt", Value::Date(19_782)),
            ("tm", Value::Time(47_655_500)),
            ("dt6", Value::Timestamp(1_709_212_455_123)),
            ("ts", Value::Timestamp(1_709_212_455_000)),
            // YEAR is a Date (Connector/J's yearIsDateType): January 1st of the year.
            ("y", Value::Date(19_723)),
        ],
    );
    let s = schema(r);
    for f in s.fields()? {
        let required = matches!(f.name(), "id" | "i");
        assert_eq!(f.schema().is_optional(), !required, "field {}", f.name());
    }
    for f in s.fields()? {
        if !matches!(f.name(), "id" | "i") {
            assert_eq!(field(&records[1], f.name()), Value::Null, "{}", f.name());
        }
    }
    task.stop().await
}

#[tokio::test]
async fn mariadb_server_going_away_is_retried_from_the_offset() -> Result<()> {
    if !services::mariadb_available() {
        return Ok(());
    }
    // A server of its own: this test stops it.
    let mut server = MariaDb::start();
    let jdbc_url = format!(
        "{}?user={}&password={}",
        server.jdbc_url(),
        server.user(),
        server.password()
    );
    let mut sql = Sql::open(&server.url()).await?;
    sql.exec(Flavor::MariaDb.orders()).await?;
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
    assert!(!e.to_string().contains(server.password()), "{e}");
    server.start_again();
    server.execute("INSERT INTO orders (item) VALUES ('b')");
    assert_eq!(ids(&poll_recovering(&mut task, 1, &offsets).await?), [2]);

    // A crash: the same.
    server.kill();
    poll_until_error(&mut task).await;
    server.start_again();
    server.execute("INSERT INTO orders (item) VALUES ('c'), ('d')");
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

#[tokio::test]
async fn mariadb_connection_errors_are_clear_validation_errors() -> Result<()> {
    let Some((db, _sql)) = database("validation").await? else {
        return Ok(());
    };
    let port = db.server.port();
    let base = format!("jdbc:mysql://127.0.0.1:{port}/validation");
    let user = db.server.user();
    // A good URL, credentials in connection.user / connection.password, validates.
    let good = config(
        &base,
        &[
            ("connection.user", user),
            ("connection.password", db.server.password()),
        ],
    );
    assert_eq!(url_errors(&good), Vec::<String>::new());
    // A wrong password: the error says access was denied, without the password.
    let errors = url_errors(&config(
        &base,
        &[
            ("connection.user", user),
            ("connection.password", "wrong-s3cret"),
        ],
    ));
    assert!(
        errors.len() == 1 && errors[0].contains("Access denied"),
        "{errors:?}"
    );
    assert!(!errors[0].contains("wrong-s3cret"), "{errors:?}");
    // An unknown database.
    let errors = url_errors(&config(
        &format!("jdbc:mysql://127.0.0.1:{port}/no_such_db"),
        &[
            ("connection.user", user),
            ("connection.password", db.server.password()),
        ],
    ));
    assert!(
        errors.len() == 1 && errors[0].contains("no_such_db"),
        "{errors:?}"
    );
    // Nothing listening.
    let errors = url_errors(&config("jdbc:mysql://127.0.0.1:1/x", &[]));
    assert!(
        errors.len() == 1 && errors[0].contains("cannot connect"),
        "{errors:?}"
    );
    // The password is masked.
    assert_eq!(shown_password(&good), ["[hidden]"]);
    Ok(())
}
