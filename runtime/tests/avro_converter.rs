//! Confluent's `AvroConverter` against a real schema registry: sluice's own registry
//! (`schema_registry::start`) on an in-process sluice broker, reached over HTTP.
//!
//! The tests run on a multi-thread runtime because the converter blocks a worker thread
//! (`block_in_place`) on a registry cache miss, as it does in the worker.

use std::collections::BTreeMap;

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::record::Headers;
use runtime::converters::{converter_for_class, Converter, SchemaAndValue};
use schema_registry::{RegistryConfig, RunningRegistry};
use serde_json::{json, Value as Json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Env {
    _dir: tempfile::TempDir,
    _broker: Broker,
    registry: RunningRegistry,
    url: String,
    http: reqwest::Client,
}

async fn start() -> Result<Env, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let broker = Broker::start(BrokerConfig {
        listeners: vec![Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.path().to_path_buf(),
        ..BrokerConfig::default()
    })
    .await?;
    let registry = schema_registry::start(RegistryConfig {
        bootstrap_servers: broker.bootstrap(),
        listener: "127.0.0.1:0".parse()?,
        topic: "_schemas".to_owned(),
        ..Default::default()
    })
    .await?;
    let url = format!("http://{}", registry.local_addr());
    Ok(Env {
        _dir: dir,
        _broker: broker,
        registry,
        url,
        http: reqwest::Client::new(),
    })
}

impl Env {
    async fn get(&self, path: &str) -> Result<(u16, Json), Box<dyn std::error::Error>> {
        let response = self.http.get(format!("{}{path}", self.url)).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    async fn put(&self, path: &str, body: Json) -> Result<u16, Box<dyn std::error::Error>> {
        let response = self
            .http
            .put(format!("{}{path}", self.url))
            .header("content-type", "application/vnd.schemaregistry.v1+json")
            .json(&body)
            .send()
            .await?;
        Ok(response.status().as_u16())
    }

    fn converter(
        &self,
        is_key: bool,
        extra: &[(&str, &str)],
    ) -> Result<Box<dyn Converter>, Box<dyn std::error::Error>> {
        let mut converter =
            converter_for_class("io.confluent.connect.avro.AvroConverter").ok_or("no class")?;
        let mut configs = BTreeMap::from([("schema.registry.url".to_owned(), self.url.clone())]);
        for (k, v) in extra {
            configs.insert((*k).to_owned(), (*v).to_owned());
        }
        converter.configure(&configs, is_key)?;
        Ok(converter)
    }
}

fn order_schema(with_note: bool) -> Result<Schema, Box<dyn std::error::Error>> {
    Ok(order_schema_builder(with_note).build()?)
}

fn order_schema_builder(with_note: bool) -> SchemaBuilder {
    let mut builder = SchemaBuilder::struct_()
        .name("shop.Order")
        .field("id", Schema::int64())
        .field("item", Schema::string())
        .field("qty", Schema::int16());
    if with_note {
        // A required field without a default: not BACKWARD compatible.
        builder = builder.field("note", Schema::string());
    }
    builder
}

fn order(schema: &Schema, id: i64) -> Result<Value, Box<dyn std::error::Error>> {
    let mut value = Struct::new(schema.clone())?;
    value
        .put("id", Value::Int64(id))?
        .put("item", Value::from("widget"))?
        .put("qty", Value::Int16(3))?;
    if schema.field("note")?.is_some() {
        value.put("note", Value::from("fragile"))?;
    }
    Ok(Value::Struct(value))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avro_converter_against_a_real_registry() -> TestResult {
    let env = start().await?;
    let schema = order_schema(false)?;
    let mut converter = runtime::converters::AvroConverter::new();
    converter.configure(
        &BTreeMap::from([("schema.registry.url".to_owned(), env.url.clone())]),
        false,
    )?;
    let requests = |c: &runtime::converters::AvroConverter| {
        c.client()
            .map(runtime::converters::avro::SchemaRegistryClient::request_count)
    };

    // Round trip: magic byte 0, the registered id, and the same schema and value back.
    let value = order(&schema, 1)?;
    let bytes = converter
        .from_connect_data("orders", &mut Headers::new(), Some(&schema), &value)?
        .ok_or("null bytes")?;
    let (status, latest) = env.get("/subjects/orders-value/versions/latest").await?;
    assert_eq!(status, 200, "{latest}");
    let id = latest["id"].as_i64().ok_or("no id")?;
    assert_eq!(bytes.first(), Some(&0));
    assert_eq!(bytes.get(1..5), Some(&i32::try_from(id)?.to_be_bytes()[..]));
    // Another converter instance (empty caches) reads it through GET /schemas/ids/{id}.
    let mut reader = env.converter(false, &[])?;
    // As Confluent's converter, the top-level schema gets the writer schema's version under
    // the subject (1) when it has no connect.version.
    let back = reader.to_connect_data("orders", &Headers::new(), Some(&bytes))?;
    let versioned = order_schema_builder(false).version(1).build()?;
    assert_eq!(
        back,
        SchemaAndValue::new(Some(versioned.clone()), order(&versioned, 1)?)
    );

    // The subject holds the Avro schema Confluent's AvroData writes.
    let registered: Json = serde_json::from_str(latest["schema"].as_str().ok_or("no schema")?)?;
    assert_eq!(
        registered,
        json!({
            "type": "record", "name": "Order", "namespace": "shop",
            "fields": [
                {"name": "id", "type": "long"},
                {"name": "item", "type": "string"},
                {"name": "qty", "type": {"type": "int", "connect.type": "int16"}}
            ],
            "connect.name": "shop.Order"
        })
    );

    // The second record is served from the cache: no HTTP call, still one version.
    let second = order(&schema, 2)?;
    let before = env.get("/subjects/orders-value/versions").await?;
    let bytes2 = converter
        .from_connect_data("orders", &mut Headers::new(), Some(&schema), &second)?
        .ok_or("null bytes")?;
    assert_eq!(bytes2.get(..5), bytes.get(..5));
    assert_eq!(
        requests(&converter),
        Some(1),
        "one registration, then the cache"
    );
    assert_eq!(before, (200, json!([1])));
    assert_eq!(
        env.get("/subjects/orders-value/versions").await?,
        (200, json!([1]))
    );
    assert_eq!(
        reader
            .to_connect_data("orders", &Headers::new(), Some(&bytes2))?
            .value,
        order(&versioned, 2)?
    );

    // Keys use <topic>-key.
    converter_key_subject(&env).await?;

    // RecordNameStrategy: the subject is the record's full name.
    let mut by_record = env.converter(
        false,
        &[(
            "value.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        )],
    )?;
    by_record.from_connect_data(
        "other",
        &mut Headers::new(),
        Some(&schema),
        &order(&schema, 3)?,
    )?;
    assert_eq!(
        env.get("/subjects/shop.Order/versions").await?,
        (200, json!([1]))
    );
    let mut topic_record = env.converter(
        false,
        &[("value.subject.name.strategy", "TopicRecordNameStrategy")],
    )?;
    topic_record.from_connect_data(
        "t2",
        &mut Headers::new(),
        Some(&schema),
        &order(&schema, 4)?,
    )?;
    assert_eq!(
        env.get("/subjects/t2-shop.Order/versions").await?,
        (200, json!([1]))
    );

    // An incompatible change under BACKWARD: a required field without a default.
    assert_eq!(
        env.put("/config/orders-value", json!({"compatibility": "BACKWARD"}))
            .await?,
        200
    );
    let evolved = order_schema(true)?;
    let error = converter
        .from_connect_data(
            "orders",
            &mut Headers::new(),
            Some(&evolved),
            &order(&evolved, 5)?,
        )
        .err()
        .ok_or("an incompatible schema was accepted")?;
    let message = error.to_string();
    assert!(
        matches!(error, connect_api::ConnectError::Data(_)),
        "{error:?}"
    );
    assert!(message.contains("orders-value"), "{message}");
    assert!(message.to_lowercase().contains("incompatible"), "{message}");
    assert_eq!(
        env.get("/subjects/orders-value/versions").await?,
        (200, json!([1]))
    );

    // auto.register.schemas=false: an unregistered subject is a clear error, a registered
    // schema is found.
    let mut no_register = env.converter(false, &[("auto.register.schemas", "false")])?;
    let error = no_register
        .from_connect_data(
            "unknown",
            &mut Headers::new(),
            Some(&schema),
            &order(&schema, 6)?,
        )
        .err()
        .ok_or("an unregistered subject was accepted")?
        .to_string();
    assert!(error.contains("unknown-value"), "{error}");
    assert!(error.contains("auto.register.schemas=false"), "{error}");
    assert!(error.contains("not found"), "{error}");
    let found = no_register
        .from_connect_data(
            "orders",
            &mut Headers::new(),
            Some(&schema),
            &order(&schema, 7)?,
        )
        .ok()
        .flatten()
        .ok_or("the registered schema was not found")?;
    assert_eq!(found.get(..5), bytes.get(..5));

    // use.latest.version: the latest version's id.
    let mut latest_version = env.converter(
        false,
        &[
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
        ],
    )?;
    let latest_bytes = latest_version
        .from_connect_data(
            "orders",
            &mut Headers::new(),
            Some(&schema),
            &order(&schema, 8)?,
        )?
        .ok_or("null bytes")?;
    assert_eq!(latest_bytes.get(..5), bytes.get(..5));

    // A wrong magic byte and an unknown id are errors, not panics.
    let mut wrong = bytes.clone();
    if let Some(first) = wrong.first_mut() {
        *first = 1;
    }
    let error = reader
        .to_connect_data("orders", &Headers::new(), Some(&wrong))
        .err()
        .ok_or("a wrong magic byte was accepted")?
        .to_string();
    assert!(error.contains("Unknown magic byte"), "{error}");
    let error = env
        .converter(false, &[])?
        .to_connect_data("orders", &Headers::new(), Some(&[0, 0, 0, 0x7f, 0x7f, 2]))
        .err()
        .ok_or("an unknown id was accepted")?
        .to_string();
    assert!(error.contains("32639"), "{error}");

    env.registry.shutdown().await;
    Ok(())
}

async fn converter_key_subject(env: &Env) -> TestResult {
    let mut keys = env.converter(true, &[])?;
    let bytes = keys
        .from_connect_data(
            "orders",
            &mut Headers::new(),
            Some(&Schema::string()),
            &Value::from("k1"),
        )?
        .ok_or("null key")?;
    assert_eq!(
        env.get("/subjects/orders-key/versions").await?,
        (200, json!([1]))
    );
    let back = keys.to_connect_data("orders", &Headers::new(), Some(&bytes))?;
    assert_eq!(
        back,
        SchemaAndValue::new(
            Some(SchemaBuilder::string().version(1).build()?),
            Value::from("k1")
        )
    );
    Ok(())
}
