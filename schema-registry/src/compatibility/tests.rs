//! Compatibility matrix, Confluent message texts and a self-compatibility property.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn parse(v: serde_json::Value) -> Schema {
    Schema::parse_str(&v.to_string()).expect("test schema parses")
}

fn rec(fields: serde_json::Value) -> Schema {
    parse(json!({"type": "record", "name": "R", "namespace": "ns", "fields": fields}))
}

/// Is `new` accepted at `level` over the single existing version `old`?
fn ok(level: CompatibilityLevel, old: &Schema, new: &Schema) -> bool {
    check(level, new, &[(1, old.clone())]).is_empty()
}

/// (backward, forward, full) verdicts for old → new.
fn verdicts(old: &Schema, new: &Schema) -> (bool, bool, bool) {
    use CompatibilityLevel as L;
    (
        ok(L::Backward, old, new),
        ok(L::Forward, old, new),
        ok(L::Full, old, new),
    )
}

#[test]
fn levels_parse_case_insensitively() {
    assert_eq!(
        "full_transitive".parse(),
        Ok(CompatibilityLevel::FullTransitive)
    );
    assert_eq!("Backward".parse(), Ok(CompatibilityLevel::Backward));
    assert!("SIDEWAYS".parse::<CompatibilityLevel>().is_err());
    assert_eq!(CompatibilityLevel::default().as_str(), "BACKWARD");
    for level in CompatibilityLevel::ALL {
        assert_eq!(level.as_str().parse(), Ok(level));
    }
}

#[test]
fn fields_added_and_removed() {
    let base = rec(json!([{"name": "a", "type": "int"}]));
    let with_default =
        rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}]));
    let without_default =
        rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]));
    let null_default = rec(
        json!([{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": null}]),
    );
    // Adding a field with a default: compatible every way.
    assert_eq!(verdicts(&base, &with_default), (true, true, true));
    assert_eq!(verdicts(&base, &null_default), (true, true, true));
    // Adding one without: the new schema cannot read old data.
    assert_eq!(verdicts(&base, &without_default), (false, true, false));
    // Removing a field with a default: the old reader fills it in.
    assert_eq!(verdicts(&with_default, &base), (true, true, true));
    // Removing one without: the old reader misses it.
    assert_eq!(verdicts(&without_default, &base), (true, false, false));
    assert!(ok(CompatibilityLevel::None, &without_default, &base));
}

#[test]
fn type_promotions() {
    let f = |t: &str| rec(json!([{"name": "x", "type": t}]));
    for (from, to) in [
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    ] {
        // Widening is backward compatible (new reads old).
        assert!(
            ok(CompatibilityLevel::Backward, &f(from), &f(to)),
            "{from} -> {to}"
        );
    }
    for (from, to) in [
        ("long", "int"),
        ("double", "float"),
        ("float", "long"),
        ("int", "string"),
        ("boolean", "int"),
    ] {
        assert!(
            !ok(CompatibilityLevel::Backward, &f(from), &f(to)),
            "{from} -> {to}"
        );
    }
    assert_eq!(verdicts(&f("int"), &f("long")), (true, false, false));
    assert_eq!(verdicts(&f("string"), &f("bytes")), (true, true, true));
}

#[test]
fn enum_symbols() {
    let e = |symbols: serde_json::Value, default: Option<&str>| {
        let mut v = json!({"type": "enum", "name": "E", "symbols": symbols});
        if let Some(d) = default {
            v["default"] = json!(d);
        }
        rec(json!([{"name": "e", "type": v}]))
    };
    let ab = e(json!(["A", "B"]), None);
    let abc = e(json!(["A", "B", "C"]), None);
    // Adding a symbol: old readers lack it.
    assert_eq!(verdicts(&ab, &abc), (true, false, false));
    // Removing a symbol: new readers lack it.
    assert_eq!(verdicts(&abc, &ab), (false, true, false));
    // A reader enum default absorbs unknown symbols.
    let ab_default = e(json!(["A", "B"]), Some("A"));
    let abc_default = e(json!(["A", "B", "C"]), Some("A"));
    assert_eq!(verdicts(&abc_default, &ab_default), (true, true, true));
    let incompat = reader_writer_incompatibilities(&ab, &abc).expect("checks");
    assert_eq!(incompat.len(), 1);
    assert_eq!(incompat[0].kind, IncompatibilityKind::MissingEnumSymbols);
    assert_eq!(incompat[0].location, "/fields/0/type/symbols");
    assert_eq!(incompat[0].message, "[C]");
}

#[test]
fn unions_widen_and_narrow() {
    let f = |t: serde_json::Value| rec(json!([{"name": "x", "type": t}]));
    let s = f(json!("string"));
    let ns = f(json!(["null", "string"]));
    let nsi = f(json!(["null", "string", "int"]));
    assert_eq!(verdicts(&s, &ns), (true, false, false));
    assert_eq!(verdicts(&ns, &nsi), (true, false, false));
    assert_eq!(verdicts(&nsi, &ns), (false, true, false));
    let incompat = reader_writer_incompatibilities(&ns, &nsi).expect("checks");
    assert_eq!(incompat.len(), 1);
    assert_eq!(incompat[0].kind, IncompatibilityKind::MissingUnionBranch);
    assert_eq!(incompat[0].location, "/fields/0/type/2");
    assert_eq!(incompat[0].message, "reader union lacking writer type: INT");
    // A writer union read by a non-union: every branch must be readable.
    let incompat = reader_writer_incompatibilities(&s, &ns).expect("checks");
    assert_eq!(incompat[0].kind, IncompatibilityKind::TypeMismatch);
    assert_eq!(incompat[0].location, "/fields/0/type/0");
}

#[test]
fn reader_aliases_rename_records_and_fields() {
    let old = parse(
        json!({"type": "record", "name": "Old", "namespace": "ns", "fields": [{"name": "a", "type": "int"}]}),
    );
    let renamed = parse(
        json!({"type": "record", "name": "New", "namespace": "ns", "aliases": ["Old"], "fields": [{"name": "b", "type": "int", "aliases": ["a"]}]}),
    );
    // The new schema's aliases let it read old data; the old one has no aliases.
    assert_eq!(verdicts(&old, &renamed), (true, false, false));
    let incompat = reader_writer_incompatibilities(&old, &renamed).expect("checks");
    let kinds: Vec<_> = incompat.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IncompatibilityKind::NameMismatch,
            IncompatibilityKind::ReaderFieldMissingDefaultValue
        ]
    );
    assert_eq!(incompat[0].message, "expected: ns.New");
    assert_eq!(incompat[0].location, "/name");
    // Names compare unqualified (Java's schemaNameEquals).
    let other_ns = parse(
        json!({"type": "record", "name": "Old", "namespace": "other", "fields": [{"name": "a", "type": "int"}]}),
    );
    assert_eq!(verdicts(&old, &other_ns), (true, true, true));
}

#[test]
fn nested_records_arrays_maps() {
    let nested = |t: &str, extra: bool| {
        let mut fields = vec![json!({"name": "v", "type": t})];
        if extra {
            fields.push(json!({"name": "w", "type": "int"}));
        }
        rec(json!([{"name": "inner", "type": {"type": "record", "name": "I", "fields": fields}}]))
    };
    assert_eq!(
        verdicts(&nested("int", false), &nested("long", false)),
        (true, false, false)
    );
    assert_eq!(
        verdicts(&nested("int", false), &nested("int", true)),
        (false, true, false)
    );
    let incompat = reader_writer_incompatibilities(&nested("int", true), &nested("int", false))
        .expect("checks");
    assert_eq!(incompat[0].location, "/fields/0/type/fields/1");
    let arr = |t: &str| rec(json!([{"name": "x", "type": {"type": "array", "items": t}}]));
    assert_eq!(verdicts(&arr("int"), &arr("long")), (true, false, false));
    let incompat = reader_writer_incompatibilities(&arr("int"), &arr("string")).expect("checks");
    assert_eq!(incompat[0].location, "/fields/0/type/items");
    let map = |t: &str| rec(json!([{"name": "x", "type": {"type": "map", "values": t}}]));
    assert_eq!(
        verdicts(&map("float"), &map("double")),
        (true, false, false)
    );
    assert_eq!(
        verdicts(&map("string"), &map("boolean")),
        (false, false, false)
    );
}

#[test]
fn fixed_size_and_decimal() {
    let fixed = |size: u32| {
        rec(json!([{"name": "x", "type": {"type": "fixed", "name": "F", "size": size}}]))
    };
    assert_eq!(verdicts(&fixed(4), &fixed(4)), (true, true, true));
    assert_eq!(verdicts(&fixed(4), &fixed(8)), (false, false, false));
    let incompat = reader_writer_incompatibilities(&fixed(8), &fixed(4)).expect("checks");
    assert_eq!(incompat[0].kind, IncompatibilityKind::FixedSizeMismatch);
    assert_eq!(incompat[0].message, "expected: 4, found: 8");
    assert_eq!(incompat[0].location, "/fields/0/type/size");
    // Java ignores logical types: decimal precision and scale changes pass.
    let dec = |p: u32, s: u32| {
        rec(
            json!([{"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": p, "scale": s}}]),
        )
    };
    assert_eq!(verdicts(&dec(10, 2), &dec(12, 4)), (true, true, true));
    let ts =
        rec(json!([{"name": "d", "type": {"type": "long", "logicalType": "timestamp-millis"}}]));
    let plain = rec(json!([{"name": "d", "type": "long"}]));
    assert_eq!(verdicts(&ts, &plain), (true, true, true));
}

#[test]
fn recursive_schemas_terminate() {
    let list = |extra: Option<serde_json::Value>| {
        let mut fields = vec![
            json!({"name": "value", "type": "int"}),
            json!({"name": "next", "type": ["null", "Node"]}),
        ];
        if let Some(f) = extra {
            fields.push(f);
        }
        parse(json!({"type": "record", "name": "Node", "fields": fields}))
    };
    let v1 = list(None);
    assert_eq!(verdicts(&v1, &list(None)), (true, true, true));
    let v2 = list(Some(json!({"name": "label", "type": "string"})));
    assert_eq!(verdicts(&v1, &v2), (false, true, false));
    let v3 = list(Some(
        json!({"name": "label", "type": "string", "default": ""}),
    ));
    assert_eq!(verdicts(&v1, &v3), (true, true, true));
}

#[test]
fn transitive_levels_check_every_version() {
    use CompatibilityLevel as L;
    let v1 = rec(json!([{"name": "a", "type": "int"}]));
    let v2 = rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}]));
    // v3 drops b's default: reads v2 data (which has b) but not v1 data.
    let v3 = rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]));
    let existing = [(1, v1), (2, v2)];
    assert!(check(L::Backward, &v3, &existing).is_empty());
    assert!(check(L::Full, &v3, &existing).is_empty());
    let messages = check(L::BackwardTransitive, &v3, &existing);
    assert_eq!(messages[1], "{oldSchemaVersion: 1}");
    assert!(!check(L::FullTransitive, &v3, &existing).is_empty());
    assert!(check(L::ForwardTransitive, &v3, &existing).is_empty());
    assert!(check(L::BackwardTransitive, &v3, &[]).is_empty());
}

#[test]
fn confluent_messages_match_java_text() {
    use CompatibilityLevel as L;
    let old = rec(json!([{"name": "a", "type": "int"}]));
    // READER_FIELD_MISSING_DEFAULT_VALUE, new reading old.
    let new = rec(json!([{"name": "a", "type": "int"}, {"name": "f", "type": "string"}]));
    let messages = check(L::Backward, &new, &[(3, old.clone())]);
    assert_eq!(messages[0], "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f'}");
    assert_eq!(messages[1], "{oldSchemaVersion: 3}");
    // Java's `Schema.toString()` of the old schema (Confluent's `canonicalString()`).
    assert_eq!(
        messages[2],
        r#"{oldSchema: '{"type":"record","name":"R","namespace":"ns","fields":[{"name":"a","type":"int"}]}'}"#
    );
    assert_eq!(
        messages[3],
        "{validateFields: 'false', compatibility: 'BACKWARD'}"
    );
    assert_eq!(messages.len(), 4);
    // The same change seen FORWARD: the old schema is the reader.
    let messages = check(L::Forward, &old, &[(1, new.clone())]);
    assert_eq!(messages[0], "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f' at path '/fields/1' in the old schema has no default value and is missing in the new schema', additionalInfo:'f'}");
    // TYPE_MISMATCH at the root.
    let messages = check(
        L::Backward,
        &parse(json!("boolean")),
        &[(1, parse(json!("int")))],
    );
    assert_eq!(messages, [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: BOOLEAN not compatible with writer type: INT'}",
        "{oldSchemaVersion: 1}",
        "{oldSchema: '\"int\"'}",
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]);
    // NAME_MISMATCH.
    let renamed =
        parse(json!({"type": "record", "name": "I9", "fields": [{"name": "a", "type": "int"}]}));
    let messages = check(
        L::Backward,
        &renamed,
        &[(
            1,
            parse(
                json!({"type": "record", "name": "I1", "fields": [{"name": "a", "type": "int"}]}),
            ),
        )],
    );
    assert_eq!(messages[0], "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: I1'}");
    // FULL: the forward half carries no oldSchema lines.
    let messages = check(L::Full, &new, &[(1, old.clone())]);
    assert_eq!(messages.len(), 4);
    let only_forward = check(L::Full, &old, &[(1, new)]);
    assert_eq!(only_forward, [
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f' at path '/fields/1' in the old schema has no default value and is missing in the new schema', additionalInfo:'f'}",
        "{validateFields: 'false', compatibility: 'FULL'}",
    ]);
}

#[test]
fn ambiguous_reader_field_is_javas_exception() {
    let writer = rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]));
    let reader = rec(json!([{"name": "a", "type": "int", "aliases": ["b"]}]));
    let error = reader_writer_incompatibilities(&reader, &writer).expect_err("ambiguous");
    assert!(error
        .to_string()
        .starts_with("Reader record field a type:INT pos:0 matches multiple fields"));
    let messages = check(CompatibilityLevel::Backward, &reader, &[(1, writer)]);
    assert!(messages[0]
        .starts_with("Unexpected exception during compatibility check: Reader record field a"));
}

/// Random schemas: primitives, arrays, maps, unions, records, enums, fixed.
fn arb_schema() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(json!("null")),
        Just(json!("boolean")),
        Just(json!("int")),
        Just(json!("long")),
        Just(json!("float")),
        Just(json!("double")),
        Just(json!("bytes")),
        Just(json!("string")),
        Just(json!({"type": "int", "logicalType": "date"})),
        Just(json!({"type": "bytes", "logicalType": "decimal", "precision": 8, "scale": 2})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| json!({"type": "array", "items": t})),
            inner
                .clone()
                .prop_map(|t| json!({"type": "map", "values": t})),
            proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|ts| json!({"type": "record", "fields": ts})),
            (1u32..20).prop_map(|n| json!({"type": "fixed", "size": n})),
            proptest::collection::btree_set("[A-Z]{1,3}", 1..4)
                .prop_map(|s| json!({"type": "enum", "symbols": s})),
        ]
    })
}

/// Names every named type uniquely and turns unions of nothing-duplicate
/// primitives into `["null", T]`, so the result always parses.
fn name_types(v: &mut serde_json::Value, counter: &mut u32) {
    if let Some(obj) = v.as_object_mut() {
        if matches!(
            obj.get("type").and_then(|t| t.as_str()),
            Some("record" | "enum" | "fixed")
        ) {
            *counter += 1;
            obj.insert("name".into(), json!(format!("T{counter}")));
        }
        if let Some(fields) = obj.get_mut("fields").and_then(|f| f.as_array_mut()) {
            for (i, f) in fields.iter_mut().enumerate() {
                let mut t = f.take();
                name_types(&mut t, counter);
                let t = if i % 2 == 1 && t != json!("null") {
                    json!(["null", t])
                } else {
                    t
                };
                *f = json!({"name": format!("f{i}"), "type": t});
            }
        }
        for key in ["items", "values"] {
            if let Some(t) = obj.get_mut(key) {
                name_types(t, counter);
            }
        }
    }
}

proptest! {
    #[test]
    fn every_schema_is_compatible_with_itself(mut value in arb_schema()) {
        name_types(&mut value, &mut 0);
        let schema = Schema::parse_str(&value.to_string()).expect("generated schema parses");
        for level in CompatibilityLevel::ALL {
            let messages = check(level, &schema, &[(1, schema.clone()), (2, schema.clone())]);
            prop_assert!(messages.is_empty(), "{level}: {messages:?}");
        }
        prop_assert_eq!(reader_writer_incompatibilities(&schema, &schema).expect("checks"), vec![]);
    }
}

#[test]
fn enum_default_without_field_default_is_checked_against_the_writer_record() {
    // Java quirk (checkReaderWriterRecordFields): the reader enum is compared
    // with the whole writer record, which is a TYPE_MISMATCH.
    let old = rec(json!([{"name": "a", "type": "int"}]));
    let new = rec(json!([{"name": "a", "type": "int"},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"], "default": "X"}}]));
    let incompat = reader_writer_incompatibilities(&new, &old).expect("checks");
    assert_eq!(incompat.len(), 1);
    assert_eq!(incompat[0].kind, IncompatibilityKind::TypeMismatch);
    assert_eq!(incompat[0].location, "/fields/1/type");
    assert_eq!(
        incompat[0].message,
        "reader type: ENUM not compatible with writer type: RECORD"
    );
}

/// One kind of change, old → new, with Java Avro's verdicts: `backward` = the new
/// schema reads data written with the old (`checkReaderWriterCompatibility(new,
/// old)`), `forward` = the old reads the new.
struct Change {
    name: &'static str,
    old: serde_json::Value,
    new: serde_json::Value,
    backward: bool,
    forward: bool,
}

fn change(
    name: &'static str,
    old: serde_json::Value,
    new: serde_json::Value,
    backward: bool,
    forward: bool,
) -> Change {
    Change {
        name,
        old,
        new,
        backward,
        forward,
    }
}

/// A record `ns.R` with these fields.
fn record(fields: serde_json::Value) -> serde_json::Value {
    json!({"type": "record", "name": "R", "namespace": "ns", "fields": fields})
}

/// A record with one field `x` of type `t`.
fn field_of(t: serde_json::Value) -> serde_json::Value {
    record(json!([{"name": "x", "type": t}]))
}

fn enum_of(symbols: &[&str], default: Option<&str>) -> serde_json::Value {
    let mut e = json!({"type": "enum", "name": "E", "symbols": symbols});
    if let Some(d) = default {
        e["default"] = json!(d);
    }
    field_of(e)
}

/// A record holding a nested record `ns.I` with these fields.
fn nested(fields: serde_json::Value) -> serde_json::Value {
    field_of(json!({"type": "record", "name": "I", "fields": fields}))
}

/// The changes the compatibility matrix covers, with Java Avro's answers.
fn changes() -> Vec<Change> {
    let a = json!({"name": "a", "type": "int"});
    let b_default = json!({"name": "b", "type": "string", "default": ""});
    let b_plain = json!({"name": "b", "type": "string"});
    let b_null = json!({"name": "b", "type": ["null", "string"], "default": null});
    let mut all = vec![
        // Fields.
        change(
            "add field with default",
            record(json!([a])),
            record(json!([a, b_default])),
            true,
            true,
        ),
        change(
            "add nullable field with null default",
            record(json!([a])),
            record(json!([a, b_null])),
            true,
            true,
        ),
        change(
            "add field without default",
            record(json!([a])),
            record(json!([a, b_plain])),
            false,
            true,
        ),
        change(
            "remove field with default",
            record(json!([a, b_default])),
            record(json!([a])),
            true,
            true,
        ),
        change(
            "remove field without default",
            record(json!([a, b_plain])),
            record(json!([a])),
            true,
            false,
        ),
        change(
            "add a default",
            record(json!([a, b_plain])),
            record(json!([a, b_default])),
            true,
            true,
        ),
        change(
            "change a field's type",
            field_of(json!("string")),
            field_of(json!("int")),
            false,
            false,
        ),
        // Enums.
        change(
            "enum add symbol",
            enum_of(&["A", "B"], None),
            enum_of(&["A", "B", "C"], None),
            true,
            false,
        ),
        change(
            "enum remove symbol",
            enum_of(&["A", "B", "C"], None),
            enum_of(&["A", "B"], None),
            false,
            true,
        ),
        change(
            "enum add symbol, both with default",
            enum_of(&["A", "B"], Some("A")),
            enum_of(&["A", "B", "C"], Some("A")),
            true,
            true,
        ),
        change(
            "enum remove symbol, both with default",
            enum_of(&["A", "B", "C"], Some("A")),
            enum_of(&["A", "B"], Some("A")),
            true,
            true,
        ),
        change(
            "enum remove symbol, new has default",
            enum_of(&["A", "B", "C"], None),
            enum_of(&["A", "B"], Some("A")),
            true,
            true,
        ),
        change(
            "enum add symbol, only new has default",
            enum_of(&["A", "B"], None),
            enum_of(&["A", "B", "C"], Some("A")),
            true,
            false,
        ),
        change(
            "enum renamed",
            enum_of(&["A"], None),
            field_of(json!({"type": "enum", "name": "F", "symbols": ["A"]})),
            false,
            false,
        ),
        // Unions.
        change(
            "union widen from non-union",
            field_of(json!("string")),
            field_of(json!(["null", "string"])),
            true,
            false,
        ),
        change(
            "union narrow to non-union",
            field_of(json!(["null", "string"])),
            field_of(json!("string")),
            false,
            true,
        ),
        change(
            "union add branch",
            field_of(json!(["null", "string"])),
            field_of(json!(["null", "string", "int"])),
            true,
            false,
        ),
        change(
            "union remove branch",
            field_of(json!(["null", "string", "int"])),
            field_of(json!(["null", "string"])),
            false,
            true,
        ),
        change(
            "union reorder branches",
            field_of(json!(["null", "string"])),
            field_of(json!(["string", "null"])),
            true,
            true,
        ),
        change(
            "union branch promoted",
            field_of(json!(["null", "int"])),
            field_of(json!(["null", "long"])),
            true,
            false,
        ),
        change(
            "non-union into promoting union",
            field_of(json!("int")),
            field_of(json!(["null", "long"])),
            true,
            false,
        ),
        // Aliases (only the reader's count).
        change(
            "record renamed with reader alias",
            record(json!([a])),
            json!({"type": "record", "name": "S", "namespace": "ns", "aliases": ["R"], "fields": [a]}),
            true,
            false,
        ),
        change(
            "record renamed without alias",
            record(json!([a])),
            json!({"type": "record", "name": "S", "namespace": "ns", "fields": [a]}),
            false,
            false,
        ),
        change(
            "field renamed with reader alias",
            record(json!([a])),
            record(json!([{"name": "z", "type": "int", "aliases": ["a"]}])),
            true,
            false,
        ),
        change(
            "field renamed without alias",
            record(json!([a])),
            record(json!([{"name": "z", "type": "int"}])),
            false,
            false,
        ),
        change(
            "field renamed with alias and default",
            record(json!([a])),
            record(json!([{"name": "z", "type": "int", "aliases": ["a"], "default": 0}])),
            true,
            false,
        ),
        // Nested records, arrays and maps.
        change(
            "nested add field with default",
            nested(json!([a])),
            nested(json!([a, b_default])),
            true,
            true,
        ),
        change(
            "nested add field without default",
            nested(json!([a])),
            nested(json!([a, b_plain])),
            false,
            true,
        ),
        change(
            "nested remove field without default",
            nested(json!([a, b_plain])),
            nested(json!([a])),
            true,
            false,
        ),
        change(
            "nested promotion",
            nested(json!([a])),
            nested(json!([{"name": "a", "type": "long"}])),
            true,
            false,
        ),
        change(
            "array items promoted",
            field_of(json!({"type": "array", "items": "int"})),
            field_of(json!({"type": "array", "items": "double"})),
            true,
            false,
        ),
        change(
            "map values changed",
            field_of(json!({"type": "map", "values": "string"})),
            field_of(json!({"type": "map", "values": "boolean"})),
            false,
            false,
        ),
        change(
            "fixed size changed",
            field_of(json!({"type": "fixed", "name": "F", "size": 4})),
            field_of(json!({"type": "fixed", "name": "F", "size": 8})),
            false,
            false,
        ),
    ];
    // Promotions: int→long→float→double widen (backward only); string↔bytes both ways.
    for (from, to) in [
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
    ] {
        all.push(change(
            "promotion",
            field_of(json!(from)),
            field_of(json!(to)),
            true,
            false,
        ));
        all.push(change(
            "demotion",
            field_of(json!(to)),
            field_of(json!(from)),
            false,
            true,
        ));
    }
    all.push(change(
        "string to bytes",
        field_of(json!("string")),
        field_of(json!("bytes")),
        true,
        true,
    ));
    all.push(change(
        "bytes to string",
        field_of(json!("bytes")),
        field_of(json!("string")),
        true,
        true,
    ));
    all.push(change(
        "int to string",
        field_of(json!("int")),
        field_of(json!("string")),
        false,
        false,
    ));
    all.push(change(
        "boolean to int",
        field_of(json!("boolean")),
        field_of(json!("int")),
        false,
        false,
    ));
    all
}

/// Every change at `level`: over the single old version, and over the history
/// `[old, new]`, where the plain levels check only the newest version (the new
/// schema itself, always compatible) and the transitive ones check `old` too.
fn assert_matrix(level: CompatibilityLevel) {
    use CompatibilityLevel as L;
    for c in changes() {
        let (old, new) = (parse(c.old.clone()), parse(c.new.clone()));
        let expected = match level {
            L::None => true,
            L::Backward | L::BackwardTransitive => c.backward,
            L::Forward | L::ForwardTransitive => c.forward,
            L::Full | L::FullTransitive => c.backward && c.forward,
        };
        let messages = check(level, &new, &[(1, old.clone())]);
        assert_eq!(
            messages.is_empty(),
            expected,
            "{level} {}: {} -> {}: {messages:?}",
            c.name,
            c.old,
            c.new
        );
        let history = [(1, old), (2, new.clone())];
        let expected = expected || !level.is_transitive();
        assert_eq!(
            check(level, &new, &history).is_empty(),
            expected,
            "{level} {} over [old, new]",
            c.name
        );
    }
}

#[test]
fn matrix_none() {
    assert_matrix(CompatibilityLevel::None);
}

#[test]
fn matrix_backward() {
    assert_matrix(CompatibilityLevel::Backward);
}

#[test]
fn matrix_backward_transitive() {
    assert_matrix(CompatibilityLevel::BackwardTransitive);
}

#[test]
fn matrix_forward() {
    assert_matrix(CompatibilityLevel::Forward);
}

#[test]
fn matrix_forward_transitive() {
    assert_matrix(CompatibilityLevel::ForwardTransitive);
}

#[test]
fn matrix_full() {
    assert_matrix(CompatibilityLevel::Full);
}

#[test]
fn matrix_full_transitive() {
    assert_matrix(CompatibilityLevel::FullTransitive);
}
