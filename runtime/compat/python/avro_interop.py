"""confluent-kafka's Avro serializer and deserializer as peers of sluice's AvroConverter, driven
by tests/avro_interop.rs.

  avro_interop.py --bootstrap H:P --registry URL --consume TOPIC --count N --produce TOPIC

1. Reads N records of TOPIC (written by sluice's AvroConverter) with AvroDeserializer and
   prints them as one JSON line: {"consumed": [dict, ...]}.
2. Writes two records with rich Avro types to the --produce topic with AvroSerializer (the
   schema is registered as <topic>-value) and prints {"produced": N}.

The Rust test checks what sluice's AvroConverter (and Confluent's, in Java) read back from
the produced topic against the values below; keep them in step.
"""

import argparse
import datetime
import decimal
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

RICH_SCHEMA = {
    "type": "record",
    "name": "Rich",
    "namespace": "py",
    "doc": "written by confluent-kafka",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "b", "type": "boolean"},
        {"name": "s", "type": "string"},
        {"name": "raw", "type": "bytes"},
        {"name": "opt", "type": ["null", "string"], "default": None},
        {"name": "arr", "type": {"type": "array", "items": "int"}},
        {"name": "m", "type": {"type": "map", "values": "long"}},
        {
            "name": "nested",
            "type": {
                "type": "record",
                "name": "Nested",
                "fields": [{"name": "x", "type": "int"}, {"name": "tag", "type": "string"}],
            },
        },
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
        {
            "name": "dec",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 3},
        },
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}

RECORDS = [
    {
        "i": -7,
        "l": 9000000000,
        "f": 1.5,
        "d": 2.25,
        "b": True,
        "s": "héllo",
        "raw": b"\x00\x01\xff",
        "opt": "present",
        "arr": [1, 2, 3],
        "m": {"a": 1, "b": -2},
        "nested": {"x": 5, "tag": "n1"},
        "color": "GREEN",
        "dec": decimal.Decimal("12.345"),
        "day": datetime.date(2022, 1, 8),
        "ts": datetime.datetime.fromtimestamp(1700000000.123, tz=datetime.timezone.utc),
    },
    {
        "i": 0,
        "l": -1,
        "f": -0.25,
        "d": 1e100,
        "b": False,
        "s": "",
        "raw": b"",
        "opt": None,
        "arr": [],
        "m": {},
        "nested": {"x": -1, "tag": ""},
        "color": "RED",
        "dec": decimal.Decimal("-0.001"),
        "day": datetime.date(1970, 1, 1),
        "ts": datetime.datetime.fromtimestamp(0, tz=datetime.timezone.utc),
    },
]


def consume(args, registry):
    deserializer = AvroDeserializer(registry)
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": "avro-interop-python",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([args.consume])
    records = []
    deadline = time.monotonic() + 60
    try:
        while len(records) < args.count:
            if time.monotonic() > deadline:
                sys.exit(f"read {len(records)} of {args.count} records of {args.consume} in 60 s")
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                sys.exit(f"consume error: {message.error()}")
            context = SerializationContext(message.topic(), MessageField.VALUE)
            records.append(deserializer(message.value(), context))
    finally:
        consumer.close()
    print(json.dumps({"consumed": records}, ensure_ascii=False), flush=True)


def produce(args, registry):
    serializer = AvroSerializer(registry, json.dumps(RICH_SCHEMA))
    producer = Producer({"bootstrap.servers": args.bootstrap})
    errors = []
    for record in RECORDS:
        value = serializer(record, SerializationContext(args.produce, MessageField.VALUE))
        producer.produce(args.produce, value=value, on_delivery=lambda e, _m: e and errors.append(e))
    remaining = producer.flush(30)
    if remaining or errors:
        sys.exit(f"produce failed: {remaining} undelivered, errors {errors}")
    print(json.dumps({"produced": len(RECORDS)}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--consume", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--produce", required=True)
    args = parser.parse_args()
    registry = SchemaRegistryClient({"url": args.registry})
    consume(args, registry)
    produce(args, registry)


if __name__ == "__main__":
    main()
