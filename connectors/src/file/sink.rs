//! `FileStreamSink`: writes each record's value as one line of text to a file (appending)
//! or to stdout, and flushes on [`SinkTask::flush`] — Kafka's `FileStreamSinkTask`.
//!
//! A value is written as Java's `String.valueOf(value)` would print it: `null` for null,
//! the text of a string, decimal numbers, `true`/`false`, `[a, b]` for arrays,
//! `{k=v, k2=v2}` for maps and `Struct{f=v,...}` for structs. Java has no useful text for
//! bytes (`[B@1b6d3586`) and prints dates as `java.util.Date`; here bytes print as a byte
//! list and `Date`/`Time`/`Timestamp` as their integer encoding.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigErrors, ConfigKey, ConfigType, ConfigValue, Importance,
    ParsedValue,
};
use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, SinkConnector, SinkOffsets, SinkTask, SinkTaskContext,
};
use connect_api::data::Value;
use connect_api::record::SinkRecord;
use connect_api::{ConnectError, Result};

use super::{run_blocking, version, BoxFuture, FILE_CONFIG};

/// Kafka's class name of the sink connector.
pub const SINK_CONNECTOR_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";
/// The topics to consume (a list), defined by the runtime for every sink connector.
pub const TOPICS_CONFIG: &str = "topics";
/// A regex of the topics to consume, defined by the runtime for every sink connector.
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";

/// The configuration definition of the sink connector (Kafka's `CONFIG_DEF`). `topics` and
/// `topics.regex` are the runtime's keys (Kafka's `SinkConnectorConfig`); this connector
/// only checks that exactly one of them is set, see [`FileStreamSinkConnector`].
pub fn sink_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            FILE_CONFIG,
            ConfigType::String,
            Importance::High,
            "Destination filename. If not specified, the standard output will be used",
        )
        .default_null(),
    )
}

/// Kafka's `SinkConnectorConfig.validate` rule: exactly one of `topics` and `topics.regex`
/// is set (blank counts as unset). The error is Kafka's message.
fn check_topics(config: &ConfigMap) -> std::result::Result<(), String> {
    let is_set = |key: &str| config.get(key).is_some_and(|v| !v.trim().is_empty());
    match (is_set(TOPICS_CONFIG), is_set(TOPICS_REGEX_CONFIG)) {
        (true, true) => Err(format!(
            "{TOPICS_CONFIG} and {TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set."
        )),
        (false, false) => Err(format!(
            "Must configure one of {TOPICS_CONFIG} or {TOPICS_REGEX_CONFIG}"
        )),
        _ => Ok(()),
    }
}

/// The destination file name; `None` writes to stdout.
fn parse_file(config: &ConfigMap) -> Result<Option<String>> {
    let parsed = sink_config_def().parse(config)?;
    // Kafka writes to stdout only for a missing `file`; an empty one fails to open there.
    // The documented meaning is "not specified", so empty means stdout here too.
    Ok(parsed
        .get_string(FILE_CONFIG)?
        .filter(|f| !f.is_empty())
        .map(str::to_owned))
}

/// Writes record values to a file or stdout; runs `tasks.max` identical tasks.
#[derive(Debug, Default)]
pub struct FileStreamSinkConnector {
    config: Option<ConfigMap>,
}

impl FileStreamSinkConnector {
    /// An unstarted connector.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Connector for FileStreamSinkConnector {
    fn version(&self) -> String {
        version()
    }

    fn config_def(&self) -> ConfigDef {
        sink_config_def()
    }

    /// The `file` key, plus a `topics` and a `topics.regex` entry carrying the error when
    /// not exactly one of them is set (as Kafka's `SinkConnectorConfig.validate` adds).
    fn validate(&self, config: &ConfigMap) -> Vec<ConfigValue> {
        let mut values = self.config_def().validate(config);
        if let Err(message) = check_topics(config) {
            for key in [TOPICS_CONFIG, TOPICS_REGEX_CONFIG] {
                values.push(ConfigValue {
                    name: key.to_owned(),
                    value: config.get(key).cloned().map(ParsedValue::String),
                    recommended_values: Vec::new(),
                    errors: vec![message.clone()],
                    visible: true,
                });
            }
        }
        values
    }

    fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            parse_file(&config)?;
            check_topics(&config).map_err(|message| {
                ConnectError::Config(ConfigErrors(vec![ConfigError {
                    name: Some(TOPICS_CONFIG.to_owned()),
                    message,
                }]))
            })?;
            self.config = Some(config);
            Ok(())
        })
    }

    /// `max_tasks` copies of the connector's configuration, as Kafka.
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| ConnectError::connector("FileStreamSinkConnector is not started"))?;
        Ok(vec![config.clone(); max_tasks])
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl SinkConnector for FileStreamSinkConnector {
    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(FileStreamSinkTask::new())
    }

    /// Kafka's `FileStreamSinkConnector.alterOffsets`: the file sink keeps no offsets of
    /// its own, so any consumer offsets may be set.
    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        _offsets: &[(connect_api::connector::TopicPartition, Option<i64>)],
    ) -> Result<bool> {
        Ok(true)
    }
}

type Output = Box<dyn Write + Send>;

/// Writes one line per record; see the [module docs](self).
#[derive(Default)]
pub struct FileStreamSinkTask {
    /// `None` for stdout.
    file: Option<String>,
    /// Taken out while a blocking write runs on the I/O thread.
    output: Option<Output>,
}

impl std::fmt::Debug for FileStreamSinkTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStreamSinkTask")
            .field("file", &self.file)
            .field("open", &self.output.is_some())
            .finish()
    }
}

impl FileStreamSinkTask {
    /// An unstarted task.
    pub fn new() -> Self {
        Self::default()
    }

    fn destination(&self) -> &str {
        self.file.as_deref().unwrap_or("stdout")
    }

    /// Runs `work` on the output off the async threads and puts the output back.
    async fn with_output(
        &mut self,
        work: impl FnOnce(&mut Output) -> io::Result<()> + Send + 'static,
    ) -> Result<()> {
        let mut output = self.output.take().ok_or_else(|| {
            ConnectError::connector(
                "FileStreamSinkTask is not started, or lost its output to a cancelled call",
            )
        })?;
        let (output, result) = run_blocking("FileStreamSinkTask", move || {
            let result = work(&mut output);
            (output, result)
        })
        .await?;
        self.output = Some(output);
        result.map_err(|e| {
            ConnectError::with_source(format!("Error writing to {}", self.destination()), e)
        })
    }
}

impl SinkTask for FileStreamSinkTask {
    fn version(&self) -> String {
        version()
    }

    fn start(
        &mut self,
        _context: Arc<dyn SinkTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let file = parse_file(&config)?;
            let output: Output = match &file {
                None => Box::new(io::stdout()),
                Some(path) => {
                    let path = path.clone();
                    let opened = run_blocking("FileStreamSinkTask", move || {
                        OpenOptions::new().create(true).append(true).open(&path)
                    })
                    .await?;
                    let opened = opened.map_err(|e| {
                        ConnectError::with_source(
                            format!(
                                "Couldn't find or create file '{}' for FileStreamSinkTask",
                                file.as_deref().unwrap_or_default()
                            ),
                            e,
                        )
                    })?;
                    Box::new(BufWriter::new(opened))
                }
            };
            self.file = file;
            self.output = Some(output);
            Ok(())
        })
    }

    fn put(&mut self, records: Vec<SinkRecord>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if records.is_empty() {
                return Ok(());
            }
            let mut text = String::new();
            for record in &records {
                tracing::trace!(file = %self.destination(), "writing line");
                java_string(&record.value, &mut text);
                text.push('\n');
            }
            self.with_output(move |output| output.write_all(text.as_bytes()))
                .await
        })
    }

    fn flush<'a>(&'a mut self, _offsets: &'a SinkOffsets) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            tracing::trace!(file = %self.destination(), "flushing output");
            self.with_output(|output| output.flush()).await
        })
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if self.output.is_none() {
                return Ok(());
            }
            // Like Java's PrintStream.close(): flush what is buffered, then close.
            let flushed = self.with_output(|output| output.flush()).await;
            self.output = None;
            flushed
        })
    }
}

/// Appends Java's `String.valueOf(value)` to `out` (see the module docs for the
/// exceptions).
fn java_string(value: &Value, out: &mut String) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = match value {
        Value::Null => write!(out, "null"),
        Value::String(s) => write!(out, "{s}"),
        Value::Int8(v) => write!(out, "{v}"),
        Value::Int16(v) => write!(out, "{v}"),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => write!(out, "{v}"),
        Value::Int64(v) | Value::Timestamp(v) => write!(out, "{v}"),
        Value::Float32(v) => write!(out, "{v:?}"),
        Value::Float64(v) => write!(out, "{v:?}"),
        Value::Boolean(v) => write!(out, "{v}"),
        Value::Bytes(v) => write!(out, "{v:?}"),
        Value::Decimal(d) => write!(out, "{d}"),
        Value::Struct(s) => write!(out, "{s}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_string(item, out);
            }
            out.push(']');
            Ok(())
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_string(key, out);
                out.push('=');
                java_string(item, out);
            }
            out.push('}');
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &Value) -> String {
        let mut out = String::new();
        java_string(value, &mut out);
        out
    }

    #[test]
    fn values_print_like_java_string_value_of() {
        assert_eq!(text(&Value::Null), "null");
        assert_eq!(text(&Value::from("line")), "line");
        assert_eq!(text(&Value::Int64(-7)), "-7");
        assert_eq!(text(&Value::Float64(1.0)), "1.0");
        assert_eq!(text(&Value::Boolean(true)), "true");
        assert_eq!(
            text(&Value::Array(vec![Value::Int32(1), Value::Null])),
            "[1, null]"
        );
        assert_eq!(
            text(&Value::Map(vec![(Value::from("k"), Value::Int32(2))])),
            "{k=2}"
        );
    }

    #[test]
    fn exactly_one_of_topics_and_topics_regex() {
        let config = |pairs: &[(&str, &str)]| -> ConfigMap {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(check_topics(&config(&[("topics", "a,b")])), Ok(()));
        assert_eq!(check_topics(&config(&[("topics.regex", "a.*")])), Ok(()));
        assert_eq!(
            check_topics(&config(&[("topics", " ")])),
            Err("Must configure one of topics or topics.regex".to_owned())
        );
        assert_eq!(
            check_topics(&config(&[("topics", "a"), ("topics.regex", "b")])),
            Err(
                "topics and topics.regex are mutually exclusive options, but both are set."
                    .to_owned()
            )
        );
    }
}
