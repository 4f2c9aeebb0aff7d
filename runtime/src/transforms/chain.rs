//! [`TransformationChain`]: the `transforms` / `predicates` section of a connector config.

use std::collections::BTreeMap;

use connect_api::ConnectError;

use super::util::{config_error, Side};
use super::{
    Cast, ConnectRecord, DropHeaders, ExtractField, Filter, Flatten, HasHeaderKey, HeaderFrom,
    HoistField, InsertField, InsertHeader, MaskField, Predicate, RecordIsTombstone, RegexRouter,
    ReplaceField, SetSchemaMetadata, TimestampConverter, TimestampRouter, TopicNameMatches,
    Transformation, ValueToKey,
};

const TRANSFORMS_PKG: &str = "org.apache.kafka.connect.transforms.";
const PREDICATES_PKG: &str = "org.apache.kafka.connect.transforms.predicates.";

/// Transforms with `$Key` / `$Value` variants; the bare class is abstract in Kafka.
const ABSTRACT_TRANSFORMS: &[&str] = &[
    "InsertField",
    "ReplaceField",
    "ExtractField",
    "HoistField",
    "MaskField",
    "Cast",
    "Flatten",
    "HeaderFrom",
    "SetSchemaMetadata",
    "TimestampConverter",
];

/// Kafka's message for a class name that resolves to nothing.
fn class_not_found(key: &str, class: &str) -> ConnectError {
    config_error(
        Some(key),
        format!("Invalid value {class} for configuration {key}: Class {class} could not be found."),
    )
}

/// Instantiates a transformation from its Kafka class name (full or simple), or `Err` with
/// Kafka's message for configuration key `key`.
pub fn new_transformation<R: ConnectRecord>(
    key: &str,
    class: &str,
) -> Result<Box<dyn Transformation<R>>, ConnectError> {
    let simple = class.strip_prefix(TRANSFORMS_PKG).unwrap_or(class);
    let (base, variant) = match simple.split_once('$') {
        Some((base, variant)) => (base, Some(variant)),
        None => (simple, None),
    };
    let side = match variant {
        Some("Key") => Some(Side::Key),
        Some("Value") => Some(Side::Value),
        Some(_) => return Err(class_not_found(key, class)),
        None => None,
    };
    let transform: Box<dyn Transformation<R>> = match (base, side) {
        ("InsertField", Some(side)) => Box::new(InsertField::new(side)),
        ("ReplaceField", Some(side)) => Box::new(ReplaceField::new(side)),
        ("ExtractField", Some(side)) => Box::new(ExtractField::new(side)),
        ("HoistField", Some(side)) => Box::new(HoistField::new(side)),
        ("MaskField", Some(side)) => Box::new(MaskField::new(side)),
        ("Cast", Some(side)) => Box::new(Cast::new(side)),
        ("Flatten", Some(side)) => Box::new(Flatten::new(side)),
        ("HeaderFrom", Some(side)) => Box::new(HeaderFrom::new(side)),
        ("SetSchemaMetadata", Some(side)) => Box::new(SetSchemaMetadata::new(side)),
        ("TimestampConverter", Some(side)) => Box::new(TimestampConverter::new(side)),
        ("ValueToKey", None) => Box::new(ValueToKey::new()),
        ("RegexRouter", None) => Box::new(RegexRouter::default()),
        ("TimestampRouter", None) => Box::new(TimestampRouter::default()),
        ("Filter", None) => Box::new(Filter),
        ("DropHeaders", None) => Box::new(DropHeaders::default()),
        ("InsertHeader", None) => Box::new(InsertHeader::default()),
        (base, None) if ABSTRACT_TRANSFORMS.contains(&base) => {
            return Err(config_error(
                Some(key),
                format!(
                    "Invalid value class {TRANSFORMS_PKG}{base} for configuration {key}: Transformation is abstract and cannot be created. Did you mean {TRANSFORMS_PKG}{base}$Key, {TRANSFORMS_PKG}{base}$Value?"
                ),
            ))
        }
        _ => return Err(class_not_found(key, class)),
    };
    Ok(transform)
}

/// Instantiates a predicate from its Kafka class name (full or simple).
pub fn new_predicate<R: ConnectRecord>(
    key: &str,
    class: &str,
) -> Result<Box<dyn Predicate<R>>, ConnectError> {
    let simple = class.strip_prefix(PREDICATES_PKG).unwrap_or(class);
    Ok(match simple {
        "TopicNameMatches" => Box::new(TopicNameMatches::default()),
        "HasHeaderKey" => Box::new(HasHeaderKey::default()),
        "RecordIsTombstone" => Box::new(RecordIsTombstone),
        _ => return Err(class_not_found(key, class)),
    })
}

/// One configured stage: a transformation, optionally guarded by a (possibly negated)
/// predicate (Kafka's `PredicatedTransformation` / `TransformationStage`).
struct Stage<R: ConnectRecord> {
    alias: String,
    transformation: Box<dyn Transformation<R>>,
    predicate: Option<Box<dyn Predicate<R>>>,
    negate: bool,
}

/// The configured transformations of a connector, applied in order (Kafka's
/// `TransformationChain`). A stage returning `None` drops the record and ends the chain.
pub struct TransformationChain<R: ConnectRecord> {
    stages: Vec<Stage<R>>,
}

impl<R: ConnectRecord> std::fmt::Debug for TransformationChain<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.stages.iter().map(|s| &s.alias))
            .finish()
    }
}

/// Kafka's `ConfigDef.parseType(…, LIST)`: comma-separated, trimmed, empty for blank.
fn aliases(config: &BTreeMap<String, String>, key: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for alias in config
        .get(key)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .into_iter()
        .flat_map(|s| s.split(','))
    {
        let alias = alias.trim().to_owned();
        if !seen.contains(&alias) {
            seen.push(alias);
        }
    }
    seen
}

/// The keys under `prefix`, with the prefix removed (Kafka's `originalsWithPrefix`).
fn with_prefix(config: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    config
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_owned(), v.clone())))
        .collect()
}

fn required_type(config: &BTreeMap<String, String>, key: &str) -> Result<String, ConnectError> {
    config
        .get(key)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            config_error(
                Some(key),
                format!("Missing required configuration \"{key}\" which has no default value."),
            )
        })
}

impl<R: ConnectRecord> TransformationChain<R> {
    /// An empty chain (records pass unchanged).
    pub fn empty() -> Self {
        Self { stages: Vec::new() }
    }

    /// Builds and configures the chain from a full connector configuration.
    pub fn from_connector_config(config: &BTreeMap<String, String>) -> Result<Self, ConnectError> {
        let predicate_aliases = aliases(config, "predicates");
        let mut stages = Vec::new();
        for alias in aliases(config, "transforms") {
            let prefix = format!("transforms.{alias}.");
            let type_key = format!("{prefix}type");
            let class = required_type(config, &type_key)?;
            let mut transformation = new_transformation::<R>(&type_key, &class)?;
            let mut props = with_prefix(config, &prefix);
            props.remove("type");
            let predicate_alias = props.remove("predicate").filter(|p| !p.trim().is_empty());
            let negate = props.remove("negate");
            if negate.is_some() && predicate_alias.is_none() {
                return Err(config_error(
                    Some(&format!("{prefix}negate")),
                    format!("Config '{prefix}negate' was provided but there is no config '{prefix}predicate' defining a predicate to be negated."),
                ));
            }
            let negate = match negate.as_deref().map(str::trim) {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) if v.eq_ignore_ascii_case("false") => false,
                Some(v) => {
                    return Err(config_error(
                        Some(&format!("{prefix}negate")),
                        format!("Invalid value {v} for configuration {prefix}negate: Expected value to be either true or false"),
                    ))
                }
            };
            transformation.configure(&props)?;
            let predicate = match predicate_alias {
                None => None,
                Some(p) => {
                    let p = p.trim().to_owned();
                    if !predicate_aliases.contains(&p) {
                        let key = format!("{prefix}predicate");
                        return Err(config_error(
                            Some(&key),
                            format!("Invalid value {p} for configuration {key}: Predicate '{p}' is not defined in 'predicates'"),
                        ));
                    }
                    let pprefix = format!("predicates.{p}.");
                    let ptype_key = format!("{pprefix}type");
                    let pclass = required_type(config, &ptype_key)?;
                    let mut predicate = new_predicate::<R>(&ptype_key, &pclass)?;
                    let mut pprops = with_prefix(config, &pprefix);
                    pprops.remove("type");
                    predicate.configure(&pprops)?;
                    Some(predicate)
                }
            };
            stages.push(Stage {
                alias,
                transformation,
                predicate,
                negate,
            });
        }
        Ok(Self { stages })
    }

    /// The transform aliases, in order.
    pub fn aliases(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.alias.as_str()).collect()
    }

    /// Applies every stage in order; `Ok(None)` when a stage dropped the record.
    pub fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let mut record = record;
        for stage in &self.stages {
            let applies = stage
                .predicate
                .as_ref()
                .is_none_or(|p| p.test(&record) != stage.negate);
            if applies {
                match stage.transformation.apply(record)? {
                    Some(r) => record = r,
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Value;
    use connect_api::record::{SinkRecord, SourceRecord};

    fn chain(pairs: &[(&str, &str)]) -> Result<TransformationChain<SinkRecord>, ConnectError> {
        TransformationChain::from_connector_config(&props(pairs))
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        chain(pairs)
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("must fail")
    }

    #[test]
    fn chain_with_predicate_and_negate() -> Result<(), ConnectError> {
        let c = chain(&[
            ("transforms", "route,drop"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "te(.*)"),
            ("transforms.route.replacement", "routed-$1"),
            ("transforms.drop.type", "Filter"),
            ("transforms.drop.predicate", "isRouted"),
            ("transforms.drop.negate", "true"),
            ("predicates", "isRouted"),
            (
                "predicates.isRouted.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ),
            ("predicates.isRouted.pattern", "routed-.*"),
        ])?;
        assert_eq!(c.aliases(), ["route", "drop"]);
        let out = c.apply(sink(None, Value::Int32(1)))?;
        assert_eq!(out.map(|r| r.topic), Some("routed-st".to_owned()));
        let mut other = sink(None, Value::Int32(1));
        other.topic = "other".to_owned();
        assert_eq!(
            c.apply(other)?,
            None,
            "not routed, so the negated predicate drops it"
        );
        Ok(())
    }

    #[test]
    fn tombstone_filter_on_source_records() -> Result<(), ConnectError> {
        let c: TransformationChain<SourceRecord> =
            TransformationChain::from_connector_config(&props(&[
                ("transforms", "dropTombstones,insert"),
                ("transforms.dropTombstones.type", "Filter"),
                ("transforms.dropTombstones.predicate", "tomb"),
                ("transforms.insert.type", "InsertField$Value"),
                ("transforms.insert.topic.field", "t"),
                ("predicates", "tomb"),
                ("predicates.tomb.type", "RecordIsTombstone"),
            ]))?;
        assert_eq!(c.apply(source(None, Value::Null))?, None);
        let out = c.apply(source(None, map(&[])))?.map(|r| r.value);
        assert_eq!(out, Some(map(&[("t", Value::from("test"))])));
        assert_eq!(
            TransformationChain::<SourceRecord>::empty()
                .apply(source(None, Value::Null))?
                .map(|r| r.topic),
            Some("test".to_owned())
        );
        Ok(())
    }

    #[test]
    fn new_transforms_by_class_name() -> Result<(), ConnectError> {
        let c = chain(&[
            ("transforms", "mask,cast,header,route"),
            (
                "transforms.mask.type",
                "org.apache.kafka.connect.transforms.MaskField$Value",
            ),
            ("transforms.mask.fields", "secret"),
            ("transforms.cast.type", "Cast$Value"),
            ("transforms.cast.spec", "n:string"),
            (
                "transforms.header.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.header.header", "h"),
            ("transforms.header.value.literal", "v"),
            ("transforms.route.type", "TimestampRouter"),
        ])?;
        let record = sink(
            None,
            map(&[("secret", Value::from("pw")), ("n", Value::Int32(5))]),
        )
        .with_timestamp(0, connect_api::record::TimestampType::CreateTime);
        let out = c.apply(record)?.expect("kept");
        assert_eq!(out.topic, "test-19700101");
        assert_eq!(
            out.value,
            map(&[("secret", Value::from("")), ("n", Value::from("5"))])
        );
        assert_eq!(
            out.headers.last_with_name("h").map(|h| &h.value),
            Some(&Value::from("v"))
        );
        for abstract_class in [
            "MaskField",
            "Cast",
            "Flatten",
            "HeaderFrom",
            "SetSchemaMetadata",
            "TimestampConverter",
        ] {
            assert!(
                err(&[("transforms", "a"), ("transforms.a.type", abstract_class)])
                    .contains("Transformation is abstract and cannot be created.")
            );
        }
        Ok(())
    }

    #[test]
    fn kafka_error_messages() {
        assert_eq!(
            err(&[("transforms", "a")]),
            "invalid configuration: Missing required configuration \"transforms.a.type\" which has no default value."
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "com.example.Nope")]),
            "invalid configuration: Invalid value com.example.Nope for configuration transforms.a.type: Class com.example.Nope could not be found."
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "org.apache.kafka.connect.transforms.InsertField")]),
            "invalid configuration: Invalid value class org.apache.kafka.connect.transforms.InsertField for configuration transforms.a.type: Transformation is abstract and cannot be created. Did you mean org.apache.kafka.connect.transforms.InsertField$Key, org.apache.kafka.connect.transforms.InsertField$Value?"
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "Filter"), ("transforms.a.negate", "true")]),
            "invalid configuration: Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a predicate to be negated."
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p"),
                ("predicates", "p"),
                ("predicates.p.type", "Nope"),
            ]),
            "invalid configuration: Invalid value Nope for configuration predicates.p.type: Class Nope could not be found."
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "ValueToKey")]),
            "invalid configuration: Missing required configuration \"fields\" which has no default value."
        );
    }
}
