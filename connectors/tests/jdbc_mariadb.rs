//! The JDBC source against a real MariaDB server (tests/services), through the MySQL dialect:
//! the shared scenarios (jdbc_common), MariaDB's column types, schema evolution, the server
//! going away, and connection errors in validate(). One server serves the file's tests (a
//! database each); the tests that stop the server start their own.

mod jdbc_common;
mod services;

use connect_api::data::{Decimal, Value};
use connect_api::Result;
use services::Maria;

use jdbc_common::*;

#[tokio::test]
async fn mariadb_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let (db, mut sql) = database!(Maria, "in_order");
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_partitions_are_confluents_also_with_a_jdbc_mariadb_url() -> Result<()> {
    let (db, mut sql) = database!(Maria, "partitions");
    let url = db.jdbc_url.replace("jdbc:mysql:", "jdbc:mariadb:");
    scenario_partition(&url, &mut sql, Flavor::MariaDb, "partitions.orders").await
}

#[tokio::test]
async fn mariadb_tables_are_split_across_tasks() -> Result<()> {
    let (db, mut sql) = database!(Maria, "split");
    scenario_tables_split_across_tasks(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_timestamp_incrementing_mode() -> Result<()> {
    let (db, mut sql) = database!(Maria, "ts_inc");
    scenario_timestamp_incrementing(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_timestamp_mode() -> Result<()> {
    let (db, mut sql) = database!(Maria, "ts_only");
    scenario_timestamp(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_query_mode() -> Result<()> {
    let (db, mut sql) = database!(Maria, "query_mode");
    scenario_query_mode(&db.jdbc_url, &mut sql, Flavor::MariaDb).await
}

#[tokio::test]
async fn mariadb_added_columns_show_up_without_a_restart() -> Result<()> {
    let (db, mut sql) = database!(Maria, "evolution");
    scenario_schema_evolution(&db.jdbc_url, &mut sql, Flavor::MariaDb, "VARCHAR(20)").await
}

#[tokio::test]
async fn mariadb_concurrent_transactions_committing_out_of_order() -> Result<()> {
    let (db, mut sql) = database!(Maria, "out_of_order");
    scenario_concurrent_out_of_order(&db, &mut sql).await
}

#[tokio::test]
async fn mariadb_column_types_map_like_confluent() -> Result<()> {
    let (db, mut sql) = database!(Maria, "types");
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
    assert_required_only(&s, &["id", "i"])?;
    assert_null_but(&records[1], &s, &["id", "i"])?;
    task.stop().await
}

#[tokio::test]
async fn mariadb_server_going_away_is_retried_from_the_offset() -> Result<()> {
    scenario_server_going_away::<Maria>().await
}

#[tokio::test]
async fn mariadb_connection_errors_are_clear_validation_errors() -> Result<()> {
    let Some((db, _sql)) = test_database::<Maria>("validation").await? else {
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
