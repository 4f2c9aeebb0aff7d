use super::*;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn key(name: &str, config_type: ConfigType) -> ConfigKey {
    ConfigKey::new(
        name,
        config_type,
        Importance::Medium,
        format!("doc of {name}"),
    )
}

/// One key of every type, all required.
fn every_type() -> ConfigDef {
    ConfigDef::new()
        .define(key("b", ConfigType::Boolean))
        .define(key("s", ConfigType::String))
        .define(key("i", ConfigType::Int))
        .define(key("sh", ConfigType::Short))
        .define(key("l", ConfigType::Long))
        .define(key("d", ConfigType::Double))
        .define(key("li", ConfigType::List))
        .define(key("c", ConfigType::Class))
        .define(key("p", ConfigType::Password))
}

fn messages(result: Result<ParsedConfig, ConfigErrors>) -> Vec<String> {
    match result {
        Ok(_) => vec!["ok".to_owned()],
        Err(e) => e.0.into_iter().map(|e| e.message).collect(),
    }
}

#[test]
fn parses_every_type() -> Result<(), ConnectError> {
    let parsed = every_type().parse(&props(&[
        ("b", " TRUE "),
        ("s", "  hello "),
        ("i", "-42"),
        ("sh", "+7"),
        ("l", "9000000000"),
        ("d", "2.5"),
        ("li", " a, b ,, c "),
        ("c", " com.example.Sink "),
        ("p", " s3cret "),
        ("extra", "kept"),
    ]))?;
    assert_eq!(parsed.get_boolean("b")?, Some(true));
    assert_eq!(parsed.get_string("s")?, Some("hello"));
    assert_eq!(parsed.get_int("i")?, Some(-42));
    assert_eq!(parsed.get_short("sh")?, Some(7));
    assert_eq!(parsed.get_long("l")?, Some(9_000_000_000));
    assert_eq!(parsed.get_double("d")?, Some(2.5));
    assert_eq!(
        parsed.get_list("li")?,
        Some(
            &[
                "a".to_owned(),
                "b".to_owned(),
                String::new(),
                "c".to_owned()
            ][..]
        )
    );
    assert_eq!(parsed.get_class("c")?, Some("com.example.Sink"));
    assert_eq!(
        parsed.get_password("p")?.map(Password::value),
        Some("s3cret")
    );
    assert_eq!(
        parsed.originals().get("extra").map(String::as_str),
        Some("kept")
    );
    assert_eq!(
        parsed.get_int("s").map_err(|e| e.to_string()),
        Err("Configuration 's' is of type STRING, not INT".to_owned())
    );
    assert_eq!(
        parsed.get("nope").map_err(|e| e.to_string()),
        Err("Unknown configuration 'nope'".to_owned())
    );
    let shown = parsed.to_string();
    assert!(shown.contains("\tp = [hidden]\n"), "{shown}");
    assert!(!shown.contains("s3cret"));
    assert!(!format!("{parsed:?}").contains("s3cret"));
    Ok(())
}

#[test]
fn list_edge_cases() {
    assert_eq!(
        parse_type("x", "   ", ConfigType::List),
        Ok(ParsedValue::List(Vec::new()))
    );
    assert_eq!(
        parse_type("x", "a,", ConfigType::List),
        Ok(ParsedValue::List(vec!["a".to_owned(), String::new()]))
    );
    assert_eq!(
        parse_type("x", "fAlSe", ConfigType::Boolean),
        Ok(ParsedValue::Boolean(false))
    );
}

#[test]
fn reports_every_type_error_at_once() {
    let result = every_type().parse(&props(&[
        ("b", "yes"),
        ("i", "x"),
        ("sh", "40000"),
        ("l", "1.5"),
        ("d", "abc"),
        ("li", ""),
        ("c", "C"),
        ("p", ""),
    ]));
    assert_eq!(
        messages(result),
        [
            "Invalid value yes for configuration b: Expected value to be either true or false",
            "Missing required configuration \"s\" which has no default value.",
            "Invalid value x for configuration i: Not a number of type INT",
            "Invalid value 40000 for configuration sh: Not a number of type SHORT",
            "Invalid value 1.5 for configuration l: Not a number of type LONG",
            "Invalid value abc for configuration d: Not a number of type DOUBLE",
        ]
    );
}

#[test]
fn defaults_and_validators() -> Result<(), ConnectError> {
    let def = ConfigDef::new()
        .define(key("file", ConfigType::String).default_null())
        .define(key("topic", ConfigType::String).validator(Validator::NonEmptyString))
        .define(
            key("batch.size", ConfigType::Int)
                .default_value("2000")
                .validator(Validator::range(Some(1), Some(10_000))),
        )
        .define(
            key("mode", ConfigType::String)
                .default_value("bulk")
                .validator(Validator::one_of(["bulk", "incrementing"])),
        )
        .define(
            key("ratio", ConfigType::Double)
                .default_value("0.5")
                .validator(Validator::range_f64(Some(0.0), Some(1.0))),
        )
        .define(
            key("level", ConfigType::String)
                .default_value("info")
                .validator(Validator::CaseInsensitiveValidString(vec![
                    "INFO".to_owned(),
                    "DEBUG".to_owned(),
                ])),
        )
        .define(
            key("formats", ConfigType::List)
                .default_value("json")
                .validator(Validator::ValidList(vec![
                    "json".to_owned(),
                    "avro".to_owned(),
                ])),
        )
        .define(
            key("even", ConfigType::Long)
                .default_value("2")
                .validator(Validator::All(vec![
                    Validator::NonNull,
                    Validator::custom(|_, v| match v {
                        Some(ParsedValue::Long(n)) if n % 2 != 0 => Err("Must be even".to_owned()),
                        _ => Ok(()),
                    }),
                ])),
        );

    let parsed = def.parse(&props(&[("topic", "t")]))?;
    assert_eq!(parsed.get_string("file")?, None);
    assert_eq!(parsed.get_int("batch.size")?, Some(2000));
    assert_eq!(parsed.get_string("mode")?, Some("bulk"));
    assert_eq!(parsed.get_double("ratio")?, Some(0.5));
    assert_eq!(parsed.get_long("even")?, Some(2));

    let result = def.parse(&props(&[
        ("topic", ""),
        ("batch.size", "0"),
        ("mode", "BULK"),
        ("ratio", "1.5"),
        ("level", "Warn"),
        ("formats", "json,xml"),
        ("even", "3"),
    ]));
    assert_eq!(
        messages(result),
        [
            "Invalid value  for configuration topic: String must be non-empty",
            "Invalid value 0 for configuration batch.size: Value must be at least 1",
            "Invalid value BULK for configuration mode: String must be one of: bulk, incrementing",
            "Invalid value 1.5 for configuration ratio: Value must be no more than 1.0",
            "Invalid value Warn for configuration level: String must be one of (case insensitive): INFO, DEBUG",
            "Invalid value xml for configuration formats: String must be one of: json, avro",
            "Invalid value 3 for configuration even: Must be even",
        ]
    );
    // A value that does not parse is also seen as null by its validator, as in Kafka.
    assert_eq!(
        messages(def.parse(&props(&[("topic", "t"), ("batch.size", "many")]))),
        [
            "Invalid value many for configuration batch.size: Not a number of type INT",
            "Invalid value null for configuration batch.size: Value must be non-null",
        ]
    );
    Ok(())
}

#[test]
fn invalid_definitions_are_rejected() {
    let err = |r: Result<ConfigDef, ConnectError>| r.map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        err(ConfigDef::new()
            .define(key("a", ConfigType::Int).default_value("1"))
            .try_define(key("a", ConfigType::Int))),
        Err("invalid configuration: Configuration a is defined twice.".to_owned())
    );
    assert_eq!(
        err(ConfigDef::new().try_define(key("a", ConfigType::Int).default_value("one"))),
        Err("invalid configuration: Invalid value one for configuration a: Not a number of type INT"
            .to_owned())
    );
    assert_eq!(
        err(ConfigDef::new().try_define(
            key("a", ConfigType::Int)
                .default_value("0")
                .validator(Validator::at_least(1))
        )),
        Err(
            "invalid configuration: Invalid value 0 for configuration a: Value must be at least 1"
                .to_owned()
        )
    );
    assert_eq!(
        messages(
            ConfigDef::new()
                .define(
                    key("a", ConfigType::Int)
                        .default_value("1")
                        .dependents(["ghost"])
                )
                .parse(&BTreeMap::new())
        ),
        ["Some configurations in are referred in the dependents, but not defined: ghost"]
    );
}

struct OnlyWhenEnabled;

impl Recommender for OnlyWhenEnabled {
    fn valid_values(
        &self,
        _name: &str,
        _parsed: &BTreeMap<String, Option<ParsedValue>>,
    ) -> Vec<ParsedValue> {
        vec![
            ParsedValue::String("gzip".to_owned()),
            ParsedValue::String("none".to_owned()),
        ]
    }

    fn visible(&self, _name: &str, parsed: &BTreeMap<String, Option<ParsedValue>>) -> bool {
        parsed.get("compress") == Some(&Some(ParsedValue::Boolean(true)))
    }
}

#[test]
fn validate_reports_per_key_and_never_fails() {
    let def = ConfigDef::new()
        .define(
            key("compress", ConfigType::Boolean)
                .default_value("false")
                .dependents(["codec", "ghost"]),
        )
        .define(
            key("codec", ConfigType::String)
                .default_value("none")
                .recommender(Arc::new(OnlyWhenEnabled)),
        )
        .define(key("port", ConfigType::Int).validator(Validator::range(Some(1), Some(65535))))
        .define(key("secret", ConfigType::Password).default_null());

    let values = def.validate(&props(&[("compress", "maybe"), ("secret", "pw")]));
    let names: Vec<_> = values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["compress", "codec", "port", "secret", "ghost"]);
    assert_eq!(
        values[0].errors,
        ["Invalid value maybe for configuration compress: Expected value to be either true or false"]
    );
    assert_eq!(values[0].value, None);
    assert!(values[1].errors.is_empty());
    assert!(!values[1].visible, "compress is not true");
    assert_eq!(values[1].recommended_values.len(), 2);
    assert_eq!(
        values[2].errors,
        [
            "Missing required configuration \"port\" which has no default value.",
            "Invalid value null for configuration port: Value must be non-null",
        ]
    );
    assert_eq!(
        values[3].value,
        Some(ParsedValue::Password(Password::new("pw")))
    );
    assert_eq!(
        values[4].errors,
        ["ghost is referred in the dependents, but not defined."]
    );
    assert!(!values[4].visible);

    let values = def.validate(&props(&[("compress", "TRUE"), ("port", "80")]));
    assert!(values[1].visible);
    assert!(values.iter().take(4).all(|v| v.errors.is_empty()));
}

#[test]
fn java_double_formatting() {
    assert_eq!(java_double(1.0), "1.0");
    assert_eq!(java_double(0.5), "0.5");
    assert_eq!(java_double(0.0), "0.0");
    assert_eq!(java_double(-2.25), "-2.25");
    assert_eq!(java_double(1e10), "1.0E10");
    assert_eq!(java_double(1.5e-5), "1.5E-5");
    assert_eq!(java_double(f64::NAN), "NaN");
    assert_eq!(java_double(f64::NEG_INFINITY), "-Infinity");
}

#[test]
fn key_infos_render_defaults_as_kafka() {
    let def = ConfigDef::new()
        .define(key("l", ConfigType::List).default_value("a, b"))
        .define(key("d", ConfigType::Double).default_value("1"))
        .define(key("p", ConfigType::Password).default_value("pw"))
        .define(key("n", ConfigType::String).default_null())
        .define(key("r", ConfigType::Boolean));
    let defaults: Vec<_> = def
        .key_infos()
        .into_iter()
        .map(|k| (k.default_value, k.required))
        .collect();
    assert_eq!(
        defaults,
        [
            (Some("a,b".to_owned()), false),
            (Some("1.0".to_owned()), false),
            (Some("[hidden]".to_owned()), false),
            (None, false),
            (None, true),
        ]
    );
}

/// The FileStreamSource-like definition used for the JSON test.
fn file_source_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "file",
                ConfigType::String,
                Importance::High,
                "Source filename. If not specified, the standard input will be used",
            )
            .default_null()
            .group("File", 1)
            .width(Width::Long)
            .display_name("File"),
        )
        .define(
            ConfigKey::new(
                "topic",
                ConfigType::List,
                Importance::High,
                "The topic to publish data to",
            )
            .group("File", 2)
            .dependents(["batch.size"]),
        )
        .define(
            ConfigKey::new(
                "batch.size",
                ConfigType::Int,
                Importance::Low,
                "The maximum number of records the source task can read from the file each time it is polled",
            )
            .default_value("2000")
            .group("Tuning", 1),
        )
        .define(
            ConfigKey::new("token", ConfigType::Password, Importance::Medium, "API token")
                .default_null(),
        )
}

#[test]
fn validate_json_matches_kafka_shape() -> Result<(), serde_json::Error> {
    let def = file_source_def();
    let values = def.validate(&props(&[("batch.size", "x"), ("token", "secret")]));
    let infos = ConfigInfos::from_validation("FileStreamSource", &def, &values);
    let expected = concat!(
        r#"{"name":"FileStreamSource","error_count":2,"groups":["File","Tuning"],"configs":["#,
        r#"{"definition":{"name":"file","type":"STRING","required":false,"default_value":null,"importance":"HIGH","#,
        r#""documentation":"Source filename. If not specified, the standard input will be used","group":"File","#,
        r#""width":"LONG","display_name":"File","dependents":[],"order":1},"#,
        r#""value":{"name":"file","value":null,"recommended_values":[],"errors":[],"visible":true}},"#,
        r#"{"definition":{"name":"topic","type":"LIST","required":true,"default_value":null,"importance":"HIGH","#,
        r#""documentation":"The topic to publish data to","group":"File","width":"NONE","display_name":"topic","#,
        r#""dependents":["batch.size"],"order":2},"#,
        r#""value":{"name":"topic","value":null,"recommended_values":[],"#,
        r#""errors":["Missing required configuration \"topic\" which has no default value."],"visible":true}},"#,
        r#"{"definition":{"name":"batch.size","type":"INT","required":false,"default_value":"2000","importance":"LOW","#,
        r#""documentation":"The maximum number of records the source task can read from the file each time it is polled","#,
        r#""group":"Tuning","width":"NONE","display_name":"batch.size","dependents":[],"order":1},"#,
        r#""value":{"name":"batch.size","value":null,"recommended_values":[],"#,
        r#""errors":["Invalid value x for configuration batch.size: Not a number of type INT"],"visible":true}},"#,
        r#"{"definition":{"name":"token","type":"PASSWORD","required":false,"default_value":null,"importance":"MEDIUM","#,
        r#""documentation":"API token","group":null,"width":"NONE","display_name":"token","dependents":[],"order":-1},"#,
        r#""value":{"name":"token","value":"[hidden]","recommended_values":[],"errors":[],"visible":true}}"#,
        r#"]}"#
    );
    assert_eq!(serde_json::to_string(&infos)?, expected);
    Ok(())
}

#[test]
fn undefined_dependents_come_first_without_definition() -> Result<(), serde_json::Error> {
    let def = ConfigDef::new().define(
        key("a", ConfigType::Boolean)
            .default_value("true")
            .dependents(["ghost"]),
    );
    let infos = ConfigInfos::from_validation("X", &def, &def.validate(&BTreeMap::new()));
    assert_eq!(infos.error_count, 1);
    let json = serde_json::to_value(&infos)?;
    assert_eq!(json["configs"][0]["definition"], serde_json::Value::Null);
    assert_eq!(json["configs"][0]["value"]["name"], "ghost");
    assert_eq!(json["configs"][0]["value"]["visible"], false);
    assert_eq!(json["configs"][1]["value"]["value"], "true");
    assert_eq!(json["groups"], serde_json::json!([]));
    Ok(())
}

#[test]
fn plugin_config_listing_json() -> Result<(), serde_json::Error> {
    let def = ConfigDef::new().define(
        ConfigKey::new("mode", ConfigType::String, Importance::High, "Mode")
            .default_value("bulk")
            .validator(Validator::one_of(["bulk", "incrementing"])),
    );
    assert_eq!(
        serde_json::to_string(&def.key_infos())?,
        r#"[{"name":"mode","type":"STRING","required":false,"default_value":"bulk","importance":"HIGH","documentation":"Mode","group":null,"width":"NONE","display_name":"mode","dependents":[],"order":-1}]"#
    );
    Ok(())
}
