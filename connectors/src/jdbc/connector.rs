//! `JdbcSourceConnector`: finds the tables, splits them across tasks, and watches for new
//! or dropped tables (Confluent's `JdbcSourceConnector` and `TableMonitorThread`).

use std::sync::{Arc, Mutex};

use connect_api::config::{ConfigDef, ConfigValue};
use connect_api::connector::{ConfigMap, Connector, ConnectorContext, SourceConnector, SourceTask};
use connect_api::{ConnectError, Result};

use super::config::{
    config_def, cross_key_errors, ConnectionUrl, JdbcSourceConfig, CONNECTION_PASSWORD_CONFIG,
    CONNECTION_URL_CONFIG, CONNECTION_USER_CONFIG, TABLES_CONFIG,
};
use super::dialect::{Db, TableId};
use super::task::JdbcSourceTask;
use super::{version, BoxFuture};

/// Splits `elements` into `groups` contiguous groups whose sizes differ by at most one,
/// the first ones larger (Kafka's `ConnectorUtils.groupPartitions`).
pub fn group_partitions<T: Clone>(elements: &[T], groups: usize) -> Vec<Vec<T>> {
    if groups == 0 {
        return Vec::new();
    }
    let per_group = elements.len() / groups;
    let leftover = elements.len() % groups;
    let mut result = Vec::with_capacity(groups);
    let mut start = 0;
    for group in 0..groups {
        let size = per_group + usize::from(group < leftover);
        result.push(elements[start..start + size].to_vec());
        start += size;
    }
    result
}

/// The tables the configuration selects out of `all` (`TableMonitorThread`'s filters):
/// `table.whitelist` / `table.blacklist` match the table name or its fully-qualified name,
/// `table.include.list` / `table.exclude.list` are regexes over the fully-qualified name.
pub fn filter_tables(config: &JdbcSourceConfig, all: &[TableId]) -> Vec<TableId> {
    let named = |list: &[String], t: &TableId| {
        let fqn = t.fqn();
        list.iter().any(|n| *n == t.table || *n == fqn)
    };
    let mut tables: Vec<TableId> = all
        .iter()
        .filter(|t| config.whitelist.is_empty() || named(&config.whitelist, t))
        .filter(|t| !named(&config.blacklist, t))
        .filter(|t| {
            config.include.is_empty() || config.include.iter().any(|r| r.is_match(&t.fqn()))
        })
        .filter(|t| !config.exclude.iter().any(|r| r.is_match(&t.fqn())))
        .cloned()
        .collect();
    tables.sort();
    tables
}

async fn fetch_tables(db: &mut Db, config: &JdbcSourceConfig) -> Result<Vec<TableId>> {
    let all = db
        .list_tables(
            &config.table_types,
            config.catalog_pattern.as_deref(),
            config.schema_pattern.as_deref(),
        )
        .await?;
    Ok(filter_tables(config, &all))
}

/// Checks that the database answers with these credentials, on a thread of its own (the
/// validate call is synchronous and may run on an async worker).
fn check_connection(url: ConnectionUrl) -> std::result::Result<(), String> {
    let check = move || -> std::result::Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async move {
            let connect = Db::connect(&url, 1, std::time::Duration::ZERO);
            match tokio::time::timeout(std::time::Duration::from_secs(10), connect).await {
                Ok(Ok(db)) => {
                    db.close().await;
                    Ok(())
                }
                Ok(Err(e)) => Err(match e {
                    ConnectError::Retriable(m) => m,
                    other => other.to_string(),
                }),
                Err(_) => Err(format!("timed out connecting to {}", url.sanitized())),
            }
        })
    };
    std::thread::spawn(check)
        .join()
        .unwrap_or_else(|_| Err("the connection check panicked".to_owned()))
}

/// Imports tables of a PostgreSQL, MySQL/MariaDB or SQLite database into topics.
#[derive(Debug, Default)]
pub struct JdbcSourceConnector {
    config: Option<(ConfigMap, JdbcSourceConfig)>,
    tables: Arc<Mutex<Vec<TableId>>>,
    monitor: Option<tokio::task::JoinHandle<()>>,
}

impl JdbcSourceConnector {
    /// An unstarted connector.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Connector for JdbcSourceConnector {
    fn version(&self) -> String {
        version()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    /// Key-by-key validation, then the checks across keys, then, when the configuration
    /// is otherwise fine, a connection attempt whose failure is reported on
    /// `connection.url` (wrong host, database, user or password).
    fn validate(&self, config: &ConfigMap) -> Vec<ConfigValue> {
        let mut values = config_def().validate(config);
        let mut add = |key: &str, message: String| {
            if let Some(v) = values.iter_mut().find(|v| v.name == key) {
                v.errors.push(message);
            }
        };
        let cross = cross_key_errors(config);
        let url_ok = !cross.iter().any(|(k, _)| *k == CONNECTION_URL_CONFIG);
        for (key, message) in cross {
            add(key, message);
        }
        if url_ok {
            if let Some(url) = config.get(CONNECTION_URL_CONFIG) {
                let user = config.get(CONNECTION_USER_CONFIG).map(String::as_str);
                let password = config.get(CONNECTION_PASSWORD_CONFIG).map(String::as_str);
                match ConnectionUrl::parse(url, user, password) {
                    Ok(parsed) => {
                        if let Err(e) = check_connection(parsed) {
                            add(CONNECTION_URL_CONFIG, e);
                        }
                    }
                    Err(e) => add(CONNECTION_URL_CONFIG, e),
                }
            }
        }
        values
    }

    fn start(
        &mut self,
        context: Arc<dyn ConnectorContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let parsed = JdbcSourceConfig::parse(&config)?;
            if parsed.query.is_none() {
                let mut db = Db::connect(
                    &parsed.url,
                    parsed.connection_attempts,
                    parsed.connection_backoff,
                )
                .await
                .map_err(|e| ConnectError::connector(e.to_string()))?;
                let tables = fetch_tables(&mut db, &parsed).await?;
                db.close().await;
                tracing::info!(tables = ?tables.iter().map(TableId::fqn).collect::<Vec<_>>(), "JDBC source found tables");
                if let Ok(mut guard) = self.tables.lock() {
                    *guard = tables;
                }
                let shared = Arc::clone(&self.tables);
                let monitor_config = parsed.clone();
                self.monitor = Some(tokio::spawn(async move {
                    monitor_tables(monitor_config, shared, context).await;
                }));
            }
            self.config = Some((config, parsed));
            Ok(())
        })
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        let (raw, parsed) = self
            .config
            .as_ref()
            .ok_or_else(|| ConnectError::connector("JdbcSourceConnector is not started"))?;
        if parsed.query.is_some() {
            // A custom query always runs as one task.
            return Ok(vec![raw.clone()]);
        }
        let tables = self.tables.lock().map(|t| t.clone()).unwrap_or_default();
        if tables.is_empty() {
            tracing::warn!("no tables were found, so no tasks will be started");
            return Ok(Vec::new());
        }
        let groups = group_partitions(&tables, max_tasks.max(1).min(tables.len()));
        Ok(groups
            .into_iter()
            .map(|group| {
                let mut config = raw.clone();
                let encoded: Vec<_> = group.iter().map(TableId::to_json).collect();
                config.insert(
                    TABLES_CONFIG.to_owned(),
                    serde_json::Value::Array(encoded).to_string(),
                );
                config
            })
            .collect())
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if let Some(monitor) = self.monitor.take() {
                monitor.abort();
            }
            Ok(())
        })
    }
}

/// Lists the tables every `table.poll.interval.ms`; when the set changes, asks the runtime
/// for new task configurations. Failures are logged and retried at the next interval.
async fn monitor_tables(
    config: JdbcSourceConfig,
    tables: Arc<Mutex<Vec<TableId>>>,
    context: Arc<dyn ConnectorContext>,
) {
    let interval = config
        .table_poll_interval
        .max(std::time::Duration::from_millis(100));
    loop {
        tokio::time::sleep(interval).await;
        let found = async {
            let mut db = Db::connect(&config.url, 1, std::time::Duration::ZERO).await?;
            let found = fetch_tables(&mut db, &config).await;
            db.close().await;
            found
        }
        .await;
        match found {
            Ok(found) => {
                let changed = tables.lock().map(|mut current| {
                    if *current != found {
                        *current = found.clone();
                        true
                    } else {
                        false
                    }
                });
                if changed.unwrap_or(false) {
                    tracing::info!(tables = ?found.iter().map(TableId::fqn).collect::<Vec<_>>(),
                        "the set of tables changed, reconfiguring tasks");
                    context.request_task_reconfiguration();
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list the tables, will retry"),
        }
    }
}

impl SourceConnector for JdbcSourceConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(JdbcSourceTask::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_like_connector_utils() {
        let g = group_partitions(&[1, 2, 3, 4, 5], 3);
        assert_eq!(g, vec![vec![1, 2], vec![3, 4], vec![5]]);
        let g = group_partitions(&[1, 2], 2);
        assert_eq!(g, vec![vec![1], vec![2]]);
        let g = group_partitions(&[1, 2, 3, 4, 5, 6, 7], 3);
        assert_eq!(g, vec![vec![1, 2, 3], vec![4, 5], vec![6, 7]]);
        assert!(group_partitions::<i32>(&[], 0).is_empty());
    }

    fn config(pairs: &[(&str, &str)]) -> Result<JdbcSourceConfig> {
        let mut map: ConfigMap = [
            ("connection.url", "jdbc:mysql://h/shop"),
            ("mode", "bulk"),
            ("topic.prefix", "p"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in pairs {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        JdbcSourceConfig::parse(&map)
    }

    #[test]
    fn table_filters() -> Result<()> {
        let all = [
            TableId::new(Some("shop"), None, "orders"),
            TableId::new(Some("shop"), None, "customers"),
            TableId::new(Some("shop"), None, "audit_log"),
        ];
        let names = |c: &JdbcSourceConfig| -> Vec<String> {
            filter_tables(c, &all)
                .iter()
                .map(|t| t.table.clone())
                .collect()
        };
        assert_eq!(names(&config(&[])?), ["audit_log", "customers", "orders"]);
        assert_eq!(
            names(&config(&[("table.whitelist", "orders, shop.customers")])?),
            ["customers", "orders"]
        );
        assert_eq!(
            names(&config(&[("table.blacklist", "audit_log")])?),
            ["customers", "orders"]
        );
        assert_eq!(
            names(&config(&[(
                "table.include.list",
                "shop\\.(orders|audit.*)"
            )])?),
            ["audit_log", "orders"]
        );
        // Regexes must match the whole fully-qualified name.
        assert!(names(&config(&[("table.include.list", "orders")])?).is_empty());
        assert_eq!(
            names(&config(&[("table.exclude.list", ".*_log")])?),
            ["customers", "orders"]
        );
        Ok(())
    }
}
