//! One table (or the custom query) being read: the SQL of each mode, the offset it keeps,
//! and how a fetched row becomes a [`SourceRecord`].
//!
//! Query shapes are Confluent's (`TimestampIncrementingCriteria.java`), with a `LIMIT` of
//! `batch.max.rows` added in the incrementing modes (Confluent streams one open result
//! set instead; the order is total there, so the limit changes nothing but memory):
//! * incrementing: `… WHERE inc > ? ORDER BY inc ASC`;
//! * timestamp: `… WHERE ts > ? AND ts < ? ORDER BY ts ASC` (upper bound: the database's
//!   time minus `timestamp.delay.interval.ms`; several columns are `COALESCE`d);
//! * timestamp+incrementing:
//!   `… WHERE ts < ? AND ((ts = ? AND inc > ?) OR ts > ?) ORDER BY ts,inc ASC`;
//! * bulk: the whole table on every poll, with an empty offset.
//!
//! Offsets are Confluent's (`TimestampIncrementingOffset.toMap`): `{"incrementing": N}`,
//! plus `"timestamp"` (ms since the epoch) and `"timestamp_nanos"` (the nanoseconds
//! within that second) in the timestamp modes. Source partitions are
//! `{"protocol": "1", "table": "<fqn>"}` (`OffsetProtocols.sourcePartitionForProtocolV1`),
//! or `{"query": "query"}` in query mode; on start, an offset stored under Confluent's
//! protocol-0 partition `{"table": "<name>"}` is used when no v1 offset exists.
//!
//! ## Schema changes
//!
//! Confluent derives the record schema from each result set's metadata, so a column added
//! with `ALTER TABLE` appears in the next records without a restart. Here the layout (the
//! columns and the Struct schema) is read from the catalog once and checked against every
//! result: when the result's column names differ from the layout's, or the driver's type
//! names differ from those first seen with it, the layout is read again and the query
//! repeated, so the records after an `ADD COLUMN … NULL` carry the new column as an
//! optional field (default null), a dropped column leaves the schema, and a changed type
//! changes the field's. Queries are not kept prepared, since a cached `SELECT *` outlives
//! an `ALTER TABLE` badly on PostgreSQL and SQLite. A change is only seen with a result
//! that has rows.
//!
//! ## `incrementing.delay.interval.ms` (sluice only)
//!
//! In incrementing mode Confluent assumes ids become visible in id order. They do not
//! when transactions commit out of order: transaction A takes id 10, B takes id 11 and
//! commits first; a poll in between sees 11, stores offset 11, and row 10 is never read
//! (kafka-connect-jdbc #27, #915). With `incrementing.delay.interval.ms = D > 0` the task
//! samples `MAX(inc)` each time it queries a table and only reads rows with
//! `inc <= M`, where `M` is the largest maximum it sampled at least `D` ms earlier. A row
//! whose transaction commits at most `D` after a higher id was first seen by the task is
//! therefore still read. It applies in `incrementing` and `timestamp+incrementing` modes
//! (in the latter it bounds only the incrementing column), costs one `SELECT MAX` per
//! query, and delays every row by about `D`. Rows committing later than `D` after a higher
//! id became visible are still skipped, as in Confluent: pick `D` above the longest
//! transaction that inserts into the table. `0` (the default) is Confluent's behaviour.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use connect_api::data::{Struct, Value};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};

use super::config::{JdbcSourceConfig, Mode};
use super::dialect::{incrementing_value, Db, Dialect, FetchedRow, Param, TableId};
use super::mapping::{RowLayout, SqlType};

/// Source partition key of the table name (`JdbcSourceConnectorConstants.TABLE_NAME_KEY`).
pub const TABLE_NAME_KEY: &str = "table";
/// Source partition key of the query (`QUERY_NAME_KEY`).
pub const QUERY_NAME_KEY: &str = "query";
/// Its only value (`QUERY_NAME_VALUE`).
pub const QUERY_NAME_VALUE: &str = "query";
/// Source partition key of the offset protocol version (`OFFSET_PROTOCOL_VERSION_KEY`).
pub const OFFSET_PROTOCOL_VERSION_KEY: &str = "protocol";
/// Protocol version 1 (`PROTOCOL_VERSION_ONE`).
pub const PROTOCOL_VERSION_ONE: &str = "1";
/// Offset field of the incrementing column.
pub const INCREMENTING_FIELD: &str = "incrementing";
/// Offset field of the timestamp, ms since the epoch.
pub const TIMESTAMP_FIELD: &str = "timestamp";
/// Offset field of the nanoseconds within the timestamp's second.
pub const TIMESTAMP_NANOS_FIELD: &str = "timestamp_nanos";

/// What a querier reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A table.
    Table(TableId),
    /// The custom `query`.
    Query(String),
}

/// The source partition of a table (protocol 1).
pub fn table_partition(table: &TableId) -> SourceMap {
    let mut map = SourceMap::new();
    map.insert(TABLE_NAME_KEY.to_owned(), table.fqn().into());
    map.insert(
        OFFSET_PROTOCOL_VERSION_KEY.to_owned(),
        PROTOCOL_VERSION_ONE.into(),
    );
    map
}

/// Confluent's protocol-0 partition of a table, read as a fallback on start.
pub fn table_partition_v0(table: &TableId) -> SourceMap {
    let mut map = SourceMap::new();
    map.insert(TABLE_NAME_KEY.to_owned(), table.table.clone().into());
    map
}

/// The source partition of the custom query.
pub fn query_partition() -> SourceMap {
    let mut map = SourceMap::new();
    map.insert(QUERY_NAME_KEY.to_owned(), QUERY_NAME_VALUE.into());
    map
}

/// Where a querier is: the last incrementing value and timestamp emitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offset {
    /// Last incrementing value (`None`: nothing read yet, queries use -1).
    pub incrementing: Option<i64>,
    /// Last timestamp, ns since the epoch (`None`: nothing read yet).
    pub timestamp: Option<i128>,
}

impl Offset {
    /// Confluent's offset map.
    pub fn to_map(self) -> SourceMap {
        let mut map = SourceMap::new();
        if let Some(inc) = self.incrementing {
            map.insert(INCREMENTING_FIELD.to_owned(), inc.into());
        }
        if let Some(ns) = self.timestamp {
            let millis = i64::try_from(ns.div_euclid(1_000_000)).unwrap_or(i64::MAX);
            let nanos = i64::try_from(ns.rem_euclid(1_000_000_000)).unwrap_or(0);
            map.insert(TIMESTAMP_FIELD.to_owned(), millis.into());
            map.insert(TIMESTAMP_NANOS_FIELD.to_owned(), nanos.into());
        }
        map
    }

    /// Reads an offset map (Confluent's `fromMap`): `timestamp_nanos` replaces the
    /// sub-second part of `timestamp`, as `Timestamp.setNanos` does.
    pub fn from_map(map: &SourceMap) -> Result<Self> {
        let long = |k: &str| -> Result<Option<i64>> {
            match map.get(k) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                    ConnectError::connector(format!("offset field '{k}' is not a long: {v}"))
                }),
            }
        };
        let timestamp = long(TIMESTAMP_FIELD)?.map(|millis| {
            let secs = i128::from(millis.div_euclid(1000));
            let nanos = match long(TIMESTAMP_NANOS_FIELD) {
                Ok(Some(n)) => i128::from(n),
                _ => i128::from(millis.rem_euclid(1000)) * 1_000_000,
            };
            secs * 1_000_000_000 + nanos
        });
        Ok(Self {
            incrementing: long(INCREMENTING_FIELD)?,
            timestamp,
        })
    }
}

/// A query and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// SQL text.
    pub sql: String,
    /// Bound parameters in order.
    pub params: Vec<Param>,
    /// Whether a `LIMIT` was applied (so a full batch means "there may be more").
    pub limited: bool,
}

/// Everything [`build_statement`] needs besides the offset.
#[derive(Debug, Clone)]
pub struct QueryShape<'a> {
    /// The dialect.
    pub dialect: Dialect,
    /// `SELECT * FROM <table>` or the custom query.
    pub base: String,
    /// The mode.
    pub mode: Mode,
    /// Incrementing column (incrementing modes).
    pub incrementing: Option<&'a str>,
    /// Timestamp columns (timestamp modes).
    pub timestamps: &'a [String],
    /// Whether the timestamp column is a `TIMESTAMP WITH TIME ZONE` (PostgreSQL casts).
    pub timestamp_tz: bool,
    /// `batch.max.rows`.
    pub limit: usize,
    /// `query.suffix`.
    pub suffix: &'a str,
}

/// The statement for the next read from `offset`; `end` is the timestamp upper bound and
/// `inc_bound` the `incrementing.delay.interval.ms` bound.
pub fn build_statement(
    shape: &QueryShape<'_>,
    offset: Offset,
    end: Option<i128>,
    inc_bound: Option<i64>,
) -> Statement {
    let d = &shape.dialect;
    let mut sql = shape.base.clone();
    let mut params = Vec::new();
    let mut n = 0;
    let mut ph = |params: &mut Vec<Param>, p: Param| {
        n += 1;
        params.push(p);
        match p {
            Param::Int(_) => d.placeholder(n),
            Param::Timestamp(_) => d.timestamp_placeholder(n, shape.timestamp_tz),
        }
    };
    let inc = shape.incrementing.map(|c| d.ident(c)).unwrap_or_default();
    let ts = d.timestamp_expr(shape.timestamps);
    let last_inc = offset.incrementing.unwrap_or(-1);
    let last_ts = offset.timestamp.unwrap_or(0);
    let end = end.unwrap_or(i128::MAX / 4);
    let bound = |params: &mut Vec<Param>, ph: &mut dyn FnMut(&mut Vec<Param>, Param) -> String| {
        inc_bound
            .map(|b| format!(" AND {inc} <= {}", ph(params, Param::Int(b))))
            .unwrap_or_default()
    };
    let limited = match shape.mode {
        Mode::Bulk => false,
        Mode::Incrementing => {
            let p = ph(&mut params, Param::Int(last_inc));
            let b = bound(&mut params, &mut ph);
            sql.push_str(&format!(" WHERE {inc} > {p}{b} ORDER BY {inc} ASC"));
            true
        }
        Mode::Timestamp => {
            let p1 = ph(&mut params, Param::Timestamp(last_ts));
            let p2 = ph(&mut params, Param::Timestamp(end));
            sql.push_str(&format!(
                " WHERE {ts} > {p1} AND {ts} < {p2} ORDER BY {ts} ASC"
            ));
            false
        }
        Mode::TimestampIncrementing => {
            let p1 = ph(&mut params, Param::Timestamp(end));
            let p2 = ph(&mut params, Param::Timestamp(last_ts));
            let p3 = ph(&mut params, Param::Int(last_inc));
            let p4 = ph(&mut params, Param::Timestamp(last_ts));
            let b = bound(&mut params, &mut ph);
            sql.push_str(&format!(
                " WHERE {ts} < {p1} AND (({ts} = {p2} AND {inc} > {p3}) OR {ts} > {p4}){b} \
                 ORDER BY {ts},{inc} ASC"
            ));
            true
        }
    };
    if limited {
        sql.push_str(&format!(" LIMIT {}", shape.limit));
    }
    if !shape.suffix.is_empty() {
        sql.push(' ');
        sql.push_str(shape.suffix);
    }
    Statement {
        sql,
        params,
        limited,
    }
}

/// Reads one table (or the query) and remembers its offset.
#[derive(Debug)]
pub struct TableQuerier {
    /// What is read.
    pub source: Source,
    /// The source partition of its records.
    pub partition: SourceMap,
    /// The destination topic.
    pub topic: String,
    /// Where reading continues.
    pub offset: Offset,
    /// When the next query is due.
    pub next_due: Instant,
    layout: Option<Layout>,
    /// `(when sampled, MAX(inc))`, oldest first, for `incrementing.delay.interval.ms`.
    max_samples: VecDeque<(Instant, i64)>,
    /// The driver's type names of the result columns, as first seen with this layout: a
    /// result with other types means a column's type changed (`ALTER … TYPE`).
    result_types: Option<Vec<String>>,
    /// Rows fetched but not yet returned, with the offset after each.
    pending: VecDeque<SourceRecord>,
}

#[derive(Debug, Clone)]
struct Layout {
    rows: RowLayout,
    incrementing: Option<String>,
    inc_position: Option<usize>,
    ts_positions: Vec<usize>,
    timestamp_tz: bool,
}

impl TableQuerier {
    /// A querier starting at `offset`.
    pub fn new(source: Source, topic_prefix: &str, offset: Offset) -> Self {
        let (partition, topic) = match &source {
            Source::Table(t) => (table_partition(t), format!("{topic_prefix}{}", t.table)),
            Source::Query(_) => (query_partition(), topic_prefix.to_owned()),
        };
        Self {
            source,
            partition,
            topic,
            offset,
            next_due: Instant::now(),
            layout: None,
            max_samples: VecDeque::new(),
            result_types: None,
            pending: VecDeque::new(),
        }
    }

    /// Whether rows are waiting to be returned.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Up to `max` waiting records.
    pub fn take_pending(&mut self, max: usize) -> Vec<SourceRecord> {
        let n = max.min(self.pending.len());
        self.pending.drain(..n).collect()
    }

    /// Forgets the column layout (e.g. after an error), so it is read again.
    pub fn reset_layout(&mut self) {
        self.layout = None;
        self.result_types = None;
    }

    fn base(&self, dialect: &Dialect) -> String {
        match &self.source {
            Source::Table(t) => format!("SELECT * FROM {}", dialect.table(t)),
            Source::Query(q) => q.clone(),
        }
    }

    fn describe(&self) -> String {
        match &self.source {
            Source::Table(t) => format!("table {}", t.fqn()),
            Source::Query(_) => "the query".to_owned(),
        }
    }

    async fn layout(
        &mut self,
        db: &mut Db,
        dialect: &Dialect,
        config: &JdbcSourceConfig,
    ) -> Result<Layout> {
        if let Some(layout) = &self.layout {
            return Ok(layout.clone());
        }
        let (name, columns) = match &self.source {
            Source::Table(t) => (Some(t.table.clone()), db.table_columns(t).await?),
            Source::Query(q) => (None, db.query_columns(q).await?),
        };
        if columns.is_empty() {
            return Err(ConnectError::retriable(format!(
                "{} has no columns (does it exist?)",
                self.describe()
            )));
        }
        let rows = RowLayout::new(name.as_deref(), &columns, config.numeric_mapping)?;
        let mut incrementing = None;
        let mut inc_position = None;
        if config.mode.incrementing() {
            let column = if config.incrementing_column.is_empty() {
                rows.columns.iter().find(|c| c.def.auto_increment)
            } else {
                rows.column(&config.incrementing_column)
            };
            let Some(column) = column else {
                return Err(ConnectError::connector(
                    if config.incrementing_column.is_empty() {
                        format!(
                        "Cannot find suitable incrementing column in {}: set incrementing.column.name",
                        self.describe()
                    )
                    } else {
                        format!(
                            "Incrementing column {} not found in {}",
                            config.incrementing_column,
                            self.describe()
                        )
                    },
                ));
            };
            if config.validate_non_null
                && column.def.nullable
                && matches!(self.source, Source::Table(_))
            {
                return Err(ConnectError::connector(format!(
                    "Cannot make incremental queries using incrementing column {} on {} because this column is nullable.",
                    column.def.name,
                    self.describe()
                )));
            }
            incrementing = Some(column.def.name.clone());
            inc_position = rows
                .columns
                .iter()
                .position(|c| c.def.name == column.def.name);
        }
        let mut ts_positions = Vec::new();
        let mut timestamp_tz = false;
        if config.mode.timestamp() {
            for name in &config.timestamp_columns {
                let Some(pos) = rows.columns.iter().position(|c| &c.def.name == name) else {
                    return Err(ConnectError::connector(format!(
                        "Timestamp column {name} not found in {}",
                        self.describe()
                    )));
                };
                let def = &rows.columns[pos].def;
                if config.validate_non_null
                    && def.nullable
                    && matches!(self.source, Source::Table(_))
                {
                    return Err(ConnectError::connector(format!(
                        "Cannot make incremental queries using timestamp column {name} on {} because this column is nullable.",
                        self.describe()
                    )));
                }
                timestamp_tz |= def.sql_type == SqlType::TimestampTz;
                ts_positions.push(pos);
            }
        }
        let _ = dialect;
        let layout = Layout {
            rows,
            incrementing,
            inc_position,
            ts_positions,
            timestamp_tz,
        };
        self.layout = Some(layout.clone());
        Ok(layout)
    }

    /// Queries the database once and queues the rows read; returns whether the table may
    /// have more rows right away (a full batch).
    pub async fn query(
        &mut self,
        db: &mut Db,
        dialect: &Dialect,
        config: &JdbcSourceConfig,
    ) -> Result<bool> {
        match self.query_once(db, dialect, config).await? {
            Some(full) => Ok(full),
            None => {
                // The columns changed since the layout was read (ALTER TABLE): Confluent
                // derives the schema from each result set, so read the layout again and
                // query again; the records carry the new schema from here on.
                tracing::info!(source = %self.describe(), "columns changed, reading the layout again");
                self.reset_layout();
                match self.query_once(db, dialect, config).await? {
                    Some(full) => Ok(full),
                    None => {
                        self.reset_layout();
                        Err(ConnectError::retriable(format!(
                            "the columns of {} changed while it was read; trying again",
                            self.describe()
                        )))
                    }
                }
            }
        }
    }

    /// [`TableQuerier::query`] with the current layout; `None` when the result's columns
    /// differ from the layout's.
    async fn query_once(
        &mut self,
        db: &mut Db,
        dialect: &Dialect,
        config: &JdbcSourceConfig,
    ) -> Result<Option<bool>> {
        let layout = self.layout(db, dialect, config).await?;
        let now = Instant::now();
        let inc_bound = match (&layout.incrementing, config.incrementing_delay) {
            (Some(column), delay) if delay > Duration::ZERO => {
                let from = match &self.source {
                    Source::Table(t) => dialect.table(t),
                    Source::Query(q) => format!("({q}) sluice_query"),
                };
                let max = db.max_of(dialect, &from, column).await?;
                if let Some(max) = max {
                    self.max_samples.push_back((now, max));
                }
                match self.safe_bound(now, delay) {
                    Some(bound) => Some(bound),
                    // Nothing observed long enough ago yet.
                    None => return Ok(Some(false)),
                }
            }
            _ => None,
        };
        let end = if config.mode.timestamp() {
            let db_now = db.now_nanos().await?;
            Some(db_now - i128::try_from(config.timestamp_delay.as_nanos()).unwrap_or(0))
        } else {
            None
        };
        if self.offset.timestamp.is_none() && config.mode.timestamp() {
            self.offset.timestamp = match config.timestamp_initial {
                Some(-1) => end,
                Some(ms) => Some(i128::from(ms) * 1_000_000),
                None => None,
            };
        }
        let shape = QueryShape {
            dialect: *dialect,
            base: self.base(dialect),
            mode: config.mode,
            incrementing: layout.incrementing.as_deref(),
            timestamps: &config.timestamp_columns,
            timestamp_tz: layout.timestamp_tz,
            limit: config.batch_max_rows,
            suffix: &config.query_suffix,
        };
        let statement = build_statement(&shape, self.offset, end, inc_bound);
        tracing::trace!(sql = %statement.sql, "querying");
        let Some((rows, types)) = db
            .fetch(
                dialect,
                &statement.sql,
                &statement.params,
                &layout.rows,
                self.result_types.as_deref(),
            )
            .await?
        else {
            return Ok(None);
        };
        if self.result_types.is_none() {
            self.result_types = types;
        }
        let full = statement.limited && rows.len() >= config.batch_max_rows;
        for row in rows {
            let record = self.record(&layout, row, config.mode)?;
            self.pending.push_back(record);
        }
        Ok(Some(full))
    }

    /// The largest MAX(inc) sampled at least `delay` ago; older samples are dropped.
    fn safe_bound(&mut self, now: Instant, delay: Duration) -> Option<i64> {
        let cutoff = now.checked_sub(delay)?;
        let mut bound = None;
        while let Some(&(at, max)) = self.max_samples.front() {
            if at > cutoff {
                break;
            }
            bound = Some(bound.map_or(max, |b: i64| b.max(max)));
            // Keep the newest eligible sample so the bound never goes backwards.
            if self
                .max_samples
                .get(1)
                .is_some_and(|&(next, _)| next <= cutoff)
            {
                self.max_samples.pop_front();
            } else {
                break;
            }
        }
        bound
    }

    fn record(&mut self, layout: &Layout, row: FetchedRow, mode: Mode) -> Result<SourceRecord> {
        let mut value = Struct::new(layout.rows.schema.clone())?;
        for (column, v) in layout.rows.columns.iter().zip(&row.values) {
            value.put(&column.def.name, v.clone())?;
        }
        if let Some(pos) = layout.inc_position {
            self.offset.incrementing = Some(incrementing_value(&row.values[pos])?);
        }
        if mode.timestamp() {
            let ts = layout.ts_positions.iter().find_map(|&p| {
                row.nanos[p].or(match row.values[p] {
                    Value::Date(d) => Some(i128::from(d) * 86_400_000_000_000),
                    _ => None,
                })
            });
            if ts.is_some() {
                self.offset.timestamp = ts;
            }
        }
        let offset = if mode == Mode::Bulk {
            SourceMap::new()
        } else {
            self.offset.to_map()
        };
        Ok(SourceRecord::new(
            self.partition.clone(),
            offset,
            self.topic.clone(),
            Some(layout.rows.schema.clone()),
            Value::Struct(value),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jdbc::config::Backend;

    fn shape<'a>(backend: Backend, mode: Mode, ts: &'a [String]) -> QueryShape<'a> {
        let dialect = Dialect {
            backend,
            quote: true,
        };
        QueryShape {
            dialect,
            base: format!(
                "SELECT * FROM {}",
                dialect.table(&TableId::new(None, None, "orders"))
            ),
            mode,
            incrementing: Some("id"),
            timestamps: ts,
            timestamp_tz: false,
            limit: 100,
            suffix: "",
        }
    }

    #[test]
    fn incrementing_queries() {
        let s = build_statement(
            &shape(Backend::Postgres, Mode::Incrementing, &[]),
            Offset::default(),
            None,
            None,
        );
        assert_eq!(
            s.sql,
            "SELECT * FROM \"orders\" WHERE \"id\" > $1 ORDER BY \"id\" ASC LIMIT 100"
        );
        assert_eq!(s.params, [Param::Int(-1)]);
        let s = build_statement(
            &shape(Backend::MySql, Mode::Incrementing, &[]),
            Offset {
                incrementing: Some(7),
                timestamp: None,
            },
            None,
            Some(20),
        );
        assert_eq!(
            s.sql,
            "SELECT * FROM `orders` WHERE `id` > ? AND `id` <= ? ORDER BY `id` ASC LIMIT 100"
        );
        assert_eq!(s.params, [Param::Int(7), Param::Int(20)]);
    }

    #[test]
    fn timestamp_queries() {
        let ts = ["updated".to_owned()];
        let s = build_statement(
            &shape(Backend::Postgres, Mode::Timestamp, &ts),
            Offset::default(),
            Some(5),
            None,
        );
        assert_eq!(
            s.sql,
            "SELECT * FROM \"orders\" WHERE \"updated\" > CAST($1 AS TIMESTAMP) AND \"updated\" < CAST($2 AS TIMESTAMP) ORDER BY \"updated\" ASC"
        );
        assert_eq!(s.params, [Param::Timestamp(0), Param::Timestamp(5)]);
        assert!(!s.limited);
        let ts2 = ["a".to_owned(), "b".to_owned()];
        let s = build_statement(
            &shape(Backend::Sqlite, Mode::TimestampIncrementing, &ts2),
            Offset {
                incrementing: Some(3),
                timestamp: Some(9),
            },
            Some(10),
            None,
        );
        let t = "strftime('%Y-%m-%d %H:%M:%f', COALESCE(\"a\",\"b\"))";
        assert_eq!(
            s.sql,
            format!("SELECT * FROM \"orders\" WHERE {t} < ? AND (({t} = ? AND \"id\" > ?) OR {t} > ?) ORDER BY {t},\"id\" ASC LIMIT 100")
        );
        assert_eq!(
            s.params,
            [
                Param::Timestamp(10),
                Param::Timestamp(9),
                Param::Int(3),
                Param::Timestamp(9)
            ]
        );
    }

    #[test]
    fn bulk_and_suffix() {
        let mut sh = shape(Backend::MySql, Mode::Bulk, &[]);
        sh.suffix = "FOR UPDATE";
        let s = build_statement(&sh, Offset::default(), None, None);
        assert_eq!(s.sql, "SELECT * FROM `orders` FOR UPDATE");
        assert!(s.params.is_empty());
    }

    #[test]
    fn offsets_are_confluents() -> Result<()> {
        let o = Offset {
            incrementing: Some(42),
            timestamp: None,
        };
        assert_eq!(
            serde_json::Value::Object(o.to_map()).to_string(),
            r#"{"incrementing":42}"#
        );
        // 2001-09-09T01:46:40.123456789Z
        let ns = 1_000_000_000_123_456_789i128;
        let o = Offset {
            incrementing: None,
            timestamp: Some(ns),
        };
        assert_eq!(
            serde_json::Value::Object(o.to_map()).to_string(),
            r#"{"timestamp":1000000000123,"timestamp_nanos":123456789}"#
        );
        assert_eq!(Offset::from_map(&o.to_map())?, o);
        // A Confluent offset without nanos.
        let mut m = SourceMap::new();
        m.insert("timestamp".into(), 1500.into());
        assert_eq!(Offset::from_map(&m)?.timestamp, Some(1_500_000_000));
        let mut bad = SourceMap::new();
        bad.insert("incrementing".into(), "x".into());
        assert!(Offset::from_map(&bad).is_err());
        Ok(())
    }

    #[test]
    fn partitions_are_confluents() {
        let t = TableId::new(None, Some("public"), "orders");
        assert_eq!(
            serde_json::Value::Object(table_partition(&t)).to_string(),
            r#"{"protocol":"1","table":"public.orders"}"#
        );
        assert_eq!(
            serde_json::Value::Object(table_partition_v0(&t)).to_string(),
            r#"{"table":"orders"}"#
        );
        assert_eq!(
            serde_json::Value::Object(query_partition()).to_string(),
            r#"{"query":"query"}"#
        );
        let q = TableQuerier::new(Source::Table(t), "pre_", Offset::default());
        assert_eq!(q.topic, "pre_orders");
    }

    #[test]
    fn delay_bound_uses_samples_old_enough() {
        let mut q = TableQuerier::new(Source::Query("q".into()), "t", Offset::default());
        let start = Instant::now();
        let delay = Duration::from_millis(100);
        q.max_samples.push_back((start, 5));
        assert_eq!(q.safe_bound(start + Duration::from_millis(50), delay), None);
        q.max_samples
            .push_back((start + Duration::from_millis(60), 9));
        assert_eq!(
            q.safe_bound(start + Duration::from_millis(120), delay),
            Some(5)
        );
        assert_eq!(
            q.safe_bound(start + Duration::from_millis(170), delay),
            Some(9)
        );
        // The older sample was pruned, the newest eligible one is kept.
        assert_eq!(q.max_samples.len(), 1);
        assert_eq!(
            q.safe_bound(start + Duration::from_millis(500), delay),
            Some(9)
        );
    }
}
