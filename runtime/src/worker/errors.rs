//! Error handling of tasks: traces, `errors.tolerance`, `errors.log.*` and the sink's
//! dead letter queue (Kafka's `RetryWithToleranceOperator`, `LogReporter` and
//! `DeadLetterQueueReporter`).

use std::collections::BTreeMap;
use std::error::Error as _;
use std::time::Duration;

use connect_api::ConnectError;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};

use crate::config::connector::{DeadLetterQueue, ErrorHandling, ErrorTolerance};
use crate::herder::ConnectorTaskId;

/// The Java exception class Kafka would show for an error of this kind, so traces read
/// like Kafka's (`grep ConnectException` keeps working).
fn java_class(error: &ConnectError) -> &'static str {
    match error {
        ConnectError::Data(_) => "org.apache.kafka.connect.errors.DataException",
        ConnectError::Config(_) => "org.apache.kafka.common.config.ConfigException",
        ConnectError::Retriable(_) => "org.apache.kafka.connect.errors.RetriableException",
        ConnectError::Connector { .. } => "org.apache.kafka.connect.errors.ConnectException",
    }
}

/// The trace shown in `/status` for a failure: the Java class and message, then each
/// cause on a `Caused by:` line (Rust errors carry no stack, so there are no `at` lines).
pub fn trace_of(error: &ConnectError) -> String {
    let mut trace = format!("{}: {error}", java_class(error));
    let mut source = error.source();
    while let Some(cause) = source {
        trace.push_str(&format!("\nCaused by: {cause}"));
        source = cause.source();
    }
    trace
}

/// Where in the pipeline a record failed (Kafka's `Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A transformation.
    Transformation,
    /// The key converter.
    KeyConverter,
    /// The value converter.
    ValueConverter,
    /// The header converter.
    HeaderConverter,
    /// Reported by the sink task through its `ErrantRecordReporter`.
    TaskPut,
}

impl Stage {
    /// Kafka's name, used in logs and the DLQ `stage` header.
    pub fn name(self) -> &'static str {
        match self {
            Self::Transformation => "TRANSFORMATION",
            Self::KeyConverter => "KEY_CONVERTER",
            Self::ValueConverter => "VALUE_CONVERTER",
            Self::HeaderConverter => "HEADER_CONVERTER",
            Self::TaskPut => "TASK_PUT",
        }
    }
}

/// A consumed record as it came from Kafka, kept to send it to the DLQ unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecord {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Timestamp, if any.
    pub timestamp: Option<i64>,
    /// 0: no timestamp, 1: create time, 2: log append time.
    pub timestamp_type: u8,
    /// Key bytes.
    pub key: Option<Vec<u8>>,
    /// Value bytes.
    pub value: Option<Vec<u8>>,
    /// Headers.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// The sink's dead letter queue producer.
struct DeadLetterQueueProducer {
    config: DeadLetterQueue,
    producer: FutureProducer,
}

/// Applies a connector's `errors.*` settings to records that fail.
pub struct ErrorReporter {
    task: ConnectorTaskId,
    handling: ErrorHandling,
    dlq: Option<DeadLetterQueueProducer>,
}

impl std::fmt::Debug for ErrorReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorReporter")
            .field("task", &self.task)
            .field("handling", &self.handling)
            .field("dlq", &self.dlq.as_ref().map(|d| &d.config.topic))
            .finish()
    }
}

impl ErrorReporter {
    /// A reporter without a dead letter queue (source tasks, and sinks without one).
    pub fn new(task: ConnectorTaskId, handling: ErrorHandling) -> Self {
        Self {
            task,
            handling,
            dlq: None,
        }
    }

    /// A sink's reporter sending tolerated failures to `dlq` through a producer built
    /// from `producer_props`; creates the DLQ topic if it does not exist.
    pub async fn with_dead_letter_queue(
        task: ConnectorTaskId,
        handling: ErrorHandling,
        dlq: DeadLetterQueue,
        producer_props: &BTreeMap<String, String>,
        admin_props: &BTreeMap<String, String>,
    ) -> Result<Self, ConnectError> {
        let producer: FutureProducer = super::clients::create(producer_props).map_err(|e| {
            ConnectError::with_source("Failed to create the dead letter queue producer", e)
        })?;
        let admin: AdminClient<DefaultClientContext> = super::clients::create(admin_props)
            .map_err(|e| ConnectError::with_source("Failed to create an admin client", e))?;
        let topic = NewTopic::new(
            &dlq.topic,
            1,
            TopicReplication::Fixed(i32::from(dlq.replication_factor)),
        );
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        match admin.create_topics([&topic], &options).await {
            Ok(results) => {
                for result in results {
                    if let Err((name, code)) = result {
                        if code != rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists {
                            tracing::warn!(topic = %name, error = %code,
                                "could not create the dead letter queue topic; records will go to it only if the broker creates topics automatically (check errors.deadletterqueue.topic.replication.factor)");
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(topic = %dlq.topic, error = %e, "could not create the dead letter queue topic")
            }
        }
        Ok(Self {
            task,
            handling,
            dlq: Some(DeadLetterQueueProducer {
                config: dlq,
                producer,
            }),
        })
    }

    /// Whether failed records are skipped (`errors.tolerance=all`).
    pub fn tolerates_all(&self) -> bool {
        self.handling.tolerance == ErrorTolerance::All
    }

    /// Whether the task has a reporter a sink task can use (Kafka gives one when a DLQ
    /// or error logging is configured).
    pub fn has_reporters(&self) -> bool {
        self.dlq.is_some() || self.handling.log_enable
    }

    /// Handles a record that failed at `stage`: logs it (`errors.log.enable`), sends the
    /// original to the dead letter queue if there is one, and returns `Ok(())` when the
    /// record may be skipped, or the error that fails the task (`errors.tolerance=none`).
    pub async fn report(
        &self,
        stage: Stage,
        error: ConnectError,
        original: Option<&RawRecord>,
    ) -> Result<(), ConnectError> {
        if self.handling.log_enable {
            let record = match (original, self.handling.log_include_messages) {
                (Some(r), true) => format!("{r:?}"),
                (Some(r), false) => format!(
                    "{{topic='{}', partition={}, offset={}}}",
                    r.topic, r.partition, r.offset
                ),
                (None, _) => "unknown".to_owned(),
            };
            tracing::error!(connector = %self.task.connector, task = self.task.task,
                stage = stage.name(), record = %record, error = %trace_of(&error),
                "Error encountered in task {}. Executing stage '{}'", self.task, stage.name());
        }
        if !self.tolerates_all() {
            return Err(ConnectError::with_source(
                "Tolerance exceeded in error handler",
                error,
            ));
        }
        if let (Some(dlq), Some(record)) = (&self.dlq, original) {
            self.send_to_dlq(dlq, stage, &error, record).await?;
        }
        Ok(())
    }

    async fn send_to_dlq(
        &self,
        dlq: &DeadLetterQueueProducer,
        stage: Stage,
        error: &ConnectError,
        record: &RawRecord,
    ) -> Result<(), ConnectError> {
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len() + 10);
        for (key, value) in &record.headers {
            headers = headers.insert(Header {
                key,
                value: value.as_deref(),
            });
        }
        if dlq.config.context_headers_enable {
            let context = [
                ("__connect.errors.topic", record.topic.clone()),
                ("__connect.errors.partition", record.partition.to_string()),
                ("__connect.errors.offset", record.offset.to_string()),
                (
                    "__connect.errors.connector.name",
                    self.task.connector.clone(),
                ),
                ("__connect.errors.task.id", self.task.task.to_string()),
                ("__connect.errors.stage", stage.name().to_owned()),
                ("__connect.errors.class.name", "sluice".to_owned()),
                (
                    "__connect.errors.exception.class.name",
                    java_class(error).to_owned(),
                ),
                ("__connect.errors.exception.message", error.to_string()),
                ("__connect.errors.exception.stacktrace", trace_of(error)),
            ];
            for (key, value) in &context {
                headers = headers.insert(Header {
                    key,
                    value: Some(value.as_bytes()),
                });
            }
        }
        let mut out: FutureRecord<'_, [u8], [u8]> =
            FutureRecord::to(&dlq.config.topic).headers(headers);
        if let Some(key) = &record.key {
            out = out.key(key.as_slice());
        }
        if let Some(value) = &record.value {
            out = out.payload(value.as_slice());
        }
        if let Some(ts) = record.timestamp {
            out = out.timestamp(ts);
        }
        dlq.producer
            .send(out, Duration::from_secs(30))
            .await
            .map(|_| ())
            .map_err(|(e, _)| {
                ConnectError::with_source(
                    format!(
                        "Could not produce a failed record to the dead letter queue topic '{}'",
                        dlq.config.topic
                    ),
                    e,
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_show_the_java_class_and_every_cause() {
        let inner = std::io::Error::other("disk full");
        let error = ConnectError::with_source("cannot write out.txt", inner);
        assert_eq!(
            trace_of(&error),
            "org.apache.kafka.connect.errors.ConnectException: cannot write out.txt\nCaused by: disk full"
        );
        assert_eq!(
            trace_of(&ConnectError::data("bad")),
            "org.apache.kafka.connect.errors.DataException: bad"
        );
    }

    #[tokio::test]
    async fn tolerance_none_fails_and_all_skips() {
        let handling = |tolerance| ErrorHandling {
            retry_timeout: Some(Duration::ZERO),
            retry_delay_max: Duration::from_secs(60),
            tolerance,
            log_enable: true,
            log_include_messages: false,
        };
        let id = ConnectorTaskId::new("c", 0);
        let none = ErrorReporter::new(id.clone(), handling(ErrorTolerance::None));
        let err = none
            .report(Stage::ValueConverter, ConnectError::data("bad json"), None)
            .await
            .map_err(|e| trace_of(&e));
        assert_eq!(
            err,
            Err("org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\nCaused by: bad json".to_owned())
        );
        let all = ErrorReporter::new(id, handling(ErrorTolerance::All));
        assert!(all
            .report(Stage::ValueConverter, ConnectError::data("bad json"), None)
            .await
            .is_ok());
    }
}
