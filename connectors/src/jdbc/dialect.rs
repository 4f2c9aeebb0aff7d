//! What differs between databases: identifier quoting, placeholders, table discovery,
//! column metadata, timestamp comparison, and turning driver values into Connect values.
//!
//! The three dialects mirror Confluent's `PostgreSqlDatabaseDialect`, `MySqlDatabaseDialect`
//! and `SqliteDatabaseDialect`:
//! * table ids are `(catalog, schema, table)` as the JDBC drivers report them: PostgreSQL
//!   `(None, schema, table)`, MySQL/MariaDB `(database, None, table)`, SQLite
//!   `(None, None, table)`, so the unquoted fully-qualified names in source partitions are
//!   Confluent's (`public.orders`, `shop.orders`, `orders`);
//! * identifiers are quoted with `"` (PostgreSQL, SQLite) or `` ` `` (MySQL) when
//!   `quote.sql.identifiers=always`.
//!
//! SQLite keeps timestamps as text; they are compared through
//! `strftime('%Y-%m-%d %H:%M:%f', …)` so `2024-01-01 10:00:00` and `…10:00:00.000` are
//! equal; that is millisecond precision and does not use an index.

use std::time::Duration;

use connect_api::data::Value;
use connect_api::{ConnectError, Result};
use sqlx::{Column, Connection, Executor, Row, TypeInfo, ValueRef};

use super::config::{Backend, ConnectionUrl};
use super::mapping::{ColumnDef, Kind, RowLayout, SqlType};
use super::wire;

/// A table as `(catalog, schema, table)`; absent parts are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    /// Catalog (MySQL database).
    pub catalog: Option<String>,
    /// Schema (PostgreSQL schema).
    pub schema: Option<String>,
    /// Table name.
    pub table: String,
}

impl TableId {
    /// A table id.
    pub fn new(catalog: Option<&str>, schema: Option<&str>, table: &str) -> Self {
        Self {
            catalog: catalog.map(str::to_owned),
            schema: schema.map(str::to_owned),
            table: table.to_owned(),
        }
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        self.catalog
            .as_deref()
            .into_iter()
            .chain(self.schema.as_deref())
            .chain(std::iter::once(self.table.as_str()))
    }

    /// The unquoted fully-qualified name (`ExpressionBuilder.append(tableId, NEVER)`), the
    /// `table` of the v1 source partition.
    pub fn fqn(&self) -> String {
        self.parts().collect::<Vec<_>>().join(".")
    }

    /// Encodes for the task configuration.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!([self.catalog, self.schema, self.table])
    }

    /// Decodes [`TableId::to_json`].
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        let parts = value.as_array()?;
        let part = |i: usize| parts.get(i).and_then(|p| p.as_str());
        Some(Self::new(part(0), part(1), part(2)?))
    }
}

/// A bound query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// An incrementing value.
    Int(i64),
    /// A timestamp, ns since the epoch (UTC).
    Timestamp(i128),
}

/// SQL building for one backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// The database family.
    pub backend: Backend,
    /// Whether identifiers are quoted.
    pub quote: bool,
}

impl Dialect {
    /// Quotes an identifier (doubling embedded quote characters).
    pub fn ident(&self, name: &str) -> String {
        if !self.quote {
            return name.to_owned();
        }
        let q = match self.backend {
            Backend::MySql => '`',
            _ => '"',
        };
        let escaped = name.replace(q, &format!("{q}{q}"));
        format!("{q}{escaped}{q}")
    }

    /// The quoted, qualified table name used in `FROM`.
    pub fn table(&self, table: &TableId) -> String {
        table
            .parts()
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The `n`th (1-based) placeholder.
    pub fn placeholder(&self, n: usize) -> String {
        match self.backend {
            Backend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    }

    /// The placeholder of a timestamp parameter compared with `column_type`.
    pub fn timestamp_placeholder(&self, n: usize, tz: bool) -> String {
        match self.backend {
            Backend::Postgres if tz => format!("CAST(${n} AS TIMESTAMPTZ)"),
            Backend::Postgres => format!("CAST(${n} AS TIMESTAMP)"),
            Backend::MySql => "CAST(? AS DATETIME(6))".to_owned(),
            Backend::Sqlite => "?".to_owned(),
        }
    }

    /// The expression compared in timestamp criteria for `columns` (COALESCE of several,
    /// as Confluent's `coalesceTimestampColumns`).
    pub fn timestamp_expr(&self, columns: &[String]) -> String {
        let quoted: Vec<_> = columns.iter().map(|c| self.ident(c)).collect();
        let expr = if quoted.len() == 1 {
            quoted[0].clone()
        } else {
            format!("COALESCE({})", quoted.join(","))
        };
        match self.backend {
            Backend::Sqlite => format!("strftime('%Y-%m-%d %H:%M:%f', {expr})"),
            _ => expr,
        }
    }

    /// The text a timestamp parameter is bound as.
    pub fn timestamp_text(&self, nanos: i128) -> String {
        let text = wire::format_timestamp_nanos(nanos);
        match self.backend {
            // strftime's %f has milliseconds.
            Backend::Sqlite => text[..23].to_owned(),
            Backend::MySql => text[..26].to_owned(),
            Backend::Postgres => format!("{}+00", &text[..26]),
        }
    }
}

/// An open database connection of one of the supported backends.
#[derive(Debug)]
pub enum Db {
    /// PostgreSQL.
    Postgres(sqlx::PgConnection),
    /// MySQL / MariaDB.
    MySql(sqlx::MySqlConnection),
    /// SQLite.
    Sqlite(sqlx::SqliteConnection),
}

/// One fetched row: the Connect values of the layout's columns, and the exact timestamps
/// (ns) of its timestamp-kind columns (index-aligned with the layout's columns).
#[derive(Debug, Clone)]
pub struct FetchedRow {
    /// Values in layout order.
    pub values: Vec<Value>,
    /// Exact timestamps in layout order (`None` for other kinds or NULL).
    pub nanos: Vec<Option<i128>>,
}

fn db_error(what: &str, e: sqlx::Error) -> ConnectError {
    ConnectError::retriable(format!("{what}: {e}"))
}

impl Db {
    /// Opens a connection, trying `attempts` times with `backoff` in between (Confluent's
    /// `connection.attempts` / `connection.backoff.ms`). The error names the sanitized URL.
    pub async fn connect(url: &ConnectionUrl, attempts: u32, backoff: Duration) -> Result<Self> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = match url.backend {
                Backend::Postgres => sqlx::PgConnection::connect(&url.native)
                    .await
                    .map(Db::Postgres),
                Backend::MySql => sqlx::MySqlConnection::connect(&url.native)
                    .await
                    .map(Db::MySql),
                Backend::Sqlite => sqlx::SqliteConnection::connect(&url.native)
                    .await
                    .map(Db::Sqlite),
            };
            match result {
                Ok(db) => return Ok(db),
                Err(e) if attempt >= attempts => {
                    return Err(ConnectError::retriable(format!(
                        "cannot connect to {} after {attempt} attempt(s): {e}",
                        url.sanitized()
                    )))
                }
                Err(e) => {
                    tracing::warn!(url = %url.sanitized(), attempt, error = %e, "cannot connect to the database, retrying");
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }

    /// Closes the connection.
    pub async fn close(self) {
        let _ = match self {
            Db::Postgres(c) => c.close().await,
            Db::MySql(c) => c.close().await,
            Db::Sqlite(c) => c.close().await,
        };
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::MySql(_) => Backend::MySql,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Tables (and views when `types` has `VIEW`) matching the catalog/schema patterns.
    pub async fn list_tables(
        &mut self,
        types: &[String],
        catalog_pattern: Option<&str>,
        schema_pattern: Option<&str>,
    ) -> Result<Vec<TableId>> {
        let want_views = types.iter().any(|t| t == "VIEW");
        let want_tables = types.iter().any(|t| t == "TABLE");
        let mut tables = Vec::new();
        match self {
            Db::Sqlite(c) => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&mut *c)
                .await
                .map_err(|e| db_error("cannot list tables", e))?;
                for (name, kind) in rows {
                    if (kind == "table" && want_tables) || (kind == "view" && want_views) {
                        tables.push(TableId::new(None, None, &name));
                    }
                }
            }
            Db::Postgres(c) => {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT table_schema::text, table_name::text, table_type::text \
                     FROM information_schema.tables \
                     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') \
                     AND table_schema LIKE $1 ORDER BY table_schema, table_name",
                )
                .bind(schema_pattern.unwrap_or("%"))
                .fetch_all(&mut *c)
                .await
                .map_err(|e| db_error("cannot list tables", e))?;
                for (schema, name, kind) in rows {
                    if (kind == "BASE TABLE" && want_tables) || (kind == "VIEW" && want_views) {
                        tables.push(TableId::new(None, Some(&schema), &name));
                    }
                }
            }
            Db::MySql(c) => {
                // Connector/J 8 reports every database unless a catalog is given; the
                // connection's database is what users mean, so it is the default here.
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT CAST(table_schema AS CHAR), CAST(table_name AS CHAR), CAST(table_type AS CHAR) \
                     FROM information_schema.tables \
                     WHERE table_schema LIKE COALESCE(?, DATABASE()) ORDER BY table_schema, table_name",
                )
                .bind(catalog_pattern)
                .fetch_all(&mut *c)
                .await
                .map_err(|e| db_error("cannot list tables", e))?;
                for (db, name, kind) in rows {
                    if (kind == "BASE TABLE" && want_tables) || (kind == "VIEW" && want_views) {
                        tables.push(TableId::new(Some(&db), None, &name));
                    }
                }
            }
        }
        Ok(tables)
    }

    /// The columns of `table` in order, from the catalog.
    pub async fn table_columns(&mut self, table: &TableId) -> Result<Vec<ColumnDef>> {
        let what = || format!("cannot read the columns of {}", table.fqn());
        let columns = match self {
            Db::Sqlite(c) => {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
                )
                .bind(&table.table)
                .fetch_all(&mut *c)
                .await
                .map_err(|e| db_error(&what(), e))?;
                let pk_count = rows.iter().filter(|r| r.3 > 0).count();
                rows.into_iter()
                    .map(|(name, decl, notnull, pk)| {
                        let mut def = classify(&name, &decl);
                        // An INTEGER PRIMARY KEY is the rowid: never null, assigned by SQLite.
                        let rowid = pk > 0 && pk_count == 1 && decl.eq_ignore_ascii_case("INTEGER");
                        def.nullable = notnull == 0 && !rowid;
                        def.auto_increment = rowid;
                        def
                    })
                    .collect()
            }
            Db::Postgres(c) => {
                let rows: Vec<PgColumnRow> =
                    sqlx::query_as(
                        "SELECT column_name::text, udt_name::text, is_nullable::text, \
                         numeric_precision::int4, numeric_scale::int4, \
                         COALESCE(column_default::text, ''), COALESCE(is_identity::text, 'NO') \
                         FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 \
                         ORDER BY ordinal_position",
                    )
                    .bind(table.schema.as_deref().unwrap_or("public"))
                    .bind(&table.table)
                    .fetch_all(&mut *c)
                    .await
                    .map_err(|e| db_error(&what(), e))?;
                rows.into_iter()
                    .map(
                        |(name, udt, nullable, precision, scale, default, identity)| {
                            let mut def = classify(&name, &udt);
                            def.nullable = nullable == "YES";
                            if def.sql_type == SqlType::Numeric {
                                def.precision = precision.unwrap_or(0);
                                def.scale = scale;
                            }
                            def.auto_increment =
                                default.starts_with("nextval(") || identity == "YES";
                            def
                        },
                    )
                    .collect()
            }
            Db::MySql(c) => {
                let rows: Vec<(String, String, String, i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT CAST(column_name AS CHAR), CAST(column_type AS CHAR), \
                     CAST(is_nullable AS CHAR), CAST(COALESCE(numeric_precision, 0) AS SIGNED), \
                     CAST(numeric_scale AS SIGNED), CAST(extra AS CHAR) \
                     FROM information_schema.columns WHERE table_schema = ? AND table_name = ? \
                     ORDER BY ordinal_position",
                )
                .bind(table.catalog.as_deref().unwrap_or(""))
                .bind(&table.table)
                .fetch_all(&mut *c)
                .await
                .map_err(|e| db_error(&what(), e))?;
                rows.into_iter()
                    .map(|(name, column_type, nullable, _precision, _scale, extra)| {
                        let mut def = classify_mysql(&name, &column_type);
                        def.nullable = nullable == "YES";
                        def.auto_increment = extra.to_ascii_lowercase().contains("auto_increment");
                        def
                    })
                    .collect()
            }
        };
        Ok(columns)
    }

    /// The columns of a custom query, from the driver's description of it.
    pub async fn query_columns(&mut self, sql: &str) -> Result<Vec<ColumnDef>> {
        let backend = self.backend();
        macro_rules! describe {
            ($c:expr) => {{
                let described = (&mut *$c)
                    .describe(sql)
                    .await
                    .map_err(|e| db_error("cannot describe the query", e))?;
                described
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, col)| {
                        let mut def = match backend {
                            Backend::MySql => classify_mysql(col.name(), col.type_info().name()),
                            _ => classify(col.name(), col.type_info().name()),
                        };
                        def.nullable = described.nullable(i).unwrap_or(true);
                        def
                    })
                    .collect::<Vec<_>>()
            }};
        }
        Ok(match self {
            Db::Postgres(c) => describe!(c),
            Db::MySql(c) => describe!(c),
            Db::Sqlite(c) => describe!(c),
        })
    }

    /// `SELECT MAX(column) FROM table`, as an integer.
    pub async fn max_of(
        &mut self,
        dialect: &Dialect,
        from: &str,
        column: &str,
    ) -> Result<Option<i64>> {
        let sql = format!("SELECT MAX({}) FROM {from}", dialect.ident(column));
        let what = "cannot read the largest incrementing value";
        Ok(match self {
            Db::Postgres(c) => {
                let sql = format!(
                    "SELECT CAST(MAX({}) AS BIGINT) FROM {from}",
                    dialect.ident(column)
                );
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut *c)
                    .await
                    .map_err(|e| db_error(what, e))?
            }
            Db::MySql(c) => {
                let sql = format!(
                    "SELECT CAST(MAX({}) AS SIGNED) FROM {from}",
                    dialect.ident(column)
                );
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut *c)
                    .await
                    .map_err(|e| db_error(what, e))?
            }
            Db::Sqlite(c) => sqlx::query_scalar(&sql)
                .fetch_one(&mut *c)
                .await
                .map_err(|e| db_error(what, e))?,
        })
    }

    /// The database's current time, ns since the epoch (Confluent's `currentTimeOnDB`).
    pub async fn now_nanos(&mut self) -> Result<i128> {
        let what = "cannot read the database time";
        let (value, unit): (i64, i128) = match self {
            Db::Postgres(c) => (
                sqlx::query_scalar(
                    "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
                )
                .fetch_one(&mut *c)
                .await
                .map_err(|e| db_error(what, e))?,
                1000,
            ),
            Db::MySql(c) => (
                sqlx::query_scalar("SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)")
                    .fetch_one(&mut *c)
                    .await
                    .map_err(|e| db_error(what, e))?,
                1000,
            ),
            Db::Sqlite(c) => (
                sqlx::query_scalar(
                    "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
                )
                .fetch_one(&mut *c)
                .await
                .map_err(|e| db_error(what, e))?,
                1_000_000,
            ),
        };
        Ok(i128::from(value) * unit)
    }

    /// Runs `sql` with `params` and converts every row per `layout`, returning the rows and
    /// the driver's type names of the result's columns (`None` without rows); `None` when
    /// the result's column names are not those `layout` was built from, or its types not
    /// `known_types` (the table was altered), so the caller describes it again.
    ///
    /// The statement is not kept prepared (`persistent(false)`): a cached `SELECT *` plan
    /// fails after `ALTER TABLE` on PostgreSQL ("cached plan must not change result type")
    /// and keeps the old column list on SQLite.
    pub async fn fetch(
        &mut self,
        dialect: &Dialect,
        sql: &str,
        params: &[Param],
        layout: &RowLayout,
        known_types: Option<&[String]>,
    ) -> Result<Option<(Vec<FetchedRow>, Option<Vec<String>>)>> {
        macro_rules! run {
            ($c:expr, $decode:ident) => {{
                let mut query = sqlx::query(sql).persistent(false);
                for param in params {
                    query = match param {
                        Param::Int(v) => query.bind(*v),
                        Param::Timestamp(ns) => query.bind(dialect.timestamp_text(*ns)),
                    };
                }
                let rows = query
                    .fetch_all(&mut *$c)
                    .await
                    .map_err(|e| db_error("query failed", e))?;
                let mut types = None;
                if let Some(first) = rows.first() {
                    let names = first.columns().iter().map(|c| c.name());
                    if !names.eq(layout.source_columns.iter().map(String::as_str)) {
                        return Ok(None);
                    }
                    types = Some(
                        first
                            .columns()
                            .iter()
                            .map(|c| c.type_info().name().to_owned())
                            .collect::<Vec<_>>(),
                    );
                    if known_types.is_some_and(|known| Some(known) != types.as_deref()) {
                        return Ok(None);
                    }
                }
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut values = Vec::with_capacity(layout.columns.len());
                    let mut nanos = Vec::with_capacity(layout.columns.len());
                    for column in &layout.columns {
                        let (value, ns) = $decode(row, column.index, column.kind, &column.def)
                            .map_err(|e| {
                                ConnectError::data(format!(
                                    "cannot convert column '{}' ({}): {e}",
                                    column.def.name, column.def.type_name
                                ))
                            })?;
                        values.push(value);
                        nanos.push(ns);
                    }
                    out.push(FetchedRow { values, nanos });
                }
                (out, types)
            }};
        }
        Ok(Some(match self {
            Db::Postgres(c) => run!(c, decode_pg),
            Db::MySql(c) => run!(c, decode_mysql),
            Db::Sqlite(c) => {
                // A statement prepared against a stale schema (another connection altered
                // the table) is re-prepared by SQLite when stepped, with more columns than
                // sqlx read when preparing it, which sqlx-sqlite 0.8 does not survive. A
                // read of the schema table first makes the connection load the new schema.
                sqlx::query("SELECT count(*) FROM sqlite_master")
                    .execute(&mut *c)
                    .await
                    .map_err(|e| db_error("cannot read the schema", e))?;
                run!(c, decode_sqlite)
            }
        }))
    }

    /// Runs a statement (tests and setup).
    pub async fn execute(&mut self, sql: &str) -> Result<()> {
        let result = match self {
            Db::Postgres(c) => c.execute(sql).await.map(|_| ()),
            Db::MySql(c) => c.execute(sql).await.map(|_| ()),
            Db::Sqlite(c) => c.execute(sql).await.map(|_| ()),
        };
        result.map_err(|e| db_error("statement failed", e))
    }
}

/// Classifies a type name (catalog name or driver type name) the way the JDBC drivers
/// report it, parsing `(precision, scale)` and `unsigned`.
pub fn classify(name: &str, type_name: &str) -> ColumnDef {
    let upper = type_name.trim().to_ascii_uppercase();
    let (base, args) = match upper.split_once('(') {
        Some((b, rest)) => (b.trim().to_owned(), rest.split(')').next().unwrap_or("")),
        None => (upper.clone(), ""),
    };
    let mut nums = args.split(',').map(|a| a.trim().parse::<i32>().ok());
    let precision = nums.next().flatten();
    let scale = nums.next().flatten();
    let signed = !upper.contains("UNSIGNED");
    let base = base.trim_end_matches(" UNSIGNED").trim();
    use SqlType::*;
    let sql_type = match base {
        "BOOL" | "BOOLEAN" => Boolean,
        "BIT" if precision.unwrap_or(1) == 1 => Bit,
        "BIT" | "VARBIT" => Bytes,
        // MySQL Connector/J reports TINYINT(1) as BIT (tinyInt1isBit=true).
        "TINYINT" if precision == Some(1) => Bit,
        "TINYINT" => TinyInt,
        "SMALLINT" | "INT2" | "SMALLSERIAL" => SmallInt,
        "MEDIUMINT" | "INT" | "INTEGER" | "INT4" | "SERIAL" => Integer,
        "BIGINT" | "INT8" | "BIGSERIAL" | "UNSIGNED BIG INT" => BigInt,
        "REAL" | "FLOAT4" => Real,
        "FLOAT" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" => Double,
        "NUMERIC" => Numeric,
        "DECIMAL" | "DEC" => Decimal,
        // Connector/J reports YEAR as DATE (yearIsDateType=true).
        "DATE" | "YEAR" => Date,
        "TIME" | "TIME WITHOUT TIME ZONE" => Time,
        "DATETIME" | "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => {
            // MySQL TIMESTAMP columns are stored in UTC and converted: still a Timestamp.
            Timestamp
        }
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => TimestampTz,
        "BYTEA" | "BLOB" | "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BINARY" | "VARBINARY" => Bytes,
        "CHAR" | "VARCHAR" | "BPCHAR" | "TEXT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT"
        | "NAME" | "CITEXT" | "CLOB" | "NCHAR" | "NVARCHAR" | "CHARACTER" | "VARYING CHARACTER"
        | "CHARACTER VARYING" | "NATIVE CHARACTER" | "JSON" | "JSONB" | "UUID" | "XML" | "ENUM"
        | "SET" => String,
        other if other.contains("CHAR") || other.contains("TEXT") || other.contains("CLOB") => {
            String
        }
        other if other.contains("BLOB") => Bytes,
        // SQLite's affinity rule: a declared type containing INT is an integer.
        other if other.contains("INT") => Integer,
        _ => Unsupported,
    };
    ColumnDef {
        name: name.to_owned(),
        type_name: type_name.to_owned(),
        sql_type,
        precision: precision.unwrap_or(0),
        scale: if matches!(sql_type, Numeric | Decimal) {
            if precision.is_some() {
                Some(scale.unwrap_or(0))
            } else {
                None
            }
        } else {
            Some(0)
        },
        nullable: true,
        signed,
        auto_increment: false,
    }
}

/// [`classify`] for MySQL/MariaDB, where Connector/J reports `FLOAT` as `REAL` (float32);
/// `FLOAT(p)` with p > 24 is a `DOUBLE` column already.
pub fn classify_mysql(name: &str, type_name: &str) -> ColumnDef {
    let mut def = classify(name, type_name);
    if type_name.trim().to_ascii_uppercase().starts_with("FLOAT") {
        def.sql_type = SqlType::Real;
    }
    def
}

/// `information_schema.columns` of PostgreSQL: name, udt, nullable, precision, scale,
/// default, identity.
type PgColumnRow = (
    String,
    String,
    String,
    Option<i32>,
    Option<i32>,
    String,
    String,
);

type Decoded = std::result::Result<(Value, Option<i128>), String>;

fn narrow<T: TryFrom<i64>>(v: i64, kind: Kind) -> std::result::Result<T, String> {
    T::try_from(v).map_err(|_| format!("{v} does not fit {kind:?}"))
}

fn int_value(v: i64, kind: Kind) -> std::result::Result<Value, String> {
    Ok(match kind {
        Kind::Boolean => Value::Boolean(v != 0),
        Kind::Int8 => Value::Int8(narrow(v, kind)?),
        Kind::Int16 => Value::Int16(narrow(v, kind)?),
        Kind::Int32 => Value::Int32(narrow(v, kind)?),
        Kind::Float32 => Value::Float32(v as f32),
        Kind::Float64 => Value::Float64(v as f64),
        Kind::Decimal(scale) => Value::Decimal(
            wire::parse_decimal(&v.to_string(), scale).ok_or("decimal out of range")?,
        ),
        _ => Value::Int64(v),
    })
}

fn float_value(v: f64, kind: Kind) -> std::result::Result<Value, String> {
    Ok(match kind {
        Kind::Float32 => Value::Float32(v as f32),
        Kind::Decimal(scale) => Value::Decimal(
            wire::parse_decimal(&v.to_string(), scale).ok_or("decimal out of range")?,
        ),
        Kind::Float64 => Value::Float64(v),
        other => return int_value(v as i64, other),
    })
}

fn timestamp_value(nanos: i128, kind: Kind) -> Decoded {
    let millis = i64::try_from(nanos.div_euclid(1_000_000)).map_err(|e| e.to_string())?;
    Ok(match kind {
        Kind::Date => (
            Value::Date(i32::try_from(millis.div_euclid(86_400_000)).map_err(|e| e.to_string())?),
            None,
        ),
        Kind::Time => (
            Value::Time(i32::try_from(millis.rem_euclid(86_400_000)).map_err(|e| e.to_string())?),
            None,
        ),
        _ => (Value::Timestamp(millis), Some(nanos)),
    })
}

fn text_value(text: &str, kind: Kind) -> Decoded {
    let bad = || format!("'{text}' is not a valid {kind:?}");
    let value = match kind {
        Kind::String => Value::String(text.to_owned()),
        Kind::Bytes => Value::Bytes(text.as_bytes().to_vec()),
        Kind::Decimal(scale) => Value::Decimal(wire::parse_decimal(text, scale).ok_or_else(bad)?),
        Kind::Date | Kind::Timestamp => {
            return timestamp_value(wire::parse_timestamp_nanos(text).ok_or_else(bad)?, kind)
        }
        Kind::Time => {
            let ns = wire::parse_time_nanos(text).ok_or_else(bad)?;
            Value::Time(i32::try_from(ns / 1_000_000).map_err(|e| e.to_string())?)
        }
        Kind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" => Value::Boolean(true),
            "false" | "f" | "0" | "no" => Value::Boolean(false),
            _ => return Err(bad()),
        },
        Kind::Float32 | Kind::Float64 => {
            return float_value(text.trim().parse().map_err(|_| bad())?, kind).map(|v| (v, None))
        }
        _ => return int_value(text.trim().parse().map_err(|_| bad())?, kind).map(|v| (v, None)),
    };
    Ok((value, None))
}

fn decode_sqlite(row: &sqlx::sqlite::SqliteRow, i: usize, kind: Kind, _def: &ColumnDef) -> Decoded {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok((Value::Null, None));
    }
    // The storage class of this value (SQLite is dynamically typed).
    let storage = raw.type_info().name().to_owned();
    let err = |e: sqlx::Error| e.to_string();
    match storage.as_str() {
        "INTEGER" => {
            let v: i64 = row.try_get_unchecked(i).map_err(err)?;
            match kind {
                // Integers in time columns are ms since the epoch (the xerial driver's default).
                Kind::Date | Kind::Time | Kind::Timestamp => {
                    timestamp_value(i128::from(v) * 1_000_000, kind)
                }
                Kind::String => Ok((Value::String(v.to_string()), None)),
                _ => int_value(v, kind).map(|v| (v, None)),
            }
        }
        "REAL" => {
            let v: f64 = row.try_get_unchecked(i).map_err(err)?;
            match kind {
                Kind::String => Ok((Value::String(v.to_string()), None)),
                _ => float_value(v, kind).map(|v| (v, None)),
            }
        }
        "BLOB" => {
            let v: Vec<u8> = row.try_get_unchecked(i).map_err(err)?;
            match kind {
                Kind::Bytes => Ok((Value::Bytes(v), None)),
                _ => text_value(&String::from_utf8_lossy(&v), kind),
            }
        }
        _ => {
            let v: String = row.try_get_unchecked(i).map_err(err)?;
            text_value(&v, kind)
        }
    }
}

fn decode_pg(row: &sqlx::postgres::PgRow, i: usize, kind: Kind, def: &ColumnDef) -> Decoded {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok((Value::Null, None));
    }
    let type_name = raw.type_info().name().to_ascii_uppercase();
    let bytes = raw.as_bytes().map_err(|e| e.to_string())?;
    let be = |n: usize| -> std::result::Result<i64, String> {
        let b = bytes.get(..n).ok_or("short value")?;
        Ok(match n {
            1 => i64::from(b[0] as i8),
            2 => i64::from(i16::from_be_bytes([b[0], b[1]])),
            4 => i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            _ => i64::from_be_bytes(b.try_into().map_err(|_| "short value")?),
        })
    };
    let short = || format!("unexpected {type_name} value");
    match type_name.as_str() {
        "BOOL" => Ok((Value::Boolean(bytes.first() == Some(&1)), None)),
        "INT2" => int_value(be(2)?, kind).map(|v| (v, None)),
        "INT4" => int_value(be(4)?, kind).map(|v| (v, None)),
        "INT8" => int_value(be(8)?, kind).map(|v| (v, None)),
        "FLOAT4" => {
            let v = f32::from_bits(u32::try_from(be(4)? & 0xFFFF_FFFF).map_err(|e| e.to_string())?);
            float_value(f64::from(v), kind).map(|v| (v, None))
        }
        "FLOAT8" => float_value(f64::from_bits(be(8)? as u64), kind).map(|v| (v, None)),
        "NUMERIC" => {
            let scale = match kind {
                Kind::Decimal(s) => s,
                _ => def.scale.unwrap_or(0),
            };
            let d = wire::pg_numeric(bytes, scale).ok_or_else(|| {
                match wire::pg_numeric(bytes, wire::pg_numeric_scale(bytes).unwrap_or(0)) {
                    Some(exact) => format!(
                        "{exact} does not fit a Decimal of scale {scale} in 38 digits{}",
                        if def.scale.is_none() {
                            " (a NUMERIC column without precision and scale maps to \
                             Confluent's scale 127: declare NUMERIC(p,s), or cast in a query)"
                        } else {
                            ""
                        }
                    ),
                    None => short(),
                }
            })?;
            match kind {
                Kind::Decimal(_) => Ok((Value::Decimal(d), None)),
                _ => text_value(&d.to_string(), kind),
            }
        }
        "DATE" => {
            let days = wire::pg_date(bytes).ok_or_else(short)?;
            timestamp_value(i128::from(days) * 86_400_000_000_000, kind)
        }
        "TIME" => {
            let ns = wire::pg_time_nanos(bytes).ok_or_else(short)?;
            Ok((
                Value::Time(i32::try_from(ns / 1_000_000).map_err(|e| e.to_string())?),
                None,
            ))
        }
        "TIMESTAMP" | "TIMESTAMPTZ" => {
            timestamp_value(wire::pg_timestamp_nanos(bytes).ok_or_else(short)?, kind)
        }
        "BYTEA" => Ok((Value::Bytes(bytes.to_vec()), None)),
        "UUID" => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let s = format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            );
            Ok((Value::String(s), None))
        }
        // jsonb's binary form is a version byte followed by the JSON text.
        "JSONB" => text_value(
            &String::from_utf8_lossy(bytes.get(1..).unwrap_or(&[])),
            kind,
        ),
        "BIT" | "VARBIT" => Ok((
            Value::Int8(bytes.last().map_or(0, |b| (*b >> 7) as i8)),
            None,
        )),
        _ => text_value(&String::from_utf8_lossy(bytes), kind),
    }
}

fn decode_mysql(row: &sqlx::mysql::MySqlRow, i: usize, kind: Kind, def: &ColumnDef) -> Decoded {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok((Value::Null, None));
    }
    let type_name = raw.type_info().name().to_ascii_uppercase();
    let err = |e: sqlx::Error| e.to_string();
    let base = type_name.trim_end_matches(" UNSIGNED");
    match base {
        "YEAR" if kind == Kind::Date => {
            // January 1st of the year, as Connector/J's yearIsDateType.
            let year: i64 = row.try_get_unchecked::<u16, _>(i).map_err(err)?.into();
            let text = format!("{year:04}-01-01");
            text_value(&text, kind)
        }
        "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
            let v: i64 = if def.signed || !type_name.ends_with("UNSIGNED") {
                row.try_get_unchecked(i).map_err(err)?
            } else {
                let u: u64 = row.try_get_unchecked(i).map_err(err)?;
                i64::try_from(u).map_err(|e| e.to_string())?
            };
            int_value(v, kind).map(|v| (v, None))
        }
        "BOOLEAN" => {
            let v: bool = row.try_get_unchecked(i).map_err(err)?;
            Ok((int_value(i64::from(v), kind)?, None))
        }
        "FLOAT" => {
            let v: f32 = row.try_get_unchecked(i).map_err(err)?;
            float_value(f64::from(v), kind).map(|v| (v, None))
        }
        "DOUBLE" => {
            let v: f64 = row.try_get_unchecked(i).map_err(err)?;
            float_value(v, kind).map(|v| (v, None))
        }
        "DATE" | "DATETIME" | "TIMESTAMP" => {
            let buf: Vec<u8> = row.try_get_unchecked(i).map_err(err)?;
            match wire::mysql_datetime_nanos(&buf) {
                Some(ns) => timestamp_value(ns, kind),
                // The zero date: Connector/J's zeroDateTimeBehavior would fail; NULL is kinder.
                None => Ok((Value::Null, None)),
            }
        }
        "TIME" => {
            let buf: Vec<u8> = row.try_get_unchecked(i).map_err(err)?;
            let ns = wire::mysql_time_nanos(&buf).ok_or("bad TIME value")?;
            Ok((
                Value::Time(i32::try_from(ns / 1_000_000).map_err(|e| e.to_string())?),
                None,
            ))
        }
        "BIT" => {
            let buf: Vec<u8> = row.try_get_unchecked(i).map_err(err)?;
            match kind {
                Kind::Bytes => Ok((Value::Bytes(buf), None)),
                _ => {
                    int_value(i64::from(buf.last().copied().unwrap_or(0)), kind).map(|v| (v, None))
                }
            }
        }
        _ => match kind {
            Kind::Bytes => {
                let v: Vec<u8> = row.try_get_unchecked(i).map_err(err)?;
                Ok((Value::Bytes(v), None))
            }
            _ => {
                let v: String = row.try_get_unchecked(i).map_err(err)?;
                text_value(&v, kind)
            }
        },
    }
}

/// The integer of an incrementing column's value (Confluent's `extractOffsetIncrementedId`:
/// integral types, or a Decimal of scale 0 within a long).
pub fn incrementing_value(value: &Value) -> Result<i64> {
    match value {
        Value::Int8(v) => Ok(i64::from(*v)),
        Value::Int16(v) => Ok(i64::from(*v)),
        Value::Int32(v) => Ok(i64::from(*v)),
        Value::Int64(v) => Ok(*v),
        Value::Decimal(d) if d.scale() != 0 => Err(ConnectError::connector(
            "Scale of Decimal value for incrementing column must be 0",
        )),
        Value::Decimal(d) => i64::try_from(d.unscaled()).map_err(|_| {
            ConnectError::connector("Decimal value for incrementing column exceeded Long.MAX_VALUE")
        }),
        Value::Null => Err(ConnectError::connector(
            "Null value for incrementing column",
        )),
        other => Err(ConnectError::connector(format!(
            "Invalid type for incrementing column: {}",
            other.kind_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::Decimal;

    #[test]
    fn quoting_per_backend() {
        let pg = Dialect {
            backend: Backend::Postgres,
            quote: true,
        };
        let my = Dialect {
            backend: Backend::MySql,
            quote: true,
        };
        let lite = Dialect {
            backend: Backend::Sqlite,
            quote: false,
        };
        let t = TableId::new(None, Some("public"), "or\"ders");
        assert_eq!(pg.table(&t), "\"public\".\"or\"\"ders\"");
        assert_eq!(t.fqn(), "public.or\"ders");
        let t = TableId::new(Some("shop"), None, "orders");
        assert_eq!(my.table(&t), "`shop`.`orders`");
        assert_eq!(t.fqn(), "shop.orders");
        assert_eq!(lite.table(&TableId::new(None, None, "o")), "o");
        assert_eq!(pg.placeholder(2), "$2");
        assert_eq!(my.placeholder(2), "?");
    }

    #[test]
    fn table_ids_round_trip_through_json() {
        let t = TableId::new(Some("db"), None, "t");
        assert_eq!(TableId::from_json(&t.to_json()), Some(t));
    }

    #[test]
    fn type_names_classify_like_the_jdbc_drivers() {
        let c = |t: &str| classify("c", t);
        assert_eq!(c("INTEGER").sql_type, SqlType::Integer);
        assert_eq!(c("int unsigned").sql_type, SqlType::Integer);
        assert!(!c("int unsigned").signed);
        assert_eq!(c("tinyint(1)").sql_type, SqlType::Bit);
        assert_eq!(c("int8").sql_type, SqlType::BigInt);
        assert_eq!(c("NUMERIC(10,2)").scale, Some(2));
        assert_eq!(c("NUMERIC(10,2)").precision, 10);
        assert_eq!(c("numeric").scale, None);
        assert_eq!(c("decimal(5)").scale, Some(0));
        assert_eq!(c("VARCHAR(20)").sql_type, SqlType::String);
        assert_eq!(c("timestamptz").sql_type, SqlType::TimestampTz);
        assert_eq!(c("DATETIME").sql_type, SqlType::Timestamp);
        assert_eq!(c("jsonb").sql_type, SqlType::String);
        assert_eq!(c("geometry").sql_type, SqlType::Unsupported);
        assert_eq!(c("year").sql_type, SqlType::Date);
        assert_eq!(c("float").sql_type, SqlType::Double);
        assert_eq!(classify_mysql("c", "float").sql_type, SqlType::Real);
        assert_eq!(
            classify_mysql("c", "float unsigned").sql_type,
            SqlType::Real
        );
        assert_eq!(classify_mysql("c", "double").sql_type, SqlType::Double);
        assert_eq!(c("mediumint unsigned").sql_type, SqlType::Integer);
        assert_eq!(c("bit(1)").sql_type, SqlType::Bit);
    }

    #[test]
    fn timestamp_binding_per_backend() {
        let ns = wire::parse_timestamp_nanos("2024-01-02 03:04:05.123456789").unwrap_or_default();
        let d = |backend| {
            Dialect {
                backend,
                quote: true,
            }
            .timestamp_text(ns)
        };
        assert_eq!(d(Backend::Sqlite), "2024-01-02 03:04:05.123");
        assert_eq!(d(Backend::MySql), "2024-01-02 03:04:05.123456");
        assert_eq!(d(Backend::Postgres), "2024-01-02 03:04:05.123456+00");
    }

    #[test]
    fn incrementing_values() {
        assert_eq!(incrementing_value(&Value::Int32(5)).ok(), Some(5));
        assert_eq!(
            incrementing_value(&Value::Decimal(Decimal::new(7, 0))).ok(),
            Some(7)
        );
        assert!(incrementing_value(&Value::Decimal(Decimal::new(7, 1))).is_err());
        assert!(incrementing_value(&Value::Null).is_err());
    }
}
