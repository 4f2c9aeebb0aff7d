//! Plugin class names and their aliases, resolved like Kafka's `PluginUtils.computeAliases`
//! and `Plugins.connectorClass`.
//!
//! A plugin can be named by its full class name
//! (`org.apache.kafka.connect.file.FileStreamSourceConnector`), its simple name
//! (`FileStreamSourceConnector`) or its simple name pruned of the plugin type's suffix
//! (`FileStreamSource`). An alias shared by several classes is ambiguous and resolves to
//! none of them; the full class name always works.

use std::collections::{BTreeMap, BTreeSet};

use connectors::{Plugin, PluginConstructor};

/// The kind of a plugin (Kafka's `PluginType`), which decides the suffix pruned from its
/// simple name to form the short alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginKind {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
    /// A converter.
    Converter,
    /// A header converter.
    HeaderConverter,
    /// A single message transformation.
    Transformation,
    /// A transformation predicate.
    Predicate,
}

impl PluginKind {
    /// Kafka's lower-case type name, as in `GET /connector-plugins` (`source`, `sink`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Sink => "sink",
            Self::Converter => "converter",
            Self::HeaderConverter => "header_converter",
            Self::Transformation => "transformation",
            Self::Predicate => "predicate",
        }
    }

    /// The suffix `PluginUtils.prunedName` removes: `Connector` for connectors, otherwise
    /// the simple name of the plugin interface.
    pub fn pruned_suffix(self) -> &'static str {
        match self {
            Self::Source | Self::Sink => "Connector",
            Self::Converter => "Converter",
            Self::HeaderConverter => "HeaderConverter",
            Self::Transformation => "Transformation",
            Self::Predicate => "Predicate",
        }
    }
}

/// Java's `Class.getSimpleName` for a binary class name: the part after the last `.`, and
/// for a nested class (`Outer$Inner`) the part after the last `$`.
pub fn simple_name(class: &str) -> &str {
    let after_dot = class.rsplit('.').next().unwrap_or(class);
    after_dot.rsplit('$').next().unwrap_or(after_dot)
}

/// Kafka's `PluginUtils.prunedName`: the simple name cut at the *last* occurrence of the
/// kind's suffix, unless that occurrence starts the name (`Connector` stays `Connector`).
pub fn pruned_name(class: &str, kind: PluginKind) -> &str {
    let simple = simple_name(class);
    match simple.rfind(kind.pruned_suffix()) {
        Some(pos) if pos > 0 => &simple[..pos],
        _ => simple,
    }
}

/// Why a class name or alias did not resolve to exactly one class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasError {
    /// Nothing has that name or alias.
    NotFound,
    /// The alias is shared by these classes.
    Ambiguous(Vec<String>),
}

/// What an alias refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AliasTarget {
    Unique(String),
    Ambiguous(BTreeSet<String>),
}

/// The class names and aliases of a set of plugins.
#[derive(Debug, Clone, Default)]
pub struct PluginAliases {
    classes: BTreeSet<String>,
    aliases: BTreeMap<String, AliasTarget>,
}

impl PluginAliases {
    /// Computes the aliases of `plugins` (class name and kind each).
    pub fn new<'a>(plugins: impl IntoIterator<Item = (&'a str, PluginKind)>) -> Self {
        let mut classes = BTreeSet::new();
        let mut candidates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (class, kind) in plugins {
            classes.insert(class.to_owned());
            for alias in [simple_name(class), pruned_name(class, kind)] {
                candidates
                    .entry(alias.to_owned())
                    .or_default()
                    .insert(class.to_owned());
            }
        }
        let aliases = candidates
            .into_iter()
            .map(|(alias, mut targets)| {
                let target = match targets.pop_first() {
                    Some(only) if targets.is_empty() => AliasTarget::Unique(only),
                    Some(first) => {
                        targets.insert(first);
                        AliasTarget::Ambiguous(targets)
                    }
                    None => AliasTarget::Ambiguous(targets),
                };
                (alias, target)
            })
            .collect();
        Self { classes, aliases }
    }

    /// The full class name that `name` (a class name or an alias) refers to. Full class
    /// names take precedence over aliases; matching is case-sensitive, as in Java.
    pub fn resolve(&self, name: &str) -> Result<&str, AliasError> {
        if let Some(class) = self.classes.get(name) {
            return Ok(class);
        }
        match self.aliases.get(name) {
            Some(AliasTarget::Unique(class)) => Ok(class),
            Some(AliasTarget::Ambiguous(classes)) => {
                Err(AliasError::Ambiguous(classes.iter().cloned().collect()))
            }
            None => Err(AliasError::NotFound),
        }
    }

    /// Every unambiguous alias with its class, in alias order.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, &str)> {
        self.aliases
            .iter()
            .filter_map(|(alias, target)| match target {
                AliasTarget::Unique(class) => Some((alias.as_str(), class.as_str())),
                AliasTarget::Ambiguous(_) => None,
            })
    }
}

/// A `connector.class` that does not name exactly one connector plugin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    /// No connector plugin has that class name or alias (Kafka's message).
    #[error(
        "Failed to find any class that implements Connector and which name matches {name}, \
         available connectors are: {}",
        available.join(", ")
    )]
    NotFound {
        /// The requested class name or alias.
        name: String,
        /// The class names of every connector plugin.
        available: Vec<String>,
    },
    /// The alias is shared by several connector classes.
    #[error(
        "Connector class alias {name} is ambiguous, it matches {}; use the full class name",
        candidates.join(", ")
    )]
    Ambiguous {
        /// The requested alias.
        name: String,
        /// The classes sharing it.
        candidates: Vec<String>,
    },
}

/// The kind of a connector plugin.
pub fn connector_kind(plugin: &Plugin) -> PluginKind {
    match plugin.constructor {
        PluginConstructor::Source(_) => PluginKind::Source,
        PluginConstructor::Sink(_) => PluginKind::Sink,
    }
}

/// The connector plugins a worker knows, looked up by class name or alias.
#[derive(Debug, Clone)]
pub struct ConnectorPlugins {
    plugins: Vec<Plugin>,
    aliases: PluginAliases,
}

impl ConnectorPlugins {
    /// The built-in connectors ([`connectors::plugins`]).
    pub fn builtin() -> Self {
        Self::new(connectors::plugins())
    }

    /// A registry over `plugins`.
    pub fn new(plugins: Vec<Plugin>) -> Self {
        let aliases = PluginAliases::new(plugins.iter().map(|p| (p.class, connector_kind(p))));
        Self { plugins, aliases }
    }

    /// Every plugin, in registry order.
    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// The aliases of the plugins.
    pub fn aliases(&self) -> &PluginAliases {
        &self.aliases
    }

    /// The plugin that `class_or_alias` (the `connector.class` value, trimmed) names.
    pub fn resolve(&self, class_or_alias: &str) -> Result<&Plugin, PluginError> {
        let name = class_or_alias.trim();
        let not_found = || PluginError::NotFound {
            name: name.to_owned(),
            available: self.plugins.iter().map(|p| p.class.to_owned()).collect(),
        };
        let class = self.aliases.resolve(name).map_err(|e| match e {
            AliasError::NotFound => not_found(),
            AliasError::Ambiguous(candidates) => PluginError::Ambiguous {
                name: name.to_owned(),
                candidates,
            },
        })?;
        self.plugins
            .iter()
            .find(|p| p.class == class)
            .ok_or_else(not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
    const SINK: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

    #[test]
    fn builtin_file_connectors_resolve_by_every_kafka_alias() -> Result<(), PluginError> {
        let plugins = ConnectorPlugins::builtin();
        for name in [
            SOURCE,
            "FileStreamSourceConnector",
            "FileStreamSource",
            " FileStreamSource ",
        ] {
            let plugin = plugins.resolve(name)?;
            assert_eq!(plugin.class, SOURCE, "{name}");
            assert_eq!(connector_kind(plugin), PluginKind::Source);
        }
        for name in [SINK, "FileStreamSinkConnector", "FileStreamSink"] {
            let plugin = plugins.resolve(name)?;
            assert_eq!(plugin.class, SINK, "{name}");
            assert_eq!(connector_kind(plugin), PluginKind::Sink);
        }
        Ok(())
    }

    #[test]
    fn unknown_class_lists_the_available_connectors() {
        let plugins = ConnectorPlugins::builtin();
        let err = plugins
            .resolve("filestreamsource")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err,
            Some(format!(
                "Failed to find any class that implements Connector and which name matches \
                 filestreamsource, available connectors are: {SOURCE}, {SINK}, \
                 io.confluent.connect.jdbc.JdbcSourceConnector"
            ))
        );
    }

    #[test]
    fn names_follow_java_simple_name_and_kafka_pruning() {
        assert_eq!(simple_name("a.b.Outer$Inner"), "Inner");
        assert_eq!(simple_name("NoPackage"), "NoPackage");
        assert_eq!(
            pruned_name("a.JsonConverter", PluginKind::Converter),
            "Json"
        );
        assert_eq!(
            pruned_name("a.SimpleHeaderConverter", PluginKind::HeaderConverter),
            "Simple"
        );
        assert_eq!(pruned_name("a.Connector", PluginKind::Sink), "Connector");
        // lastIndexOf, not endsWith: the suffix may sit in the middle of the name.
        assert_eq!(pruned_name("a.MyConnectorV2", PluginKind::Source), "My");
        assert_eq!(
            pruned_name("a.TopicNameMatches", PluginKind::Predicate),
            "TopicNameMatches"
        );
    }

    #[test]
    fn ambiguous_aliases_resolve_to_nothing_but_full_names_still_work() {
        let aliases = PluginAliases::new([
            ("a.FooConnector", PluginKind::Source),
            ("b.FooConnector", PluginKind::Sink),
            ("c.Bar", PluginKind::Source),
            ("d.BarConnector", PluginKind::Sink),
        ]);
        assert_eq!(aliases.resolve("a.FooConnector"), Ok("a.FooConnector"));
        assert_eq!(
            aliases.resolve("Foo"),
            Err(AliasError::Ambiguous(vec![
                "a.FooConnector".to_owned(),
                "b.FooConnector".to_owned()
            ]))
        );
        assert!(matches!(
            aliases.resolve("Bar"),
            Err(AliasError::Ambiguous(_))
        ));
        assert_eq!(aliases.resolve("BarConnector"), Ok("d.BarConnector"));
        assert_eq!(aliases.resolve("Baz"), Err(AliasError::NotFound));
        let unique: Vec<_> = aliases.aliases().collect();
        assert_eq!(unique, [("BarConnector", "d.BarConnector")]);
    }

    #[test]
    fn ambiguous_connector_alias_is_rejected_with_candidates() {
        let plugins = ConnectorPlugins::new(
            connectors::plugins()
                .into_iter()
                .chain(connectors::plugins().into_iter().map(|mut p| {
                    p.class = if p.class == SOURCE {
                        "com.example.FileStreamSourceConnector"
                    } else {
                        "com.example.Other"
                    };
                    p
                }))
                .collect(),
        );
        let err = plugins.resolve("FileStreamSource").err();
        assert_eq!(
            err,
            Some(PluginError::Ambiguous {
                name: "FileStreamSource".to_owned(),
                candidates: vec![
                    "com.example.FileStreamSourceConnector".to_owned(),
                    SOURCE.to_owned()
                ],
            })
        );
        assert!(plugins.resolve(SOURCE).is_ok());
    }
}
