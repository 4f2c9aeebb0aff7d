//! `JdbcSourceTask`: polls its tables (or the query) in turn, `poll.interval.ms` apart
//! for each, at most `batch.max.rows` rows per poll; a table with a full batch is queried
//! again right away (Confluent's `JdbcSourceTask.poll`).
//!
//! A database error drops the connection and is returned as retriable; the runtime backs
//! off and polls again, the task reconnects (`connection.attempts` tries,
//! `connection.backoff.ms` apart) and continues from the offsets it holds in memory, which
//! are those of the last records it returned. `query.retry.attempts` consecutive failures
//! (when not -1) fail the task.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::{ConfigMap, SourceTask, SourceTaskContext};
use connect_api::record::SourceRecord;
use connect_api::{ConnectError, Result};

use super::config::{JdbcSourceConfig, TABLES_CONFIG};
use super::dialect::{Db, Dialect, TableId};
use super::querier::{
    query_partition, table_partition, table_partition_v0, Offset, Source, TableQuerier,
};
use super::{version, BoxFuture};

/// The longest a poll waits for a table to become due, so the runtime can stop the task.
const MAX_IDLE_WAIT: Duration = Duration::from_millis(500);

/// Reads the tables given in its configuration.
#[derive(Debug, Default)]
pub struct JdbcSourceTask {
    state: Option<State>,
}

#[derive(Debug)]
struct State {
    config: JdbcSourceConfig,
    dialect: Dialect,
    queriers: Vec<TableQuerier>,
    db: Option<Db>,
    failures: u32,
}

impl JdbcSourceTask {
    /// An unstarted task.
    pub fn new() -> Self {
        Self::default()
    }
}

fn task_tables(config: &ConfigMap) -> Result<Vec<TableId>> {
    let Some(raw) = config.get(TABLES_CONFIG) else {
        return Err(ConnectError::connector(
            "Invalid configuration: the task has no tables (was it configured by JdbcSourceConnector?)",
        ));
    };
    let parsed: serde_json::Value = serde_json::from_str(raw)
        .map_err(|e| ConnectError::connector(format!("invalid task tables {raw}: {e}")))?;
    parsed
        .as_array()
        .map(|a| a.iter().filter_map(TableId::from_json).collect())
        .ok_or_else(|| ConnectError::connector(format!("invalid task tables {raw}")))
}

impl SourceTask for JdbcSourceTask {
    fn version(&self) -> String {
        version()
    }

    fn start(
        &mut self,
        context: Arc<dyn SourceTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let parsed = JdbcSourceConfig::parse(&config)?;
            let reader = context.offset_storage_reader();
            let mut queriers = Vec::new();
            if let Some(query) = &parsed.query {
                let offset = match reader.offset(&query_partition()).await? {
                    Some(map) => Offset::from_map(&map)?,
                    None => Offset::default(),
                };
                queriers.push(TableQuerier::new(
                    Source::Query(query.clone()),
                    &parsed.topic_prefix,
                    offset,
                ));
            } else {
                for table in task_tables(&config)? {
                    let mut stored = reader.offset(&table_partition(&table)).await?;
                    if stored.is_none() {
                        stored = reader.offset(&table_partition_v0(&table)).await?;
                    }
                    let offset = match stored {
                        Some(map) => Offset::from_map(&map)?,
                        None => Offset::default(),
                    };
                    tracing::debug!(table = %table.fqn(), ?offset, "starting from offset");
                    queriers.push(TableQuerier::new(
                        Source::Table(table),
                        &parsed.topic_prefix,
                        offset,
                    ));
                }
            }
            let dialect = Dialect {
                backend: parsed.url.backend,
                quote: parsed.quote_identifiers,
            };
            self.state = Some(State {
                config: parsed,
                dialect,
                queriers,
                db: None,
                failures: 0,
            });
            Ok(())
        })
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<SourceRecord>>> {
        Box::pin(async move {
            let state = self
                .state
                .as_mut()
                .ok_or_else(|| ConnectError::connector("JdbcSourceTask is not started"))?;
            state.poll().await
        })
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if let Some(db) = self.state.as_mut().and_then(|s| s.db.take()) {
                db.close().await;
            }
            Ok(())
        })
    }
}

impl State {
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let batch = self.config.batch_max_rows;
        if let Some(q) = self.queriers.iter_mut().find(|q| q.has_pending()) {
            return Ok(q.take_pending(batch));
        }
        let Some(index) = (0..self.queriers.len()).min_by_key(|&i| self.queriers[i].next_due)
        else {
            tokio::time::sleep(MAX_IDLE_WAIT).await;
            return Ok(Vec::new());
        };
        let due = self.queriers[index].next_due;
        let now = Instant::now();
        if due > now {
            let wait = (due - now).min(MAX_IDLE_WAIT);
            tokio::time::sleep(wait).await;
            if Instant::now() < due {
                return Ok(Vec::new());
            }
        }
        let db = match self.db.as_mut() {
            Some(db) => db,
            None => {
                let db = Db::connect(
                    &self.config.url,
                    self.config.connection_attempts,
                    self.config.connection_backoff,
                )
                .await?;
                self.db.insert(db)
            }
        };
        let querier = &mut self.queriers[index];
        match querier.query(db, &self.dialect, &self.config).await {
            Ok(more) => {
                self.failures = 0;
                querier.next_due = if more {
                    Instant::now()
                } else {
                    Instant::now() + self.config.poll_interval
                };
                Ok(querier.take_pending(batch))
            }
            Err(e) if e.is_retriable() => {
                self.failures += 1;
                querier.reset_layout();
                if let Some(db) = self.db.take() {
                    db.close().await;
                }
                if let Some(max) = self.config.query_retry_attempts {
                    if self.failures > max {
                        return Err(ConnectError::connector(format!(
                            "giving up after {} failed queries: {e}",
                            self.failures
                        )));
                    }
                }
                tracing::warn!(error = %e, failures = self.failures, "JDBC source query failed, will reconnect and retry");
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}
