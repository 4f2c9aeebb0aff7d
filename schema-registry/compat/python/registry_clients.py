#!/usr/bin/env python3
"""confluent-kafka's Schema Registry client and Avro serdes against the sluice registry.

Checks that a real, widely used registry client works unchanged against sluice: the REST calls
it makes (register, lookup, fetch by id and version, subjects and versions, compatibility
config and tests, soft and permanent deletes), the error fields it reads (HTTP status and
`error_code`, 409 for an incompatible schema: sluice's documented choice), and a round trip of
records through `AvroSerializer` → the sluice broker → `AvroDeserializer`, including nested
records, arrays, maps, unions, enums, bytes and logical types.

    registry_clients.py --registry URL --bootstrap HOST:PORT --phase PHASE [options]

Phases (run by tests/registry_clients.rs):
  api              the client API checks above
  produce          serialize and produce records to --topic, consume them back and compare;
                   writes the records, in the raw Avro form another language decodes them to,
                   to --expect-out for the Node check
  read-node        consume --topic that the Node check wrote and compare with --expect-in
  before-restart   register schemas and produce records; save ids to --state
  after-restart    with fresh clients, check the ids, schemas and records from --state

Every check is printed; mismatches are collected and the run exits 1 listing them all, and ends
with an "ok" line with counts when there are none.
"""

import argparse
import datetime
import decimal
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, record_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

# Bounds every wait for records; the Rust test kills the whole run later than this.
DEADLINE_S = 60

FAILURES = []
CHECKS = [0]


def ok(what):
    CHECKS[0] += 1
    print(f"ok: {what}", flush=True)


def fail(what):
    CHECKS[0] += 1
    print(f"MISMATCH: {what}", flush=True)
    FAILURES.append(what)


def check(cond, what, detail=None):
    if cond:
        ok(what)
    else:
        fail(f"{what}: {detail}" if detail else what)
    return cond


def check_eq(actual, expected, what):
    if actual == expected:
        ok(f"{what}: {expected!r}")
        return True
    fail(f"{what}: expected {expected!r}, got {actual!r}")
    return False


def attempt(what, fn):
    """Runs fn, recording an exception as a mismatch; returns its result or None."""
    try:
        result = fn()
        ok(what)
        return result
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        fail(f"{what}: {type(e).__name__}: {e}")
        return None


def expect_error(what, fn, status, code):
    """fn must raise SchemaRegistryError with this HTTP status and error_code."""
    try:
        result = fn()
    except SchemaRegistryError as e:
        check(
            e.http_status_code == status and e.error_code == code,
            f"{what} fails with HTTP {status}, error_code {code}",
            f"got HTTP {e.http_status_code}, error_code {e.error_code}, message {e.error_message!r}",
        )
        return e
    except Exception as e:  # noqa: BLE001
        fail(f"{what}: expected SchemaRegistryError {status}/{code}, got {type(e).__name__}: {e}")
        return None
    fail(f"{what}: expected SchemaRegistryError {status}/{code}, got success {result!r}")
    return None


def finish(summary):
    if FAILURES:
        print(f"\n{len(FAILURES)} of {CHECKS[0]} checks failed:", flush=True)
        for f in FAILURES:
            print(f"  - {f}", flush=True)
        sys.exit(1)
    print(f"ok: all {CHECKS[0]} checks passed ({summary})", flush=True)


def client(url):
    """A new client: its caches are empty, so every call reaches the registry."""
    return SchemaRegistryClient({"url": url})


def record(name, fields, namespace="sluice.clients"):
    return {"type": "record", "name": name, "namespace": namespace, "fields": fields}


PERSON_V1 = record("Person", [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}])
# Adds a field with a default: BACKWARD compatible.
PERSON_V2 = record(
    "Person",
    [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": ["null", "string"], "default": None},
    ],
)
# Adds a field without a default: a v2 reader cannot read v1 data, so BACKWARD incompatible.
PERSON_BAD = record(
    "Person",
    [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "country", "type": "string"},
    ],
)


def avro(schema):
    return Schema(json.dumps(schema), "AVRO")


# ---------------------------------------------------------------------------------------------
# api


def phase_api(url, prefix):
    sr = client(url)
    a, b, c = f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"
    v1, v2, bad = avro(PERSON_V1), avro(PERSON_V2), avro(PERSON_BAD)

    types = attempt("get_schema_types", lambda: client(url).get_schema_types())
    check(types is not None and "AVRO" in types, "schema types include AVRO", f"got {types!r}")

    id1 = attempt(f"register v1 under {a}", lambda: sr.register_schema(a, v1))
    check(isinstance(id1, int) and id1 > 0, "register returns a positive id", f"got {id1!r}")
    # A new client, so that the registry (not the client's cache) answers.
    check_eq(attempt("register v1 again", lambda: client(url).register_schema(a, v1)), id1,
             "registering the same schema again returns the same id")
    check_eq(attempt(f"register v1 under {b}", lambda: client(url).register_schema(b, v1)), id1,
             "the same schema under a second subject gets the same id")
    full = attempt("register_schema_full_response", lambda: client(url).register_schema_full_response(a, v1))
    if full is not None:
        check_eq(full.schema_id, id1, "register_schema_full_response id")

    fetched = attempt(f"get_schema({id1})", lambda: client(url).get_schema(id1))
    if fetched is not None:
        check_eq(json.loads(fetched.schema_str), PERSON_V1, "get_schema returns the registered schema")
        check(fetched.schema_type in (None, "AVRO"), "get_schema type is AVRO", f"got {fetched.schema_type!r}")

    for what, fn in [
        ("get_latest_version", lambda: client(url).get_latest_version(a)),
        ("get_version(1)", lambda: client(url).get_version(a, 1)),
        ("get_version('latest')", lambda: client(url).get_version(a, "latest")),
        ("lookup_schema", lambda: client(url).lookup_schema(a, v1)),
    ]:
        got = attempt(f"{what} on {a}", fn)
        if got is not None:
            check_eq((got.subject, got.version, got.schema_id), (a, 1, id1), f"{what} subject, version, id")
            check_eq(json.loads(got.schema.schema_str), PERSON_V1, f"{what} schema")

    expect_error("lookup_schema of a schema not under the subject", lambda: client(url).lookup_schema(a, v2), 404, 40403)
    expect_error("lookup_schema on a missing subject", lambda: client(url).lookup_schema(f"{prefix}-none", v1), 404, 40401)
    expect_error("get_schema of a missing id", lambda: client(url).get_schema(987654), 404, 40403)
    expect_error("get_version of a missing version", lambda: client(url).get_version(a, 42), 404, 40402)
    expect_error("get_latest_version of a missing subject", lambda: client(url).get_latest_version(f"{prefix}-none"), 404, 40401)
    expect_error("get_versions of a missing subject", lambda: client(url).get_versions(f"{prefix}-none"), 404, 40401)
    expect_error("register an invalid schema", lambda: client(url).register_schema(c, Schema('{"type":"record","name":"X"}', "AVRO")), 422, 42201)

    subjects = attempt("get_subjects", lambda: sr.get_subjects())
    check(subjects is not None and a in subjects and b in subjects, "get_subjects lists both subjects", f"got {subjects!r}")
    check_eq(attempt("get_subjects(prefix)", lambda: sr.get_subjects(subject_prefix=f"{prefix}-a")), [a],
             "get_subjects with a prefix")
    check_eq(attempt("get_versions", lambda: sr.get_versions(a)), [1], f"versions of {a}")
    check_eq(sorted(attempt("get_subjects_by_schema_id", lambda: sr.get_subjects_by_schema_id(id1)) or []), [a, b],
             f"subjects of id {id1}")
    versions = attempt("get_schema_versions", lambda: sr.get_schema_versions(id1)) or []
    check_eq(sorted((v.subject, v.version) for v in versions), [(a, 1), (b, 1)], f"subject-versions of id {id1}")

    check_eq(attempt("get_compatibility (global)", lambda: sr.get_compatibility()), "BACKWARD",
             "the default global compatibility")
    expect_error(f"get_compatibility of {a} before it is set", lambda: sr.get_compatibility(a), 404, 40408)
    set_result = attempt("set_compatibility FULL", lambda: sr.set_compatibility(a, "FULL"))
    check_eq(set_result, {"compatibility": "FULL"}, "set_compatibility echoes the level")
    check_eq(attempt("get_compatibility", lambda: sr.get_compatibility(a)), "FULL", f"compatibility of {a}")
    check_eq(attempt("set_compatibility BACKWARD", lambda: sr.set_compatibility(a, "backward")),
             {"compatibility": "BACKWARD"}, "levels are case-insensitive")
    expect_error("set_compatibility to an invalid level", lambda: sr.set_compatibility(a, "SIDEWAYS"), 422, 42203)

    check_eq(attempt("test_compatibility v2", lambda: sr.test_compatibility(a, v2)), True,
             "a field added with a default is compatible")
    check_eq(attempt("test_compatibility bad", lambda: sr.test_compatibility(a, bad)), False,
             "a field added without a default is incompatible")
    check_eq(attempt("test_compatibility bad version 1", lambda: sr.test_compatibility(a, bad, version=1)), False,
             "against version 1 too")
    check_eq(attempt("test_compatibility_all_versions v2", lambda: sr.test_compatibility_all_versions(a, v2)), True,
             "v2 against all versions")
    check_eq(attempt("test_compatibility on a new subject", lambda: sr.test_compatibility(f"{prefix}-none", bad)),
             True, "anything is compatible with a missing subject's latest")

    id2 = attempt("register v2", lambda: sr.register_schema(a, v2))
    check(isinstance(id2, int) and id2 != id1, "an evolved schema gets a new id", f"got {id2!r} (v1 {id1})")
    latest = attempt("get_latest_version after v2", lambda: client(url).get_latest_version(a))
    if latest is not None:
        check_eq((latest.version, latest.schema_id), (2, id2), "the evolved schema is version 2")
    check_eq(attempt("get_versions after v2", lambda: client(url).get_versions(a)), [1, 2], f"versions of {a}")

    err = expect_error("register an incompatible schema", lambda: client(url).register_schema(a, bad), 409, 409)
    if err is not None:
        check(bool(err.error_message), "the 409 carries a message", f"got {err.error_message!r}")
    check_eq(attempt("get_versions after the rejection", lambda: client(url).get_versions(a)), [1, 2],
             "a rejected schema adds no version")
    # With NONE, the same schema is accepted as version 3.
    attempt("set_compatibility NONE", lambda: sr.set_compatibility(a, "NONE"))
    id3 = attempt("register the incompatible schema under NONE", lambda: client(url).register_schema(a, bad))
    check(isinstance(id3, int) and id3 not in (id1, id2), "it gets a third id", f"got {id3!r}")

    # Subject-level config removed: the subject falls back to the global level.
    attempt("delete_config", lambda: sr.delete_config(a))
    expect_error(f"get_compatibility of {a} after delete_config", lambda: sr.get_compatibility(a), 404, 40408)

    # Modes: a READONLY subject refuses registrations.
    check_eq(attempt("get_global_mode", lambda: sr.get_global_mode()), "READWRITE", "the default global mode")
    check_eq(attempt("update_mode READONLY", lambda: sr.update_mode(c, "READONLY")), "READONLY", "update_mode echoes the mode")
    check_eq(attempt("get_mode", lambda: sr.get_mode(c)), "READONLY", f"mode of {c}")
    expect_error("register under a READONLY subject", lambda: client(url).register_schema(c, v1), 422, 42205)
    attempt("delete_mode", lambda: sr.delete_mode(c))
    check_eq(attempt(f"register under {c} after delete_mode", lambda: client(url).register_schema(c, v1)), id1,
             "registrations work again")

    # Deletes: version 3 soft then permanent; subject b soft then permanent.
    check_eq(attempt("delete_version 3", lambda: client(url).delete_version(a, 3)), 3, "soft delete returns the version")
    check_eq(attempt("get_versions after the soft delete", lambda: client(url).get_versions(a)), [1, 2],
             "a soft-deleted version is hidden")
    check_eq(attempt("get_versions(deleted=True)", lambda: client(url).get_versions(a, deleted=True)), [1, 2, 3],
             "and listed with deleted=True")
    expect_error("get_version of a soft-deleted version", lambda: client(url).get_version(a, 3), 404, 40402)
    got = attempt("get_version(3, deleted=True)", lambda: client(url).get_version(a, 3, deleted=True))
    if got is not None:
        check_eq((got.version, got.schema_id), (3, id3), "a soft-deleted version is readable with deleted=True")
    expect_error("lookup_schema of a soft-deleted version", lambda: client(url).lookup_schema(a, bad), 404, 40403)
    got = attempt("lookup_schema(deleted=True)", lambda: client(url).lookup_schema(a, bad, deleted=True))
    if got is not None:
        check_eq((got.version, got.schema_id), (3, id3), "and found by lookup with deleted=True")
    check_eq(attempt("delete_version 3 permanent", lambda: client(url).delete_version(a, 3, permanent=True)), 3,
             "permanent delete returns the version")
    check_eq(attempt("get_versions(deleted=True) after the permanent delete",
                     lambda: client(url).get_versions(a, deleted=True)), [1, 2], "the version is gone")
    expect_error("permanent delete of a live version", lambda: client(url).delete_version(a, 2, permanent=True), 404, 40407)

    expect_error("permanent delete of a live subject", lambda: client(url).delete_subject(b, permanent=True), 404, 40405)
    check_eq(attempt(f"delete_subject {b}", lambda: client(url).delete_subject(b)), [1], "soft delete returns its versions")
    subjects = attempt("get_subjects after the soft delete", lambda: client(url).get_subjects()) or []
    check(b not in subjects and a in subjects, "a soft-deleted subject is hidden", f"got {subjects!r}")
    subjects = attempt("get_subjects(deleted=True)", lambda: client(url).get_subjects(deleted=True)) or []
    check(b in subjects, "and listed with deleted=True", f"got {subjects!r}")
    expect_error("get_latest_version of a soft-deleted subject", lambda: client(url).get_latest_version(b), 404, 40401)
    check_eq(attempt(f"delete_subject {b} permanent", lambda: client(url).delete_subject(b, permanent=True)), [1],
             "permanent delete returns its versions")
    subjects = attempt("get_subjects(deleted=True) after the permanent delete",
                       lambda: client(url).get_subjects(deleted=True)) or []
    check(b not in subjects, "the subject is gone", f"got {subjects!r}")
    # The id survives under the other subject; registering again under b reuses it.
    check_eq(attempt("get_schema after the deletes", lambda: json.loads(client(url).get_schema(id1).schema_str)),
             PERSON_V1, f"id {id1} still resolves")
    check_eq(attempt(f"register v1 under {b} again", lambda: client(url).register_schema(b, v1)), id1,
             "re-registering after a permanent delete reuses the id")
    check_eq(attempt(f"versions of {b}", lambda: client(url).get_versions(b)), [1], "it starts again at version 1")


# ---------------------------------------------------------------------------------------------
# Records with every Avro type the serdes handle.

COLOR = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}
ADDRESS = record("Address", [{"name": "street", "type": "string"}, {"name": "zip", "type": ["null", "int"], "default": None}])
EVENT = record(
    "Event",
    [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "score", "type": "double"},
        {"name": "ratio", "type": "float"},
        {"name": "active", "type": "boolean"},
        {"name": "payload", "type": "bytes"},
        {"name": "color", "type": COLOR},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "counts", "type": {"type": "map", "values": "long"}},
        {"name": "address", "type": ADDRESS},
        {"name": "previous", "type": ["null", "sluice.clients.Address"], "default": None},
        {"name": "note", "type": ["null", "string", "int"], "default": None},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
    ],
)
UTC = datetime.timezone.utc


def events():
    out = []
    for i in range(6):
        out.append({
            "id": 1_000_000_000_000 + i,
            "name": f"event-{i} ✓",
            "score": i * 1.5 - 2.25,
            "ratio": 0.5 * i,  # exactly representable as a float
            "active": i % 2 == 0,
            "payload": bytes(range(i, i + 4 * i)),
            "color": COLOR["symbols"][i % 3],
            "tags": [f"t{j}" for j in range(i)],
            "counts": {f"k{j}": j * -7 for j in range(i % 3)},
            "address": {"street": f"{i} Main St", "zip": None if i % 2 else 10000 + i},
            "previous": None if i % 3 else {"street": "Old Rd", "zip": i},
            "note": [None, f"note {i}", i][i % 3],
            "amount": decimal.Decimal(f"{-1 if i == 4 else 1}{i}234.5{i}"),
            "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=37 * i),
            "at": datetime.datetime(2024, 5, 6, 7, 8, 9, i * 1000 * 111, tzinfo=UTC),
            "uid": uuid.UUID(int=0x12345678_9ABC_4DEF_8123_456789ABCDEF + i),
        })
    return out


def raw(value):
    """The value as an Avro decoder without logical types returns it, JSON-encodable: bytes as
    {"$bytes": hex}, decimal as its unscaled two's-complement bytes, date as days since the
    epoch, timestamp-millis as milliseconds, uuid as its string."""
    if isinstance(value, decimal.Decimal):
        unscaled = int(value.scaleb(2))
        length = max(1, (unscaled.bit_length() + 8) // 8)
        return {"$bytes": unscaled.to_bytes(length, "big", signed=True).hex()}
    if isinstance(value, datetime.datetime):
        return int((value - datetime.datetime(1970, 1, 1, tzinfo=UTC)) / datetime.timedelta(milliseconds=1))
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, dict):
        return {k: raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [raw(v) for v in value]
    return value


def from_raw_bytes(value):
    if isinstance(value, dict) and set(value) == {"$bytes"}:
        return bytes.fromhex(value["$bytes"])
    if isinstance(value, dict):
        return {k: from_raw_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_raw_bytes(v) for v in value]
    return value


def produce(bootstrap, topic, items, key_ser, value_ser):
    """Produces (key, value) pairs; returns the raw value bytes in order."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    raw_values = []
    for key, value in items:
        k = key_ser(key, SerializationContext(topic, MessageField.KEY)) if key_ser else key
        v = value_ser(value, SerializationContext(topic, MessageField.VALUE))
        raw_values.append(v)
        producer.produce(topic, key=k, value=v,
                         on_delivery=lambda err, _msg: errors.append(err) if err else None)
    left = producer.flush(DEADLINE_S)
    check(left == 0 and not errors, f"produced {len(items)} records to {topic}", f"{left} unflushed, errors {errors}")
    return raw_values


def consume(bootstrap, topic, count, group):
    """Reads count records from the start of topic; returns the messages."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    got = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                fail(f"consume {topic}: {msg.error()}")
                break
            got.append(msg)
    finally:
        consumer.close()
    check_eq(len(got), count, f"records consumed from {topic}")
    return got


def schema_id_of(value_bytes):
    if value_bytes is None or len(value_bytes) < 5 or value_bytes[0] != 0:
        return None
    return int.from_bytes(value_bytes[1:5], "big")


def phase_produce(url, bootstrap, topic, expect_out):
    sr = client(url)
    value_ser = AvroSerializer(sr, json.dumps(EVENT), conf={"auto.register.schemas": True})
    key_ser = AvroSerializer(sr, '"string"')
    items = [(f"key-{i}", e) for i, e in enumerate(events())] + [("tombstone", None)]
    raw_values = produce(bootstrap, topic, items, key_ser, value_ser)

    latest = attempt(f"get_latest_version({topic}-value)", lambda: client(url).get_latest_version(f"{topic}-value"))
    key_latest = attempt(f"get_latest_version({topic}-key)", lambda: client(url).get_latest_version(f"{topic}-key"))
    if latest is not None:
        check_eq(latest.version, 1, "TopicNameStrategy registered the value schema as version 1")
        check(all(schema_id_of(v) == latest.schema_id for v in raw_values if v is not None),
              "every value carries magic byte 0 and the registered id",
              f"ids {[schema_id_of(v) for v in raw_values]} vs {latest.schema_id}")
    if key_latest is not None:
        # The client sends "string" as {"type":"string"}; Confluent stores and answers Java's
        # Schema.toString() of it, the bare "string".
        check_eq(key_latest.schema.schema_str, '"string"', "the key schema is Java's \"string\"")

    # A serializer that must not register: it looks the schema up (POST /subjects/{s}).
    lookup_ser = AvroSerializer(client(url), json.dumps(EVENT), conf={"auto.register.schemas": False})
    looked_up = attempt("serialize with auto.register.schemas=False",
                        lambda: lookup_ser(events()[0], SerializationContext(topic, MessageField.VALUE)))
    if looked_up is not None and latest is not None:
        check_eq(schema_id_of(looked_up), latest.schema_id, "the looked-up id")
        check_eq(looked_up, raw_values[0], "the same bytes as the registering serializer")
    latest_ser = AvroSerializer(client(url), json.dumps(EVENT),
                                conf={"auto.register.schemas": False, "use.latest.version": True})
    with_latest = attempt("serialize with use.latest.version=True",
                          lambda: latest_ser(events()[1], SerializationContext(topic, MessageField.VALUE)))
    if with_latest is not None:
        check_eq(with_latest, raw_values[1], "use.latest.version writes the same bytes")
    record_ser = AvroSerializer(client(url), json.dumps(EVENT),
                                conf={"subject.name.strategy": record_subject_name_strategy})
    by_record = attempt("serialize with RecordNameStrategy",
                        lambda: record_ser(events()[2], SerializationContext(topic, MessageField.VALUE)))
    record_latest = attempt("get_latest_version(sluice.clients.Event)",
                            lambda: client(url).get_latest_version("sluice.clients.Event"))
    if by_record is not None and record_latest is not None and latest is not None:
        check_eq(record_latest.schema_id, latest.schema_id, "RecordNameStrategy's subject has the same id")
        check_eq(by_record, raw_values[2], "and the same bytes")

    missing_ser = AvroSerializer(client(url), json.dumps(PERSON_V1), conf={"auto.register.schemas": False})
    expect_error("serialize a schema not under the subject with auto.register.schemas=False",
                 lambda: missing_ser({"name": "x", "age": 1}, SerializationContext(topic, MessageField.VALUE)),
                 404, 40403)
    missing_ser = AvroSerializer(client(url), json.dumps(PERSON_V1), conf={"auto.register.schemas": False})
    expect_error("serialize to a topic without a subject with auto.register.schemas=False",
                 lambda: missing_ser({"name": "x", "age": 1}, SerializationContext(f"{topic}-none", MessageField.VALUE)),
                 404, 40401)

    value_de = AvroDeserializer(client(url))
    key_de = AvroDeserializer(client(url))
    messages = consume(bootstrap, topic, len(items), f"{topic}-py")
    for i, msg in enumerate(messages):
        key, expected = items[i]
        got_key = attempt(f"deserialize key {i}", lambda: key_de(msg.key(), SerializationContext(topic, MessageField.KEY)))
        check_eq(got_key, key, f"record {i} key")
        got = attempt(f"deserialize value {i}", lambda: value_de(msg.value(), SerializationContext(topic, MessageField.VALUE)))
        check_eq(got, expected, f"record {i} value")

    if expect_out:
        with open(expect_out, "w", encoding="utf-8") as f:
            json.dump({"topic": topic, "records": [{"key": k, "value": raw(v) if v is not None else None}
                                                   for k, v in items]}, f)
        ok(f"wrote the expected records to {expect_out}")
    return len(items)


def phase_read_node(url, bootstrap, topic, expect_in):
    with open(expect_in, encoding="utf-8") as f:
        expected = json.load(f)
    records = expected["records"]
    value_de = AvroDeserializer(client(url))
    messages = consume(bootstrap, topic, len(records), f"{topic}-py-reader")
    for i, msg in enumerate(messages):
        check_eq(msg.key().decode() if msg.key() else None, records[i]["key"], f"node record {i} key")
        got = attempt(f"deserialize node record {i}",
                      lambda: value_de(msg.value(), SerializationContext(topic, MessageField.VALUE)))
        check_eq(got, from_raw_bytes(records[i]["value"]), f"node record {i} value")
    return len(records)


# ---------------------------------------------------------------------------------------------
# restart


def phase_before_restart(url, bootstrap, topic, prefix, state_path):
    sr = client(url)
    ids = {}
    for name, schema in [("v1", PERSON_V1), ("v2", PERSON_V2)]:
        ids[name] = attempt(f"register {name}", lambda: sr.register_schema(f"{prefix}-person", avro(schema)))
    ids["other"] = attempt("register v1 under another subject",
                           lambda: sr.register_schema(f"{prefix}-other", avro(PERSON_V1)))
    check_eq(ids["other"], ids["v1"], "the same schema keeps its id across subjects")
    attempt("set_compatibility FULL", lambda: sr.set_compatibility(f"{prefix}-person", "FULL"))
    items = [(f"k{i}", e) for i, e in enumerate(events())]
    raw_values = produce(bootstrap, topic, items, None, AvroSerializer(sr, json.dumps(EVENT)))
    with open(state_path, "w", encoding="utf-8") as f:
        json.dump({"ids": ids, "event_id": schema_id_of(raw_values[0]), "count": len(items)}, f)
    ok(f"saved the state to {state_path}")
    return len(ids)


def phase_after_restart(url, bootstrap, topic, prefix, state_path):
    with open(state_path, encoding="utf-8") as f:
        state = json.load(f)
    ids = state["ids"]
    person, other = f"{prefix}-person", f"{prefix}-other"
    check_eq(sorted(attempt("get_subjects", lambda: client(url).get_subjects()) or []),
             sorted([person, other, f"{topic}-value"]), "the subjects survive the restart")
    check_eq(attempt("get_versions", lambda: client(url).get_versions(person)), [1, 2], "the versions survive")
    for version, name, schema in [(1, "v1", PERSON_V1), (2, "v2", PERSON_V2)]:
        got = attempt(f"get_version({version})", lambda: client(url).get_version(person, version))
        if got is not None:
            check_eq((got.schema_id, json.loads(got.schema.schema_str)), (ids[name], schema),
                     f"version {version} keeps its id and schema")
        fetched = attempt(f"get_schema({ids[name]})", lambda: client(url).get_schema(ids[name]))
        if fetched is not None:
            check_eq(json.loads(fetched.schema_str), schema, f"id {ids[name]} resolves to the same schema")
        check_eq(attempt(f"register {name} again", lambda: client(url).register_schema(person, avro(schema))),
                 ids[name], f"re-registering {name} returns its old id")
    check_eq(attempt("get_compatibility", lambda: client(url).get_compatibility(person)), "FULL",
             "the subject's compatibility survives")
    new_id = attempt("register a new schema", lambda: client(url).register_schema(
        f"{prefix}-new", avro(record("Fresh", [{"name": "x", "type": "long"}]))))
    check(isinstance(new_id, int) and new_id > max(list(ids.values()) + [state["event_id"]]),
          "a new schema gets an id above every id issued before the restart", f"got {new_id!r}, before {ids}")
    messages = consume(bootstrap, topic, state["count"], f"{topic}-after-restart")
    value_de = AvroDeserializer(client(url))
    expected = events()
    for i, msg in enumerate(messages):
        check_eq(schema_id_of(msg.value()), state["event_id"], f"record {i} schema id")
        got = attempt(f"deserialize record {i} after the restart",
                      lambda: value_de(msg.value(), SerializationContext(topic, MessageField.VALUE)))
        check_eq(got, expected[i], f"record {i} value")
    return state["count"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registry", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--phase", required=True,
                        choices=["api", "produce", "read-node", "before-restart", "after-restart"])
    parser.add_argument("--topic", default="registry-clients-py")
    parser.add_argument("--prefix", default="py")
    parser.add_argument("--expect-out")
    parser.add_argument("--expect-in")
    parser.add_argument("--state")
    args = parser.parse_args()

    if args.phase == "api":
        phase_api(args.registry, args.prefix)
        finish("client API")
    elif args.phase == "produce":
        n = phase_produce(args.registry, args.bootstrap, args.topic, args.expect_out)
        finish(f"{n} records round-tripped")
    elif args.phase == "read-node":
        n = phase_read_node(args.registry, args.bootstrap, args.topic, args.expect_in)
        finish(f"{n} records written by Node decoded")
    elif args.phase == "before-restart":
        n = phase_before_restart(args.registry, args.bootstrap, args.topic, args.prefix, args.state)
        finish(f"{n} registrations saved")
    else:
        n = phase_after_restart(args.registry, args.bootstrap, args.topic, args.prefix, args.state)
        finish(f"{n} records decoded after the restart")


if __name__ == "__main__":
    main()
