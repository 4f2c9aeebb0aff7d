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
