//! Schemas: the Connect type system (`Schema`, `Field`, `SchemaBuilder`, predefined schemas).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::validate::validate_value;
use super::value::Value;
use crate::error::{ConnectError, Result};

/// The type of a [`Schema`], as in Kafka's `Schema.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaType {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer (also the base of `Date` and `Time`).
    Int32,
    /// 64-bit signed integer (also the base of `Timestamp`).
    Int64,
    /// 32-bit IEEE 754 float.
    Float32,
    /// 64-bit IEEE 754 float.
    Float64,
    /// Boolean.
    Boolean,
    /// UTF-8 string.
    String,
    /// Byte array (also the base of `Decimal`).
    Bytes,
    /// Ordered list of values sharing one value schema.
    Array,
    /// Map from key schema to value schema.
    Map,
    /// Ordered named fields, each with its own schema.
    Struct,
}

impl SchemaType {
    /// Kafka's name of the type (`INT8`, `STRUCT`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Int8 => "INT8",
            Self::Int16 => "INT16",
            Self::Int32 => "INT32",
            Self::Int64 => "INT64",
            Self::Float32 => "FLOAT32",
            Self::Float64 => "FLOAT64",
            Self::Boolean => "BOOLEAN",
            Self::String => "STRING",
            Self::Bytes => "BYTES",
            Self::Array => "ARRAY",
            Self::Map => "MAP",
            Self::Struct => "STRUCT",
        }
    }

    /// Whether the type is primitive (neither array, map nor struct).
    pub fn is_primitive(self) -> bool {
        !matches!(self, Self::Array | Self::Map | Self::Struct)
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A named, positioned member of a struct schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    name: String,
    index: usize,
    schema: Schema,
}

impl Field {
    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The position of the field in its struct (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The schema of the field's values.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SchemaInner {
    schema_type: SchemaType,
    optional: bool,
    default_value: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: BTreeMap<String, String>,
    fields: Vec<Field>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
}

/// An immutable Connect schema; cheap to clone (reference counted).
///
/// Equality and hashing cover everything Kafka's `ConnectSchema.equals` covers: type,
/// optionality, default value, name, version, doc, parameters, fields (name, index, schema)
/// and key/value schemas.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Schema(Arc<SchemaInner>);

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Schema {
    /// Kafka's `Schema{name:TYPE}` / `Schema{TYPE}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.name {
            Some(name) => write!(f, "Schema{{{name}:{}}}", self.0.schema_type),
            None => write!(f, "Schema{{{}}}", self.0.schema_type),
        }
    }
}

macro_rules! predefined {
    ($($required:ident, $optional:ident, $ty:ident;)*) => {
        $(
            #[doc = concat!("The required `", stringify!($ty), "` schema (Kafka's `", stringify!($ty), "_SCHEMA`).")]
            pub fn $required() -> Schema {
                Schema::primitive(SchemaType::$ty, false)
            }

            #[doc = concat!("The optional `", stringify!($ty), "` schema (Kafka's `OPTIONAL_", stringify!($ty), "_SCHEMA`).")]
            pub fn $optional() -> Schema {
                Schema::primitive(SchemaType::$ty, true)
            }
        )*
    };
}

impl Schema {
    fn primitive(schema_type: SchemaType, optional: bool) -> Self {
        Self(Arc::new(SchemaInner {
            schema_type,
            optional,
            default_value: None,
            name: None,
            version: None,
            doc: None,
            parameters: BTreeMap::new(),
            fields: Vec::new(),
            key_schema: None,
            value_schema: None,
        }))
    }

    predefined! {
        int8, optional_int8, Int8;
        int16, optional_int16, Int16;
        int32, optional_int32, Int32;
        int64, optional_int64, Int64;
        float32, optional_float32, Float32;
        float64, optional_float64, Float64;
        boolean, optional_boolean, Boolean;
        string, optional_string, String;
        bytes, optional_bytes, Bytes;
    }

    /// The schema type.
    pub fn schema_type(&self) -> SchemaType {
        self.0.schema_type
    }

    /// Whether `null` is a valid value.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The default value, used when a struct field is unset.
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default_value.as_ref()
    }

    /// The schema name (e.g. a record name or a logical type name).
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The schema version.
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// Human-readable documentation.
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }

    /// Free-form parameters (e.g. `scale` for `Decimal`).
    pub fn parameters(&self) -> &BTreeMap<String, String> {
        &self.0.parameters
    }

    /// The fields of a struct schema, in order.
    pub fn fields(&self) -> Result<&[Field]> {
        if self.0.schema_type != SchemaType::Struct {
            return Err(ConnectError::data("Cannot list fields on non-struct type"));
        }
        Ok(&self.0.fields)
    }

    /// The field called `name` of a struct schema, `None` if there is none.
    pub fn field(&self, name: &str) -> Result<Option<&Field>> {
        if self.0.schema_type != SchemaType::Struct {
            return Err(ConnectError::data(
                "Cannot look up fields on non-struct type",
            ));
        }
        Ok(self.0.fields.iter().find(|f| f.name == name))
    }

    /// The key schema of a map schema.
    pub fn key_schema(&self) -> Result<&Schema> {
        match (&self.0.key_schema, self.0.schema_type) {
            (Some(schema), SchemaType::Map) => Ok(schema),
            _ => Err(ConnectError::data(
                "Cannot look up key schema on non-map type",
            )),
        }
    }

    /// The value schema of an array or map schema.
    pub fn value_schema(&self) -> Result<&Schema> {
        match (&self.0.value_schema, self.0.schema_type) {
            (Some(schema), SchemaType::Map | SchemaType::Array) => Ok(schema),
            _ => Err(ConnectError::data(
                "Cannot look up value schema on non-array and non-map type",
            )),
        }
    }

    /// Validates `value` against this schema (see [`validate_value`]).
    pub fn validate_value(&self, value: &Value) -> Result<()> {
        validate_value(self, value)
    }
}

/// Builds a [`Schema`]; mirrors Kafka's `SchemaBuilder`.
///
/// Misuse (setting a property twice, fields on a non-struct, duplicate field names, a
/// default that does not match the schema) is recorded and reported by [`SchemaBuilder::build`],
/// so builder calls chain without intermediate `?`.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    inner: SchemaInner,
    errors: Vec<String>,
}

impl SchemaBuilder {
    /// A builder for a required schema of `schema_type`. Use [`SchemaBuilder::array`] and
    /// [`SchemaBuilder::map`] for container types.
    pub fn new(schema_type: SchemaType) -> Self {
        Self {
            inner: SchemaInner {
                schema_type,
                optional: false,
                default_value: None,
                name: None,
                version: None,
                doc: None,
                parameters: BTreeMap::new(),
                fields: Vec::new(),
                key_schema: None,
                value_schema: None,
            },
            errors: Vec::new(),
        }
    }

    /// `INT8` builder.
    pub fn int8() -> Self {
        Self::new(SchemaType::Int8)
    }
    /// `INT16` builder.
    pub fn int16() -> Self {
        Self::new(SchemaType::Int16)
    }
    /// `INT32` builder.
    pub fn int32() -> Self {
        Self::new(SchemaType::Int32)
    }
    /// `INT64` builder.
    pub fn int64() -> Self {
        Self::new(SchemaType::Int64)
    }
    /// `FLOAT32` builder.
    pub fn float32() -> Self {
        Self::new(SchemaType::Float32)
    }
    /// `FLOAT64` builder.
    pub fn float64() -> Self {
        Self::new(SchemaType::Float64)
    }
    /// `BOOLEAN` builder.
    pub fn boolean() -> Self {
        Self::new(SchemaType::Boolean)
    }
    /// `STRING` builder.
    pub fn string() -> Self {
        Self::new(SchemaType::String)
    }
    /// `BYTES` builder.
    pub fn bytes() -> Self {
        Self::new(SchemaType::Bytes)
    }
    /// `STRUCT` builder; add fields with [`SchemaBuilder::field`].
    pub fn struct_() -> Self {
        Self::new(SchemaType::Struct)
    }

    /// `ARRAY` builder whose elements follow `value_schema`.
    pub fn array(value_schema: Schema) -> Self {
        let mut builder = Self::new(SchemaType::Array);
        builder.inner.value_schema = Some(value_schema);
        builder
    }

    /// `MAP` builder from `key_schema` to `value_schema`.
    pub fn map(key_schema: Schema, value_schema: Schema) -> Self {
        let mut builder = Self::new(SchemaType::Map);
        builder.inner.key_schema = Some(key_schema);
        builder.inner.value_schema = Some(value_schema);
        builder
    }

    fn check_can_set(&mut self, property: &str, already_set: bool) {
        if already_set {
            self.errors.push(format!(
                "Invalid SchemaBuilder call: {property} has already been set."
            ));
        }
    }

    /// Makes `null` a valid value.
    pub fn optional(mut self) -> Self {
        self.inner.optional = true;
        self
    }

    /// Makes `null` an invalid value (the default).
    pub fn required(mut self) -> Self {
        self.inner.optional = false;
        self
    }

    /// Sets the default value; it is validated against the schema by [`SchemaBuilder::build`].
    pub fn default_value(mut self, value: Value) -> Self {
        let set = self.inner.default_value.is_some();
        self.check_can_set("default", set);
        self.inner.default_value = Some(value);
        self
    }

    /// Sets the schema name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let set = self.inner.name.is_some();
        self.check_can_set("name", set);
        self.inner.name = Some(name.into());
        self
    }

    /// Sets the schema version.
    pub fn version(mut self, version: i32) -> Self {
        let set = self.inner.version.is_some();
        self.check_can_set("version", set);
        self.inner.version = Some(version);
        self
    }

    /// Sets the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        let set = self.inner.doc.is_some();
        self.check_can_set("doc", set);
        self.inner.doc = Some(doc.into());
        self
    }

    /// Adds one parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.inner.parameters.insert(key.into(), value.into());
        self
    }

    /// Appends a field to a struct schema.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        if self.inner.schema_type != SchemaType::Struct {
            self.errors.push(format!(
                "Cannot create fields on type {}",
                self.inner.schema_type
            ));
        } else if name.is_empty() {
            self.errors.push("fieldName cannot be null.".to_owned());
        } else if self.inner.fields.iter().any(|f| f.name == name) {
            self.errors.push(format!(
                "Cannot create field because of field name duplication {name}"
            ));
        } else {
            let index = self.inner.fields.len();
            self.inner.fields.push(Field {
                name,
                index,
                schema,
            });
        }
        self
    }

    /// Finishes the schema, reporting the first misuse recorded while building.
    pub fn build(self) -> Result<Schema> {
        if let Some(error) = self.errors.into_iter().next() {
            return Err(ConnectError::Data(error));
        }
        let default = self.inner.default_value.clone();
        let schema = Schema(Arc::new(self.inner));
        if let Some(default) = default {
            validate_value(&schema, &default)
                .map_err(|e| ConnectError::Data(format!("Invalid default value: {e}")))?;
        }
        Ok(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Result<Schema> {
        SchemaBuilder::struct_()
            .name("com.example.Person")
            .version(2)
            .doc("a person")
            .field("name", Schema::string())
            .field("age", Schema::optional_int32())
            .build()
    }

    #[test]
    fn builds_struct_with_ordered_fields() -> Result<()> {
        let schema = person()?;
        assert_eq!(schema.schema_type(), SchemaType::Struct);
        assert_eq!(schema.name(), Some("com.example.Person"));
        assert_eq!(schema.version(), Some(2));
        assert_eq!(schema.doc(), Some("a person"));
        let names: Vec<_> = schema.fields()?.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["name", "age"]);
        let age = schema
            .field("age")?
            .ok_or_else(|| ConnectError::data("no age"))?;
        assert_eq!(age.index(), 1);
        assert_eq!(age.schema(), &Schema::optional_int32());
        assert!(schema.field("nope")?.is_none());
        assert_eq!(schema.to_string(), "Schema{com.example.Person:STRUCT}");
        Ok(())
    }

    #[test]
    fn equality_covers_every_property() -> Result<()> {
        assert_eq!(person()?, person()?);
        assert_eq!(Schema::int32(), SchemaBuilder::int32().build()?);
        assert_ne!(Schema::int32(), Schema::optional_int32());
        assert_ne!(Schema::int32(), Schema::int64());
        let named = |n: &str| SchemaBuilder::string().name(n).build();
        assert_ne!(named("a")?, named("b")?);
        assert_ne!(
            SchemaBuilder::string().version(1).build()?,
            SchemaBuilder::string().version(2).build()?
        );
        assert_ne!(
            SchemaBuilder::string().doc("x").build()?,
            SchemaBuilder::string().build()?
        );
        assert_ne!(
            SchemaBuilder::string().parameter("k", "v").build()?,
            SchemaBuilder::string().build()?
        );
        assert_ne!(
            SchemaBuilder::string()
                .default_value(Value::from("a"))
                .build()?,
            SchemaBuilder::string().build()?
        );
        let reordered = SchemaBuilder::struct_()
            .name("com.example.Person")
            .version(2)
            .doc("a person")
            .field("age", Schema::optional_int32())
            .field("name", Schema::string())
            .build()?;
        assert_ne!(person()?, reordered);
        assert_ne!(
            SchemaBuilder::array(Schema::int8()).build()?,
            SchemaBuilder::array(Schema::int16()).build()?
        );
        assert_ne!(
            SchemaBuilder::map(Schema::string(), Schema::int8()).build()?,
            SchemaBuilder::map(Schema::int8(), Schema::int8()).build()?
        );

        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |s: &Schema| {
            let mut h = DefaultHasher::new();
            s.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&person()?), hash(&person()?));
        Ok(())
    }

    #[test]
    fn container_accessors() -> Result<()> {
        let map = SchemaBuilder::map(Schema::string(), Schema::optional_float64()).build()?;
        assert_eq!(map.key_schema()?, &Schema::string());
        assert_eq!(map.value_schema()?, &Schema::optional_float64());
        let array = SchemaBuilder::array(Schema::boolean()).optional().build()?;
        assert!(array.is_optional());
        assert_eq!(array.value_schema()?, &Schema::boolean());
        assert_eq!(
            array.key_schema().map_err(|e| e.to_string()),
            Err("Cannot look up key schema on non-map type".to_owned())
        );
        assert_eq!(
            Schema::int8().value_schema().map_err(|e| e.to_string()),
            Err("Cannot look up value schema on non-array and non-map type".to_owned())
        );
        assert_eq!(
            Schema::int8().fields().map_err(|e| e.to_string()),
            Err("Cannot list fields on non-struct type".to_owned())
        );
        Ok(())
    }

    #[test]
    fn builder_misuse_is_reported() {
        let err = |b: SchemaBuilder| b.build().map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(
            err(SchemaBuilder::int32().field("a", Schema::int8())),
            Err("Cannot create fields on type INT32".to_owned())
        );
        assert_eq!(
            err(SchemaBuilder::struct_()
                .field("a", Schema::int8())
                .field("a", Schema::int8())),
            Err("Cannot create field because of field name duplication a".to_owned())
        );
        assert_eq!(
            err(SchemaBuilder::struct_().field("", Schema::int8())),
            Err("fieldName cannot be null.".to_owned())
        );
        assert_eq!(
            err(SchemaBuilder::string().name("a").name("b")),
            Err("Invalid SchemaBuilder call: name has already been set.".to_owned())
        );
        assert_eq!(
            err(SchemaBuilder::string().default_value(Value::Int32(1))),
            Err(
                "Invalid default value: Invalid value for schema with type STRING: \
                 found INT32 for value"
                    .to_owned()
            )
        );
        assert_eq!(
            err(SchemaBuilder::string().default_value(Value::from("ok"))),
            Ok(())
        );
    }
}
