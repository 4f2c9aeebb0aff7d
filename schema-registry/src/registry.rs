//! The registry's rules, as pure functions of the [`Store`]: Confluent's
//! `KafkaSchemaRegistry` (register, lookup, delete, config and mode).
//!
//! A write is planned here as the records to append to the `_schemas` topic plus
//! the answer; [`crate::kafka`] appends them and waits until the local reader has
//! applied them, so these functions never do I/O.
//!
//! # Schema identity
//!
//! Confluent stores, returns and compares an Avro schema as
//! `AvroSchema.canonicalString()`: Java Avro's `Schema.toString()` of the parsed
//! schema ([`java_json::java_string`]; the types of referenced schemas written as
//! names). So `{"type":"string"}` is stored and returned as `"string"`, and
//! whitespace or key-order variants are the same schema (same id); `doc`, custom
//! properties and `logicalType` are not ignored. Two schemas are the same when these
//! strings and the references are equal. The schema must also parse with
//! `apache-avro`. Records read from a `_schemas` topic keep their text (Confluent's
//! is already the Java string); they are compared by its Java string.
//!
//! With `normalize=true` the identity here is Avro's Parsing Canonical Form, and the
//! stored text is still the Java string. Confluent differs: `AvroSchema.normalize()`
//! (`AvroSchemaUtils.toNormalizedString`) rewrites the schema with full names,
//! properties and aliases sorted, `error` as `record` and defaults converted
//! through Java values, keeps `doc`, aliases, defaults and properties (which the
//! Parsing Canonical Form drops), and stores that rewritten schema's Java string.

use apache_avro::Schema;
use serde_json::Value;

use crate::compatibility::{self, CompatibilityLevel};
use crate::java_json;
use crate::store::{ConfigValue, Key, Mode, ModeValue, Record, Reference, SchemaValue, Store};
use crate::Error;

/// The body of `POST /subjects/{s}/versions` (Confluent's `RegisterSchemaRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct RegisterRequest {
    /// The schema text.
    #[serde(default)]
    pub schema: Option<String>,
    /// `AVRO` when absent.
    #[serde(rename = "schemaType", default)]
    pub schema_type: Option<String>,
    /// References to schemas of other subjects.
    #[serde(default)]
    pub references: Option<Vec<Reference>>,
    /// An explicit id (IMPORT mode only).
    #[serde(default)]
    pub id: Option<i32>,
    /// An explicit version (IMPORT mode only).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Records to append and what to answer once they are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<T> {
    /// Records to append, in order; may be empty (nothing to write).
    pub records: Vec<Record>,
    /// The answer.
    pub result: T,
}

impl<T> Plan<T> {
    fn read(result: T) -> Self {
        Self {
            records: Vec::new(),
            result,
        }
    }
}

/// A version in a path: a number, or `latest` / `-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    /// The newest version.
    Latest,
    /// A given version.
    Number(i32),
}

impl VersionSpec {
    /// Confluent's `VersionId`: `latest`, `-1` or 1..2^31-1, else 42202.
    /// Surrounding whitespace is ignored, as Java's `version.trim()`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let trimmed = s.trim();
        if trimmed.eq_ignore_ascii_case("latest") || trimmed == "-1" {
            return Ok(Self::Latest);
        }
        match trimmed.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(Self::Number(n)),
            _ => Err(Error::InvalidVersion(s.to_owned())),
        }
    }
}

/// A new schema, validated.
struct Parsed {
    schema: Option<Schema>,
    /// The text as submitted (for error messages).
    text: String,
    /// Java's `Schema.toString()`: what is stored and compared (the submitted text
    /// if it cannot be rebuilt).
    canonical: String,
    references: Vec<Reference>,
}

/// The identity of a schema text (see the module documentation): Java's
/// `Schema.toString()`, or with `normalize` the Parsing Canonical Form; `None` if it
/// is not a schema.
pub fn identity(text: &str, normalize: bool) -> Option<String> {
    if normalize {
        return Schema::parse_str(text).ok().map(|s| s.canonical_form());
    }
    java_json::java_string(text)
}

/// The texts of `references` (each subject's version), `None` if one is missing.
fn reference_texts(store: &Store, references: &[Reference]) -> Option<Vec<String>> {
    references
        .iter()
        .map(|r| {
            store
                .versions(&r.subject)
                .and_then(|v| v.get(&r.version))
                .map(|v| v.schema.clone())
        })
        .collect()
}

/// Confluent's `AvroSchema.canonicalString()` of a schema text with references.
fn canonical(store: &Store, text: &str, references: &[Reference]) -> Option<String> {
    java_json::java_string_with_references(text, &reference_texts(store, references)?)
}

/// Does `default` fit `branch` (Java's `Schema.isValidDefault`)? `None` when the
/// branch is a named reference this JSON walk cannot resolve.
fn default_fits(branch: &Value, default: &Value) -> Option<bool> {
    match branch {
        Value::String(t) => match t.as_str() {
            "null" => Some(default.is_null()),
            "boolean" => Some(default.is_boolean()),
            "int" | "long" => Some(default.is_i64() || default.is_u64()),
            "float" | "double" => Some(default.is_number()),
            "string" | "bytes" => Some(default.is_string()),
            _ => None,
        },
        Value::Object(map) => match map.get("type") {
            Some(Value::String(t)) => match t.as_str() {
                "record" | "map" => Some(default.is_object()),
                "array" => Some(default.is_array()),
                "enum" | "fixed" => Some(default.is_string()),
                _ => default_fits(&Value::String(t.clone()), default),
            },
            Some(inner) => default_fits(inner, default),
            None => None,
        },
        _ => None,
    }
}

/// Java Avro checks a union field's default against the union's *first* branch
/// (`Schema.Field` with default validation, as Confluent parses new schemas);
/// `apache-avro` accepts a default matching any branch. The first mismatch found.
fn union_default_mismatch(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => {
            if let (Some(Value::Array(branches)), Some(default), Some(name)) =
                (map.get("type"), map.get("default"), map.get("name"))
            {
                if branches.first().and_then(|b| default_fits(b, default)) == Some(false) {
                    return Some(format!(
                        "Invalid default for field {}: {default} not a {}",
                        name.as_str().unwrap_or_default(),
                        branches[0]
                    ));
                }
            }
            map.values().find_map(union_default_mismatch)
        }
        Value::Array(items) => items.iter().find_map(union_default_mismatch),
        _ => None,
    }
}

fn parse_new(store: &Store, request: &RegisterRequest) -> Result<Parsed, Error> {
    if let Some(t) = &request.schema_type {
        if !t.eq_ignore_ascii_case("AVRO") {
            return Err(Error::InvalidSchema(format!("Invalid schema type {t}")));
        }
    }
    let text = match request.schema.as_deref() {
        Some(t) if !t.trim().is_empty() => t.to_owned(),
        _ => return Err(Error::InvalidSchema("Empty schema".to_owned())),
    };
    let references = request.references.clone().unwrap_or_default();
    let schema = if references.is_empty() {
        Schema::parse_str(&text)
    } else {
        let mut referenced = Vec::new();
        for r in &references {
            let value = store
                .versions(&r.subject)
                .and_then(|v| v.get(&r.version))
                .ok_or_else(|| {
                    Error::InvalidSchema(format!(
                        "Invalid schema {text}, details: reference {} to subject '{}' version {} not found",
                        r.name, r.subject, r.version
                    ))
                })?;
            referenced.push(value.schema.clone());
        }
        Schema::parse_str_with_list(&text, &referenced).map(|(schema, _)| schema)
    }
    .map_err(|e| Error::InvalidSchema(format!("Invalid schema {text}, details: {e}")))?;
    if let Some(details) = serde_json::from_str::<Value>(&text)
        .ok()
        .as_ref()
        .and_then(union_default_mismatch)
    {
        return Err(Error::InvalidSchema(format!(
            "Invalid schema {text}, details: {details}"
        )));
    }
    // Referenced named types are not resolved by `compatibility::check`: a schema with
    // references is stored and returned, and not checked.
    let schema = references.is_empty().then_some(schema);
    let canonical = canonical(store, &text, &references).unwrap_or_else(|| text.clone());
    Ok(Parsed {
        schema,
        text,
        canonical,
        references,
    })
}

/// The stored versions `level` checks against, as `(version, schema, Java string)`,
/// oldest first: none for NONE, the newest that parses for a plain level, all that
/// parse for a transitive one (only those are parsed). The text in Confluent's
/// `{oldSchema: …}` is the old schema's `canonicalString()`.
fn existing_schemas<'a>(
    level: CompatibilityLevel,
    versions: impl DoubleEndedIterator<Item = &'a SchemaValue>,
) -> Vec<(i32, Schema, String)> {
    if level == CompatibilityLevel::None {
        return Vec::new();
    }
    let parsed = versions.rev().filter_map(|v| {
        let schema = Schema::parse_str(&v.schema).ok()?;
        let text = java_json::java_string(&v.schema).unwrap_or_else(|| v.schema.clone());
        Some((v.version, schema, text))
    });
    let mut existing: Vec<_> = if level.is_transitive() {
        parsed.collect()
    } else {
        parsed.take(1).collect()
    };
    existing.reverse();
    existing
}

/// The stored versions holding the same schema as `parsed`, in subject and version
/// order (soft-deleted ones included). Without `normalize` the store's index by Java
/// string narrows the candidates; with it every version is compared.
fn matching<'a>(store: &'a Store, parsed: &Parsed, normalize: bool) -> Vec<&'a SchemaValue> {
    let candidates: Vec<&SchemaValue> = if normalize {
        store.subjects().flat_map(|(_, v)| v.values()).collect()
    } else {
        store.candidates_for(&parsed.canonical)
    };
    candidates
        .into_iter()
        .filter(|v| same(store, parsed, v, normalize))
        .collect()
}

fn same(store: &Store, parsed: &Parsed, stored: &SchemaValue, normalize: bool) -> bool {
    if stored.schema_type() != "AVRO" || stored.references != parsed.references {
        return false;
    }
    if normalize {
        let old = identity(&stored.schema, true);
        return old.is_some() && old == identity(&parsed.text, true);
    }
    stored.schema == parsed.canonical
        || canonical(store, &stored.schema, &stored.references).as_deref()
            == Some(parsed.canonical.as_str())
}

/// `POST /subjects/{s}/versions`: the id of the registered schema.
pub fn register(
    store: &Store,
    subject: &str,
    request: &RegisterRequest,
    normalize: bool,
) -> Result<Plan<i32>, Error> {
    let mode = store.effective_mode(subject);
    if mode == Mode::ReadOnly {
        return Err(Error::OperationNotPermitted(format!(
            "Subject {subject} is in read-only mode"
        )));
    }
    if request.id.is_some() && mode != Mode::Import {
        return Err(Error::OperationNotPermitted(format!(
            "Subject {subject} is not in import mode"
        )));
    }
    let parsed = parse_new(store, request)?;
    let matches = matching(store, &parsed, normalize);
    if let Some(existing) = matches.iter().find(|v| v.subject == subject && !v.deleted) {
        if request.id.is_none_or(|id| id == existing.id) {
            return Ok(Plan::read(existing.id));
        }
    }
    let next_version = store
        .versions(subject)
        .and_then(|v| v.keys().next_back().copied())
        .unwrap_or(0)
        + 1;
    let (id, version) = if mode == Mode::Import {
        let Some(id) = request.id.filter(|id| *id > 0) else {
            return Err(Error::OperationNotPermitted(format!(
                "Subject {subject} is in import mode: the schema must carry an explicit id"
            )));
        };
        if let Some(other) = store.by_id(id).next() {
            if !same(store, &parsed, other, false) {
                return Err(Error::OperationNotPermitted(format!(
                    "Overwrite new schema with id {id} is not permitted."
                )));
            }
        }
        let version = request.version.unwrap_or(next_version);
        if version < 1 {
            return Err(Error::InvalidVersion(version.to_string()));
        }
        if let Some(existing) = store.versions(subject).and_then(|v| v.get(&version)) {
            if existing.id != id {
                return Err(Error::OperationNotPermitted(format!(
                    "Overwrite new schema version {version} under subject {subject} is not permitted."
                )));
            }
        }
        (id, version)
    } else {
        if let Some(new) = &parsed.schema {
            let level = store.effective_level(subject);
            let live = store.live_versions(subject);
            let existing = existing_schemas(
                level,
                live.into_iter()
                    .filter(|v| v.references.is_empty() && v.schema_type() == "AVRO"),
            );
            let messages = compatibility::check_texts(level, new, &existing);
            if !messages.is_empty() {
                return Err(Error::Incompatible {
                    subject: subject.to_owned(),
                    messages,
                });
            }
        }
        let reused = matches.first().map(|v| v.id);
        (reused.unwrap_or(store.max_id() + 1), next_version)
    };
    let value = SchemaValue {
        subject: subject.to_owned(),
        version,
        id,
        schema: parsed.canonical,
        deleted: false,
        schema_type: None,
        references: parsed.references,
    };
    Ok(Plan {
        records: vec![Record::schema(&value)],
        result: id,
    })
}

/// `POST /subjects/{s}`: the version of `subject` holding this schema.
pub fn lookup(
    store: &Store,
    subject: &str,
    request: &RegisterRequest,
    normalize: bool,
    deleted: bool,
) -> Result<SchemaValue, Error> {
    let versions = store
        .versions(subject)
        .filter(|v| deleted || v.values().any(|v| !v.deleted))
        .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
    let parsed = parse_new(store, request)?;
    versions
        .values()
        .filter(|v| deleted || !v.deleted)
        .find(|v| same(store, &parsed, v, normalize))
        .cloned()
        .ok_or(Error::SchemaNotFound(None))
}

/// `GET /subjects`. `deleted_only` (which wins over `deleted`) lists the subjects
/// whose every version is soft-deleted, as Confluent's `LookupFilter.DELETED_ONLY`.
pub fn subjects(store: &Store, prefix: &str, deleted: bool, deleted_only: bool) -> Vec<String> {
    store
        .subjects()
        .filter(|(s, _)| s.starts_with(prefix))
        .filter(|(_, versions)| {
            let live = versions.values().any(|v| !v.deleted);
            let soft = versions.values().any(|v| v.deleted);
            if deleted_only {
                soft && !live
            } else {
                live || (deleted && soft)
            }
        })
        .map(|(s, _)| s.clone())
        .collect()
}

/// `GET /subjects/{s}/versions`.
pub fn versions(store: &Store, subject: &str, deleted: bool) -> Result<Vec<i32>, Error> {
    versions_filtered(store, subject, deleted, false)
}

/// `GET /subjects/{s}/versions?deleted&deletedOnly`: `deleted_only` (which wins over
/// `deleted`) lists only the soft-deleted versions; 40401 when the subject has no
/// version in scope (`hasSubjects(subject, deleted || deletedOnly)`).
pub fn versions_filtered(
    store: &Store,
    subject: &str,
    deleted: bool,
    deleted_only: bool,
) -> Result<Vec<i32>, Error> {
    let versions = store
        .versions(subject)
        .filter(|v| deleted || deleted_only || v.values().any(|v| !v.deleted))
        .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
    Ok(versions
        .values()
        .filter(|v| {
            if deleted_only {
                v.deleted
            } else {
                deleted || !v.deleted
            }
        })
        .map(|v| v.version)
        .collect())
}

/// `GET /schemas`: every version of the subjects starting with `prefix` (sorted by
/// subject, then version), soft-deleted ones with `deleted`, only each subject's
/// newest with `latest_only` (Confluent's `getVersionsWithSubjectPrefix`).
pub fn schemas<'a>(
    store: &'a Store,
    prefix: &str,
    deleted: bool,
    latest_only: bool,
) -> Vec<&'a SchemaValue> {
    let mut out = Vec::new();
    for (subject, versions) in store.subjects() {
        if !subject.starts_with(prefix) {
            continue;
        }
        let mut in_scope = versions.values().filter(|v| deleted || !v.deleted);
        if latest_only {
            out.extend(in_scope.next_back());
        } else {
            out.extend(in_scope);
        }
    }
    out
}

/// `GET /subjects/{s}/versions/{v}`.
pub fn version<'a>(
    store: &'a Store,
    subject: &str,
    spec: VersionSpec,
    deleted: bool,
) -> Result<&'a SchemaValue, Error> {
    let versions = store
        .versions(subject)
        .filter(|v| deleted || v.values().any(|v| !v.deleted))
        .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
    match spec {
        VersionSpec::Latest => versions
            .values()
            .rev()
            .find(|v| deleted || !v.deleted)
            .ok_or_else(|| Error::VersionNotFound("latest".to_owned())),
        VersionSpec::Number(n) => versions
            .get(&n)
            .filter(|v| deleted || !v.deleted)
            .ok_or_else(|| Error::VersionNotFound(n.to_string())),
    }
}

/// `GET /subjects/{s}/versions/{v}/referencedby`: ids of live schemas referencing it.
/// The version itself may be soft-deleted (Confluent looks it up with `deleted=true`).
pub fn referenced_by(store: &Store, subject: &str, spec: VersionSpec) -> Result<Vec<i32>, Error> {
    let target = version(store, subject, spec, true)?;
    Ok(referencing_ids(store, subject, target.version))
}

fn referencing_ids(store: &Store, subject: &str, version: i32) -> Vec<i32> {
    let mut ids: Vec<i32> = store
        .subjects()
        .flat_map(|(_, v)| v.values())
        .filter(|v| !v.deleted)
        .filter(|v| {
            v.references
                .iter()
                .any(|r| r.subject == subject && r.version == version)
        })
        .map(|v| v.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn writable(store: &Store, subject: &str) -> Result<(), Error> {
    if store.effective_mode(subject) == Mode::ReadOnly {
        return Err(Error::OperationNotPermitted(format!(
            "Subject {subject} is in read-only mode"
        )));
    }
    Ok(())
}

/// `DELETE /subjects/{s}`: the versions deleted.
pub fn delete_subject(
    store: &Store,
    subject: &str,
    permanent: bool,
) -> Result<Plan<Vec<i32>>, Error> {
    writable(store, subject)?;
    let versions = store
        .versions(subject)
        .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
    let live: Vec<&SchemaValue> = versions.values().filter(|v| !v.deleted).collect();
    for v in &live {
        if !referencing_ids(store, subject, v.version).is_empty() {
            return Err(Error::ReferenceExists {
                subject: subject.to_owned(),
                version: v.version,
            });
        }
    }
    if permanent {
        if !live.is_empty() {
            return Err(Error::SubjectNotSoftDeleted(subject.to_owned()));
        }
        let mut records: Vec<Record> = versions
            .keys()
            .map(|&version| Record {
                key: Key::Schema {
                    subject: subject.to_owned(),
                    version,
                },
                value: None,
            })
            .collect();
        // A hard-deleted subject leaves no subject-level config or mode behind (as
        // `KafkaSchemaRegistry.deleteSubject` does with `permanentDelete`).
        if store.subject_level(subject).is_some() {
            records.push(Record {
                key: Key::Config(Some(subject.to_owned())),
                value: None,
            });
        }
        if store.subject_mode(subject).is_some() {
            records.push(Record {
                key: Key::Mode(Some(subject.to_owned())),
                value: None,
            });
        }
        return Ok(Plan {
            records,
            result: versions.keys().copied().collect(),
        });
    }
    if live.is_empty() {
        return Err(Error::SubjectSoftDeleted(subject.to_owned()));
    }
    let records = live
        .iter()
        .map(|v| {
            Record::schema(&SchemaValue {
                deleted: true,
                ..(*v).clone()
            })
        })
        .collect();
    Ok(Plan {
        records,
        result: live.iter().map(|v| v.version).collect(),
    })
}

/// `DELETE /subjects/{s}/versions/{v}`: the version deleted.
pub fn delete_version(
    store: &Store,
    subject: &str,
    spec: VersionSpec,
    permanent: bool,
) -> Result<Plan<i32>, Error> {
    writable(store, subject)?;
    // A numbered version is found soft-deleted or not (40406 / 40407 below);
    // `latest` is the newest live one for a soft delete.
    let include_deleted = permanent || matches!(spec, VersionSpec::Number(_));
    let target = version(store, subject, spec, include_deleted)?;
    if !referencing_ids(store, subject, target.version).is_empty() {
        return Err(Error::ReferenceExists {
            subject: subject.to_owned(),
            version: target.version,
        });
    }
    let key = Key::Schema {
        subject: subject.to_owned(),
        version: target.version,
    };
    let record = match (permanent, target.deleted) {
        (false, true) => {
            return Err(Error::VersionSoftDeleted {
                subject: subject.to_owned(),
                version: target.version,
            })
        }
        (true, false) => {
            return Err(Error::VersionNotSoftDeleted {
                subject: subject.to_owned(),
                version: target.version,
            })
        }
        (true, true) => Record { key, value: None },
        (false, false) => Record::schema(&SchemaValue {
            deleted: true,
            ..target.clone()
        }),
    };
    Ok(Plan {
        records: vec![record],
        result: target.version,
    })
}

/// `GET /schemas/ids/{id}`.
pub fn schema_by_id(store: &Store, id: i32) -> Result<&SchemaValue, Error> {
    store
        .by_id(id)
        .next()
        .ok_or(Error::SchemaNotFound(Some(id)))
}

/// `GET /schemas/ids/{id}/versions`: `(subject, version)` pairs using the id.
pub fn id_versions(store: &Store, id: i32, deleted: bool) -> Result<Vec<(String, i32)>, Error> {
    schema_by_id(store, id)?;
    Ok(store
        .by_id(id)
        .filter(|v| deleted || !v.deleted)
        .map(|v| (v.subject.clone(), v.version))
        .collect())
}

/// `POST /compatibility/subjects/{s}/versions[/{v}]`: Confluent's verbose messages,
/// empty when compatible. `spec: None` checks what the level says (as registering).
///
/// As Confluent's `CompatibilityResource`: the version is looked up (live versions
/// only) before the schema is parsed; `latest` of a subject without live versions is
/// compatible, a missing numbered version is 40402 even when the subject is missing.
pub fn test_compatibility(
    store: &Store,
    subject: &str,
    spec: Option<VersionSpec>,
    request: &RegisterRequest,
) -> Result<Vec<String>, Error> {
    let olds: Vec<&SchemaValue> = match spec {
        None => store.live_versions(subject),
        Some(spec) => match version(store, subject, spec, false) {
            Ok(v) => vec![v],
            Err(Error::SubjectNotFound(_)) => match spec {
                VersionSpec::Latest => Vec::new(),
                VersionSpec::Number(n) => return Err(Error::VersionNotFound(n.to_string())),
            },
            Err(e) => return Err(e),
        },
    };
    let parsed = parse_new(store, request)?;
    let level = store.effective_level(subject);
    let Some(new) = &parsed.schema else {
        return Ok(Vec::new());
    };
    if let Some(v) = olds.iter().find(|v| v.schema_type() != "AVRO") {
        return Ok(vec![format!(
            "Incompatible because of different schema type: {} vs AVRO",
            v.schema_type()
        )]);
    }
    let existing = existing_schemas(level, olds.iter().copied());
    Ok(compatibility::check_texts(level, new, &existing))
}

/// `PUT /config[/{s}]`.
pub fn set_config(subject: Option<&str>, level: &str) -> Result<Plan<CompatibilityLevel>, Error> {
    let level: CompatibilityLevel = level.parse()?;
    let value = ConfigValue {
        compatibility_level: Some(level.as_str().to_owned()),
    };
    Ok(Plan {
        records: vec![Record {
            key: Key::Config(subject.map(str::to_owned)),
            value: serde_json::to_string(&value).ok(),
        }],
        result: level,
    })
}

/// `GET /config[/{s}]`.
pub fn get_config(
    store: &Store,
    subject: Option<&str>,
    default_to_global: bool,
) -> Result<CompatibilityLevel, Error> {
    let global = store.global_level().unwrap_or_default();
    match subject {
        None => Ok(global),
        Some(s) => match store.subject_level(s) {
            Some(level) => Ok(level),
            None if default_to_global => Ok(global),
            None => Err(Error::SubjectLevelCompatibilityNotConfigured(s.to_owned())),
        },
    }
}

/// `DELETE /config[/{s}]`: the level that was set.
pub fn delete_config(
    store: &Store,
    subject: Option<&str>,
) -> Result<Plan<CompatibilityLevel>, Error> {
    let previous = get_config(store, subject, false)?;
    Ok(Plan {
        records: vec![Record {
            key: Key::Config(subject.map(str::to_owned)),
            value: None,
        }],
        result: previous,
    })
}

/// `PUT /mode[/{s}]`; entering IMPORT with schemas in scope needs `force`.
pub fn set_mode(
    store: &Store,
    subject: Option<&str>,
    mode: &str,
    force: bool,
) -> Result<Plan<Mode>, Error> {
    let mode: Mode = mode.parse()?;
    if mode == Mode::Import && !force {
        let has_schemas = match subject {
            Some(s) => store.versions(s).is_some(),
            None => store.subjects().next().is_some(),
        };
        if has_schemas {
            return Err(Error::OperationNotPermitted(
                "Cannot import since found existing subjects".to_owned(),
            ));
        }
    }
    let value = ModeValue {
        mode: mode.as_str().to_owned(),
    };
    Ok(Plan {
        records: vec![Record {
            key: Key::Mode(subject.map(str::to_owned)),
            value: serde_json::to_string(&value).ok(),
        }],
        result: mode,
    })
}

/// `GET /mode[/{s}]`.
pub fn get_mode(
    store: &Store,
    subject: Option<&str>,
    default_to_global: bool,
) -> Result<Mode, Error> {
    let global = store.global_mode().unwrap_or_default();
    match subject {
        None => Ok(global),
        Some(s) => match store.subject_mode(s) {
            Some(mode) => Ok(mode),
            None if default_to_global => Ok(global),
            None => Err(Error::SubjectLevelModeNotConfigured(s.to_owned())),
        },
    }
}

/// `DELETE /mode[/{s}]`: the mode that was set.
pub fn delete_mode(store: &Store, subject: Option<&str>) -> Result<Plan<Mode>, Error> {
    let previous = get_mode(store, subject, false)?;
    Ok(Plan {
        records: vec![Record {
            key: Key::Mode(subject.map(str::to_owned)),
            value: None,
        }],
        result: previous,
    })
}

#[cfg(test)]
mod tests;
