//! Built-in connectors of sluice, written against `connect-api` only.
//!
//! Start reading at [`plugins`]: the registry the runtime uses to find a connector class
//! by its Kafka class name and build it. Each connector lives in its own module:
//!
//! * [`file`]: `FileStreamSource` / `FileStreamSink`, Kafka's file connectors, with file
//!   rotation support added to the source.
//! * [`jdbc`]: Confluent's `JdbcSourceConnector` (PostgreSQL, MySQL/MariaDB, SQLite).

use connect_api::connector::{SinkConnector, SourceConnector};

pub mod file;
pub mod jdbc;

/// How to build a connector of one plugin class.
#[derive(Debug, Clone, Copy)]
pub enum PluginConstructor {
    /// A source connector.
    Source(fn() -> Box<dyn SourceConnector>),
    /// A sink connector.
    Sink(fn() -> Box<dyn SinkConnector>),
}

/// One connector plugin: its Kafka class name and how to build it.
#[derive(Debug, Clone, Copy)]
pub struct Plugin {
    /// The fully qualified class name users put in `connector.class`, e.g.
    /// `org.apache.kafka.connect.file.FileStreamSourceConnector`.
    pub class: &'static str,
    /// Builds a new, unstarted connector.
    pub constructor: PluginConstructor,
}

/// Every built-in connector plugin, in a stable order.
///
/// The runtime resolves `connector.class` against [`Plugin::class`] (and Kafka's aliases,
/// e.g. the simple name with or without the `Connector` suffix; that matching is the
/// runtime's job, not this registry's).
pub fn plugins() -> Vec<Plugin> {
    vec![
        Plugin {
            class: file::SOURCE_CONNECTOR_CLASS,
            constructor: PluginConstructor::Source(|| {
                Box::new(file::FileStreamSourceConnector::new())
            }),
        },
        Plugin {
            class: file::SINK_CONNECTOR_CLASS,
            constructor: PluginConstructor::Sink(|| Box::new(file::FileStreamSinkConnector::new())),
        },
        Plugin {
            class: jdbc::SOURCE_CONNECTOR_CLASS,
            constructor: PluginConstructor::Source(|| Box::new(jdbc::JdbcSourceConnector::new())),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lists_the_file_connectors_by_kafka_class_name() {
        let plugins = plugins();
        let classes: Vec<_> = plugins.iter().map(|p| p.class).collect();
        assert_eq!(
            classes,
            [
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "io.confluent.connect.jdbc.JdbcSourceConnector",
            ]
        );
        for plugin in plugins {
            let def = match plugin.constructor {
                PluginConstructor::Source(build) => build().config_def(),
                PluginConstructor::Sink(build) => build().config_def(),
            };
            assert!(
                def.key("file").is_some() || def.key("connection.url").is_some(),
                "{}",
                plugin.class
            );
        }
    }
}
