//! Expected strings follow Kafka's `JsonConverterTest` (compact, in Jackson's member order).

use super::*;
use crate::converters::Converter;
use connect_api::record::Headers;
use proptest::prelude::*;

fn write(converter: &mut JsonConverter, schema: Option<&Schema>, value: Value) -> String {
    match converter.from_connect_data("t", &mut Headers::new(), schema, &value) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(None) => "<null>".to_owned(),
        Err(e) => format!("error: {e}"),
    }
}

fn read(converter: &mut JsonConverter, text: &str) -> Result<SchemaAndValue, String> {
    converter
        .to_connect_data("t", &Headers::new(), Some(text.as_bytes()))
        .map_err(|e| e.to_string())
}

fn envelope(schema: &Schema, value: Value, expected: &str) {
    let mut converter = JsonConverter::new();
    assert_eq!(write(&mut converter, Some(schema), value.clone()), expected);
    // Again, with the schema's text from the cache.
    assert_eq!(write(&mut converter, Some(schema), value.clone()), expected);
    // And without a cache (schemas.cache.size=0).
    let mut uncached = JsonConverter::new();
    let configs = BTreeMap::from([("schemas.cache.size".to_owned(), "0".to_owned())]);
    uncached
        .configure(&configs, false)
        .expect("schemas.cache.size=0 is valid");
    assert_eq!(write(&mut uncached, Some(schema), value.clone()), expected);
    assert_eq!(
        read(&mut converter, expected),
        Ok(SchemaAndValue::new(Some(schema.clone()), value)),
        "{expected}"
    );
}

#[test]
fn primitive_envelopes() {
    envelope(
        &Schema::boolean(),
        Value::Boolean(true),
        r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#,
    );
    envelope(
        &Schema::int8(),
        Value::Int8(12),
        r#"{"schema":{"type":"int8","optional":false},"payload":12}"#,
    );
    envelope(
        &Schema::int16(),
        Value::Int16(12),
        r#"{"schema":{"type":"int16","optional":false},"payload":12}"#,
    );
    envelope(
        &Schema::int32(),
        Value::Int32(12),
        r#"{"schema":{"type":"int32","optional":false},"payload":12}"#,
    );
    envelope(
        &Schema::int64(),
        Value::Int64(4_398_046_511_104),
        r#"{"schema":{"type":"int64","optional":false},"payload":4398046511104}"#,
    );
    envelope(
        &Schema::float32(),
        Value::Float32(12.34),
        r#"{"schema":{"type":"float","optional":false},"payload":12.34}"#,
    );
    envelope(
        &Schema::float64(),
        Value::Float64(12.34),
        r#"{"schema":{"type":"double","optional":false},"payload":12.34}"#,
    );
    envelope(
        &Schema::float64(),
        Value::Float64(1e10),
        r#"{"schema":{"type":"double","optional":false},"payload":1.0E10}"#,
    );
    envelope(
        &Schema::bytes(),
        Value::Bytes(b"test-string".to_vec()),
        r#"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#,
    );
    envelope(
        &Schema::string(),
        Value::from("test-\"string\"\n"),
        r#"{"schema":{"type":"string","optional":false},"payload":"test-\"string\"\n"}"#,
    );
    envelope(
        &Schema::optional_string(),
        Value::Null,
        r#"{"schema":{"type":"string","optional":true},"payload":null}"#,
    );
}

#[test]
fn container_and_struct_envelopes() -> Result<(), Box<dyn std::error::Error>> {
    let array = SchemaBuilder::array(Schema::int32()).build()?;
    envelope(
        &array,
        Value::Array(vec![Value::Int32(1), Value::Int32(2)]),
        r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2]}"#,
    );
    let string_map = SchemaBuilder::map(Schema::string(), Schema::int32()).build()?;
    envelope(
        &string_map,
        Value::Map(vec![
            (Value::from("key1"), Value::Int32(12)),
            (Value::from("key2"), Value::Int32(15)),
        ]),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#,
    );
    let int_map = SchemaBuilder::map(Schema::int32(), Schema::int32()).build()?;
    envelope(
        &int_map,
        Value::Map(vec![
            (Value::Int32(1), Value::Int32(12)),
            (Value::Int32(2), Value::Int32(15)),
        ]),
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#,
    );
    let schema = SchemaBuilder::struct_()
        .name("com.example.S")
        .version(2)
        .doc("a doc")
        .field("field1", Schema::boolean())
        .field("field2", Schema::optional_string())
        .field(
            "field3",
            SchemaBuilder::int32()
                .default_value(Value::Int32(7))
                .build()?,
        )
        .build()?;
    let mut s = Struct::new(schema.clone())?;
    s.put("field1", true)?
        .put("field2", "string2")?
        .put("field3", 3)?;
    envelope(
        &schema,
        Value::Struct(s),
        r#"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":true,"field":"field2"},{"type":"int32","optional":false,"default":7,"field":"field3"}],"optional":false,"name":"com.example.S","version":2,"doc":"a doc"},"payload":{"field1":true,"field2":"string2","field3":3}}"#,
    );
    Ok(())
}

#[test]
fn logical_type_envelopes() -> Result<(), Box<dyn std::error::Error>> {
    let decimal = Decimal::schema(2);
    envelope(
        &decimal,
        Value::Decimal(Decimal::new(156, 2)),
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#,
    );
    let mut numeric = JsonConverter::new().with_decimal_format(DecimalFormat::Numeric);
    let expected = r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.56}"#;
    assert_eq!(
        write(
            &mut numeric,
            Some(&decimal),
            Value::Decimal(Decimal::new(156, 2))
        ),
        expected
    );
    assert_eq!(
        read(&mut numeric, expected)?.value,
        Value::Decimal(Decimal::new(156, 2))
    );
    // A numeric payload with fewer digits is widened to the schema's scale.
    let short = expected.replace("1.56", "1.5");
    assert_eq!(
        read(&mut numeric, &short)?.value,
        Value::Decimal(Decimal::new(150, 2))
    );
    envelope(
        &Date::schema(),
        Value::Date(10_000),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#,
    );
    envelope(
        &Time::schema(),
        Value::Time(14_400_000),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#,
    );
    envelope(
        &Timestamp::schema(),
        Value::Timestamp(4_000_000_000),
        r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#,
    );
    let with_default = Decimal::builder(2)
        .optional()
        .default_value(Value::Decimal(Decimal::new(100, 2)))
        .build()?;
    envelope(
        &with_default,
        Value::Decimal(Decimal::new(1, 2)),
        r#"{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"ZA=="},"payload":"AQ=="}"#,
    );
    Ok(())
}

#[test]
fn nulls_defaults_and_tombstones() -> Result<(), Box<dyn std::error::Error>> {
    let mut converter = JsonConverter::new();
    assert_eq!(write(&mut converter, None, Value::Null), "<null>");
    assert_eq!(
        converter.to_connect_data("t", &Headers::new(), None)?,
        SchemaAndValue::NULL
    );
    let schema = SchemaBuilder::int32()
        .optional()
        .default_value(Value::Int32(5))
        .build()?;
    let replaced = write(&mut converter, Some(&schema), Value::Null);
    assert_eq!(
        replaced,
        r#"{"schema":{"type":"int32","optional":true,"default":5},"payload":5}"#
    );
    let mut keep_null = JsonConverter::new().with_replace_null_with_default(false);
    let kept = write(&mut keep_null, Some(&schema), Value::Null);
    assert_eq!(
        kept,
        r#"{"schema":{"type":"int32","optional":true,"default":5},"payload":null}"#
    );
    assert_eq!(read(&mut converter, &kept)?.value, Value::Int32(5));
    assert_eq!(read(&mut keep_null, &kept)?.value, Value::Null);
    assert_eq!(
        write(&mut converter, Some(&Schema::int32()), Value::Null),
        "error: Conversion error: null value for field that is required and has no default value"
    );
    assert_eq!(
        read(
            &mut converter,
            r#"{"schema":{"type":"int32","optional":false},"payload":null}"#
        ),
        Err("Invalid null value for required INT32 field".to_owned())
    );
    assert_eq!(
        read(&mut converter, r#"{"schema":null,"payload":null}"#)?,
        SchemaAndValue::NULL
    );
    Ok(())
}

#[test]
fn schemaless_writing_and_inference() -> Result<(), Box<dyn std::error::Error>> {
    let mut converter = JsonConverter::new();
    let configs = BTreeMap::from([(SCHEMAS_ENABLE_CONFIG.to_owned(), "false".to_owned())]);
    Converter::configure(&mut converter, &configs, false)?;
    let map = Value::Map(vec![
        (Value::from("a"), Value::Int32(1)),
        (Value::from("b"), Value::Array(vec![Value::Boolean(true)])),
    ]);
    assert_eq!(write(&mut converter, None, map), r#"{"a":1,"b":[true]}"#);
    let int_keys = Value::Map(vec![(Value::Int8(1), Value::from("x"))]);
    assert_eq!(write(&mut converter, None, int_keys), r#"[[1,"x"]]"#);
    assert_eq!(
        write(&mut converter, Some(&Schema::optional_int8()), Value::Null),
        "null"
    );
    let read_back = read(
        &mut converter,
        r#"{"i":12,"f":1.5,"s":"x","n":null,"a":[1,2.0],"o":{"k":true}}"#,
    )?;
    assert_eq!(read_back.schema, None);
    assert_eq!(
        read_back.value,
        Value::Map(vec![
            (Value::from("i"), Value::Int64(12)),
            (Value::from("f"), Value::Float64(1.5)),
            (Value::from("s"), Value::from("x")),
            (Value::from("n"), Value::Null),
            (
                Value::from("a"),
                Value::Array(vec![Value::Int64(1), Value::Float64(2.0)])
            ),
            (
                Value::from("o"),
                Value::Map(vec![(Value::from("k"), Value::Boolean(true))])
            ),
        ])
    );
    assert_eq!(read(&mut converter, "")?, SchemaAndValue::NULL);
    assert_eq!(
        write(&mut converter, None, Value::Decimal(Decimal::new(1, 0))),
        "error: Decimal value does not have corresponding schema type."
    );
    Ok(())
}

#[test]
fn malformed_input_and_envelope_errors() {
    let mut converter = JsonConverter::new();
    for text in [
        r#"{"payload":1}"#,
        r#"{"schema":null,"payload":1,"x":2}"#,
        "[1]",
        "12",
        "",
    ] {
        assert_eq!(
            read(&mut converter, text),
            Err(ENVELOPE_ERROR.to_owned()),
            "{text}"
        );
    }
    assert!(ENVELOPE_ERROR.starts_with("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration."));
    let bad = read(&mut converter, "{\"schema\":")
        .err()
        .unwrap_or_default();
    assert!(
        bad.starts_with(
            "Converting byte[] to Kafka Connect data failed due to serialization error: "
        ),
        "{bad}"
    );
    let cases = [
        (r#"{"schema":{"optional":false},"payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":{"type":"nope"},"payload":1}"#, "Unknown schema type: nope"),
        (r#"{"schema":{"type":"array"},"payload":[]}"#, "Array schema did not specify the element type"),
        (r#"{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the key type"),
        (r#"{"schema":{"type":"struct"},"payload":{}}"#, "Struct schema's \"fields\" argument is not an array."),
        (r#"{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}"#, "Struct schema's field name not specified properly"),
        (r#"{"schema":{"type":"string","parameters":{"a":1}},"payload":"x"}"#, "Schema parameters must have string values."),
        (r#"{"schema":{"type":"struct","fields":[]},"payload":[]}"#, "Structs should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}"#, "Maps with string fields should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}"#, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1]]}"#, "Found invalid map entry, expected length 2 but found :1"),
        (r#"{"schema":{"type":"int8"},"payload":300}"#, "Number 300 is out of range for INT8"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}"#, "Invalid type for Date, underlying representation should be integer but was STRING"),
        (r#"{"schema":{"type":"bytes"},"payload":"!!"}"#, "Invalid bytes field"),
        (r#"{"schema":{"type":"boolean"},"payload":"true"}"#, "Invalid JSON for schema type BOOLEAN: found STRING"),
    ];
    for (text, message) in cases {
        assert_eq!(
            read(&mut converter, text),
            Err(message.to_owned()),
            "{text}"
        );
    }
}

#[test]
fn configuration() -> Result<(), Box<dyn std::error::Error>> {
    let mut converter = JsonConverter::new();
    let configs = BTreeMap::from([
        (DECIMAL_FORMAT_CONFIG.to_owned(), "numeric".to_owned()),
        (SCHEMAS_CACHE_SIZE_CONFIG.to_owned(), "10".to_owned()),
        (
            REPLACE_NULL_WITH_DEFAULT_CONFIG.to_owned(),
            "false".to_owned(),
        ),
    ]);
    Converter::configure(&mut converter, &configs, true)?;
    assert_eq!(converter.decimal_format, DecimalFormat::Numeric);
    assert!(!converter.replace_null_with_default);
    let bad = BTreeMap::from([(DECIMAL_FORMAT_CONFIG.to_owned(), "HEX".to_owned())]);
    assert!(Converter::configure(&mut converter, &bad, true).is_err());
    let names: Vec<_> = Converter::config_def(&converter)
        .keys()
        .map(|k| k.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "converter.type",
            "schemas.enable",
            "schemas.cache.size",
            "decimal.format",
            "replace.null.with.default"
        ]
    );
    Ok(())
}

fn primitive() -> impl Strategy<Value = (Schema, Value)> {
    prop_oneof![
        any::<i8>().prop_map(|v| (Schema::int8(), Value::Int8(v))),
        any::<i16>().prop_map(|v| (Schema::int16(), Value::Int16(v))),
        any::<i32>().prop_map(|v| (Schema::int32(), Value::Int32(v))),
        any::<i64>().prop_map(|v| (Schema::int64(), Value::Int64(v))),
        any::<f32>().prop_map(|v| (Schema::float32(), Value::Float32(v))),
        any::<f64>().prop_map(|v| (Schema::float64(), Value::Float64(v))),
        any::<bool>().prop_map(|v| (Schema::boolean(), Value::Boolean(v))),
        ".*".prop_map(|v| (Schema::string(), Value::String(v))),
        proptest::collection::vec(any::<u8>(), 0..32)
            .prop_map(|v| (Schema::bytes(), Value::Bytes(v))),
        (any::<i64>(), 0i32..10).prop_map(|(u, s)| (
            Decimal::schema(s),
            Value::Decimal(Decimal::new(u.into(), s))
        )),
        any::<i64>().prop_map(|v| (Timestamp::schema(), Value::Timestamp(v))),
    ]
}

proptest! {
    #[test]
    fn primitives_round_trip((schema, value) in primitive(), numeric in any::<bool>()) {
        let format = if numeric { DecimalFormat::Numeric } else { DecimalFormat::Base64 };
        let mut converter = JsonConverter::new().with_decimal_format(format);
        let text = write(&mut converter, Some(&schema), value.clone());
        prop_assert_eq!(read(&mut converter, &text), Ok(SchemaAndValue::new(Some(schema), value)));
    }

    #[test]
    fn structs_round_trip(fields in proptest::collection::vec(primitive(), 1..6), optional in any::<bool>()) {
        let mut builder = SchemaBuilder::struct_().name("p.S");
        for (i, (schema, _)) in fields.iter().enumerate() {
            builder = builder.field(format!("f{i}"), schema.clone());
        }
        if optional {
            builder = builder.optional();
        }
        let schema = builder.build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut s = Struct::new(schema.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, (_, value)) in fields.into_iter().enumerate() {
            s.put(&format!("f{i}"), value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let array = SchemaBuilder::array(schema).build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let value = Value::Array(vec![Value::Struct(s)]);
        let mut converter = JsonConverter::new();
        let text = write(&mut converter, Some(&array), value.clone());
        prop_assert_eq!(read(&mut converter, &text), Ok(SchemaAndValue::new(Some(array), value)));
    }
}

// Untrusted input: record bytes come from any producer. Reading must return `Ok` or a data
// error, never panic, in every configuration that changes reading. (Also fuzzed:
// fuzz/fuzz_targets/json_converter.rs.)

/// Every reading configuration: envelopes on and off (`decimal.format` only affects writing,
/// but is varied too so a future change there is covered).
fn reading_converters() -> Vec<JsonConverter> {
    let mut converters = Vec::new();
    for schemas in [true, false] {
        for format in [DecimalFormat::Base64, DecimalFormat::Numeric] {
            for replace in [true, false] {
                converters.push(
                    JsonConverter::new()
                        .with_schemas_enabled(schemas)
                        .with_decimal_format(format)
                        .with_replace_null_with_default(replace),
                );
            }
        }
    }
    converters
}

fn read_everywhere(bytes: &[u8]) {
    for mut converter in reading_converters() {
        let _ = converter.to_connect_data("t", &Headers::new(), Some(bytes));
    }
}

/// Schemas the envelope strategy wraps payloads in: one of each kind that reads a payload
/// differently (logical types, containers, struct with a default).
const ENVELOPE_SCHEMAS: &[&str] = &[
    r#"null"#,
    r#"{"type":"int8","optional":false}"#,
    r#"{"type":"int64","optional":true,"default":7}"#,
    r#"{"type":"float","optional":false}"#,
    r#"{"type":"double","optional":false}"#,
    r#"{"type":"bytes","optional":false}"#,
    r#"{"type":"string","optional":true}"#,
    r#"{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}}"#,
    r#"{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date"}"#,
    r#"{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp"}"#,
    r#"{"type":"array","items":{"type":"int16","optional":true},"optional":false}"#,
    r#"{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"boolean","optional":false},"optional":false}"#,
    r#"{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":true},"optional":false}"#,
    r#"{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"},{"type":"string","optional":true,"default":"d","field":"b"}],"optional":false}"#,
];

/// Text over JSON's own alphabet, so that random input gets past the first byte often.
fn json_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(":"),
            Just(","),
            Just("\""),
            Just("\\"),
            Just("\\u"),
            Just("d83d"),
            Just("0"),
            Just("1"),
            Just("-"),
            Just("."),
            Just("e"),
            Just("E+"),
            Just("1e400"),
            Just("99999999999999999999"),
            Just("null"),
            Just("true"),
            Just("false"),
            Just("\"NaN\""),
            Just("\"AJw=\""),
            Just("\"a\""),
            Just(" "),
            Just("é"),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        read_everywhere(&bytes);
    }

    #[test]
    fn arbitrary_printable_ascii_never_panics(text in "[ -~]{0,256}") {
        read_everywhere(text.as_bytes());
    }

    #[test]
    fn json_like_text_never_panics(text in json_like()) {
        read_everywhere(text.as_bytes());
    }

    #[test]
    fn envelopes_with_arbitrary_payloads_never_panic(
        schema in proptest::sample::select(ENVELOPE_SCHEMAS),
        payload in prop_oneof![json_like(), "[ -~]{0,64}"],
    ) {
        read_everywhere(format!(r#"{{"schema":{schema},"payload":{payload}}}"#).as_bytes());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let inputs = [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        "[{\"a\":".repeat(50_000),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!(
            r#"{{"schema":{}{{"type":"int8"}}{},"payload":[]}}"#,
            r#"{"type":"array","items":"#.repeat(100_000),
            "}".repeat(100_000)
        ),
    ];
    for input in &inputs {
        for mut converter in reading_converters() {
            assert!(
                converter
                    .to_connect_data("t", &Headers::new(), Some(input.as_bytes()))
                    .is_err(),
                "{}…",
                &input[..20]
            );
        }
    }
}

#[test]
fn deepest_array_reads() {
    // Just under the limit still reads, in both modes, and the result can be dropped.
    let depth = super::text::MAX_DEPTH - 1;
    let deepest = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for mut converter in reading_converters() {
        let read = converter.to_connect_data("t", &Headers::new(), Some(deepest.as_bytes()));
        assert_eq!(read.is_ok(), !converter.schemas_enabled, "{read:?}");
    }
}

/// A schema nested just under `text::MAX_DEPTH` still converts on a default 2 MiB test
/// thread in a debug build: `as_connect_schema` / `convert_to_connect` recurse once per
/// level (with MAX_DEPTH 512 this overflowed the stack and aborted the process).
#[test]
fn deepest_schema_reads() {
    let nest = super::text::MAX_DEPTH - 4;
    let schema = format!(
        r#"{{"type":"array","items":{}{{"type":"int8","optional":false}}{},"optional":false}}"#,
        r#"{"type":"array","items":"#.repeat(nest),
        r#","optional":false}"#.repeat(nest)
    );
    let payload = format!("{}{}", "[".repeat(nest + 1), "]".repeat(nest + 1));
    let mut converter = JsonConverter::new();
    let read = read(
        &mut converter,
        &format!(r#"{{"schema":{schema},"payload":{payload}}}"#),
    );
    assert!(read.is_ok(), "{read:?}");
}

// Cases ported from Kafka's `JsonConverterTest` (inputs verbatim, with its spacing).

#[test]
fn kafka_to_connect_cases() -> Result<(), Box<dyn std::error::Error>> {
    let mut converter = JsonConverter::new();
    let mut check = |text: &str, schema: Option<Schema>, value: Value| {
        assert_eq!(
            read(&mut converter, text),
            Ok(SchemaAndValue::new(schema, value)),
            "{text}"
        );
    };
    // testConnectSchemaMetadataTranslation
    check(
        r#"{ "schema": { "type": "boolean" }, "payload": true }"#,
        Some(Schema::boolean()),
        Value::Boolean(true),
    );
    check(
        r#"{ "schema": { "type": "boolean", "optional": true }, "payload": null }"#,
        Some(Schema::optional_boolean()),
        Value::Null,
    );
    check(
        r#"{ "schema": { "type": "boolean", "default": true }, "payload": null }"#,
        Some(
            SchemaBuilder::boolean()
                .default_value(Value::Boolean(true))
                .build()?,
        ),
        Value::Boolean(true),
    );
    check(
        r#"{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }"#,
        Some(
            SchemaBuilder::boolean()
                .name("bool")
                .version(2)
                .doc("the documentation")
                .parameter("foo", "bar")
                .build()?,
        ),
        Value::Boolean(true),
    );
    // structWithOptionalFieldToConnect
    let schema = SchemaBuilder::struct_()
        .field("optional", Schema::optional_string())
        .field("required", Schema::string())
        .build()?;
    let mut expected = Struct::new(schema.clone())?;
    expected.put("required", "required")?;
    check(
        r#"{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, {  "field": "required", "type": "string" }] }, "payload": { "required": "required" } }"#,
        Some(schema),
        Value::Struct(expected),
    );
    // nullSchemaPrimitiveToConnect
    check(r#"{ "schema": null, "payload": null }"#, None, Value::Null);
    check(
        r#"{ "schema": null, "payload": 12 }"#,
        None,
        Value::Int64(12),
    );
    check(
        r#"{ "schema": null, "payload": 12.24 }"#,
        None,
        Value::Float64(12.24),
    );
    check(
        r#"{ "schema": null, "payload": [1, "2", 3] }"#,
        None,
        Value::Array(vec![Value::Int64(1), Value::from("2"), Value::Int64(3)]),
    );
    // numericDecimalWithTrailingZerosToConnect, highPrecisionNumericDecimalToConnect
    check(
        r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "4" } }, "payload": 1.5600 }"#,
        Some(Decimal::schema(4)),
        Value::Decimal(Decimal::new(15_600, 4)),
    );
    check(
        r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "17" } }, "payload": 1.23456789123456789 }"#,
        Some(Decimal::schema(17)),
        Value::Decimal(Decimal::new(123_456_789_123_456_789, 17)),
    );
    // decimalToConnectWithDefaultValue, dateToConnectOptionalWithDefaultValue,
    // timestampToConnectWithDefaultValue
    check(
        r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }"#,
        Some(
            Decimal::builder(2)
                .default_value(Value::Decimal(Decimal::new(156, 2)))
                .build()?,
        ),
        Value::Decimal(Decimal::new(156, 2)),
    );
    check(
        r#"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "optional": true, "default": 0 }, "payload": null }"#,
        Some(
            Date::builder()
                .optional()
                .default_value(Value::Date(0))
                .build()?,
        ),
        Value::Date(0),
    );
    check(
        r#"{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1, "default": 42 }, "payload": null }"#,
        Some(
            Timestamp::builder()
                .default_value(Value::Timestamp(42))
                .build()?,
        ),
        Value::Timestamp(42),
    );
    Ok(())
}

#[test]
fn kafka_to_json_cases() {
    // nullSchemaAndPrimitiveToJson / nullSchemaAndArrayToJson: schemas enabled, no schema.
    let mut converter = JsonConverter::new();
    assert_eq!(
        write(&mut converter, None, Value::Boolean(true)),
        r#"{"schema":null,"payload":true}"#
    );
    assert_eq!(
        write(
            &mut converter,
            None,
            Value::Array(vec![
                Value::Int32(1),
                Value::from("string"),
                Value::Boolean(true)
            ])
        ),
        r#"{"schema":null,"payload":[1,"string",true]}"#
    );
    // nullSchemaAndMapNonStringKeysToJson
    assert_eq!(
        write(
            &mut converter,
            None,
            Value::Map(vec![
                (Value::from("string"), Value::Int32(12)),
                (Value::Int32(52), Value::from("string")),
                (Value::Boolean(false), Value::Boolean(true)),
            ])
        ),
        r#"{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}"#
    );
    // mismatchSchemaJson
    assert!(write(
        &mut converter,
        Some(&Schema::float64()),
        Value::Boolean(true)
    )
    .starts_with("error: "));
    // decimalWithTrailingZerosToNumericJson
    let mut numeric = JsonConverter::new().with_decimal_format(DecimalFormat::Numeric);
    assert_eq!(
        write(
            &mut numeric,
            Some(&Decimal::schema(4)),
            Value::Decimal(Decimal::new(15_600, 4))
        ),
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"4"}},"payload":1.5600}"#
    );
    // noSchemaToConnect / noSchemaToJson
    let mut plain = JsonConverter::new().with_schemas_enabled(false);
    assert_eq!(
        read(&mut plain, "true"),
        Ok(SchemaAndValue::new(None, Value::Boolean(true)))
    );
    assert_eq!(write(&mut plain, None, Value::Boolean(true)), "true");
    assert_eq!(write(&mut plain, None, Value::Null), "<null>");
}
