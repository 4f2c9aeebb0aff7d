//! Values of the data model: [`Value`] and [`Struct`].

use std::fmt;
use std::hash::{Hash, Hasher};

use super::logical::Decimal;
use super::schema::{Field, Schema, SchemaType};
use super::validate::validate_field_value;
use crate::error::{ConnectError, Result};

/// A Connect value. Logical types have their own variants so a `Decimal`, `Date`, `Time` or
/// `Timestamp` schema can tell them apart from their physical encoding (as Kafka does with
/// `BigDecimal` and `java.util.Date`).
///
/// Equality follows Java's `Objects.deepEquals`: floats compare by bit pattern (so `NaN`
/// equals `NaN` and `0.0` differs from `-0.0`), and maps compare regardless of entry order.
#[derive(Debug, Clone)]
pub enum Value {
    /// Absent value; valid only for optional schemas.
    Null,
    /// `INT8`.
    Int8(i8),
    /// `INT16`.
    Int16(i16),
    /// `INT32`.
    Int32(i32),
    /// `INT64`.
    Int64(i64),
    /// `FLOAT32`.
    Float32(f32),
    /// `FLOAT64`.
    Float64(f64),
    /// `BOOLEAN`.
    Boolean(bool),
    /// `STRING`.
    String(String),
    /// `BYTES`.
    Bytes(Vec<u8>),
    /// `ARRAY`.
    Array(Vec<Value>),
    /// `MAP`, as entries in insertion order (keys are expected to be unique).
    Map(Vec<(Value, Value)>),
    /// `STRUCT`.
    Struct(Struct),
    /// Logical `Decimal` (on `BYTES`).
    Decimal(Decimal),
    /// Logical `Date` (on `INT32`): days since the Unix epoch.
    Date(i32),
    /// Logical `Time` (on `INT32`): milliseconds since midnight, `0..86_400_000`.
    Time(i32),
    /// Logical `Timestamp` (on `INT64`): milliseconds since the Unix epoch.
    Timestamp(i64),
}

impl Value {
    /// A short name of the value's kind, used in error messages (`INT32`, `Decimal`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Int8(_) => "INT8",
            Self::Int16(_) => "INT16",
            Self::Int32(_) => "INT32",
            Self::Int64(_) => "INT64",
            Self::Float32(_) => "FLOAT32",
            Self::Float64(_) => "FLOAT64",
            Self::Boolean(_) => "BOOLEAN",
            Self::String(_) => "STRING",
            Self::Bytes(_) => "BYTES",
            Self::Array(_) => "ARRAY",
            Self::Map(_) => "MAP",
            Self::Struct(_) => "STRUCT",
            Self::Decimal(_) => "Decimal",
            Self::Date(_) => "Date",
            Self::Time(_) => "Time",
            Self::Timestamp(_) => "Timestamp",
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    fn entry_hash(key: &Value, value: &Value) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        value.hash(&mut hasher);
        hasher.finish()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Int8(a), Int8(b)) => a == b,
            (Int16(a), Int16(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (Float32(a), Float32(b)) => a.to_bits() == b.to_bits(),
            (Float64(a), Float64(b)) => a.to_bits() == b.to_bits(),
            (Boolean(a), Boolean(b)) => a == b,
            (String(a), String(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => {
                a.len() == b.len() && a.iter().all(|entry| b.iter().any(|other| entry == other))
            }
            (Struct(a), Struct(b)) => a == b,
            (Decimal(a), Decimal(b)) => a == b,
            (Date(a), Date(b)) | (Time(a), Time(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Self::Null => {}
            Self::Int8(v) => v.hash(state),
            Self::Int16(v) => v.hash(state),
            Self::Int32(v) | Self::Date(v) | Self::Time(v) => v.hash(state),
            Self::Int64(v) | Self::Timestamp(v) => v.hash(state),
            Self::Float32(v) => v.to_bits().hash(state),
            Self::Float64(v) => v.to_bits().hash(state),
            Self::Boolean(v) => v.hash(state),
            Self::String(v) => v.hash(state),
            Self::Bytes(v) => v.hash(state),
            Self::Array(v) => v.hash(state),
            // Order-insensitive, like java.util.Map#hashCode (sum of entry hashes).
            Self::Map(entries) => entries
                .iter()
                .fold(0u64, |sum, (k, v)| sum.wrapping_add(Self::entry_hash(k, v)))
                .hash(state),
            Self::Struct(v) => v.hash(state),
            Self::Decimal(v) => v.hash(state),
        }
    }
}

macro_rules! value_from {
    ($($ty:ty => $variant:ident),*) => {
        $(impl From<$ty> for Value {
            fn from(v: $ty) -> Self {
                Value::$variant(v)
            }
        })*
    };
}

value_from!(i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64, f32 => Float32,
    f64 => Float64, bool => Boolean, String => String, Vec<u8> => Bytes,
    Vec<Value> => Array, Struct => Struct, Decimal => Decimal);

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A struct value: one value per field of its struct schema, set and read by field name.
///
/// Every [`Struct::put`] validates the value against the field schema, so a `Struct` only
/// ever holds values of the right types; [`Struct::validate`] additionally checks that every
/// required field has been set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

macro_rules! typed_getters {
    ($($fn_name:ident -> $ty:ty, $variant:ident, $schema_type:ident;)*) => {
        $(
            #[doc = concat!("The value of a `", stringify!($schema_type), "` field (default applied), `None` when null.")]
            pub fn $fn_name(&self, field_name: &str) -> Result<Option<$ty>> {
                match self.get_checked(field_name, SchemaType::$schema_type)? {
                    Value::$variant(v) => Ok(Some(v.clone())),
                    _ => Ok(None),
                }
            }
        )*
    };
}

impl Struct {
    /// An empty struct (every field null) for a `STRUCT` schema.
    pub fn new(schema: Schema) -> Result<Self> {
        if schema.schema_type() != SchemaType::Struct {
            return Err(ConnectError::Data(format!("Not a struct schema: {schema}")));
        }
        let values = vec![Value::Null; schema.fields()?.len()];
        Ok(Self { schema, values })
    }

    /// The struct's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    fn lookup_field(&self, field_name: &str) -> Result<&Field> {
        self.schema
            .field(field_name)?
            .ok_or_else(|| ConnectError::Data(format!("{field_name} is not a valid field name")))
    }

    /// The value of a field, or the field schema's default when the field is null.
    pub fn get(&self, field_name: &str) -> Result<&Value> {
        let field = self.lookup_field(field_name)?;
        let value = &self.values[field.index()];
        match (value, field.schema().default_value()) {
            (Value::Null, Some(default)) => Ok(default),
            _ => Ok(value),
        }
    }

    /// The value of a field as set, without applying the default.
    pub fn get_without_default(&self, field_name: &str) -> Result<&Value> {
        let field = self.lookup_field(field_name)?;
        Ok(&self.values[field.index()])
    }

    fn get_checked(&self, field_name: &str, expected: SchemaType) -> Result<&Value> {
        let field = self.lookup_field(field_name)?;
        if field.schema().schema_type() != expected {
            return Err(ConnectError::Data(format!(
                "Field '{field_name}' is not of type {expected}"
            )));
        }
        self.get(field_name)
    }

    typed_getters! {
        get_int8 -> i8, Int8, Int8;
        get_int16 -> i16, Int16, Int16;
        get_int32 -> i32, Int32, Int32;
        get_int64 -> i64, Int64, Int64;
        get_float32 -> f32, Float32, Float32;
        get_float64 -> f64, Float64, Float64;
        get_boolean -> bool, Boolean, Boolean;
        get_string -> String, String, String;
        get_bytes -> Vec<u8>, Bytes, Bytes;
        get_struct -> Struct, Struct, Struct;
    }

    /// Sets a field after validating `value` against the field's schema.
    pub fn put(&mut self, field_name: &str, value: impl Into<Value>) -> Result<&mut Self> {
        let value = value.into();
        let field = self.lookup_field(field_name)?;
        validate_field_value(Some(field.name()), field.schema(), &value)?;
        let index = field.index();
        self.values[index] = value;
        Ok(self)
    }

    /// Checks that every field holds a valid value (required fields without a default set).
    pub fn validate(&self) -> Result<()> {
        for field in self.schema.fields()? {
            let value = &self.values[field.index()];
            let schema = field.schema();
            if value.is_null() && (schema.is_optional() || schema.default_value().is_some()) {
                continue;
            }
            validate_field_value(Some(field.name()), schema, value)?;
        }
        Ok(())
    }
}

impl fmt::Display for Struct {
    /// Kafka's `Struct{name=value,...}`, skipping null fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Struct{")?;
        let mut first = true;
        for field in self.schema.fields().unwrap_or(&[]) {
            let value = &self.values[field.index()];
            if value.is_null() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{}={}", field.name(), ValueDisplay(value))?;
        }
        f.write_str("}")
    }
}

struct ValueDisplay<'a>(&'a Value);

impl fmt::Display for ValueDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Int8(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) | Value::Date(v) | Value::Time(v) => write!(f, "{v}"),
            Value::Int64(v) | Value::Timestamp(v) => write!(f, "{v}"),
            Value::Float32(v) => write!(f, "{v:?}"),
            Value::Float64(v) => write!(f, "{v:?}"),
            Value::Boolean(v) => write!(f, "{v}"),
            Value::String(v) => f.write_str(v),
            Value::Bytes(v) => write!(f, "{v:?}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", ValueDisplay(item))?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={}", ValueDisplay(k), ValueDisplay(v))?;
                }
                f.write_str("}")
            }
            Value::Struct(s) => write!(f, "{s}"),
            Value::Decimal(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::schema::SchemaBuilder;

    fn schema() -> Result<Schema> {
        SchemaBuilder::struct_()
            .name("s")
            .field("id", Schema::int64())
            .field("name", Schema::optional_string())
            .field(
                "level",
                SchemaBuilder::int32()
                    .default_value(Value::Int32(3))
                    .build()?,
            )
            .build()
    }

    fn message<T: fmt::Debug>(r: Result<T>) -> String {
        match r {
            Ok(v) => format!("unexpected success: {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn put_and_get() -> Result<()> {
        let mut s = Struct::new(schema()?)?;
        s.put("id", 7i64)?.put("name", "x")?;
        assert_eq!(s.get("id")?, &Value::Int64(7));
        assert_eq!(s.get_int64("id")?, Some(7));
        assert_eq!(s.get_string("name")?.as_deref(), Some("x"));
        assert_eq!(s.get("level")?, &Value::Int32(3), "default applies");
        assert_eq!(s.get_without_default("level")?, &Value::Null);
        s.put("name", Value::Null)?;
        assert_eq!(s.get_string("name")?, None);
        s.validate()?;
        assert_eq!(s.to_string(), "Struct{id=7}");
        Ok(())
    }

    #[test]
    fn put_and_get_errors() -> Result<()> {
        let mut s = Struct::new(schema()?)?;
        assert_eq!(
            message(s.put("nope", 1i64)),
            "nope is not a valid field name"
        );
        assert_eq!(message(s.get("nope")), "nope is not a valid field name");
        assert_eq!(
            message(s.put("id", "seven")),
            "Invalid value for schema with type INT64: found STRING for field: \"id\""
        );
        assert_eq!(
            message(s.put("id", Value::Null)),
            "Invalid value: null used for required field: \"id\", schema type: INT64"
        );
        assert_eq!(
            message(s.get_int32("id")),
            "Field 'id' is not of type INT32"
        );
        assert_eq!(
            message(s.validate()),
            "Invalid value: null used for required field: \"id\", schema type: INT64"
        );
        assert_eq!(
            message(Struct::new(Schema::int8())),
            "Not a struct schema: Schema{INT8}"
        );
        Ok(())
    }

    #[test]
    fn equality_and_hash() -> Result<()> {
        let mut a = Struct::new(schema()?)?;
        a.put("id", 1i64)?;
        let mut b = a.clone();
        assert_eq!(a, b);
        b.put("id", 2i64)?;
        assert_ne!(a, b);
        assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
        assert_ne!(Value::Float64(0.0), Value::Float64(-0.0));
        let m1 = Value::Map(vec![
            (Value::from("a"), Value::Int8(1)),
            (Value::from("b"), Value::Int8(2)),
        ]);
        let m2 = Value::Map(vec![
            (Value::from("b"), Value::Int8(2)),
            (Value::from("a"), Value::Int8(1)),
        ]);
        assert_eq!(m1, m2);
        let hash = |v: &Value| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&m1), hash(&m2));
        assert_ne!(Value::Int32(1), Value::Date(1));
        Ok(())
    }

    #[test]
    fn logical_and_nested_fields() -> Result<()> {
        use crate::data::{Date, Decimal};
        let address = SchemaBuilder::struct_()
            .name("address")
            .field("city", Schema::string())
            .build()?;
        let order = SchemaBuilder::struct_()
            .field("amount", Decimal::schema(2))
            .field("day", Date::builder().optional().build()?)
            .field("ship_to", address.clone())
            .build()?;
        let mut s = Struct::new(order)?;
        s.put("amount", Decimal::new(-1999, 2))?;
        s.put("day", Value::Date(19_700))?;
        assert_eq!(
            message(s.put("amount", Value::Bytes(vec![1]))),
            "Invalid value for schema \"org.apache.kafka.connect.data.Decimal\" with type BYTES: \
             found BYTES for field: \"amount\""
        );
        let mut city = Struct::new(address)?;
        assert_eq!(
            message(s.put("ship_to", city.clone())),
            "Invalid value: null used for required field: \"city\", schema type: STRING"
        );
        city.put("city", "Lyon")?;
        s.put("ship_to", city)?;
        s.validate()?;
        assert_eq!(
            s.get_struct("ship_to")?.map(|c| c.to_string()).as_deref(),
            Some("Struct{city=Lyon}")
        );
        assert_eq!(
            s.to_string(),
            "Struct{amount=-19.99,day=19700,ship_to=Struct{city=Lyon}}"
        );
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn map_equality_and_hash_ignore_entry_order(
            entries in proptest::collection::btree_map(proptest::prelude::any::<i32>(), ".{0,8}", 0..8)
        ) {
            let forward: Vec<(Value, Value)> = entries
                .iter()
                .map(|(k, v)| (Value::Int32(*k), Value::from(v.as_str())))
                .collect();
            let mut backward = forward.clone();
            backward.reverse();
            let (a, b) = (Value::Map(forward), Value::Map(backward));
            let hash = |v: &Value| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                v.hash(&mut h);
                h.finish()
            };
            proptest::prop_assert_eq!(&a, &b);
            proptest::prop_assert_eq!(hash(&a), hash(&b));
        }
    }
}
