use super::*;

#[test]
fn primitives_without_properties_collapse() {
    assert_eq!(
        java_string(r#"{"type": "string"}"#).expect("a schema"),
        r#""string""#
    );
    assert_eq!(java_string(r#" "int" "#).expect("a schema"), r#""int""#);
    assert_eq!(
        java_string(r#"{"type":"int","logicalType":"date"}"#).expect("a schema"),
        r#"{"type":"int","logicalType":"date"}"#
    );
}

#[test]
fn doubles_as_java_prints_them() {
    for (v, s) in [
        (1.0, "1.0"),
        (1.5, "1.5"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (1e10, "1.0E10"),
        (1.5e-5, "1.5E-5"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1234567.0, "1234567.0"),
        (12345678.0, "1.2345678E7"),
        (123456789.125, "1.23456789125E8"),
        (-2.5e300, "-2.5E300"),
        (100.0, "100.0"),
    ] {
        assert_eq!(java_double(v), s, "{v}");
    }
}

#[test]
fn referenced_top_level_types_are_names() {
    let refs = vec![
        r#"{"type":"record","name":"Addr","namespace":"a","fields":[{"name":"z","type":{"type":"enum","name":"Zone","symbols":["N"]}}]}"#.to_owned(),
    ];
    // The top-level referenced type is a name, relative to the enclosing namespace.
    assert_eq!(
        java_string_with_references(
            r#"{"type":"record","name":"P","namespace":"a","fields":[{"name":"h","type":"Addr"},{"name":"w","type":"a.Addr"}]}"#,
            &refs
        )
        .expect("a schema"),
        r#"{"type":"record","name":"P","namespace":"a","fields":[{"name":"h","type":"Addr"},{"name":"w","type":"Addr"}]}"#
    );
    // A nested type of a reference is written in full where first used (Java's
    // `Names` only holds the references' top-level types), then as a name.
    assert_eq!(
        java_string_with_references(
            r#"{"type":"record","name":"Q","fields":[{"name":"z","type":"a.Zone"},{"name":"y","type":"a.Zone"}]}"#,
            &refs
        )
        .expect("a schema"),
        r#"{"type":"record","name":"Q","fields":[{"name":"z","type":{"type":"enum","name":"Zone","namespace":"a","symbols":["N"]}},{"name":"y","type":"a.Zone"}]}"#
    );
    // Without the references, a bare reference is still written as a name.
    assert_eq!(
        java_string_with_references(r#""a.Addr""#, &refs).expect("a schema"),
        r#""a.Addr""#
    );
}

#[test]
fn not_a_schema_is_none() {
    assert_eq!(java_string("{"), None);
    assert_eq!(java_string("{\"name\":\"x\"}"), None);
    assert_eq!(java_string("12"), None);
}

#[test]
fn values_are_read_as_jackson_reads_them() {
    assert_eq!(
        java_string(r#"{"type":"int","a":-0,"b":12345678901234567890123,"c":1E2,"d":0.1,"a":7}"#)
            .expect("a schema"),
        r#"{"type":"int","a":7,"b":12345678901234567890123,"c":100.0,"d":0.1}"#
    );
    assert_eq!(
        java_string(r#"{"type":"int","z":-0}"#).expect("a schema"),
        r#"{"type":"int","z":0}"#
    );
    // serde_json's default float parsing is one unit in the last place off here.
    assert_eq!(
        java_string(r#"{"type":"int","x":0.0036247434946782555}"#).expect("a schema"),
        r#"{"type":"int","x":0.0036247434946782555}"#
    );
    assert_eq!(
        java_string("{\"type\":\"int\",\"s\":\"\\ud83d\\ude00 \\u00e9\\/\"}").expect("a schema"),
        "{\"type\":\"int\",\"s\":\"\u{1F600} \u{e9}/\"}"
    );
    assert_eq!(java_string(r#"{"type":"int"} x"#), None);
    assert_eq!(java_string(r#"{"type":"int","a":01}"#), None);
}

#[test]
fn whole_numbers_below_2_pow_63_as_jdk_17() {
    assert_eq!(java_double(1939536397718226432.0), "1.93953639771822643E18");
    assert_eq!(java_double(-98647600729647408.0), "-9.8647600729647408E16");
    assert_eq!(java_double(9.3e18), "9.3E18");
}
