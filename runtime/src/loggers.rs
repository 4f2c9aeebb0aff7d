//! Logger levels for `/admin/loggers` (KIP-495).
//!
//! Kafka's loggers are log4j names (`org.apache.kafka.connect.runtime`); sluice's are
//! `tracing` targets (`runtime::worker::source`, `connectors::file`). A level set through
//! the REST API is remembered here and handed to the process's log filter through the
//! `apply` hook (the binary reloads its `tracing` filter with `<namespace>=<level>`).
//! The `root` logger is always listed, as in Kafka.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::herder::LoggerLevel;

/// Applies `(namespace, level)` to the process's log filter.
pub type ApplyLevel = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// The levels set on this worker.
#[derive(Clone)]
pub struct Loggers {
    levels: Arc<Mutex<BTreeMap<String, LoggerLevel>>>,
    apply: Option<ApplyLevel>,
}

impl std::fmt::Debug for Loggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loggers")
            .field("levels", &self.levels)
            .finish()
    }
}

impl Loggers {
    /// Loggers starting with `root` at `root_level`; `apply` changes the real filter.
    pub fn new(root_level: &str, apply: Option<ApplyLevel>) -> Self {
        let levels = BTreeMap::from([(
            "root".to_owned(),
            LoggerLevel {
                level: root_level.to_ascii_uppercase(),
                last_modified: None,
            },
        )]);
        Self {
            levels: Arc::new(Mutex::new(levels)),
            apply,
        }
    }

    /// Every logger with a level.
    pub fn all(&self) -> BTreeMap<String, LoggerLevel> {
        self.levels.lock().clone()
    }

    /// One logger's level, `None` for a logger that was never set (Kafka: a logger that
    /// does not exist is 404).
    pub fn get(&self, name: &str) -> Option<LoggerLevel> {
        self.levels.lock().get(name).cloned()
    }

    /// Sets `namespace` and every known logger under it to `level`; returns the loggers
    /// changed, sorted.
    pub fn set(&self, namespace: &str, level: &str) -> Vec<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        let level = level.to_ascii_uppercase();
        let mut levels = self.levels.lock();
        let under = |name: &str| {
            namespace == "root"
                || name == namespace
                || name.starts_with(&format!("{namespace}."))
                || name.starts_with(&format!("{namespace}::"))
        };
        let mut changed: Vec<String> = levels.keys().filter(|n| under(n)).cloned().collect();
        if !changed.iter().any(|n| n == namespace) {
            changed.push(namespace.to_owned());
        }
        changed.sort();
        for name in &changed {
            levels.insert(
                name.clone(),
                LoggerLevel {
                    level: level.clone(),
                    last_modified: Some(now),
                },
            );
        }
        drop(levels);
        if let Some(apply) = &self.apply {
            apply(namespace, &level);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_set_by_namespace() {
        let applied = Arc::new(Mutex::new(Vec::new()));
        let sink = applied.clone();
        let loggers = Loggers::new(
            "info",
            Some(Arc::new(move |ns: &str, level: &str| {
                sink.lock().push(format!("{ns}={level}"))
            })),
        );
        assert_eq!(
            loggers.get("root").map(|l| l.level),
            Some("INFO".to_owned())
        );
        assert_eq!(loggers.get("runtime::worker"), None);
        assert_eq!(loggers.set("runtime", "debug"), ["runtime"]);
        let set = loggers.get("runtime");
        assert_eq!(set.as_ref().map(|l| l.level.as_str()), Some("DEBUG"));
        assert!(set.and_then(|l| l.last_modified).is_some());
        assert_eq!(loggers.set("runtime::worker", "trace"), ["runtime::worker"]);
        assert_eq!(
            loggers.set("runtime", "warn"),
            ["runtime", "runtime::worker"]
        );
        assert_eq!(loggers.all().len(), 3);
        assert_eq!(applied.lock().len(), 3);
    }
}
