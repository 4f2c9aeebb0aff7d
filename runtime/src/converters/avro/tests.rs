//! Tests of the Avro mapping against the schemas Confluent's `AvroData` writes.

use apache_avro::types::Value as AvroValue;
use connect_api::data::{Date, Decimal, Schema, SchemaBuilder, Struct, Time, Timestamp, Value};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

use super::data::{AvroData, AvroDataConfig, AvroSchema};
use super::{to_avro_schema, to_avro_value, to_connect_schema, to_connect_value, wire, AvroError};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn avro_json(schema: &Schema) -> Result<Json, AvroError> {
    Ok(to_avro_schema(schema)?.json().clone())
}

/// Connect → Avro schema → Connect schema is the identity, and a value survives
/// Connect → Avro → binary (framed) → Avro → Connect.
fn round_trip(schema: &Schema, value: &Value) -> TestResult {
    round_trip_to(schema, value, value)
}

/// [`round_trip`] where the value read back is `expected` (e.g. defaults applied).
fn round_trip_to(schema: &Schema, value: &Value, expected: &Value) -> TestResult {
    let data = AvroData::default();
    let avro = data.to_avro_schema(schema)?;
    assert_eq!(&data.to_connect_schema(&avro)?, schema, "schema {}", avro);
    let framed = wire::serialize(&data, 42, &avro, schema, value)?;
    let (id, payload) = wire::decode(&framed)?;
    assert_eq!(id, 42);
    // The registry stores the JSON text; parse it again as a consumer would.
    let registered = AvroSchema::parse_str(&avro.to_string())?;
    let (back_schema, back_value) = wire::deserialize_payload(&data, &registered, payload)?;
    assert_eq!(&back_schema, schema);
    assert_eq!(&back_value, expected);
    Ok(())
}

#[test]
fn primitives_map_to_avro_primitives_with_connect_type() -> TestResult {
    let cases = [
        (
            Schema::int8(),
            json!({"type": "int", "connect.type": "int8"}),
        ),
        (
            Schema::int16(),
            json!({"type": "int", "connect.type": "int16"}),
        ),
        (Schema::int32(), json!("int")),
        (Schema::int64(), json!("long")),
        (Schema::float32(), json!("float")),
        (Schema::float64(), json!("double")),
        (Schema::boolean(), json!("boolean")),
        (Schema::string(), json!("string")),
        (Schema::bytes(), json!("bytes")),
    ];
    for (schema, expected) in cases {
        assert_eq!(avro_json(&schema)?, expected, "{schema}");
        assert_eq!(to_connect_schema(&to_avro_schema(&schema)?)?, schema);
    }
    Ok(())
}

#[test]
fn optional_schemas_are_unions_with_null() -> TestResult {
    assert_eq!(
        avro_json(&Schema::optional_int32())?,
        json!(["null", "int"])
    );
    assert_eq!(
        avro_json(&Schema::optional_int16())?,
        json!(["null", {"type": "int", "connect.type": "int16"}])
    );
    // With a default, the type comes first so the default matches the first branch.
    let with_default = SchemaBuilder::string()
        .optional()
        .default_value(Value::from("x"))
        .build()?;
    assert_eq!(
        avro_json(&with_default)?,
        json!([{"type": "string", "connect.default": "x"}, "null"])
    );
    for schema in [Schema::optional_int32(), with_default] {
        assert_eq!(to_connect_schema(&to_avro_schema(&schema)?)?, schema);
    }
    round_trip(&Schema::optional_string(), &Value::Null)?;
    round_trip(&Schema::optional_string(), &Value::from("a"))?;
    Ok(())
}

/// Transcribed from Confluent's `AvroDataTest.testFromConnectComplex`.
#[test]
fn golden_from_connect_complex() -> TestResult {
    let schema = SchemaBuilder::struct_()
        .field(
            "int8",
            SchemaBuilder::int8()
                .default_value(Value::Int8(2))
                .doc("int8 field")
                .build()?,
        )
        .field("int16", Schema::int16())
        .field("int32", Schema::int32())
        .field("int64", Schema::int64())
        .field("float32", Schema::float32())
        .field("float64", Schema::float64())
        .field("boolean", Schema::boolean())
        .field("string", Schema::string())
        .field("bytes", Schema::bytes())
        .field("array", SchemaBuilder::array(Schema::string()).build()?)
        .field(
            "map",
            SchemaBuilder::map(Schema::string(), Schema::int32()).build()?,
        )
        .field(
            "mapNonStringKeys",
            SchemaBuilder::map(Schema::int32(), Schema::int32()).build()?,
        )
        .build()?;
    let expected = json!({
        "type": "record",
        "name": "ConnectDefault",
        "namespace": "io.confluent.connect.avro",
        "fields": [
            {"name": "int8", "type": {"type": "int", "connect.doc": "int8 field",
                "connect.default": 2, "connect.type": "int8"}, "default": 2},
            {"name": "int16", "type": {"type": "int", "connect.type": "int16"}},
            {"name": "int32", "type": "int"},
            {"name": "int64", "type": "long"},
            {"name": "float32", "type": "float"},
            {"name": "float64", "type": "double"},
            {"name": "boolean", "type": "boolean"},
            {"name": "string", "type": "string"},
            {"name": "bytes", "type": "bytes"},
            {"name": "array", "type": {"type": "array", "items": "string"}},
            {"name": "map", "type": {"type": "map", "values": "int"}},
            {"name": "mapNonStringKeys", "type": {"type": "array", "items": {
                "type": "record", "name": "MapEntry",
                "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": "int"}]
            }}}
        ]
    });
    assert_eq!(avro_json(&schema)?, expected);

    let mut value = Struct::new(schema.clone())?;
    value
        .put("int8", Value::Int8(12))?
        .put("int16", Value::Int16(12))?
        .put("int32", Value::Int32(12))?
        .put("int64", Value::Int64(12))?
        .put("float32", Value::Float32(12.2))?
        .put("float64", Value::Float64(12.2))?
        .put("boolean", Value::Boolean(true))?
        .put("string", Value::from("foo"))?
        .put("bytes", Value::Bytes(b"foo".to_vec()))?
        .put(
            "array",
            Value::Array(vec!["a".into(), "b".into(), "c".into()]),
        )?
        .put("map", Value::Map(vec![("field".into(), Value::Int32(1))]))?
        .put(
            "mapNonStringKeys",
            Value::Map(vec![(Value::Int32(1), Value::Int32(1))]),
        )?;
    round_trip(&schema, &Value::Struct(value))
}

#[test]
fn nested_unnamed_structs_are_numbered_and_reused() -> TestResult {
    let inner_a = SchemaBuilder::struct_()
        .field("x", Schema::int32())
        .build()?;
    let inner_b = SchemaBuilder::struct_()
        .field("y", Schema::string())
        .build()?;
    let schema = SchemaBuilder::struct_()
        .field("a", inner_a.clone())
        .field("b", inner_b)
        .field("again", inner_a.clone())
        .field("list", SchemaBuilder::array(inner_a.clone()).build()?)
        .build()?;
    let expected = json!({
        "type": "record", "name": "ConnectDefault", "namespace": "io.confluent.connect.avro",
        "fields": [
            {"name": "a", "type": {"type": "record", "name": "ConnectDefault2",
                "fields": [{"name": "x", "type": "int"}]}},
            {"name": "b", "type": {"type": "record", "name": "ConnectDefault3",
                "fields": [{"name": "y", "type": "string"}]}},
            {"name": "again", "type": "ConnectDefault2"},
            {"name": "list", "type": {"type": "array", "items": "ConnectDefault2"}}
        ]
    });
    assert_eq!(avro_json(&schema)?, expected);

    let mut a = Struct::new(inner_a)?;
    a.put("x", Value::Int32(7))?;
    let mut b = Struct::new(schema.field("b")?.map(|f| f.schema().clone()).ok_or("b")?)?;
    b.put("y", Value::from("why"))?;
    let mut value = Struct::new(schema.clone())?;
    value
        .put("a", Value::Struct(a.clone()))?
        .put("b", Value::Struct(b))?
        .put("again", Value::Struct(a.clone()))?
        .put(
            "list",
            Value::Array(vec![Value::Struct(a.clone()), Value::Struct(a)]),
        )?;
    round_trip(&schema, &Value::Struct(value))
}

#[test]
fn named_struct_metadata_and_optional_struct_field() -> TestResult {
    let address = SchemaBuilder::struct_()
        .name("com.example.Address")
        .field("street", Schema::string())
        .optional()
        .build()?;
    let schema = SchemaBuilder::struct_()
        .name("com.example.Person")
        .version(3)
        .doc("a person")
        .parameter("owner", "team-a")
        .field("name", Schema::string())
        .field("age", Schema::optional_int32())
        .field("address", address.clone())
        .build()?;
    let expected = json!({
        "type": "record", "name": "Person", "namespace": "com.example",
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "age", "type": ["null", "int"], "default": null},
            {"name": "address", "type": ["null", {"type": "record", "name": "Address",
                "fields": [{"name": "street", "type": "string"}],
                "connect.name": "com.example.Address"}], "default": null}
        ],
        "connect.doc": "a person",
        "connect.version": 3,
        "connect.parameters": {"owner": "team-a"},
        "connect.name": "com.example.Person"
    });
    assert_eq!(avro_json(&schema)?, expected);

    let mut value = Struct::new(schema.clone())?;
    value.put("name", Value::from("Ada"))?;
    round_trip(&schema, &Value::Struct(value.clone()))?;
    let mut addr = Struct::new(address)?;
    addr.put("street", Value::from("Main"))?;
    value
        .put("age", Value::Int32(36))?
        .put("address", Value::Struct(addr))?;
    round_trip(&schema, &Value::Struct(value))
}

#[test]
fn maps_and_arrays() -> TestResult {
    let named_map = SchemaBuilder::map(Schema::int64(), Schema::optional_string())
        .name("com.example.Lookup")
        .build()?;
    assert_eq!(
        avro_json(&named_map)?,
        json!({"type": "array", "items": {
            "type": "record", "name": "Lookup", "namespace": "com.example",
            "fields": [
                {"name": "key", "type": "long"},
                {"name": "value", "type": ["null", "string"], "default": null}
            ],
            "connect.internal.type": "MapEntry"
        }, "connect.name": "com.example.Lookup"})
    );
    round_trip(
        &named_map,
        &Value::Map(vec![
            (Value::Int64(1), Value::from("one")),
            (Value::Int64(2), Value::Null),
        ]),
    )?;

    let optional_key = SchemaBuilder::map(Schema::optional_string(), Schema::int32()).build()?;
    assert_eq!(
        avro_json(&optional_key)?,
        json!({"type": "array", "items": {
            "type": "record", "name": "MapEntry", "namespace": "io.confluent.connect.avro",
            "fields": [
                {"name": "key", "type": ["null", "string"], "default": null},
                {"name": "value", "type": "int"}
            ]
        }})
    );

    let string_map = SchemaBuilder::map(Schema::string(), Schema::float64())
        .optional()
        .build()?;
    assert_eq!(
        avro_json(&string_map)?,
        json!(["null", {"type": "map", "values": "double"}])
    );
    round_trip(
        &string_map,
        &Value::Map(vec![
            ("a".into(), Value::Float64(1.5)),
            ("b".into(), Value::Float64(-2.0)),
        ]),
    )?;
    round_trip(&string_map, &Value::Null)?;

    let array = SchemaBuilder::array(Schema::optional_int64()).build()?;
    assert_eq!(
        avro_json(&array)?,
        json!({"type": "array", "items": ["null", "long"]})
    );
    round_trip(&array, &Value::Array(vec![Value::Int64(1), Value::Null]))
}

#[test]
fn logical_types() -> TestResult {
    let decimal = Decimal::schema(2);
    assert_eq!(
        avro_json(&decimal)?,
        json!({"type": "bytes", "scale": 2, "precision": 64, "logicalType": "decimal",
            "connect.version": 1, "connect.parameters": {"scale": "2"},
            "connect.name": "org.apache.kafka.connect.data.Decimal"})
    );
    round_trip(&decimal, &Value::Decimal(Decimal::new(-12345, 2)))?;

    let precise = Decimal::builder(3)
        .parameter("connect.decimal.precision", "10")
        .build()?;
    assert_eq!(
        avro_json(&precise)?,
        json!({"type": "bytes", "scale": 3, "precision": 10, "logicalType": "decimal",
            "connect.version": 1,
            "connect.parameters": {"scale": "3", "connect.decimal.precision": "10"},
            "connect.name": "org.apache.kafka.connect.data.Decimal"})
    );
    round_trip(&precise, &Value::Decimal(Decimal::new(1_234_567, 3)))?;

    let logical = |name: &str, ty: &str, logical: &str| json!({"type": ty, "logicalType": logical, "connect.version": 1, "connect.name": name});
    assert_eq!(
        avro_json(&Date::schema())?,
        logical("org.apache.kafka.connect.data.Date", "int", "date")
    );
    assert_eq!(
        avro_json(&Time::schema())?,
        logical("org.apache.kafka.connect.data.Time", "int", "time-millis")
    );
    assert_eq!(
        avro_json(&Timestamp::schema())?,
        logical(
            "org.apache.kafka.connect.data.Timestamp",
            "long",
            "timestamp-millis"
        )
    );
    round_trip(&Date::schema(), &Value::Date(19_000))?;
    round_trip(&Time::schema(), &Value::Time(3_600_000))?;
    round_trip(&Timestamp::schema(), &Value::Timestamp(1_700_000_000_123))?;

    let record = SchemaBuilder::struct_()
        .field("price", Decimal::builder(2).optional().build()?)
        .field("day", Date::builder().optional().build()?)
        .build()?;
    let mut value = Struct::new(record.clone())?;
    value.put("price", Value::Decimal(Decimal::new(999, 2)))?;
    round_trip(&record, &Value::Struct(value))
}

#[test]
fn avro_logical_types_without_connect_metadata() -> TestResult {
    // As written by a plain Avro producer: no connect.* properties.
    let avro = AvroSchema::parse(json!({
        "type": "record", "name": "Event", "namespace": "com.example",
        "fields": [
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
                "precision": 10, "scale": 2}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "note", "type": ["null", "string"], "default": null}
        ]
    }))?;
    let expected = SchemaBuilder::struct_()
        .name("com.example.Event")
        .field(
            "amount",
            Decimal::builder(2)
                .parameter("connect.decimal.precision", "10")
                .build()?,
        )
        .field("at", Timestamp::schema())
        .field("note", Schema::optional_string())
        .build()?;
    assert_eq!(to_connect_schema(&avro)?, expected);
    Ok(())
}

#[test]
fn defaults_round_trip_and_avro_field_defaults_are_flagged() -> TestResult {
    let schema = SchemaBuilder::struct_()
        .field(
            "count",
            SchemaBuilder::int64()
                .default_value(Value::Int64(5))
                .build()?,
        )
        .field(
            "label",
            SchemaBuilder::string()
                .optional()
                .default_value(Value::from("none"))
                .build()?,
        )
        .field(
            "raw",
            SchemaBuilder::bytes()
                .default_value(Value::Bytes(vec![0x00, 0xff]))
                .build()?,
        )
        .build()?;
    assert_eq!(
        avro_json(&schema)?,
        json!({"type": "record", "name": "ConnectDefault",
            "namespace": "io.confluent.connect.avro", "fields": [
            {"name": "count", "type": {"type": "long", "connect.default": 5}, "default": 5},
            {"name": "label", "type": [{"type": "string", "connect.default": "none"}, "null"],
                "default": "none"},
            {"name": "raw", "type": {"type": "bytes", "connect.default": "\u{0}\u{ff}"},
                "default": "\u{0}\u{ff}"}
        ]})
    );
    // Like Java's `struct.get(field)`, unset fields are written with their defaults.
    let value = Struct::new(schema.clone())?;
    let mut with_defaults = Struct::new(schema.clone())?;
    with_defaults
        .put("count", Value::Int64(5))?
        .put("label", Value::from("none"))?
        .put("raw", Value::Bytes(vec![0x00, 0xff]))?;
    round_trip_to(
        &schema,
        &Value::Struct(value),
        &Value::Struct(with_defaults),
    )?;

    // A plain Avro field default becomes the Connect default, flagged as coming from Avro,
    // and the flag keeps it from being written back as connect.default.
    let avro = AvroSchema::parse(json!({"type": "record", "name": "R",
        "fields": [{"name": "n", "type": "int", "default": 7}]}))?;
    let connect = to_connect_schema(&avro)?;
    let field = connect.field("n")?.ok_or("no field n")?;
    assert_eq!(field.schema().default_value(), Some(&Value::Int32(7)));
    assert_eq!(
        field
            .schema()
            .parameters()
            .get("io.confluent.connect.avro.field.default")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(
        avro_json(&connect)?,
        json!({"type": "record", "name": "R", "fields": [{"name": "n", "type": "int",
            "default": 7}], "connect.name": "R"})
    );
    Ok(())
}

#[test]
fn enums_round_trip_through_connect_strings() -> TestResult {
    let avro = AvroSchema::parse(json!({"type": "enum", "name": "Suit",
        "namespace": "com.example", "symbols": ["HEARTS", "SPADES"]}))?;
    let connect = to_connect_schema(&avro)?;
    let expected = SchemaBuilder::string()
        .name("com.example.Suit")
        .parameter("io.confluent.connect.avro.Enum", "com.example.Suit")
        .parameter("io.confluent.connect.avro.Enum.HEARTS", "HEARTS")
        .parameter("io.confluent.connect.avro.Enum.SPADES", "SPADES")
        .build()?;
    assert_eq!(connect, expected);
    let (schema, value) = to_connect_value(&avro, &AvroValue::Enum(1, "SPADES".into()))?;
    assert_eq!((schema, value), (expected.clone(), Value::from("SPADES")));

    // Without enhanced.avro.schema.support Java writes a plain string...
    assert_eq!(avro_json(&expected)?["type"], json!("string"));
    // ...with it, the enum again.
    let enhanced = AvroData::new(AvroDataConfig {
        enhanced_avro_schema_support: true,
        ..AvroDataConfig::default()
    });
    let back = enhanced.to_avro_schema(&expected)?;
    assert_eq!(
        back.json(),
        &json!({"type": "enum", "name": "Suit", "namespace": "com.example",
            "symbols": ["HEARTS", "SPADES"], "connect.name": "com.example.Suit",
            "connect.parameters": {
                "io.confluent.connect.avro.Enum": "com.example.Suit",
                "io.confluent.connect.avro.Enum.HEARTS": "HEARTS",
                "io.confluent.connect.avro.Enum.SPADES": "SPADES"}})
    );
    assert_eq!(enhanced.to_connect_schema(&back)?, expected);
    let datum = enhanced.to_avro_value_with(&expected, &back, &Value::from("HEARTS"))?;
    assert_eq!(datum, AvroValue::Enum(0, "HEARTS".into()));
    let err = enhanced.to_avro_value_with(&expected, &back, &Value::from("CLUBS"));
    assert!(err.is_err());
    Ok(())
}

#[test]
fn general_unions_become_union_structs() -> TestResult {
    let avro = AvroSchema::parse(json!(["null", "int", "string",
        {"type": "record", "name": "Point", "namespace": "geo",
         "fields": [{"name": "x", "type": "int"}]}]))?;
    let point = SchemaBuilder::struct_()
        .name("geo.Point")
        .field("x", Schema::int32())
        .optional()
        .build()?;
    let expected = SchemaBuilder::struct_()
        .name("io.confluent.connect.avro.Union")
        .optional()
        .field("int", Schema::optional_int32())
        .field("string", Schema::optional_string())
        .field("Point", point.clone())
        .build()?;
    let connect = to_connect_schema(&avro)?;
    assert_eq!(connect, expected);
    // And back to the same union.
    let back = to_avro_schema(&connect)?;
    assert_eq!(
        back.json(),
        &json!(["null", "int", "string", {"type": "record", "name": "Point",
            "namespace": "geo", "fields": [{"name": "x", "type": "int"}],
            "connect.name": "geo.Point"}])
    );

    let mut union = Struct::new(connect.clone())?;
    union.put("string", Value::from("s"))?;
    round_trip(&connect, &Value::Struct(union))?;
    let mut p = Struct::new(point)?;
    p.put("x", Value::Int32(3))?;
    let mut union = Struct::new(connect.clone())?;
    union.put("Point", Value::Struct(p))?;
    round_trip(&connect, &Value::Struct(union))?;
    round_trip(&connect, &Value::Null)
}

#[test]
fn conversion_errors_are_reported_not_panics() -> TestResult {
    // A required value may not be null.
    let avro = to_avro_schema(&Schema::int32())?;
    assert!(AvroData::default()
        .to_avro_value_with(&Schema::int32(), &avro, &Value::Null)
        .is_err());
    // An int that does not fit the annotated Connect INT8.
    let int8 = to_avro_schema(&Schema::int8())?;
    assert!(to_connect_value(&int8, &AvroValue::Int(300)).is_err());
    // A union index outside the union.
    let optional = to_avro_schema(&Schema::optional_int32())?;
    assert!(
        to_connect_value(&optional, &AvroValue::Union(7, Box::new(AvroValue::Int(1)))).is_err()
    );
    // Standalone null and unknown references.
    assert!(to_connect_schema(&AvroSchema::parse(json!("null"))?).is_err());
    // Two different structs with the same name cannot both be defined (Avro's
    // "Can't redefine").
    let a = SchemaBuilder::struct_()
        .name("x.S")
        .field("a", Schema::int32())
        .build()?;
    let b = SchemaBuilder::struct_()
        .name("x.S")
        .field("b", Schema::int32())
        .build()?;
    let outer = SchemaBuilder::struct_()
        .field("a", a)
        .field("b", b)
        .build()?;
    let err = to_avro_schema(&outer)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.contains("Can't redefine: x.S")));
    // Truncated payloads fail to decode.
    let data = AvroData::default();
    let string = to_avro_schema(&Schema::string())?;
    assert!(wire::deserialize_payload(&data, &string, &[0x10, b'a']).is_err());
    Ok(())
}

#[test]
fn wire_format_framing() -> TestResult {
    let framed = wire::encode(0x0102_0304, b"payload");
    assert_eq!(&framed[..5], &[0, 1, 2, 3, 4]);
    assert_eq!(wire::decode(&framed)?, (0x0102_0304, &b"payload"[..]));
    assert_eq!(wire::decode(&[0, 0, 0, 0, 9])?, (9, &b""[..]));

    let err = wire::decode(&[1, 0, 0, 0, 1])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.starts_with("Unknown magic byte!")));
    for short in [&[][..], &[0][..], &[0, 0, 0, 1][..]] {
        assert!(matches!(
            wire::decode(short),
            Err(AvroError::TooShort { len }) if len == short.len()
        ));
    }
    Ok(())
}

proptest! {
    #[test]
    fn wire_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = wire::decode(&bytes);
        let data = AvroData::default();
        if let Ok(avro) = to_avro_schema(&Schema::optional_string()) {
            if let Ok((_, payload)) = wire::decode(&bytes) {
                let _ = wire::deserialize_payload(&data, &avro, payload);
            }
        }
    }

    #[test]
    fn wire_encode_decode_round_trip(id in any::<i32>(), payload in proptest::collection::vec(any::<u8>(), 0..32)) {
        let framed = wire::encode(id, &payload);
        let decoded = wire::decode(&framed);
        prop_assert!(matches!(decoded, Ok((i, p)) if i == id && p == payload.as_slice()));
    }
}

#[test]
fn fixed_maps_to_named_bytes_and_back() -> TestResult {
    let avro = AvroSchema::parse(
        json!({"type": "fixed", "name": "Hash", "namespace": "com.example",
        "size": 4}),
    )?;
    let expected = SchemaBuilder::bytes()
        .name("com.example.Hash")
        .parameter("connect.fixed.size", "4")
        .build()?;
    assert_eq!(to_connect_schema(&avro)?, expected);
    assert_eq!(
        avro_json(&expected)?,
        json!({"type": "fixed", "name": "Hash", "namespace": "com.example", "size": 4,
            "connect.name": "com.example.Hash",
            "connect.parameters": {"connect.fixed.size": "4"}})
    );
    round_trip(&expected, &Value::Bytes(vec![1, 2, 3, 4]))?;
    assert!(to_avro_value(&expected, &Value::Bytes(vec![1])).is_err());
    Ok(())
}

#[test]
fn avro_decimal_scale_defaults_to_zero_and_bad_defaults_are_ignored() -> TestResult {
    let avro = AvroSchema::parse(json!({"type": "record", "name": "R", "fields": [
        {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5}},
        // 17 bytes do not fit the i128 unscaled value of a Connect Decimal here.
        {"name": "n", "type": {"type": "bytes", "logicalType": "decimal", "precision": 40,
            "scale": 0}, "default": format!("\u{1}{}", "\u{0}".repeat(16))}
    ]}))?;
    let connect = to_connect_schema(&avro)?;
    let d = connect.field("d")?.ok_or("no d")?;
    assert_eq!(
        d.schema().parameters().get("scale").map(String::as_str),
        Some("0")
    );
    let n = connect.field("n")?.ok_or("no n")?;
    assert_eq!(n.schema().default_value(), None);
    Ok(())
}

#[test]
fn java_schema_with_named_references() -> TestResult {
    let avro = AvroSchema::parse(json!({
        "type": "record", "name": "Outer", "namespace": "com.example",
        "fields": [
            {"name": "first", "type": {"type": "record", "name": "Inner",
                "fields": [{"name": "n", "type": "long"}]}},
            {"name": "second", "type": ["null", "Inner"], "default": null},
            {"name": "third", "type": {"type": "array", "items": "com.example.Inner"}}
        ]
    }))?;
    let inner = SchemaBuilder::struct_()
        .name("com.example.Inner")
        .field("n", Schema::int64())
        .build()?;
    let optional_inner = SchemaBuilder::struct_()
        .name("com.example.Inner")
        .field("n", Schema::int64())
        .optional()
        .build()?;
    let expected = SchemaBuilder::struct_()
        .name("com.example.Outer")
        .field("first", inner.clone())
        .field("second", optional_inner.clone())
        .field("third", SchemaBuilder::array(inner.clone()).build()?)
        .build()?;
    let connect = to_connect_schema(&avro)?;
    assert_eq!(connect, expected);

    let datum = AvroValue::Record(vec![
        (
            "first".into(),
            AvroValue::Record(vec![("n".into(), AvroValue::Long(1))]),
        ),
        (
            "second".into(),
            AvroValue::Union(
                1,
                Box::new(AvroValue::Record(vec![("n".into(), AvroValue::Long(2))])),
            ),
        ),
        (
            "third".into(),
            AvroValue::Array(vec![AvroValue::Record(vec![(
                "n".into(),
                AvroValue::Long(3),
            )])]),
        ),
    ]);
    let (_, value) = to_connect_value(&avro, &datum)?;
    let with_n = |schema: &Schema, n: i64| -> Result<Value, Box<dyn std::error::Error>> {
        let mut st = Struct::new(schema.clone())?;
        st.put("n", Value::Int64(n))?;
        Ok(Value::Struct(st))
    };
    let mut outer = Struct::new(expected.clone())?;
    outer
        .put("first", with_n(&inner, 1)?)?
        .put("second", with_n(&optional_inner, 2)?)?
        .put("third", Value::Array(vec![with_n(&inner, 3)?]))?;
    assert_eq!(value, Value::Struct(outer.clone()));
    // Written back with the Avro schema it came from.
    let again = AvroData::default().to_avro_value_with(&expected, &avro, &Value::Struct(outer))?;
    assert_eq!(again, datum);
    Ok(())
}

/// The schema text is what Java's Avro `Schema.toString()` writes for `AvroData`'s schema
/// (captured from Confluent's AvroConverter 7.0 with Avro 1.11.3): reserved keys first in
/// Avro's order, then the properties in the order `AvroData` adds them. The registry tells
/// schemas apart by this text, so sorted keys got another id than Kafka Connect's.
#[test]
fn schema_text_is_the_one_java_writes() -> TestResult {
    let inner = SchemaBuilder::struct_()
        .name("com.example.Inner")
        .version(2)
        .doc("an inner record")
        .field("label", Schema::string())
        .field("weight", Schema::optional_float64())
        .build()?;
    let schema = SchemaBuilder::struct_()
        .name("com.example.Rich")
        .version(1)
        .doc("every Connect type")
        .parameter("origin", "interop")
        .field("i8", Schema::int8())
        .field("amount", Decimal::schema(2))
        .field("day", Date::schema())
        .field(
            "with_default",
            SchemaBuilder::int32()
                .optional()
                .default_value(Value::Int32(42))
                .build()?,
        )
        .field(
            "str_default",
            SchemaBuilder::string()
                .default_value(Value::from("dflt"))
                .doc("a doc")
                .build()?,
        )
        .field(
            "by_id",
            SchemaBuilder::map(Schema::int32(), Schema::string()).build()?,
        )
        .field("inner", inner)
        .build()?;
    let java = concat!(
        r#"{"type":"record","name":"Rich","namespace":"com.example","fields":["#,
        r#"{"name":"i8","type":{"type":"int","connect.type":"int8"}},"#,
        r#"{"name":"amount","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,"#,
        r#""connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","#,
        r#""logicalType":"decimal"}},"#,
        r#"{"name":"day","type":{"type":"int","connect.version":1,"#,
        r#""connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}},"#,
        r#"{"name":"with_default","type":[{"type":"int","connect.default":42},"null"],"default":42},"#,
        r#"{"name":"str_default","type":{"type":"string","connect.doc":"a doc","connect.default":"dflt"},"#,
        r#""default":"dflt"},"#,
        r#"{"name":"by_id","type":{"type":"array","items":{"type":"record","name":"MapEntry","#,
        r#""namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},"#,
        r#"{"name":"value","type":"string"}]}}},"#,
        r#"{"name":"inner","type":{"type":"record","name":"Inner","fields":[{"name":"label","type":"string"},"#,
        r#"{"name":"weight","type":["null","double"],"default":null}],"connect.doc":"an inner record","#,
        r#""connect.version":2,"connect.name":"com.example.Inner"}}],"#,
        r#""connect.doc":"every Connect type","connect.version":1,"#,
        r#""connect.parameters":{"origin":"interop"},"connect.name":"com.example.Rich"}"#
    );
    let avro = to_avro_schema(&schema)?;
    assert_eq!(avro.to_string(), java);
    // Parsing the registry's text and writing it again gives the same text.
    assert_eq!(AvroSchema::parse_str(java)?.to_string(), java);
    Ok(())
}

/// `AvroData.toConnectSchema(schema, version)`: the registry version of the writer schema
/// goes to the top-level schema only, and only when it has no `connect.version` (Confluent's
/// AvroConverter reads a record written by a plain Avro producer as version 1 of its subject).
#[test]
fn registry_version_falls_back_for_the_top_level_schema() -> TestResult {
    let data = AvroData::default();
    let plain = AvroSchema::parse(json!({
        "type": "record", "name": "Outer", "namespace": "py",
        "fields": [{"name": "inner", "type": {"type": "record", "name": "Inner",
            "fields": [{"name": "x", "type": "int"}]}}]
    }))?;
    let schema = data.to_connect_schema_with_version(&plain, Some(3))?;
    assert_eq!(schema.version(), Some(3));
    let inner = schema.field("inner")?.ok_or("no field inner")?.schema();
    assert_eq!(inner.version(), None);
    assert_eq!(data.to_connect_schema(&plain)?.version(), None);

    // connect.version wins.
    let connect = to_avro_schema(
        &SchemaBuilder::struct_()
            .name("a.B")
            .version(7)
            .field("x", Schema::int32())
            .build()?,
    )?;
    assert_eq!(
        data.to_connect_schema_with_version(&connect, Some(1))?
            .version(),
        Some(7)
    );
    Ok(())
}
