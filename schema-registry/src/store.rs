//! The registry's state, rebuilt from the records of the `_schemas` topic.
//!
//! Keys and values are Confluent's JSON (`io.confluent.kafka.schemaregistry.storage.
//! SchemaRegistryKey` / `SchemaValue` / `ConfigValue` / `ModeValue` /
//! `DeleteSubjectValue`), with the field order Confluent writes, so a topic written by
//! Confluent's registry or Karapace loads here and the other way round. Applying a
//! record is pure ([`Store::apply`]): this is Confluent's `KafkaStoreMessageHandler`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::compatibility::CompatibilityLevel;

/// A schema reference (`io.confluent.kafka.schemaregistry.client.rest.entities.SchemaReference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The referenced type's name as the referencing schema uses it.
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// The referenced version.
    pub version: i32,
}

/// A SCHEMA record's value (Confluent's `SchemaValue`), field order as Confluent writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaValue {
    /// The subject.
    pub subject: String,
    /// The version under the subject.
    pub version: i32,
    /// The global schema id.
    pub id: i32,
    /// The schema text.
    pub schema: String,
    /// Soft-deleted.
    #[serde(default)]
    pub deleted: bool,
    /// `AVRO` when absent (Confluent omits it for Avro).
    #[serde(
        rename = "schemaType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_type: Option<String>,
    /// References; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

impl SchemaValue {
    /// The schema type, `AVRO` when not written.
    pub fn schema_type(&self) -> &str {
        self.schema_type.as_deref().unwrap_or("AVRO")
    }
}

/// Confluent's `Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Reads and writes.
    #[default]
    ReadWrite,
    /// No writes.
    ReadOnly,
    /// Registrations carry explicit ids; no compatibility checks.
    Import,
}

impl Mode {
    /// The name Confluent writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadWrite => "READWRITE",
            Self::ReadOnly => "READONLY",
            Self::Import => "IMPORT",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = crate::Error;

    /// Case-insensitive; `READONLY_OVERRIDE` (Confluent 7.4+) reads as READONLY.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "READWRITE" => Ok(Self::ReadWrite),
            "READONLY" | "READONLY_OVERRIDE" => Ok(Self::ReadOnly),
            "IMPORT" => Ok(Self::Import),
            _ => Err(crate::Error::InvalidMode(s.to_owned())),
        }
    }
}

/// A key of the `_schemas` topic (Confluent's `SchemaRegistryKey` subclasses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// `SchemaKey`.
    Schema {
        /// The subject.
        subject: String,
        /// The version.
        version: i32,
    },
    /// `ConfigKey`; `None` is the global config.
    Config(Option<String>),
    /// `ModeKey`; `None` is the global mode.
    Mode(Option<String>),
    /// `DeleteSubjectKey`.
    DeleteSubject(String),
    /// `NoopKey`.
    Noop,
}

#[derive(Serialize)]
struct SchemaKeyJson<'a> {
    keytype: &'static str,
    subject: &'a str,
    version: i32,
    magic: i32,
}

#[derive(Serialize)]
struct SubjectKeyJson<'a> {
    keytype: &'static str,
    subject: Option<&'a str>,
    magic: i32,
}

#[derive(Serialize)]
struct NoopKeyJson {
    keytype: &'static str,
    magic: i32,
}

#[derive(Deserialize)]
struct AnyKeyJson {
    keytype: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    version: Option<i32>,
}

impl Key {
    /// Confluent's JSON for the key (`{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`).
    pub fn to_json(&self) -> String {
        let json = match self {
            Self::Schema { subject, version } => serde_json::to_string(&SchemaKeyJson {
                keytype: "SCHEMA",
                subject,
                version: *version,
                magic: 1,
            }),
            Self::Config(subject) => serde_json::to_string(&SubjectKeyJson {
                keytype: "CONFIG",
                subject: subject.as_deref(),
                magic: 0,
            }),
            Self::Mode(subject) => serde_json::to_string(&SubjectKeyJson {
                keytype: "MODE",
                subject: subject.as_deref(),
                magic: 0,
            }),
            Self::DeleteSubject(subject) => serde_json::to_string(&SubjectKeyJson {
                keytype: "DELETE_SUBJECT",
                subject: Some(subject),
                magic: 0,
            }),
            Self::Noop => serde_json::to_string(&NoopKeyJson {
                keytype: "NOOP",
                magic: 0,
            }),
        };
        // Serialising these plain structs cannot fail.
        json.unwrap_or_default()
    }

    /// Parses a key; `None` for a key this registry does not know (ignored, like
    /// Confluent ignores unknown key types it cannot deserialise).
    pub fn parse(bytes: &[u8]) -> Option<Key> {
        let raw: AnyKeyJson = serde_json::from_slice(bytes).ok()?;
        match raw.keytype.as_str() {
            "SCHEMA" => Some(Key::Schema {
                subject: raw.subject?,
                version: raw.version?,
            }),
            "CONFIG" => Some(Key::Config(raw.subject)),
            "MODE" => Some(Key::Mode(raw.subject)),
            "DELETE_SUBJECT" => Some(Key::DeleteSubject(raw.subject?)),
            "NOOP" => Some(Key::Noop),
            _ => None,
        }
    }
}

/// A CONFIG value (`ConfigValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigValue {
    /// The level name.
    #[serde(rename = "compatibilityLevel")]
    pub compatibility_level: Option<String>,
}

/// A MODE value (`ModeValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeValue {
    /// The mode name.
    pub mode: String,
}

/// A DELETE_SUBJECT value (`DeleteSubjectValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSubjectValue {
    /// The subject.
    pub subject: String,
    /// Every version up to this one is deleted.
    pub version: i32,
}

/// One record to write: a key and a value (`None`: a tombstone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The key.
    pub key: Key,
    /// The value's JSON; `None` for a tombstone.
    pub value: Option<String>,
}

impl Record {
    /// A SCHEMA record.
    pub fn schema(value: &SchemaValue) -> Record {
        Record {
            key: Key::Schema {
                subject: value.subject.clone(),
                version: value.version,
            },
            value: serde_json::to_string(value).ok(),
        }
    }
}

/// The registry's state: every subject's versions, configs and modes.
#[derive(Debug, Default, Clone)]
pub struct Store {
    /// Subject → version → value (soft-deleted ones included).
    subjects: BTreeMap<String, BTreeMap<i32, SchemaValue>>,
    /// The highest id ever seen (ids are never reused).
    max_id: i32,
    global_level: Option<CompatibilityLevel>,
    subject_levels: HashMap<String, CompatibilityLevel>,
    global_mode: Option<Mode>,
    subject_modes: HashMap<String, Mode>,
    /// Indexes over `subjects`, kept by [`Store::insert`] and [`Store::remove`] so
    /// that lookups by id and by schema text do not scan every version.
    index: Index,
}

/// Where each id and each schema text is stored, as `(subject, version)` in the
/// order `subjects` iterates.
#[derive(Debug, Default, Clone)]
struct Index {
    by_id: HashMap<i32, BTreeSet<(String, i32)>>,
    /// Reference-free Avro schemas by their Java `Schema.toString()` (the stored text
    /// when it cannot be rebuilt): what registration compares.
    by_text: HashMap<String, BTreeSet<(String, i32)>>,
    /// Schemas with references or of another type, compared one by one.
    others: BTreeSet<(String, i32)>,
}

impl Index {
    fn text_key(value: &SchemaValue) -> Option<String> {
        (value.references.is_empty() && value.schema_type() == "AVRO").then(|| {
            crate::java_json::java_string(&value.schema).unwrap_or_else(|| value.schema.clone())
        })
    }

    fn add(&mut self, at: (String, i32), value: &SchemaValue) {
        self.by_id.entry(value.id).or_default().insert(at.clone());
        match Self::text_key(value) {
            Some(key) => {
                self.by_text.entry(key).or_default().insert(at);
            }
            None => {
                self.others.insert(at);
            }
        }
    }

    fn remove(&mut self, at: (String, i32), value: &SchemaValue) {
        if let Some(places) = self.by_id.get_mut(&value.id) {
            places.remove(&at);
            if places.is_empty() {
                self.by_id.remove(&value.id);
            }
        }
        match Self::text_key(value) {
            Some(key) => {
                if let Some(places) = self.by_text.get_mut(&key) {
                    places.remove(&at);
                    if places.is_empty() {
                        self.by_text.remove(&key);
                    }
                }
            }
            None => {
                self.others.remove(&at);
            }
        }
    }
}

impl Store {
    /// Applies one record of the topic (`KafkaStoreMessageHandler.handleUpdate`).
    /// Records this registry cannot read are skipped with a warning, never fatal.
    pub fn apply(&mut self, key: Option<&[u8]>, value: Option<&[u8]>) {
        let Some(key) = key.and_then(Key::parse) else {
            tracing::warn!(
                key = %String::from_utf8_lossy(key.unwrap_or_default()),
                "skipping a record of the schemas topic with an unknown key"
            );
            return;
        };
        if let Err(error) = self.apply_key(&key, value) {
            tracing::warn!(?key, %error, "skipping a record of the schemas topic with an unreadable value");
        }
    }

    fn apply_key(&mut self, key: &Key, value: Option<&[u8]>) -> Result<(), serde_json::Error> {
        match key {
            Key::Schema { subject, version } => match value {
                None => {
                    if let Some(versions) = self.subjects.get_mut(subject) {
                        if let Some(old) = versions.remove(version) {
                            self.index.remove((subject.clone(), *version), &old);
                        }
                        if versions.is_empty() {
                            self.subjects.remove(subject);
                        }
                    }
                }
                Some(bytes) => {
                    let value: SchemaValue = serde_json::from_slice(bytes)?;
                    self.max_id = self.max_id.max(value.id);
                    let versions = self.subjects.entry(subject.clone()).or_default();
                    if let Some(old) = versions.remove(version) {
                        self.index.remove((subject.clone(), *version), &old);
                    }
                    self.index.add((subject.clone(), *version), &value);
                    versions.insert(*version, value);
                }
            },
            Key::Config(subject) => {
                let level = match value {
                    None => None,
                    Some(bytes) => {
                        let value: ConfigValue = serde_json::from_slice(bytes)?;
                        value
                            .compatibility_level
                            .and_then(|l| l.parse::<CompatibilityLevel>().ok())
                    }
                };
                match (subject, level) {
                    (None, level) => self.global_level = level,
                    (Some(s), Some(level)) => {
                        self.subject_levels.insert(s.clone(), level);
                    }
                    (Some(s), None) => {
                        self.subject_levels.remove(s);
                    }
                }
            }
            Key::Mode(subject) => {
                let mode = match value {
                    None => None,
                    Some(bytes) => {
                        let value: ModeValue = serde_json::from_slice(bytes)?;
                        value.mode.parse::<Mode>().ok()
                    }
                };
                match (subject, mode) {
                    (None, mode) => self.global_mode = mode,
                    (Some(s), Some(mode)) => {
                        self.subject_modes.insert(s.clone(), mode);
                    }
                    (Some(s), None) => {
                        self.subject_modes.remove(s);
                    }
                }
            }
            Key::DeleteSubject(subject) => {
                if let Some(bytes) = value {
                    let value: DeleteSubjectValue = serde_json::from_slice(bytes)?;
                    if let Some(versions) = self.subjects.get_mut(subject) {
                        for (_, v) in versions.range_mut(..=value.version) {
                            v.deleted = true;
                        }
                    }
                }
            }
            Key::Noop => {}
        }
        Ok(())
    }

    /// Every version of `subject`, soft-deleted ones included, oldest first.
    pub fn versions(&self, subject: &str) -> Option<&BTreeMap<i32, SchemaValue>> {
        self.subjects.get(subject)
    }

    /// Live (not soft-deleted) versions of `subject`, oldest first.
    pub fn live_versions(&self, subject: &str) -> Vec<&SchemaValue> {
        self.subjects
            .get(subject)
            .map(|v| v.values().filter(|v| !v.deleted).collect())
            .unwrap_or_default()
    }

    /// Every subject with its versions.
    pub fn subjects(&self) -> impl Iterator<Item = (&String, &BTreeMap<i32, SchemaValue>)> {
        self.subjects.iter()
    }

    /// Every stored version with this id (one per subject/version using it), in
    /// subject and version order.
    pub fn by_id(&self, id: i32) -> impl Iterator<Item = &SchemaValue> {
        self.at(self.index.by_id.get(&id))
    }

    /// The reference-free Avro versions whose Java `Schema.toString()` is `text`, and
    /// every version with references or of another type (which the caller compares
    /// itself), soft-deleted ones included, in subject and version order.
    pub fn candidates_for(&self, text: &str) -> Vec<&SchemaValue> {
        let mut places: Vec<&(String, i32)> = self
            .index
            .by_text
            .get(text)
            .into_iter()
            .flatten()
            .chain(&self.index.others)
            .collect();
        places.sort();
        places
            .into_iter()
            .filter_map(|(subject, version)| self.subjects.get(subject)?.get(version))
            .collect()
    }

    fn at<'a>(
        &'a self,
        places: Option<&'a BTreeSet<(String, i32)>>,
    ) -> impl Iterator<Item = &'a SchemaValue> + 'a {
        places
            .into_iter()
            .flatten()
            .filter_map(|(subject, version)| self.subjects.get(subject)?.get(version))
    }

    /// The highest id ever seen.
    pub fn max_id(&self) -> i32 {
        self.max_id
    }

    /// The global level, if set.
    pub fn global_level(&self) -> Option<CompatibilityLevel> {
        self.global_level
    }

    /// The subject's level, if set.
    pub fn subject_level(&self, subject: &str) -> Option<CompatibilityLevel> {
        self.subject_levels.get(subject).copied()
    }

    /// The level that applies to `subject`: its own, else the global, else BACKWARD.
    pub fn effective_level(&self, subject: &str) -> CompatibilityLevel {
        self.subject_level(subject)
            .or(self.global_level)
            .unwrap_or_default()
    }

    /// The global mode, if set.
    pub fn global_mode(&self) -> Option<Mode> {
        self.global_mode
    }

    /// The subject's mode, if set.
    pub fn subject_mode(&self, subject: &str) -> Option<Mode> {
        self.subject_modes.get(subject).copied()
    }

    /// The mode that applies to `subject`.
    pub fn effective_mode(&self, subject: &str) -> Mode {
        self.subject_mode(subject)
            .or(self.global_mode)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(store: &mut Store, key: &str, value: Option<&str>) {
        store.apply(Some(key.as_bytes()), value.map(str::as_bytes));
    }

    fn schema_record(subject: &str, version: i32, id: i32, schema: &str) -> (String, String) {
        let key = format!(
            r#"{{"keytype":"SCHEMA","subject":"{subject}","version":{version},"magic":1}}"#
        );
        let value = serde_json::json!({
            "subject": subject, "version": version, "id": id, "schema": schema, "deleted": false
        });
        (key, value.to_string())
    }

    #[test]
    fn indexes_follow_inserts_replacements_and_deletes() {
        let mut store = Store::default();
        // Layout and key order differ; the Java string is the same.
        for (subject, version, id, schema) in [
            ("a", 1, 1, r#"{"type":"record","name":"R","fields":[]}"#),
            ("b", 1, 1, r#"{ "name":"R", "type":"record", "fields":[] }"#),
            ("b", 2, 2, r#""string""#),
        ] {
            let (k, v) = schema_record(subject, version, id, schema);
            apply(&mut store, &k, Some(&v));
        }
        let places = |store: &Store, id| {
            store
                .by_id(id)
                .map(|v| (v.subject.clone(), v.version))
                .collect::<Vec<_>>()
        };
        assert_eq!(places(&store, 1), [("a".into(), 1), ("b".into(), 1)]);
        let same = store.candidates_for(r#"{"type":"record","name":"R","fields":[]}"#);
        assert_eq!(same.iter().map(|v| v.id).collect::<Vec<_>>(), [1, 1]);
        assert_eq!(store.candidates_for(r#""string""#).len(), 1);
        assert_eq!(store.candidates_for(r#""int""#).len(), 0);

        // A replaced version moves in every index; a permanently deleted one leaves them.
        let (k, v) = schema_record("a", 1, 3, r#""string""#);
        apply(&mut store, &k, Some(&v));
        assert_eq!(places(&store, 1), [("b".into(), 1)]);
        assert_eq!(places(&store, 3), [("a".into(), 1)]);
        assert_eq!(store.candidates_for(r#""string""#).len(), 2);
        apply(&mut store, &schema_record("b", 1, 1, "").0, None);
        assert!(places(&store, 1).is_empty());
        assert!(store
            .candidates_for(r#"{"type":"record","name":"R","fields":[]}"#)
            .is_empty());
        assert_eq!(store.max_id(), 3, "ids are never reused");
    }

    #[test]
    fn keys_have_confluents_field_order() {
        let key = Key::Schema {
            subject: "s".into(),
            version: 1,
        };
        assert_eq!(
            key.to_json(),
            r#"{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}"#
        );
        assert_eq!(
            Key::Config(None).to_json(),
            r#"{"keytype":"CONFIG","subject":null,"magic":0}"#
        );
        assert_eq!(
            Key::Mode(Some("s".into())).to_json(),
            r#"{"keytype":"MODE","subject":"s","magic":0}"#
        );
        assert_eq!(
            Key::DeleteSubject("s".into()).to_json(),
            r#"{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}"#
        );
        assert_eq!(Key::Noop.to_json(), r#"{"keytype":"NOOP","magic":0}"#);
        for key in [
            key,
            Key::Config(None),
            Key::Config(Some("x".into())),
            Key::Mode(None),
            Key::DeleteSubject("d".into()),
            Key::Noop,
        ] {
            assert_eq!(Key::parse(key.to_json().as_bytes()), Some(key));
        }
    }

    #[test]
    fn schema_values_omit_avro_type_and_empty_references() {
        let value = SchemaValue {
            subject: "s".into(),
            version: 2,
            id: 7,
            schema: "\"string\"".into(),
            deleted: false,
            schema_type: None,
            references: vec![],
        };
        assert_eq!(
            Record::schema(&value).value.as_deref(),
            Some(r#"{"subject":"s","version":2,"id":7,"schema":"\"string\"","deleted":false}"#)
        );
        let with_refs = SchemaValue {
            schema_type: Some("PROTOBUF".into()),
            references: vec![Reference {
                name: "n".into(),
                subject: "r".into(),
                version: 1,
            }],
            ..value
        };
        assert_eq!(
            Record::schema(&with_refs).value.as_deref(),
            Some(
                r#"{"subject":"s","version":2,"id":7,"schema":"\"string\"","deleted":false,"schemaType":"PROTOBUF","references":[{"name":"n","subject":"r","version":1}]}"#
            )
        );
    }

    /// Records as Confluent's registry writes them (whitespace-free JSON, extra fields
    /// such as `metadata`/`ruleSet` in 7.4+), soft and permanent deletes.
    #[test]
    fn loads_a_topic_written_by_confluent() {
        let mut store = Store::default();
        apply(&mut store, r#"{"keytype":"NOOP","magic":0}"#, None);
        apply(
            &mut store,
            r#"{"keytype":"SCHEMA","subject":"t-value","version":1,"magic":1}"#,
            Some(
                r#"{"subject":"t-value","version":1,"id":1,"schema":"\"string\"","deleted":false}"#,
            ),
        );
        apply(
            &mut store,
            r#"{"keytype":"SCHEMA","subject":"t-value","version":2,"magic":1}"#,
            Some(
                r#"{"subject":"t-value","version":2,"id":3,"schema":"\"bytes\"","deleted":false,"metadata":null,"ruleSet":null}"#,
            ),
        );
        apply(
            &mut store,
            r#"{"keytype":"SCHEMA","subject":"other","version":1,"magic":1}"#,
            Some(r#"{"subject":"other","version":1,"id":1,"schema":"\"string\"","deleted":false}"#),
        );
        apply(
            &mut store,
            r#"{"keytype":"CONFIG","subject":null,"magic":0}"#,
            Some(r#"{"compatibilityLevel":"FULL"}"#),
        );
        apply(
            &mut store,
            r#"{"keytype":"CONFIG","subject":"t-value","magic":0}"#,
            Some(r#"{"compatibilityLevel":"NONE"}"#),
        );
        apply(
            &mut store,
            r#"{"keytype":"MODE","subject":"other","magic":0}"#,
            Some(r#"{"mode":"READONLY"}"#),
        );
        assert_eq!(store.max_id(), 3);
        assert_eq!(store.live_versions("t-value").len(), 2);
        assert_eq!(store.by_id(1).count(), 2);
        assert_eq!(store.effective_level("t-value"), CompatibilityLevel::None);
        assert_eq!(store.effective_level("other"), CompatibilityLevel::Full);
        assert_eq!(store.effective_mode("other"), Mode::ReadOnly);
        assert_eq!(store.effective_mode("t-value"), Mode::ReadWrite);

        // Soft delete of the subject: DELETE_SUBJECT up to version 2.
        apply(
            &mut store,
            r#"{"keytype":"DELETE_SUBJECT","subject":"t-value","magic":0}"#,
            Some(r#"{"subject":"t-value","version":2}"#),
        );
        assert!(store.live_versions("t-value").is_empty());
        assert_eq!(store.versions("t-value").map(BTreeMap::len), Some(2));
        // Permanent delete: tombstones.
        for v in 1..=2 {
            apply(
                &mut store,
                &format!(r#"{{"keytype":"SCHEMA","subject":"t-value","version":{v},"magic":1}}"#),
                None,
            );
        }
        assert!(store.versions("t-value").is_none());
        assert_eq!(store.by_id(3).count(), 0);
        // Ids are never reused.
        assert_eq!(store.max_id(), 3);
        // Config and mode tombstones.
        apply(
            &mut store,
            r#"{"keytype":"CONFIG","subject":"t-value","magic":0}"#,
            None,
        );
        apply(
            &mut store,
            r#"{"keytype":"MODE","subject":"other","magic":0}"#,
            None,
        );
        assert_eq!(store.subject_level("t-value"), None);
        assert_eq!(store.effective_mode("other"), Mode::ReadWrite);
    }

    #[test]
    fn karapace_soft_delete_and_garbage_are_tolerated() {
        let mut store = Store::default();
        apply(
            &mut store,
            r#"{"keytype":"SCHEMA","subject":"k","version":1,"magic":1}"#,
            Some(
                r#"{"deleted":true,"id":5,"schema":"{\"type\":\"int\"}","subject":"k","version":1}"#,
            ),
        );
        apply(&mut store, "not json", Some("x"));
        apply(
            &mut store,
            r#"{"keytype":"SCHEMA","subject":"k","version":2,"magic":1}"#,
            Some("not json"),
        );
        store.apply(None, None);
        assert!(store.live_versions("k").is_empty());
        assert_eq!(store.versions("k").map(BTreeMap::len), Some(1));
        assert_eq!(store.max_id(), 5);
    }

    proptest::proptest! {
        #[test]
        fn keys_round_trip(subject in "\\PC{0,40}", version in 1..i32::MAX, kind in 0..5u8) {
            let key = match kind {
                0 => Key::Schema { subject, version },
                1 => Key::Config(Some(subject)),
                2 => Key::Mode(Some(subject)),
                3 => Key::DeleteSubject(subject),
                _ => Key::Noop,
            };
            proptest::prop_assert_eq!(Key::parse(key.to_json().as_bytes()), Some(key));
        }

        #[test]
        fn any_bytes_apply_without_panicking(key in proptest::collection::vec(proptest::num::u8::ANY, 0..64), value in proptest::option::of(proptest::collection::vec(proptest::num::u8::ANY, 0..64))) {
            let mut store = Store::default();
            store.apply(Some(&key), value.as_deref());
        }
    }
}
