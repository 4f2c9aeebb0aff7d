//! Configuration of the JDBC source: Confluent's keys (`JdbcSourceConnectorConfig.java`)
//! with their defaults, the typed [`JdbcSourceConfig`], and `connection.url` parsing.

use std::time::Duration;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::connector::ConfigMap;
use connect_api::{ConnectError, Result};

use super::mapping::NumericMapping;

/// `connection.url`: JDBC (`jdbc:postgresql://…`, `jdbc:mysql://…`, `jdbc:mariadb://…`,
/// `jdbc:sqlite:…`) or native (`postgres://…`, `mysql://…`, `sqlite:…`) URL.
pub const CONNECTION_URL_CONFIG: &str = "connection.url";
/// `connection.user`.
pub const CONNECTION_USER_CONFIG: &str = "connection.user";
/// `connection.password` (type PASSWORD: shown as `[hidden]`).
pub const CONNECTION_PASSWORD_CONFIG: &str = "connection.password";
/// `connection.attempts` (default 3).
pub const CONNECTION_ATTEMPTS_CONFIG: &str = "connection.attempts";
/// `connection.backoff.ms` (default 10000).
pub const CONNECTION_BACKOFF_CONFIG: &str = "connection.backoff.ms";
/// `mode`.
pub const MODE_CONFIG: &str = "mode";
/// `incrementing.column.name`.
pub const INCREMENTING_COLUMN_NAME_CONFIG: &str = "incrementing.column.name";
/// `timestamp.column.name`.
pub const TIMESTAMP_COLUMN_NAME_CONFIG: &str = "timestamp.column.name";
/// `timestamp.initial`.
pub const TIMESTAMP_INITIAL_CONFIG: &str = "timestamp.initial";
/// `timestamp.delay.interval.ms`.
pub const TIMESTAMP_DELAY_INTERVAL_MS_CONFIG: &str = "timestamp.delay.interval.ms";
/// `incrementing.delay.interval.ms` (sluice's, see [`super::querier`]).
pub const INCREMENTING_DELAY_INTERVAL_MS_CONFIG: &str = "incrementing.delay.interval.ms";
/// `validate.non.null`.
pub const VALIDATE_NON_NULL_CONFIG: &str = "validate.non.null";
/// `table.whitelist` (legacy).
pub const TABLE_WHITELIST_CONFIG: &str = "table.whitelist";
/// `table.blacklist` (legacy).
pub const TABLE_BLACKLIST_CONFIG: &str = "table.blacklist";
/// `table.include.list`.
pub const TABLE_INCLUDE_LIST_CONFIG: &str = "table.include.list";
/// `table.exclude.list`.
pub const TABLE_EXCLUDE_LIST_CONFIG: &str = "table.exclude.list";
/// `schema.pattern`.
pub const SCHEMA_PATTERN_CONFIG: &str = "schema.pattern";
/// `catalog.pattern`.
pub const CATALOG_PATTERN_CONFIG: &str = "catalog.pattern";
/// `table.types`.
pub const TABLE_TYPE_CONFIG: &str = "table.types";
/// `query`.
pub const QUERY_CONFIG: &str = "query";
/// `query.suffix`.
pub const QUERY_SUFFIX_CONFIG: &str = "query.suffix";
/// `topic.prefix`.
pub const TOPIC_PREFIX_CONFIG: &str = "topic.prefix";
/// `poll.interval.ms`.
pub const POLL_INTERVAL_MS_CONFIG: &str = "poll.interval.ms";
/// `batch.max.rows`.
pub const BATCH_MAX_ROWS_CONFIG: &str = "batch.max.rows";
/// `table.poll.interval.ms`.
pub const TABLE_POLL_INTERVAL_MS_CONFIG: &str = "table.poll.interval.ms";
/// `numeric.mapping`.
pub const NUMERIC_MAPPING_CONFIG: &str = "numeric.mapping";
/// `numeric.precision.mapping` (deprecated: true = precision_only).
pub const NUMERIC_PRECISION_MAPPING_CONFIG: &str = "numeric.precision.mapping";
/// `dialect.name`.
pub const DIALECT_NAME_CONFIG: &str = "dialect.name";
/// `quote.sql.identifiers`.
pub const QUOTE_SQL_IDENTIFIERS_CONFIG: &str = "quote.sql.identifiers";
/// `db.timezone`.
pub const DB_TIMEZONE_CONFIG: &str = "db.timezone";
/// `query.retry.attempts`.
pub const QUERY_RETRY_ATTEMPTS_CONFIG: &str = "query.retry.attempts";
/// Task-only key: the tables of one task (JSON array of `[catalog, schema, table]`).
pub const TABLES_CONFIG: &str = "tables";

const MODES: [&str; 5] = [
    "",
    "bulk",
    "timestamp",
    "incrementing",
    "timestamp+incrementing",
];

const DATABASE_GROUP: &str = "Database";
const MODE_GROUP: &str = "Mode";
const CONNECTOR_GROUP: &str = "Connector";

fn key(name: &str, ty: ConfigType, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, importance, doc)
}

/// The configuration definition (Confluent's `JdbcSourceConnectorConfig.CONFIG_DEF`, with
/// the keys sluice implements plus `incrementing.delay.interval.ms`).
pub fn config_def() -> ConfigDef {
    use ConfigType::*;
    use Importance::*;
    ConfigDef::new()
        .define(
            key(CONNECTION_URL_CONFIG, String, High,
                "JDBC connection URL. For example: jdbc:postgresql://localhost:5432/db, \
                 jdbc:mysql://localhost/db, jdbc:mariadb://localhost/db or jdbc:sqlite:/path/to.db \
                 (native postgres://, mysql:// and sqlite: URLs work too).")
            .group(DATABASE_GROUP, 1),
        )
        .define(key(CONNECTION_USER_CONFIG, String, High, "JDBC connection user.").default_null().group(DATABASE_GROUP, 2))
        .define(key(CONNECTION_PASSWORD_CONFIG, Password, High, "JDBC connection password.").default_null().group(DATABASE_GROUP, 3))
        .define(
            key(CONNECTION_ATTEMPTS_CONFIG, Int, Low, "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.")
                .default_value("3").validator(Validator::at_least(1)).group(DATABASE_GROUP, 4),
        )
        .define(key(CONNECTION_BACKOFF_CONFIG, Long, Low, "Backoff time in milliseconds between connection attempts.").default_value("10000").group(DATABASE_GROUP, 5))
        .define(key(TABLE_WHITELIST_CONFIG, List, Medium, "List of tables to include in copying. If specified, table.blacklist may not be set. Use a comma-separated list to specify multiple tables.").default_value("").group(DATABASE_GROUP, 6))
        .define(key(TABLE_BLACKLIST_CONFIG, List, Medium, "List of tables to exclude from copying. If specified, table.whitelist may not be set.").default_value("").group(DATABASE_GROUP, 7))
        .define(key(TABLE_INCLUDE_LIST_CONFIG, List, Medium, "List of regular expressions matching fully-qualified table names to include in copying.").default_value("").group(DATABASE_GROUP, 8))
        .define(key(TABLE_EXCLUDE_LIST_CONFIG, List, Medium, "List of regular expressions matching fully-qualified table names to exclude from copying.").default_value("").group(DATABASE_GROUP, 9))
        .define(key(CATALOG_PATTERN_CONFIG, String, Medium, "Catalog pattern to fetch table metadata from the database.").default_null().group(DATABASE_GROUP, 10))
        .define(key(SCHEMA_PATTERN_CONFIG, String, Medium, "Schema pattern to fetch table metadata from the database.").default_null().group(DATABASE_GROUP, 11))
        .define(key(NUMERIC_PRECISION_MAPPING_CONFIG, Boolean, Low, "Whether or not to attempt mapping NUMERIC values by precision to integral types. Deprecated: use numeric.mapping.").default_value("false").group(DATABASE_GROUP, 12))
        .define(
            key(NUMERIC_MAPPING_CONFIG, String, Low, "Map NUMERIC values by precision and optionally scale to integral or decimal types: none, precision_only, best_fit or best_fit_eager_double.")
                .default_null()
                .validator(Validator::custom(|_, v| match v {
                    Some(connect_api::config::ParsedValue::String(s)) if NumericMapping::parse(s).is_none() => {
                        Err("Invalid enumerator".to_owned())
                    }
                    _ => Ok(()),
                }))
                .group(DATABASE_GROUP, 13),
        )
        .define(key(DIALECT_NAME_CONFIG, String, Low, "The dialect to use: PostgreSqlDatabaseDialect, MySqlDatabaseDialect or SqliteDatabaseDialect; empty picks it from the URL.").default_value("").group(DATABASE_GROUP, 14))
        .define(
            key(MODE_CONFIG, String, High, "The mode for updating a table each time it is polled: bulk, incrementing, timestamp or timestamp+incrementing.")
                .default_value("")
                .validator(Validator::one_of(MODES))
                .group(MODE_GROUP, 1),
        )
        .define(key(INCREMENTING_COLUMN_NAME_CONFIG, String, Medium, "The name of the strictly incrementing column to use to detect new rows. Empty auto-detects an auto-incrementing column. The column may not be nullable.").default_value("").group(MODE_GROUP, 2))
        .define(key(TIMESTAMP_COLUMN_NAME_CONFIG, List, Medium, "Comma-separated list of one or more timestamp columns to detect new or modified rows using the COALESCE SQL function. The columns may not be nullable unless validate.non.null is false.").default_value("").group(MODE_GROUP, 3))
        .define(key(TIMESTAMP_INITIAL_CONFIG, Long, Low, "The epoch timestamp (ms) used for initial queries in timestamp modes; -1 uses the current time. Unset reads all data.").default_null().group(MODE_GROUP, 4))
        .define(key(VALIDATE_NON_NULL_CONFIG, Boolean, Low, "Whether to check that the incrementing and timestamp columns are NOT NULL.").default_value("true").group(MODE_GROUP, 5))
        .define(key(QUERY_CONFIG, String, Medium, "If specified, the query to perform to select new or updated rows (one task, topic = topic.prefix).").default_value("").group(MODE_GROUP, 6))
        .define(key(QUOTE_SQL_IDENTIFIERS_CONFIG, String, Medium, "When to quote table names, column names, and other identifiers in SQL statements: always or never.").default_value("always").validator(Validator::one_of(["always", "never"])).group(MODE_GROUP, 7))
        .define(key(QUERY_SUFFIX_CONFIG, String, Low, "Suffix to append at the end of the generated query.").default_value("").group(MODE_GROUP, 8))
        .define(
            key(INCREMENTING_DELAY_INTERVAL_MS_CONFIG, Long, Medium,
                "sluice: in incrementing and timestamp+incrementing modes, only emit rows whose incrementing value is at most the largest value the task saw at least this many milliseconds ago, so rows of transactions that committed out of id order within this interval are not skipped. 0 (the default) behaves like Confluent's connector.")
                .default_value("0").validator(Validator::at_least(0)).group(MODE_GROUP, 9),
        )
        .define(key(TABLE_TYPE_CONFIG, List, Low, "By default, the JDBC connector will only detect tables with type TABLE from the source database (VIEW is also supported).").default_value("TABLE").group(CONNECTOR_GROUP, 0))
        .define(key(POLL_INTERVAL_MS_CONFIG, Int, High, "Frequency in ms to poll for new data in each table.").default_value("5000").validator(Validator::at_least(0)).group(CONNECTOR_GROUP, 1))
        .define(key(BATCH_MAX_ROWS_CONFIG, Int, Low, "Maximum number of rows to include in a single batch when polling for new data.").default_value("100").validator(Validator::at_least(1)).group(CONNECTOR_GROUP, 2))
        .define(key(TABLE_POLL_INTERVAL_MS_CONFIG, Long, Low, "Frequency in ms to poll for new or removed tables, which may result in updated task configurations to start polling for data in added tables or stop polling for data in removed tables.").default_value("60000").group(CONNECTOR_GROUP, 3))
        .define(key(TOPIC_PREFIX_CONFIG, String, High, "Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the case of a custom query, the full name of the topic to publish to.").group(CONNECTOR_GROUP, 4))
        .define(key(TIMESTAMP_DELAY_INTERVAL_MS_CONFIG, Long, High, "How long to wait after a row with certain timestamp appears before we include it in the result.").default_value("0").group(CONNECTOR_GROUP, 5))
        .define(key(DB_TIMEZONE_CONFIG, String, Medium, "Name of the time zone used by the connector when querying with time-based criteria. Only UTC is supported.").default_value("UTC").validator(Validator::one_of(["UTC"])).group(CONNECTOR_GROUP, 6))
        .define(key(QUERY_RETRY_ATTEMPTS_CONFIG, Int, Low, "The number of times to retry SQL exceptions encountered in the queries; -1 retries forever.").default_value("-1").group(CONNECTOR_GROUP, 7))
}

/// Which rows each poll reads (`mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The whole table on every poll.
    Bulk,
    /// Rows whose incrementing column is above the offset.
    Incrementing,
    /// Rows whose timestamp is above the offset (and below now − delay).
    Timestamp,
    /// Both: `(ts, inc)` above the offset.
    TimestampIncrementing,
}

impl Mode {
    /// Whether the mode uses an incrementing column.
    pub fn incrementing(self) -> bool {
        matches!(self, Self::Incrementing | Self::TimestampIncrementing)
    }

    /// Whether the mode uses timestamp columns.
    pub fn timestamp(self) -> bool {
        matches!(self, Self::Timestamp | Self::TimestampIncrementing)
    }
}

/// The database family, picked from the URL (or `dialect.name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
}

impl Backend {
    /// Confluent's dialect name.
    pub fn dialect_name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSqlDatabaseDialect",
            Self::MySql => "MySqlDatabaseDialect",
            Self::Sqlite => "SqliteDatabaseDialect",
        }
    }
}

/// A parsed `connection.url`: the backend and the URL in the form sqlx takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionUrl {
    /// The database family.
    pub backend: Backend,
    /// The sqlx URL, credentials from `connection.user`/`connection.password` merged in.
    pub native: String,
}

impl ConnectionUrl {
    /// Parses a JDBC or native URL. `user`/`password` fill in (and override) the URL's.
    ///
    /// JDBC query parameters `user` and `password` become the URL's credentials; other
    /// parameters are passed through to sqlx (which ignores those it does not know, e.g.
    /// pgjdbc's `ssl=true`).
    pub fn parse(url: &str, user: Option<&str>, password: Option<&str>) -> Result<Self, String> {
        let url = url.trim();
        let rest = url.strip_prefix("jdbc:").unwrap_or(url);
        let (scheme, tail) = rest
            .split_once(':')
            .ok_or_else(|| format!("'{url}' is not a JDBC or database URL"))?;
        let backend = match scheme.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" => Backend::Postgres,
            "mysql" | "mariadb" => Backend::MySql,
            "sqlite" => Backend::Sqlite,
            other => {
                return Err(format!(
                    "unsupported database '{other}' in '{url}': sluice's JDBC source supports \
                     postgresql, mysql, mariadb and sqlite"
                ))
            }
        };
        if backend == Backend::Sqlite {
            let path = tail.strip_prefix("//").unwrap_or(tail);
            if path.is_empty() {
                return Err(format!("'{url}' names no SQLite database file"));
            }
            let native = if path == ":memory:" {
                "sqlite::memory:".to_owned()
            } else {
                format!("sqlite://{path}")
            };
            return Ok(Self { backend, native });
        }
        let Some(after) = tail.strip_prefix("//") else {
            return Err(format!("'{url}' has no //host part"));
        };
        let (authority_path, query) = after.split_once('?').unwrap_or((after, ""));
        let (authority, path) = authority_path
            .split_once('/')
            .unwrap_or((authority_path, ""));
        let (mut url_user, mut url_password, host) = match authority.rsplit_once('@') {
            Some((creds, host)) => {
                let (u, p) = creds.split_once(':').unwrap_or((creds, ""));
                (Some(u.to_owned()), Some(p.to_owned()), host)
            }
            None => (None, None, authority),
        };
        if host.is_empty() {
            return Err(format!("'{url}' names no host"));
        }
        let mut params = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "user" => url_user = Some(v.to_owned()),
                "password" => url_password = Some(v.to_owned()),
                _ => params.push(pair.to_owned()),
            }
        }
        if let Some(u) = user.filter(|u| !u.is_empty()) {
            url_user = Some(percent_encode(u));
        }
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            url_password = Some(percent_encode(p));
        }
        let scheme = match backend {
            Backend::Postgres => "postgres",
            _ => "mysql",
        };
        let mut native = format!("{scheme}://");
        if let Some(u) = url_user.filter(|u| !u.is_empty()) {
            native.push_str(&u);
            if let Some(p) = url_password.filter(|p| !p.is_empty()) {
                native.push(':');
                native.push_str(&p);
            }
            native.push('@');
        }
        native.push_str(host);
        if !path.is_empty() {
            native.push('/');
            native.push_str(path);
        }
        if !params.is_empty() {
            native.push('?');
            native.push_str(&params.join("&"));
        }
        Ok(Self { backend, native })
    }

    /// The URL with its password replaced by `****`, safe to log or show.
    pub fn sanitized(&self) -> String {
        sanitize_url(&self.native)
    }
}

/// Replaces the password of `scheme://user:password@host` (and any `password=` parameter)
/// with `****`, like Confluent's `sanitizedUrl`.
pub fn sanitize_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let start = scheme_end + 3;
        if let Some(at) = out[start..].find('@').map(|i| i + start) {
            if let Some(colon) = out[start..at].find(':').map(|i| i + start) {
                out.replace_range(colon + 1..at, "****");
            }
        }
    }
    regex::Regex::new(r"(?i)([?&;][^=&;]*password[^=&;]*=)[^&;]*")
        .map(|re| re.replace_all(&out, "${1}****").into_owned())
        .unwrap_or(out)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parsed connector (and task) configuration.
#[derive(Debug, Clone)]
pub struct JdbcSourceConfig {
    /// Where to connect.
    pub url: ConnectionUrl,
    /// `connection.attempts`.
    pub connection_attempts: u32,
    /// `connection.backoff.ms`.
    pub connection_backoff: Duration,
    /// `mode`.
    pub mode: Mode,
    /// `incrementing.column.name`; empty auto-detects.
    pub incrementing_column: String,
    /// `timestamp.column.name`.
    pub timestamp_columns: Vec<String>,
    /// `timestamp.initial` (ms; -1 = now).
    pub timestamp_initial: Option<i64>,
    /// `timestamp.delay.interval.ms`.
    pub timestamp_delay: Duration,
    /// `incrementing.delay.interval.ms`.
    pub incrementing_delay: Duration,
    /// `validate.non.null`.
    pub validate_non_null: bool,
    /// `table.whitelist`.
    pub whitelist: Vec<String>,
    /// `table.blacklist`.
    pub blacklist: Vec<String>,
    /// `table.include.list`, compiled (anchored).
    pub include: Vec<regex::Regex>,
    /// `table.exclude.list`, compiled (anchored).
    pub exclude: Vec<regex::Regex>,
    /// `schema.pattern` (SQL LIKE pattern).
    pub schema_pattern: Option<String>,
    /// `catalog.pattern` (SQL LIKE pattern).
    pub catalog_pattern: Option<String>,
    /// `table.types`, upper-cased.
    pub table_types: Vec<String>,
    /// `query`; `None` in table mode.
    pub query: Option<String>,
    /// `query.suffix`.
    pub query_suffix: String,
    /// `quote.sql.identifiers` = always.
    pub quote_identifiers: bool,
    /// `topic.prefix`.
    pub topic_prefix: String,
    /// `poll.interval.ms`.
    pub poll_interval: Duration,
    /// `batch.max.rows`.
    pub batch_max_rows: usize,
    /// `table.poll.interval.ms`.
    pub table_poll_interval: Duration,
    /// `numeric.mapping` (or the deprecated `numeric.precision.mapping`).
    pub numeric_mapping: NumericMapping,
    /// `query.retry.attempts`; `None` = forever.
    pub query_retry_attempts: Option<u32>,
}

fn millis(value: i64) -> Duration {
    Duration::from_millis(u64::try_from(value).unwrap_or(0))
}

fn anchored(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

/// A configuration problem found across keys: the key to attach it to and the message.
pub type KeyError = (&'static str, String);

impl JdbcSourceConfig {
    /// Parses and checks `config`; every problem is reported.
    pub fn parse(config: &ConfigMap) -> Result<Self> {
        let parsed = config_def().parse(config)?;
        let errors = cross_key_errors(config);
        if let Some((key, message)) = errors.into_iter().next() {
            return Err(ConnectError::connector(format!(
                "Invalid configuration {key}: {message}"
            )));
        }
        let string = |k: &str| -> Result<String> {
            Ok(parsed.get_string(k)?.unwrap_or_default().to_owned())
        };
        let list = |k: &str| -> Result<Vec<String>> {
            Ok(parsed
                .get_list(k)?
                .unwrap_or_default()
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect())
        };
        let user = parsed
            .get_string(CONNECTION_USER_CONFIG)?
            .map(str::to_owned);
        let password = parsed
            .get_password(CONNECTION_PASSWORD_CONFIG)?
            .map(|p| p.value().to_owned());
        let url = ConnectionUrl::parse(
            &string(CONNECTION_URL_CONFIG)?,
            user.as_deref(),
            password.as_deref(),
        )
        .map_err(ConnectError::connector)?;
        let mode = match string(MODE_CONFIG)?.as_str() {
            "bulk" => Mode::Bulk,
            "incrementing" => Mode::Incrementing,
            "timestamp" => Mode::Timestamp,
            "timestamp+incrementing" => Mode::TimestampIncrementing,
            _ => unreachable!("cross_key_errors rejects an unset mode"),
        };
        let numeric_mapping = match parsed.get_string(NUMERIC_MAPPING_CONFIG)? {
            Some(v) => NumericMapping::parse(v).unwrap_or_default(),
            None if parsed
                .get_boolean(NUMERIC_PRECISION_MAPPING_CONFIG)?
                .unwrap_or(false) =>
            {
                NumericMapping::PrecisionOnly
            }
            None => NumericMapping::None,
        };
        let compile = |k: &str| -> Result<Vec<regex::Regex>> {
            list(k)?
                .iter()
                .map(|p| anchored(p).map_err(ConnectError::connector))
                .collect()
        };
        let query = string(QUERY_CONFIG)?;
        let retry = parsed.get_int(QUERY_RETRY_ATTEMPTS_CONFIG)?.unwrap_or(-1);
        Ok(Self {
            url,
            connection_attempts: u32::try_from(
                parsed.get_int(CONNECTION_ATTEMPTS_CONFIG)?.unwrap_or(3),
            )
            .unwrap_or(1)
            .max(1),
            connection_backoff: millis(
                parsed
                    .get_long(CONNECTION_BACKOFF_CONFIG)?
                    .unwrap_or(10_000),
            ),
            mode,
            incrementing_column: string(INCREMENTING_COLUMN_NAME_CONFIG)?,
            timestamp_columns: list(TIMESTAMP_COLUMN_NAME_CONFIG)?,
            timestamp_initial: parsed.get_long(TIMESTAMP_INITIAL_CONFIG)?,
            timestamp_delay: millis(
                parsed
                    .get_long(TIMESTAMP_DELAY_INTERVAL_MS_CONFIG)?
                    .unwrap_or(0),
            ),
            incrementing_delay: millis(
                parsed
                    .get_long(INCREMENTING_DELAY_INTERVAL_MS_CONFIG)?
                    .unwrap_or(0),
            ),
            validate_non_null: parsed
                .get_boolean(VALIDATE_NON_NULL_CONFIG)?
                .unwrap_or(true),
            whitelist: list(TABLE_WHITELIST_CONFIG)?,
            blacklist: list(TABLE_BLACKLIST_CONFIG)?,
            include: compile(TABLE_INCLUDE_LIST_CONFIG)?,
            exclude: compile(TABLE_EXCLUDE_LIST_CONFIG)?,
            schema_pattern: parsed.get_string(SCHEMA_PATTERN_CONFIG)?.map(str::to_owned),
            catalog_pattern: parsed
                .get_string(CATALOG_PATTERN_CONFIG)?
                .map(str::to_owned),
            table_types: list(TABLE_TYPE_CONFIG)?
                .into_iter()
                .map(|t| t.to_ascii_uppercase())
                .collect(),
            query: (!query.is_empty()).then_some(query),
            query_suffix: string(QUERY_SUFFIX_CONFIG)?,
            quote_identifiers: string(QUOTE_SQL_IDENTIFIERS_CONFIG)? != "never",
            topic_prefix: string(TOPIC_PREFIX_CONFIG)?,
            poll_interval: millis(i64::from(
                parsed.get_int(POLL_INTERVAL_MS_CONFIG)?.unwrap_or(5000),
            )),
            batch_max_rows: usize::try_from(parsed.get_int(BATCH_MAX_ROWS_CONFIG)?.unwrap_or(100))
                .unwrap_or(1)
                .max(1),
            table_poll_interval: millis(
                parsed
                    .get_long(TABLE_POLL_INTERVAL_MS_CONFIG)?
                    .unwrap_or(60_000),
            ),
            numeric_mapping,
            query_retry_attempts: u32::try_from(retry).ok(),
        })
    }
}

/// Problems that involve several keys or need parsing beyond the key's type, attached to
/// the key the user should fix. Pure: no database is contacted.
pub fn cross_key_errors(config: &ConfigMap) -> Vec<KeyError> {
    let get = |k: &str| config.get(k).map(|v| v.trim()).unwrap_or("");
    let mut errors = Vec::new();
    let url = get(CONNECTION_URL_CONFIG);
    if !url.is_empty() {
        if let Err(e) = ConnectionUrl::parse(url, None, None) {
            errors.push((CONNECTION_URL_CONFIG, e));
        }
    }
    let mode = get(MODE_CONFIG);
    if mode.is_empty() {
        errors.push((
            MODE_CONFIG,
            "Invalid mode: a mode must be set (bulk, incrementing, timestamp or \
             timestamp+incrementing)"
                .to_owned(),
        ));
    }
    if mode.starts_with("timestamp") && get(TIMESTAMP_COLUMN_NAME_CONFIG).is_empty() {
        errors.push((
            TIMESTAMP_COLUMN_NAME_CONFIG,
            format!("mode {mode} requires timestamp.column.name"),
        ));
    }
    let non_empty = |k: &str| !get(k).split(',').all(|s| s.trim().is_empty());
    if non_empty(TABLE_WHITELIST_CONFIG) && non_empty(TABLE_BLACKLIST_CONFIG) {
        errors.push((
            TABLE_BLACKLIST_CONFIG,
            "table.whitelist and table.blacklist are exclusive.".to_owned(),
        ));
    }
    let legacy = non_empty(TABLE_WHITELIST_CONFIG) || non_empty(TABLE_BLACKLIST_CONFIG);
    let new = non_empty(TABLE_INCLUDE_LIST_CONFIG) || non_empty(TABLE_EXCLUDE_LIST_CONFIG);
    if legacy && new {
        errors.push((
            TABLE_INCLUDE_LIST_CONFIG,
            "table.include.list/table.exclude.list cannot be used together with the legacy \
             table.whitelist/table.blacklist"
                .to_owned(),
        ));
    }
    for k in [TABLE_INCLUDE_LIST_CONFIG, TABLE_EXCLUDE_LIST_CONFIG] {
        for pattern in get(k).split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Err(e) = anchored(pattern) {
                errors.push((k, e));
            }
        }
    }
    if !get(QUERY_CONFIG).is_empty() && (legacy || new) {
        errors.push((
            QUERY_CONFIG,
            "Do not specify table filtering (table.whitelist, table.blacklist, \
             table.include.list, table.exclude.list) when using query mode"
                .to_owned(),
        ));
    }
    let dialect = get(DIALECT_NAME_CONFIG);
    if !dialect.is_empty()
        && ![Backend::Postgres, Backend::MySql, Backend::Sqlite]
            .iter()
            .any(|b| b.dialect_name() == dialect)
    {
        errors.push((
            DIALECT_NAME_CONFIG,
            format!("dialect '{dialect}' is not supported"),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn jdbc_urls_become_sqlx_urls() -> Result<(), String> {
        let pg = ConnectionUrl::parse(
            "jdbc:postgresql://db:5432/sales?user=app&password=s3&sslmode=disable",
            None,
            None,
        )?;
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.native, "postgres://app:s3@db:5432/sales?sslmode=disable");
        assert_eq!(
            pg.sanitized(),
            "postgres://app:****@db:5432/sales?sslmode=disable"
        );

        let my = ConnectionUrl::parse("jdbc:mysql://db:3306/ec", Some("u"), Some("p@ss"))?;
        assert_eq!(my.backend, Backend::MySql);
        assert_eq!(my.native, "mysql://u:p%40ss@db:3306/ec");
        let maria = ConnectionUrl::parse("jdbc:mariadb://db/ec", Some("u"), None)?;
        assert_eq!(maria.native, "mysql://u@db/ec");

        let lite = ConnectionUrl::parse("jdbc:sqlite:/tmp/x.db", Some("ignored"), None)?;
        assert_eq!(lite.backend, Backend::Sqlite);
        assert_eq!(lite.native, "sqlite:///tmp/x.db");
        assert_eq!(
            ConnectionUrl::parse("jdbc:sqlite:rel.db", None, None)?.native,
            "sqlite://rel.db"
        );
        assert_eq!(
            ConnectionUrl::parse("sqlite::memory:", None, None)?.native,
            "sqlite::memory:"
        );
        let native = ConnectionUrl::parse("postgres://a:b@h/d", Some("c"), None)?;
        assert_eq!(native.native, "postgres://c:b@h/d");
        Ok(())
    }

    #[test]
    fn bad_urls_are_explained() {
        let err = |u: &str| {
            ConnectionUrl::parse(u, None, None)
                .err()
                .unwrap_or_default()
        };
        assert!(err("jdbc:oracle:thin:@h:1521:x").contains("unsupported database 'oracle'"));
        assert!(err("nonsense").contains("is not a JDBC or database URL"));
        assert!(err("jdbc:postgresql:db").contains("no //host"));
        assert!(err("jdbc:sqlite:").contains("no SQLite database file"));
    }

    #[test]
    fn sanitize_hides_passwords() {
        assert_eq!(
            sanitize_url("jdbc:mysql://h/db?user=a&password=secret&x=1"),
            "jdbc:mysql://h/db?user=a&password=****&x=1"
        );
        assert_eq!(sanitize_url("mysql://a:secret@h/db"), "mysql://a:****@h/db");
    }

    #[test]
    fn cross_key_problems_name_the_key() {
        let errors = cross_key_errors(&map(&[
            ("connection.url", "jdbc:db2://h/x"),
            ("mode", "timestamp"),
            ("table.whitelist", "a"),
            ("table.blacklist", "b"),
            ("table.include.list", "("),
        ]));
        let keys: Vec<_> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "connection.url",
                "timestamp.column.name",
                "table.blacklist",
                "table.include.list",
                "table.include.list"
            ]
        );
        let errors = cross_key_errors(&map(&[("connection.url", "jdbc:sqlite:x")]));
        assert_eq!(errors[0].0, "mode");
        let errors = cross_key_errors(&map(&[
            ("mode", "bulk"),
            ("query", "select 1"),
            ("table.whitelist", "a"),
        ]));
        assert_eq!(errors[0].0, "query");
    }

    #[test]
    fn defaults_are_confluents() -> Result<()> {
        let config = JdbcSourceConfig::parse(&map(&[
            ("connection.url", "jdbc:sqlite:x.db"),
            ("mode", "incrementing"),
            ("topic.prefix", "t-"),
        ]))?;
        assert_eq!(config.batch_max_rows, 100);
        assert_eq!(config.poll_interval, Duration::from_millis(5000));
        assert_eq!(config.table_poll_interval, Duration::from_millis(60_000));
        assert_eq!(config.connection_attempts, 3);
        assert_eq!(config.connection_backoff, Duration::from_millis(10_000));
        assert_eq!(config.table_types, ["TABLE"]);
        assert_eq!(config.incrementing_delay, Duration::ZERO);
        assert_eq!(config.query_retry_attempts, None);
        assert!(config.quote_identifiers);
        let def = config_def();
        assert_eq!(
            def.key(CONNECTION_PASSWORD_CONFIG).map(|k| k.config_type),
            Some(ConfigType::Password)
        );
        Ok(())
    }

    #[test]
    fn numeric_precision_mapping_is_the_deprecated_precision_only() -> Result<()> {
        let base = [
            ("connection.url", "jdbc:sqlite:x.db"),
            ("mode", "bulk"),
            ("topic.prefix", "t-"),
        ];
        let mut m = map(&base);
        m.insert("numeric.precision.mapping".into(), "true".into());
        assert_eq!(
            JdbcSourceConfig::parse(&m)?.numeric_mapping,
            NumericMapping::PrecisionOnly
        );
        m.insert("numeric.mapping".into(), "best_fit".into());
        assert_eq!(
            JdbcSourceConfig::parse(&m)?.numeric_mapping,
            NumericMapping::BestFit
        );
        m.insert("numeric.mapping".into(), "nope".into());
        assert!(JdbcSourceConfig::parse(&m).is_err());
        Ok(())
    }
}
