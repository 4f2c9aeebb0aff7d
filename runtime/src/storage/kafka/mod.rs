//! Distributed mode's stores, kept in Kafka's internal topics in exactly the record
//! formats Kafka Connect 3.9 uses, so Java tools and Java workers read what sluice writes
//! and the other way round.
//!
//! * [`topics`]: creating and checking the topics (Kafka's `TopicAdmin`).
//! * [`log`]: a topic read from the beginning by a dedicated thread, with a producer
//!   (Kafka's `KafkaBasedLog`).
//! * [`config`]: connector and task configurations, target states, restart requests
//!   (`config.storage.topic`, Kafka's `KafkaConfigBackingStore`).
//! * [`offsets`]: source offsets (`offset.storage.topic`, `KafkaOffsetBackingStore`).
//! * [`status`]: connector and task statuses and the topics connectors use
//!   (`status.storage.topic`, `KafkaStatusBackingStore`).
//!
//! Values are what Kafka's `JsonConverter` writes with `schemas.enable=false`: plain JSON
//! without spaces, fields in the order of Kafka's schemas. Keys are UTF-8 strings (config
//! and status topics) or JSON (offsets topic).

pub mod config;
mod json;
pub mod log;
pub mod offsets;
pub mod status;
pub mod topics;

pub use config::{ClusterConfigState, ConfigStore, ConfigUpdate, SessionKey};
pub use log::{KafkaLog, LogRecord};
pub use offsets::KafkaOffsetStore;
pub use status::KafkaStatusStore;
pub use topics::{ensure_internal_topic, InternalTopicSpec};
