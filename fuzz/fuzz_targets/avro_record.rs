//! Record bytes read by `runtime::converters::avro` (a Kafka record key or value in
//! Confluent's wire format, so anything a producer wrote): the framing (`wire::decode`),
//! then the Avro binary datum read with a writer schema and mapped to Connect data, for
//! a plain-Avro schema (unions, enums, fixed, maps, arrays, logical types, recursion)
//! and for the schema Confluent's `AvroData` writes for a Connect struct. The first
//! input byte picks the schema; the rest is the framed record.
//!
//! Where reading succeeds, the value must write back (`wire::serialize` with the same
//! schema) and read again to the same schema and value. Reading must never panic, and
//! lengths taken from the input must not allocate beyond the input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use runtime::converters::avro::{wire, AvroData, AvroSchema};

/// A writer schema with every Avro type that reaches the Connect mapping.
const PLAIN: &str = r#"{"type":"record","name":"Rich","namespace":"fuzz","fields":[
  {"name":"b","type":"boolean"},
  {"name":"i","type":"int"},
  {"name":"l","type":"long"},
  {"name":"f","type":"float"},
  {"name":"d","type":"double"},
  {"name":"s","type":"string"},
  {"name":"by","type":"bytes"},
  {"name":"e","type":{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}},
  {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
  {"name":"a","type":{"type":"array","items":"int"}},
  {"name":"m","type":{"type":"map","values":["null","string"]}},
  {"name":"u","type":["null","int","string"]},
  {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
  {"name":"date","type":{"type":"int","logicalType":"date"}},
  {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"next","type":["null","Rich"],"default":null}
]}"#;

/// What Confluent's `AvroData` writes for a Connect struct with an optional nested struct,
/// an int16, a map with non-string keys and a Connect Decimal.
const CONNECT: &str = r#"{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[
  {"name":"short","type":{"type":"int","connect.type":"int16"}},
  {"name":"inner","type":["null",{"type":"record","name":"ConnectDefault2","fields":[{"name":"x","type":"long"}]}],"default":null},
  {"name":"pairs","type":{"type":"array","items":{"type":"record","name":"MapEntry","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}},
  {"name":"amount","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}}
]}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, framed)) = data.split_first() else {
        return;
    };
    static SCHEMAS: OnceLock<[AvroSchema; 2]> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        [PLAIN, CONNECT].map(|text| AvroSchema::parse_str(text).expect("the fuzz schemas are valid"))
    });
    let schema = &schemas[usize::from(pick % 2)];
    let avro_data = AvroData::default();
    let Ok((id, payload)) = wire::decode(framed) else {
        return;
    };
    let Ok((connect_schema, value)) = wire::deserialize_payload(&avro_data, schema, payload)
    else {
        return;
    };
    let written = wire::serialize(&avro_data, id, schema, &connect_schema, &value)
        .unwrap_or_else(|e| panic!("read {value:?} but cannot write it back: {e}"));
    let (again_id, again_payload) = wire::decode(&written).expect("written bytes are framed");
    assert_eq!(again_id, id);
    let again = wire::deserialize_payload(&avro_data, schema, again_payload)
        .unwrap_or_else(|e| panic!("cannot re-read what was written for {value:?}: {e}"));
    assert_eq!(again, (connect_schema, value), "round trip");
});
