use super::*;

fn commit<T>(store: &mut Store, plan: Plan<T>) -> T {
    for r in &plan.records {
        store.apply(
            Some(r.key.to_json().as_bytes()),
            r.value.as_deref().map(str::as_bytes),
        );
    }
    plan.result
}

fn req(schema: &str) -> RegisterRequest {
    RegisterRequest {
        schema: Some(schema.to_owned()),
        ..RegisterRequest::default()
    }
}

const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
/// V1 plus a field with a default: backward compatible.
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
/// A new field without a default: not backward compatible.
const BAD: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}"#;

fn register(store: &mut Store, subject: &str, schema: &str) -> Result<i32, Error> {
    let plan = super::register(store, subject, &req(schema), false)?;
    Ok(commit(store, plan))
}

#[test]
fn identity_ignores_layout_but_keeps_doc() {
    let a = identity(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int"}}]}"#,
        false,
    );
    let b = identity(
        r#"{ "fields": [ {"type":"int", "name":"a"} ], "name":"R", "type":"record" }"#,
        false,
    );
    assert_eq!(a, b);
    let doc = identity(
        r#"{"type":"record","name":"R","doc":"x","fields":[{"name":"a","type":"int"}]}"#,
        false,
    );
    assert_ne!(a, doc);
    let doc_normalized = identity(
        r#"{"type":"record","name":"R","doc":"x","fields":[{"name":"a","type":"int"}]}"#,
        true,
    );
    assert_eq!(identity(V1, true), doc_normalized);
}

#[test]
fn same_schema_same_id_and_across_subjects() {
    let mut store = Store::default();
    assert_eq!(register(&mut store, "s", V1), Ok(1));
    assert_eq!(register(&mut store, "s", V1), Ok(1));
    assert_eq!(store.live_versions("s").len(), 1);
    assert_eq!(register(&mut store, "t", V1), Ok(1));
    assert_eq!(register(&mut store, "s", V2), Ok(2));
    let doc = r#"{"type":"record","name":"R","doc":"d","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
    assert_eq!(register(&mut store, "s", doc), Ok(3));
    // normalize=true finds it by canonical form.
    let plan = super::register(&store, "s", &req(V2), true).map(|p| p.records.len());
    assert_eq!(plan, Ok(0));
}

#[test]
fn incompatible_is_rejected_unless_none() {
    let mut store = Store::default();
    register(&mut store, "s", V1).ok();
    match register(&mut store, "s", BAD) {
        Err(Error::Incompatible { messages, .. }) => {
            assert!(
                messages
                    .iter()
                    .any(|m| m.contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
                "{messages:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let plan = set_config(Some("s"), "none").map(|p| commit(&mut store, p));
    assert_eq!(plan, Ok(CompatibilityLevel::None));
    assert_eq!(register(&mut store, "s", BAD), Ok(2));
}

#[test]
fn invalid_schemas_are_42201() {
    let store = Store::default();
    for bad in [
        "",
        "not json",
        r#"{"type":"record","name":"R"}"#,
        r#"{"type":"int","default":"x"}x"#,
    ] {
        let e = super::register(&store, "s", &req(bad), false)
            .map(|_| ())
            .expect_err("an error");
        assert_eq!(e.error_code(), 42201, "{bad}: {e}");
    }
    let proto = RegisterRequest {
        schema_type: Some("PROTOBUF".into()),
        ..req("syntax = \"proto3\";")
    };
    assert_eq!(
        super::register(&store, "s", &proto, false)
            .map(|_| ())
            .expect_err("an error")
            .error_code(),
        42201
    );
}

#[test]
fn versions_count_past_soft_deleted_and_delete_rules() {
    let mut store = Store::default();
    register(&mut store, "s", V1).ok();
    register(&mut store, "s", V2).ok();
    // Permanent before soft: 40407.
    let e = delete_version(&store, "s", VersionSpec::Number(2), true).expect_err("an error");
    assert_eq!(e.error_code(), 40407);
    assert_eq!(
        delete_version(&store, "s", VersionSpec::Latest, false).map(|p| commit(&mut store, p)),
        Ok(2)
    );
    assert_eq!(versions(&store, "s", false), Ok(vec![1]));
    assert_eq!(versions(&store, "s", true), Ok(vec![1, 2]));
    let e = delete_version(&store, "s", VersionSpec::Number(2), false).expect_err("an error");
    assert_eq!(e.error_code(), 40406);
    // Re-registering the deleted schema gets a new version 3, same id.
    assert_eq!(register(&mut store, "s", V2), Ok(2));
    assert_eq!(versions(&store, "s", false), Ok(vec![1, 3]));
    // Subject: permanent first → 40405; soft; soft again → 40404; permanent.
    assert_eq!(
        delete_subject(&store, "s", true)
            .expect_err("an error")
            .error_code(),
        40405
    );
    assert_eq!(
        delete_subject(&store, "s", false).map(|p| commit(&mut store, p)),
        Ok(vec![1, 3])
    );
    assert_eq!(
        delete_subject(&store, "s", false)
            .expect_err("an error")
            .error_code(),
        40404
    );
    assert_eq!(
        versions(&store, "s", false)
            .expect_err("an error")
            .error_code(),
        40401
    );
    assert_eq!(subjects(&store, "", false, false), Vec::<String>::new());
    assert_eq!(subjects(&store, "", true, false), vec!["s".to_owned()]);
    assert_eq!(
        delete_subject(&store, "s", true).map(|p| commit(&mut store, p)),
        Ok(vec![1, 2, 3])
    );
    assert_eq!(
        delete_subject(&store, "s", false)
            .expect_err("an error")
            .error_code(),
        40401
    );
    assert_eq!(
        schema_by_id(&store, 1).expect_err("an error").error_code(),
        40403
    );
    // Ids continue after the maximum ever seen.
    assert_eq!(register(&mut store, "s", BAD), Ok(3));
}

#[test]
fn version_parsing() {
    assert_eq!(VersionSpec::parse("latest"), Ok(VersionSpec::Latest));
    assert_eq!(VersionSpec::parse("-1"), Ok(VersionSpec::Latest));
    assert_eq!(VersionSpec::parse("7"), Ok(VersionSpec::Number(7)));
    for bad in ["0", "-2", "x", "2147483648"] {
        assert_eq!(
            VersionSpec::parse(bad).expect_err("an error").error_code(),
            42202
        );
    }
}

#[test]
fn config_and_mode() {
    let mut store = Store::default();
    assert_eq!(
        get_config(&store, None, false),
        Ok(CompatibilityLevel::Backward)
    );
    assert_eq!(
        get_config(&store, Some("s"), false)
            .expect_err("an error")
            .error_code(),
        40408
    );
    assert_eq!(
        set_config(None, "bogus")
            .expect_err("an error")
            .error_code(),
        42203
    );
    commit(&mut store, set_config(None, "Full").expect("valid"));
    assert_eq!(
        get_config(&store, Some("s"), true),
        Ok(CompatibilityLevel::Full)
    );
    assert_eq!(
        delete_config(&store, None).map(|p| commit(&mut store, p)),
        Ok(CompatibilityLevel::Full)
    );
    assert_eq!(
        get_config(&store, None, false),
        Ok(CompatibilityLevel::Backward)
    );

    assert_eq!(
        set_mode(&store, None, "bogus", false)
            .expect_err("an error")
            .error_code(),
        42204
    );
    register(&mut store, "s", V1).ok();
    assert_eq!(
        set_mode(&store, None, "IMPORT", false)
            .expect_err("an error")
            .error_code(),
        42205
    );
    let plan = set_mode(&store, None, "READONLY", false).expect("valid");
    commit(&mut store, plan);
    assert_eq!(
        register(&mut store, "s", V2)
            .expect_err("an error")
            .error_code(),
        42205
    );
    assert_eq!(
        get_mode(&store, Some("s"), false)
            .expect_err("an error")
            .error_code(),
        40409
    );
    let plan = set_mode(&store, Some("imp"), "IMPORT", false).expect("valid");
    commit(&mut store, plan);
    // IMPORT: explicit id required, kept, no compatibility check.
    assert_eq!(
        register(&mut store, "imp", V1)
            .expect_err("an error")
            .error_code(),
        42205
    );
    let with_id = RegisterRequest {
        id: Some(100),
        version: Some(5),
        ..req(V1)
    };
    assert_eq!(
        super::register(&store, "imp", &with_id, false).map(|p| commit(&mut store, p)),
        Ok(100)
    );
    assert_eq!(
        version(&store, "imp", VersionSpec::Latest, false).map(|v| (v.id, v.version)),
        Ok((100, 5))
    );
    // An id already used by another schema cannot be overwritten.
    let clash = RegisterRequest {
        id: Some(100),
        ..req(BAD)
    };
    assert_eq!(
        super::register(&store, "imp", &clash, false)
            .expect_err("an error")
            .error_code(),
        42205
    );
    // Explicit ids outside IMPORT: 42205.
    let plan = delete_mode(&store, None).expect("set");
    commit(&mut store, plan);
    let id_rw = RegisterRequest {
        id: Some(7),
        ..req(V2)
    };
    assert_eq!(
        super::register(&store, "s", &id_rw, false)
            .expect_err("an error")
            .error_code(),
        42205
    );
    assert_eq!(register(&mut store, "s", V2), Ok(101));
}

#[test]
fn compatibility_endpoint_and_references() {
    let mut store = Store::default();
    assert_eq!(
        test_compatibility(&store, "s", Some(VersionSpec::Latest), &req(V1)),
        Ok(vec![])
    );
    assert_eq!(
        test_compatibility(&store, "s", Some(VersionSpec::Number(1)), &req(V1))
            .expect_err("an error")
            .error_code(),
        // Confluent's CompatibilityResource: a missing numbered version is 40402
        // even when the subject is missing too.
        40402
    );
    // The version is looked up before the schema is parsed.
    assert_eq!(
        test_compatibility(&store, "s", Some(VersionSpec::Number(1)), &req("nope"))
            .expect_err("an error")
            .error_code(),
        40402
    );
    assert_eq!(
        test_compatibility(&store, "s", None, &req("nope"))
            .expect_err("an error")
            .error_code(),
        42201
    );
    register(&mut store, "s", V1).ok();
    assert!(!test_compatibility(&store, "s", None, &req(BAD))
        .expect("ok")
        .is_empty());
    assert_eq!(
        test_compatibility(&store, "s", Some(VersionSpec::Number(9)), &req(V1))
            .expect_err("an error")
            .error_code(),
        40402
    );
    // A reference to s/1: stored, reported by referencedby, blocks deleting s/1.
    let referencing = RegisterRequest {
        references: Some(vec![Reference {
            name: "R".into(),
            subject: "s".into(),
            version: 1,
        }]),
        ..req(r#"{"type":"record","name":"Outer","fields":[{"name":"r","type":"R"}]}"#)
    };
    let id = super::register(&store, "outer", &referencing, false).map(|p| commit(&mut store, p));
    assert_eq!(id, Ok(2));
    assert_eq!(
        referenced_by(&store, "s", VersionSpec::Number(1)),
        Ok(vec![2])
    );
    assert_eq!(
        delete_version(&store, "s", VersionSpec::Number(1), false)
            .expect_err("an error")
            .error_code(),
        42206
    );
    let missing = RegisterRequest {
        references: Some(vec![Reference {
            name: "R".into(),
            subject: "nope".into(),
            version: 1,
        }]),
        ..referencing
    };
    assert_eq!(
        super::register(&store, "o2", &missing, false)
            .expect_err("an error")
            .error_code(),
        42201
    );
}

#[test]
fn listing_filters_deleted_and_deleted_only() {
    let mut store = Store::default();
    register(&mut store, "a", V1).ok();
    register(&mut store, "a", V2).ok();
    register(&mut store, "b", V1).ok();
    register(&mut store, "c", V1).ok();
    // a: version 1 soft-deleted, version 2 live; b: all soft-deleted; c: live.
    let plan = delete_version(&store, "a", VersionSpec::Number(1), false).expect("plan");
    commit(&mut store, plan);
    let plan = delete_subject(&store, "b", false).expect("plan");
    commit(&mut store, plan);
    assert_eq!(subjects(&store, "", false, false), ["a", "c"]);
    assert_eq!(subjects(&store, "", true, false), ["a", "b", "c"]);
    // deletedOnly: subjects whose every version is soft-deleted; it wins over deleted.
    assert_eq!(subjects(&store, "", false, true), ["b"]);
    assert_eq!(subjects(&store, "", true, true), ["b"]);
    assert_eq!(subjects(&store, "c", true, false), ["c"]);

    assert_eq!(versions_filtered(&store, "a", false, false), Ok(vec![2]));
    assert_eq!(versions_filtered(&store, "a", true, false), Ok(vec![1, 2]));
    assert_eq!(versions_filtered(&store, "a", false, true), Ok(vec![1]));
    assert_eq!(versions_filtered(&store, "a", true, true), Ok(vec![1]));
    assert_eq!(versions_filtered(&store, "c", false, true), Ok(vec![]));
    assert_eq!(
        versions_filtered(&store, "b", false, false),
        Err(Error::SubjectNotFound("b".into()))
    );
    assert_eq!(versions_filtered(&store, "b", false, true), Ok(vec![1]));
    assert_eq!(
        versions_filtered(&store, "zz", true, true),
        Err(Error::SubjectNotFound("zz".into()))
    );

    let pairs = |list: Vec<&SchemaValue>| {
        list.into_iter()
            .map(|v| (v.subject.clone(), v.version))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pairs(schemas(&store, "", false, false)),
        [("a".to_owned(), 2), ("c".to_owned(), 1)]
    );
    assert_eq!(
        pairs(schemas(&store, "", true, false)),
        [
            ("a".to_owned(), 1),
            ("a".to_owned(), 2),
            ("b".to_owned(), 1),
            ("c".to_owned(), 1)
        ]
    );
    assert_eq!(
        pairs(schemas(&store, "a", true, true)),
        [("a".to_owned(), 2)]
    );
    assert_eq!(
        pairs(schemas(&store, "", false, true)),
        [("a".to_owned(), 2), ("c".to_owned(), 1)]
    );
}

#[test]
fn referenced_by_reads_soft_deleted_versions() {
    let mut store = Store::default();
    register(&mut store, "s", V1).ok();
    register(&mut store, "s", V2).ok();
    let plan = delete_version(&store, "s", VersionSpec::Number(1), false).expect("plan");
    commit(&mut store, plan);
    assert_eq!(
        referenced_by(&store, "s", VersionSpec::Number(1)),
        Ok(vec![])
    );
    assert_eq!(
        referenced_by(&store, "s", VersionSpec::Number(3)),
        Err(Error::VersionNotFound("3".into()))
    );
    assert_eq!(
        referenced_by(&store, "t", VersionSpec::Latest),
        Err(Error::SubjectNotFound("t".into()))
    );
}

#[test]
fn versions_are_trimmed_like_java() {
    assert_eq!(VersionSpec::parse(" 2 "), Ok(VersionSpec::Number(2)));
    assert_eq!(VersionSpec::parse(" LATEST"), Ok(VersionSpec::Latest));
    for bad in ["", "0", "-2", "1.5", "2147483648", "+", "one"] {
        assert_eq!(
            VersionSpec::parse(bad).map_err(|e| e.error_code()),
            Err(42202),
            "{bad:?}"
        );
    }
}

#[test]
fn strict_validation_of_new_schemas() {
    let store = Store::default();
    for bad in [
        // A default of the wrong type.
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
        // A union default must match the first branch.
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["int","null"],"default":null}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"a","type":[{"type":"string"},"null"],"default":null}]}}]}"#,
        // Invalid names.
        r#"{"type":"record","name":"1R","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}"#,
        // Duplicate fields, an enum default that is not a symbol, duplicate symbols.
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#,
        r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
        // Not an Avro schema at all, valid JSON.
        r#"{"foo":1}"#,
        "42",
        r#""nosuchtype""#,
    ] {
        let e = super::register(&store, "s", &req(bad), false)
            .map(|_| ())
            .expect_err("an error");
        assert_eq!(e.error_code(), 42201, "{bad}: {e}");
    }
    // Defaults fitting the first branch are fine.
    for good in [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":null}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["int","null"],"default":1}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":[{"type":"array","items":"int"},"null"],"default":[]}]}"#,
    ] {
        assert!(
            super::register(&store, "s", &req(good), false).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn stored_text_is_javas_string_and_old_texts_still_match() {
    let mut store = Store::default();
    // A version written with the submitted text (an older sluice): compared by its
    // Java string, and kept as it is.
    let old = SchemaValue {
        subject: "s".to_owned(),
        version: 1,
        id: 7,
        schema: r#"{ "name": "R", "type": "record", "fields": [ {"name": "a", "type": {"type": "int"}} ] }"#.to_owned(),
        deleted: false,
        schema_type: None,
        references: Vec::new(),
    };
    commit(
        &mut store,
        Plan {
            records: vec![Record::schema(&old)],
            result: (),
        },
    );
    assert_eq!(register(&mut store, "s", V1), Ok(7));
    assert_eq!(register(&mut store, "t", V1), Ok(7));
    assert_eq!(store.versions("t").expect("versions")[&1].schema, V1);
    // A new schema is stored as Java prints it.
    let spaced = r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": {"type": "string"}, "default": ""}]}"#;
    assert_eq!(register(&mut store, "s", spaced), Ok(8));
    assert_eq!(store.versions("s").expect("versions")[&2].schema, V2);
    assert_eq!(
        store.versions("s").expect("versions")[&1].schema,
        old.schema
    );
}
