//! The JDBC source against a real PostgreSQL server (tests/services): the shared scenarios
//! (jdbc_common), PostgreSQL's column types, schema evolution, the server going away, and
//! connection errors in validate(). One server serves the file's tests (a database each);
//! the tests that stop the server start their own.

mod jdbc_common;
mod services;

use connect_api::data::{Decimal, Value};
use connect_api::Result;
use services::Pg;

use jdbc_common::*;

#[tokio::test]
async fn pg_rows_arrive_in_order_and_restart_resumes() -> Result<()> {
    let (db, mut sql) = database!(Pg, "in_order");
    scenario_in_order_and_restart(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_partitions_are_confluents() -> Result<()> {
    let (db, mut sql) = database!(Pg, "partitions");
    scenario_partition(&db.jdbc_url, &mut sql, Flavor::Postgres, "public.orders").await
}

#[tokio::test]
async fn pg_tables_are_split_across_tasks() -> Result<()> {
    let (db, mut sql) = database!(Pg, "split");
    scenario_tables_split_across_tasks(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_timestamp_incrementing_mode() -> Result<()> {
    let (db, mut sql) = database!(Pg, "ts_inc");
    scenario_timestamp_incrementing(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_timestamp_mode() -> Result<()> {
    let (db, mut sql) = database!(Pg, "ts_only");
    scenario_timestamp(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_query_mode() -> Result<()> {
    let (db, mut sql) = database!(Pg, "query_mode");
    scenario_query_mode(&db.jdbc_url, &mut sql, Flavor::Postgres).await
}

#[tokio::test]
async fn pg_added_columns_show_up_without_a_restart() -> Result<()> {
    let (db, mut sql) = database!(Pg, "evolution");
    scenario_schema_evolution(&db.jdbc_url, &mut sql, Flavor::Postgres, "TEXT").await
}

#[tokio::test]
async fn pg_concurrent_transactions_committing_out_of_order() -> Result<()> {
    let (db, mut sql) = database!(Pg, "out_of_order");
    scenario_concurrent_out_of_order(&db, &mut sql).await
}

#[tokio::test]
async fn pg_column_types_map_like_confluent() -> Result<()> {
    let (db, mut sql) = database!(Pg, "types");
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
    assert_required_only(&s, &["id", "i"])?;
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
    assert_null_but(&records[1], &s, &["id", "i"])?;
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
    scenario_server_going_away::<Pg>().await
}

#[tokio::test]
async fn pg_connection_errors_are_clear_validation_errors() -> Result<()> {
    let Some((db, _sql)) = test_database::<Pg>("validation").await? else {
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
