//! The database servers the JDBC connector is tested against (tests/services) start, run SQL,
//! and keep their data across a clean restart and a crash on the same port.

mod services;

use std::time::Instant;

use services::{MariaDb, Postgres};

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn postgres_starts_runs_sql_and_survives_restarts() {
    if !services::postgres_available() {
        return;
    }
    let mut pg = Postgres::start();
    eprintln!("PostgreSQL: first start (initdb included) {:?}", pg.startup);
    assert_eq!(
        pg.url(),
        format!("postgres://postgres@127.0.0.1:{}/sluice_test", pg.port())
    );
    assert_eq!(
        pg.jdbc_url(),
        format!("jdbc:postgresql://127.0.0.1:{}/sluice_test", pg.port())
    );
    assert_eq!(
        pg.execute("SELECT current_database(), current_user"),
        "sluice_test\tpostgres\n"
    );

    pg.execute(
        "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT, updated TIMESTAMP NOT NULL);
         INSERT INTO items (name, updated) VALUES ('a', '2024-01-01 00:00:00'),
                                                  (NULL, '2024-01-02 00:00:00');",
    );
    let expected = strings(&[&["1", "a"], &["2", "NULL"]]);
    assert_eq!(pg.query("SELECT id, name FROM items ORDER BY id"), expected);
    let error = pg
        .try_execute("SELECT * FROM missing")
        .expect_err("a query of a missing table fails");
    assert!(error.contains("missing"), "{error}");

    let port = pg.port();
    let t = Instant::now();
    pg.restart();
    eprintln!("PostgreSQL: clean restart {:?}", t.elapsed());
    assert_eq!(pg.port(), port);
    assert_eq!(pg.query("SELECT id, name FROM items ORDER BY id"), expected);

    pg.execute("INSERT INTO items (name, updated) VALUES ('c', '2024-01-03 00:00:00')");
    pg.kill();
    assert!(!pg.is_running());
    assert!(
        pg.try_execute("SELECT 1").is_err(),
        "a killed server still answers"
    );
    let t = Instant::now();
    pg.start_again();
    eprintln!("PostgreSQL: start after a crash {:?}", t.elapsed());
    assert!(pg.is_running());
    assert_eq!(
        pg.query("SELECT id, name FROM items ORDER BY id"),
        strings(&[&["1", "a"], &["2", "NULL"], &["3", "c"]])
    );
}

#[test]
fn mariadb_starts_runs_sql_and_survives_restarts() {
    if !services::mariadb_available() {
        return;
    }
    let mut db = MariaDb::start();
    eprintln!(
        "MariaDB: first start (mariadb-install-db included) {:?}",
        db.startup
    );
    assert_eq!(
        db.url(),
        format!("mysql://sluice:sluice@127.0.0.1:{}/sluice_test", db.port())
    );
    assert_eq!(
        db.jdbc_url(),
        format!("jdbc:mysql://127.0.0.1:{}/sluice_test", db.port())
    );
    assert_eq!(
        db.execute("SELECT DATABASE(), CURRENT_USER()"),
        "sluice_test\tsluice@%\n"
    );

    db.execute(
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64),
                             updated TIMESTAMP(3) NOT NULL) ENGINE=InnoDB;
         INSERT INTO items (name, updated) VALUES ('a', '2024-01-01 00:00:00'),
                                                  (NULL, '2024-01-02 00:00:00');",
    );
    let expected = strings(&[&["1", "a"], &["2", "NULL"]]);
    assert_eq!(db.query("SELECT id, name FROM items ORDER BY id"), expected);
    let error = db
        .try_execute("SELECT * FROM missing")
        .expect_err("a query of a missing table fails");
    assert!(error.contains("missing"), "{error}");

    let port = db.port();
    let t = Instant::now();
    db.restart();
    eprintln!("MariaDB: clean restart {:?}", t.elapsed());
    assert_eq!(db.port(), port);
    assert_eq!(db.query("SELECT id, name FROM items ORDER BY id"), expected);

    db.execute("INSERT INTO items (name, updated) VALUES ('c', '2024-01-03 00:00:00')");
    db.kill();
    assert!(!db.is_running());
    assert!(
        db.try_execute("SELECT 1").is_err(),
        "a killed server still answers"
    );
    let t = Instant::now();
    db.start_again();
    eprintln!("MariaDB: start after a crash {:?}", t.elapsed());
    assert!(db.is_running());
    assert_eq!(
        db.query("SELECT id, name FROM items ORDER BY id"),
        strings(&[&["1", "a"], &["2", "NULL"], &["3", "c"]])
    );
}
