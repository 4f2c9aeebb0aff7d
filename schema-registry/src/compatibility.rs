//! Avro schema compatibility, rule for rule as Java Avro's
//! `org.apache.avro.SchemaCompatibility` (its `ReaderWriterCompatibilityChecker`)
//! and Confluent's `CompatibilityChecker` / `SchemaValidatorBuilder` /
//! `avro.Difference` compute it.
//!
//! The walk is our own over [`apache_avro::Schema`]: the crate's checker
//! returns `Partial` results, does not apply reader aliases to named types and
//! rejects decimal precision/scale changes that Java accepts.
//!
//! Java quirks kept on purpose, because Confluent's answers depend on them:
//! - named types match on the *unqualified* name, or when the reader's aliases
//!   contain the writer's full name (`schemaNameEquals`);
//! - logical types are ignored (a decimal is its `bytes`/`fixed`);
//! - results are memoised per (reader node, writer node) and a pair met again
//!   while in progress counts as compatible (recursive schemas);
//! - a union branch is tried with a fresh location stack and only its verdict
//!   is kept (`MISSING_UNION_BRANCH` is reported instead of the details);
//! - a reader field without default whose type is an enum with a default is
//!   checked against the whole writer *record* (Java passes `writer`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use apache_avro::schema::{
    EnumSchema, FixedSchema, InnerDecimalSchema, RecordField, RecordSchema, UuidSchema,
};
use apache_avro::Schema;

use crate::Error;

/// Confluent's `CompatibilityLevel`: which existing versions a new schema is
/// checked against, and in which direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CompatibilityLevel {
    /// No check.
    None,
    /// The new schema reads data written with the latest version.
    #[default]
    Backward,
    /// The new schema reads data written with every live version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every live version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every live version.
    FullTransitive,
}

impl CompatibilityLevel {
    /// Every level, in Confluent's declaration order.
    pub const ALL: [CompatibilityLevel; 7] = [
        Self::None,
        Self::Backward,
        Self::BackwardTransitive,
        Self::Forward,
        Self::ForwardTransitive,
        Self::Full,
        Self::FullTransitive,
    ];

    /// The level's name as Confluent writes it (`BACKWARD_TRANSITIVE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = Error;

    /// Case-insensitive, like Confluent's `CompatibilityLevel.forName`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::InvalidCompatibilityLevel(s.to_string()))
    }
}

/// Java's `SchemaCompatibility.SchemaIncompatibilityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncompatibilityKind {
    /// Named types with different names (and no matching reader alias).
    NameMismatch,
    /// Fixed types of different sizes.
    FixedSizeMismatch,
    /// Writer enum symbols the reader lacks (and the reader has no default).
    MissingEnumSymbols,
    /// A reader field absent from the writer, without a default.
    ReaderFieldMissingDefaultValue,
    /// Types that cannot be promoted into one another.
    TypeMismatch,
    /// A union branch with no readable counterpart.
    MissingUnionBranch,
}

impl IncompatibilityKind {
    /// Java's enum constant name (`READER_FIELD_MISSING_DEFAULT_VALUE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameMismatch => "NAME_MISMATCH",
            Self::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            Self::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            Self::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            Self::TypeMismatch => "TYPE_MISMATCH",
            Self::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

impl fmt::Display for IncompatibilityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One incompatibility, as Java's `SchemaCompatibility.Incompatibility`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// What is incompatible.
    pub kind: IncompatibilityKind,
    /// JSON pointer into the reader schema (`/fields/1/type`), as `getLocation()`.
    pub location: String,
    /// Java's message (`getMessage()`): a field name, `expected: …`, `reader type: …`.
    pub message: String,
    /// The reader schema node where the incompatibility was found, as JSON.
    pub reader_fragment: String,
    /// The writer schema node where the incompatibility was found, as JSON.
    pub writer_fragment: String,
}

impl Incompatibility {
    /// Confluent's `avro.Difference.error()`, with the `%s` placeholders filled by
    /// the reader and writer labels (`"new"`/`"old"`), as `SchemaValidatorBuilder`
    /// does with `String.format`.
    pub fn confluent_message(&self, reader_label: &str, writer_label: &str) -> String {
        let path = &self.location;
        let msg = &self.message;
        let description = match self.kind {
            IncompatibilityKind::FixedSizeMismatch => format!(
                "The size of FIXED type field at path '{path}' in the {reader_label} schema does not match with the {writer_label} schema"
            ),
            IncompatibilityKind::TypeMismatch => format!(
                "The type (path '{path}') of a field in the {reader_label} schema does not match with the {writer_label} schema"
            ),
            IncompatibilityKind::NameMismatch => {
                format!("The name of the schema has changed (path '{path}')")
            }
            IncompatibilityKind::MissingEnumSymbols => format!(
                "The {reader_label} schema is missing enum symbols '{msg}' at path '{path}' in the {writer_label} schema"
            ),
            IncompatibilityKind::MissingUnionBranch => format!(
                "The {reader_label} schema is missing a type inside a union field at path '{path}' in the {writer_label} schema"
            ),
            IncompatibilityKind::ReaderFieldMissingDefaultValue => format!(
                "The field '{msg}' at path '{path}' in the {reader_label} schema has no default value and is missing in the {writer_label} schema"
            ),
        };
        format!(
            "{{errorType:'{}', description:'{description}', additionalInfo:'{msg}'}}",
            self.kind
        )
    }
}

/// Java's `SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)`:
/// every incompatibility found, in Java's order; empty means the reader can
/// decode all data written with the writer.
///
/// # Errors
/// [`Error::AmbiguousReaderField`] where Java throws (a reader field matching
/// several writer fields through its aliases), [`Error::UnresolvedReference`]
/// for a named reference not defined inside its own schema.
pub fn reader_writer_incompatibilities(
    reader: &Schema,
    writer: &Schema,
) -> Result<Vec<Incompatibility>, Error> {
    let mut checker = Checker {
        reader_names: named_types(reader),
        writer_names: named_types(writer),
        memo: HashMap::new(),
    };
    checker.compatibility("", reader, writer, &mut Vec::new())
}

/// Confluent schemas larger than this are truncated in `{oldSchema: …}`
/// (`SchemaValidatorBuilder.MAX_SCHEMA_SIZE_FOR_LOGGING`).
const MAX_SCHEMA_SIZE_FOR_LOGGING: usize = 10 * 1024;

/// Confluent's check of `new` against the live `existing` versions (oldest
/// first, `(version, schema)`) at `level`: the verbose messages, empty when
/// compatible. The old schema's text in `{oldSchema: …}` is Java's
/// `Schema.toString()` of `apache-avro`'s JSON for it; [`check_texts`] takes the
/// stored text instead.
pub fn check(level: CompatibilityLevel, new: &Schema, existing: &[(i32, Schema)]) -> Vec<String> {
    let existing: Vec<(i32, Schema, String)> = existing
        .iter()
        .map(|(version, schema)| {
            let json = to_json(schema);
            let text = crate::java_json::java_string(&json).unwrap_or(json);
            (*version, schema.clone(), text)
        })
        .collect();
    check_texts(level, new, &existing)
}

/// Confluent's check of `new` against the live `existing` versions (oldest
/// first, `(version, schema, stored text)`) at `level`: the verbose messages, empty
/// when compatible.
///
/// Plain levels check only the latest version, transitive levels every version
/// newest first, stopping at the first that fails (`validateAll`); `NONE` checks
/// nothing. Messages are `Difference` strings, then `{oldSchemaVersion: N}` and
/// `{oldSchema: '…'}` with the stored text (Confluent's `canonicalString()`, Java's
/// `Schema.toString()`), not after the forward half of `FULL`, as in
/// `mutualReadStrategy`, then `{validateFields: 'false', compatibility: 'LEVEL'}`
/// as the registry appends it.
pub fn check_texts(
    level: CompatibilityLevel,
    new: &Schema,
    existing: &[(i32, Schema, String)],
) -> Vec<String> {
    if level == CompatibilityLevel::None {
        return Vec::new();
    }
    let newest_first = existing.iter().rev();
    let mut messages = Vec::new();
    for (version, old, text) in newest_first {
        messages = check_one(level, new, (*version, text), old);
        if !messages.is_empty() || !level.is_transitive() {
            break;
        }
    }
    if !messages.is_empty() {
        messages.push(format!(
            "{{validateFields: 'false', compatibility: '{}'}}",
            level.as_str()
        ));
    }
    messages
}

/// One `SchemaValidationStrategy` run (`canRead`, `canBeRead` or `mutualRead`).
fn check_one(
    level: CompatibilityLevel,
    new: &Schema,
    version: (i32, &str),
    old: &Schema,
) -> Vec<String> {
    use CompatibilityLevel as L;
    match level {
        L::None => Vec::new(),
        L::Backward | L::BackwardTransitive => formatted(
            reader_writer_incompatibilities(new, old),
            "new",
            "old",
            Some(version),
        ),
        L::Forward | L::ForwardTransitive => formatted(
            reader_writer_incompatibilities(old, new),
            "old",
            "new",
            Some(version),
        ),
        L::Full | L::FullTransitive => {
            let mut messages = formatted(
                reader_writer_incompatibilities(old, new),
                "old",
                "new",
                None,
            );
            messages.extend(formatted(
                reader_writer_incompatibilities(new, old),
                "new",
                "old",
                Some(version),
            ));
            messages
        }
    }
}

/// `SchemaValidatorBuilder.formatErrorMessages` over `AvroSchema.isBackwardCompatible`.
fn formatted(
    result: Result<Vec<Incompatibility>, Error>,
    reader_label: &str,
    writer_label: &str,
    append_old: Option<(i32, &str)>,
) -> Vec<String> {
    let mut messages: Vec<String> = match result {
        Ok(incompatibilities) => incompatibilities
            .iter()
            .map(|i| i.confluent_message(reader_label, writer_label))
            .collect(),
        // AvroSchema.isBackwardCompatible catches the exception.
        Err(error) => vec![format!(
            "Unexpected exception during compatibility check: {error}"
        )],
    };
    if messages.is_empty() {
        return messages;
    }
    if let Some((version, text)) = append_old {
        messages.push(format!("{{oldSchemaVersion: {version}}}"));
        if text.len() <= MAX_SCHEMA_SIZE_FOR_LOGGING {
            messages.push(format!("{{oldSchema: '{text}'}}"));
        } else {
            let mut end = MAX_SCHEMA_SIZE_FOR_LOGGING;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            messages.push(format!(
                "{{oldSchema: <truncated to {MAX_SCHEMA_SIZE_FOR_LOGGING} characters> '{}'}}",
                &text[..end]
            ));
        }
    }
    messages
}

fn to_json(schema: &Schema) -> String {
    serde_json::to_string(schema).unwrap_or_default()
}

/// Every named type defined in `schema`, by full name, so references resolve.
fn named_types(schema: &Schema) -> HashMap<String, &Schema> {
    fn walk<'a>(schema: &'a Schema, out: &mut HashMap<String, &'a Schema>) {
        match schema {
            Schema::Record(record) => {
                out.insert(record.name.fullname(None), schema);
                for field in &record.fields {
                    walk(&field.schema, out);
                }
            }
            Schema::Enum(e) => {
                out.insert(e.name.fullname(None), schema);
            }
            Schema::Fixed(f) | Schema::Duration(f) => {
                out.insert(f.name.fullname(None), schema);
            }
            Schema::Decimal(d) => {
                if let InnerDecimalSchema::Fixed(f) = &d.inner {
                    out.insert(f.name.fullname(None), schema);
                }
            }
            Schema::Uuid(UuidSchema::Fixed(f)) => {
                out.insert(f.name.fullname(None), schema);
            }
            Schema::Array(a) => walk(&a.items, out),
            Schema::Map(m) => walk(&m.types, out),
            Schema::Union(u) => u.variants().iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(schema, &mut out);
    out
}

/// A schema node seen as Java sees it: logical types reduced to their
/// underlying type, references resolved.
#[derive(Clone, Copy)]
enum Node<'a> {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(&'a Schema),
    Map(&'a Schema),
    Union(&'a [Schema]),
    Record(&'a RecordSchema),
    Enum(&'a EnumSchema),
    Fixed(&'a FixedSchema),
}

impl Node<'_> {
    /// Java's `Schema.Type` constant name.
    fn type_name(self) -> &'static str {
        match self {
            Node::Null => "NULL",
            Node::Boolean => "BOOLEAN",
            Node::Int => "INT",
            Node::Long => "LONG",
            Node::Float => "FLOAT",
            Node::Double => "DOUBLE",
            Node::Bytes => "BYTES",
            Node::String => "STRING",
            Node::Array(_) => "ARRAY",
            Node::Map(_) => "MAP",
            Node::Union(_) => "UNION",
            Node::Record(_) => "RECORD",
            Node::Enum(_) => "ENUM",
            Node::Fixed(_) => "FIXED",
        }
    }

    fn same_type(self, other: Node<'_>) -> bool {
        self.type_name() == other.type_name()
    }
}

fn node(schema: &Schema) -> Node<'_> {
    match schema {
        Schema::Null => Node::Null,
        Schema::Boolean => Node::Boolean,
        Schema::Int | Schema::Date | Schema::TimeMillis => Node::Int,
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => Node::Long,
        Schema::Float => Node::Float,
        Schema::Double => Node::Double,
        Schema::Bytes | Schema::BigDecimal | Schema::Uuid(UuidSchema::Bytes) => Node::Bytes,
        Schema::String | Schema::Uuid(UuidSchema::String) => Node::String,
        Schema::Decimal(d) => match &d.inner {
            InnerDecimalSchema::Bytes => Node::Bytes,
            InnerDecimalSchema::Fixed(f) => Node::Fixed(f),
        },
        Schema::Uuid(UuidSchema::Fixed(f)) | Schema::Fixed(f) | Schema::Duration(f) => {
            Node::Fixed(f)
        }
        Schema::Array(a) => Node::Array(&a.items),
        Schema::Map(m) => Node::Map(&m.types),
        Schema::Union(u) => Node::Union(u.variants()),
        Schema::Record(r) => Node::Record(r),
        Schema::Enum(e) => Node::Enum(e),
        // Resolved before reaching here; a leftover reference reads as `null`.
        Schema::Ref { .. } => Node::Null,
    }
}

/// Java's `ReaderWriterCompatibilityChecker`: one per top-level check, holding
/// the memo of (reader node, writer node) results.
struct Checker<'a> {
    reader_names: HashMap<String, &'a Schema>,
    writer_names: HashMap<String, &'a Schema>,
    /// `None` marks a pair in progress (Java's `RECURSION_IN_PROGRESS`).
    memo: HashMap<(usize, usize), Option<Vec<Incompatibility>>>,
}

type Found = Result<Vec<Incompatibility>, Error>;

impl<'a> Checker<'a> {
    fn resolve(
        names: &HashMap<String, &'a Schema>,
        schema: &'a Schema,
    ) -> Result<&'a Schema, Error> {
        match schema {
            Schema::Ref { name } => {
                let full = name.fullname(None);
                names
                    .get(&full)
                    .copied()
                    .ok_or(Error::UnresolvedReference(full))
            }
            other => Ok(other),
        }
    }

    /// `getCompatibility(referenceToken, reader, writer, location)`.
    fn compatibility(
        &mut self,
        token: &str,
        reader: &'a Schema,
        writer: &'a Schema,
        location: &mut Vec<String>,
    ) -> Found {
        let reader = Self::resolve(&self.reader_names, reader)?;
        let writer = Self::resolve(&self.writer_names, writer)?;
        location.push(token.to_string());
        let key = (
            reader as *const Schema as usize,
            writer as *const Schema as usize,
        );
        let result = match self.memo.get(&key) {
            // In progress: compatible unless proven otherwise.
            Some(None) => Ok(Vec::new()),
            Some(Some(found)) => Ok(found.clone()),
            None => {
                self.memo.insert(key, None);
                let found = self.calculate(reader, writer, location);
                if let Ok(found) = &found {
                    self.memo.insert(key, Some(found.clone()));
                }
                found
            }
        };
        location.pop();
        result
    }

    /// The public two-argument `getCompatibility(reader, writer)`: a fresh
    /// location stack, the same memo. Used for union branches.
    fn is_compatible(&mut self, reader: &'a Schema, writer: &'a Schema) -> Result<bool, Error> {
        Ok(self
            .compatibility("", reader, writer, &mut Vec::new())?
            .is_empty())
    }

    /// `calculateCompatibility`.
    fn calculate(
        &mut self,
        reader: &'a Schema,
        writer: &'a Schema,
        location: &mut Vec<String>,
    ) -> Found {
        let (r, w) = (node(reader), node(writer));
        if r.same_type(w) {
            return match (r, w) {
                (Node::Array(ri), Node::Array(wi)) => self.compatibility("items", ri, wi, location),
                (Node::Map(rv), Node::Map(wv)) => self.compatibility("values", rv, wv, location),
                (Node::Fixed(rf), Node::Fixed(wf)) => {
                    let mut found = check_names(
                        reader,
                        writer,
                        &rf.name,
                        rf.aliases.as_ref(),
                        &wf.name,
                        location,
                    );
                    location.push("size".into());
                    if rf.size != wf.size {
                        found.push(incompatible(
                            IncompatibilityKind::FixedSizeMismatch,
                            reader,
                            writer,
                            format!("expected: {}, found: {}", wf.size, rf.size),
                            location,
                        ));
                    }
                    location.pop();
                    Ok(found)
                }
                (Node::Enum(re), Node::Enum(we)) => {
                    let mut found = check_names(
                        reader,
                        writer,
                        &re.name,
                        re.aliases.as_ref(),
                        &we.name,
                        location,
                    );
                    location.push("symbols".into());
                    let mut missing: Vec<&str> = we
                        .symbols
                        .iter()
                        .filter(|s| !re.symbols.contains(s))
                        .map(String::as_str)
                        .collect();
                    let has_default = re.default.as_ref().is_some_and(|d| re.symbols.contains(d));
                    if !missing.is_empty() && !has_default {
                        // Java prints a TreeSet: sorted, `[A, B]`.
                        missing.sort_unstable();
                        missing.dedup();
                        found.push(incompatible(
                            IncompatibilityKind::MissingEnumSymbols,
                            reader,
                            writer,
                            format!("[{}]", missing.join(", ")),
                            location,
                        ));
                    }
                    location.pop();
                    Ok(found)
                }
                (Node::Record(rr), Node::Record(wr)) => {
                    let mut found = check_names(
                        reader,
                        writer,
                        &rr.name,
                        rr.aliases.as_ref(),
                        &wr.name,
                        location,
                    );
                    found.extend(self.record_fields(reader, rr, writer, wr, location)?);
                    Ok(found)
                }
                (Node::Union(_), Node::Union(wb)) => {
                    let mut found = Vec::new();
                    for (i, branch) in wb.iter().enumerate() {
                        location.push(i.to_string());
                        if !self.is_compatible(reader, branch)? {
                            let branch = Self::resolve(&self.writer_names, branch)?;
                            found.push(incompatible(
                                IncompatibilityKind::MissingUnionBranch,
                                reader,
                                writer,
                                format!(
                                    "reader union lacking writer type: {}",
                                    node(branch).type_name()
                                ),
                                location,
                            ));
                        }
                        location.pop();
                    }
                    Ok(found)
                }
                // Primitives of the same type.
                _ => Ok(Vec::new()),
            };
        }

        // A reader compatible with every branch of a writer union is compatible.
        if let Node::Union(branches) = w {
            let mut found = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                found.extend(self.compatibility(&i.to_string(), reader, branch, location)?);
            }
            return Ok(found);
        }

        let promotable = match r {
            Node::Long => matches!(w, Node::Int),
            Node::Float => matches!(w, Node::Int | Node::Long),
            Node::Double => matches!(w, Node::Int | Node::Long | Node::Float),
            Node::Bytes => matches!(w, Node::String),
            Node::String => matches!(w, Node::Bytes),
            Node::Union(branches) => {
                for branch in branches {
                    if self.is_compatible(branch, writer)? {
                        return Ok(Vec::new());
                    }
                }
                return Ok(vec![incompatible(
                    IncompatibilityKind::MissingUnionBranch,
                    reader,
                    writer,
                    format!("reader union lacking writer type: {}", w.type_name()),
                    location,
                )]);
            }
            _ => false,
        };
        if promotable {
            return Ok(Vec::new());
        }
        Ok(vec![incompatible(
            IncompatibilityKind::TypeMismatch,
            reader,
            writer,
            format!(
                "reader type: {} not compatible with writer type: {}",
                r.type_name(),
                w.type_name()
            ),
            location,
        )])
    }

    /// `checkReaderWriterRecordFields`.
    fn record_fields(
        &mut self,
        reader: &'a Schema,
        rr: &'a RecordSchema,
        writer: &'a Schema,
        wr: &'a RecordSchema,
        location: &mut Vec<String>,
    ) -> Found {
        let mut found = Vec::new();
        location.push("fields".into());
        for (pos, reader_field) in rr.fields.iter().enumerate() {
            location.push(pos.to_string());
            match lookup_writer_field(wr, reader_field, pos)? {
                Some(writer_field) => {
                    found.extend(self.compatibility(
                        "type",
                        &reader_field.schema,
                        &writer_field.schema,
                        location,
                    )?);
                }
                None if reader_field.default.is_some() => {}
                None => {
                    let field_schema = Self::resolve(&self.reader_names, &reader_field.schema)?;
                    match field_schema {
                        // Java checks the enum against the whole writer record here.
                        Schema::Enum(e) if e.default.is_some() => {
                            found.extend(self.compatibility(
                                "type",
                                field_schema,
                                writer,
                                location,
                            )?);
                        }
                        _ => found.push(incompatible(
                            IncompatibilityKind::ReaderFieldMissingDefaultValue,
                            reader,
                            writer,
                            reader_field.name.clone(),
                            location,
                        )),
                    }
                }
            }
            location.pop();
        }
        location.pop();
        Ok(found)
    }
}

/// `lookupWriterField`: by the reader field's name, then by each of its aliases.
fn lookup_writer_field<'w>(
    writer: &'w RecordSchema,
    reader_field: &RecordField,
    pos: usize,
) -> Result<Option<&'w RecordField>, Error> {
    let by_name = |name: &str| writer.fields.iter().find(|f| f.name == name);
    let matches: Vec<&RecordField> = std::iter::once(reader_field.name.as_str())
        .chain(reader_field.aliases.iter().map(String::as_str))
        .filter_map(by_name)
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(Error::AmbiguousReaderField {
            field: format!(
                "{} type:{} pos:{pos}",
                reader_field.name,
                node(&reader_field.schema).type_name()
            ),
            writer: serde_json::to_string(&writer_as_schema(writer)).unwrap_or_default(),
        }),
    }
}

fn writer_as_schema(record: &RecordSchema) -> Schema {
    Schema::Record(record.clone())
}

/// `checkSchemaNames` / `schemaNameEquals`: the unqualified names are equal, or
/// the reader's aliases (qualified with the reader's namespace) contain the
/// writer's full name.
fn check_names(
    reader: &Schema,
    writer: &Schema,
    reader_name: &apache_avro::schema::Name,
    reader_aliases: Option<&Vec<apache_avro::schema::Alias>>,
    writer_name: &apache_avro::schema::Name,
    location: &mut Vec<String>,
) -> Vec<Incompatibility> {
    let writer_full = writer_name.fullname(None);
    let matches = reader_name.name() == writer_name.name()
        || reader_aliases.is_some_and(|aliases| {
            aliases
                .iter()
                .any(|a| a.fullname(reader_name.namespace()) == writer_full)
        });
    if matches {
        return Vec::new();
    }
    location.push("name".into());
    let found = incompatible(
        IncompatibilityKind::NameMismatch,
        reader,
        writer,
        format!("expected: {writer_full}"),
        location,
    );
    location.pop();
    vec![found]
}

fn incompatible(
    kind: IncompatibilityKind,
    reader: &Schema,
    writer: &Schema,
    message: String,
    location: &[String],
) -> Incompatibility {
    Incompatibility {
        kind,
        location: json_pointer(location),
        message,
        reader_fragment: to_json(reader),
        writer_fragment: to_json(writer),
    }
}

/// `Incompatibility.getLocation()`: the root token dropped, JSON-pointer escaped.
fn json_pointer(location: &[String]) -> String {
    let tokens: Vec<String> = location
        .iter()
        .skip(1)
        .map(|t| t.replace('~', "~0").replace('/', "~1"))
        .collect();
    format!("/{}", tokens.join("/"))
}

#[cfg(test)]
mod tests;
