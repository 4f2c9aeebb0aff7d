#!/usr/bin/env python3
"""Real Python Kafka clients against a broker: what a user's application would do.

    python3 clients.py --bootstrap 127.0.0.1:PORT --client confluent|kafka-python|aiokafka

Each client family creates its own topics (named after the client, plus a random suffix, so a
rerun against the same broker starts clean), produces records with known keys, values and
headers, reads them back in a consumer group, commits, and checks that a new consumer in the
same group resumes exactly at the committed offsets. Every check is printed; the first mismatch
ends the run with exit status 1 and a message saying what differed.

Run by broker/tests/compat.rs (through scripts/test, which installs the clients).
"""

import argparse
import asyncio
import sys
import time
import traceback
import uuid
import warnings

# Group joins against some brokers take about session.timeout / 2 (Tansu): keep it low.
SESSION_TIMEOUT_MS = 10_000
# Bounds every wait in this file; the Rust test kills the whole run later than this.
DEADLINE_S = 60


class Mismatch(Exception):
    """A check failed in a way that makes the rest of the run meaningless."""


# Mismatches found so far. A failed check is recorded and the run goes on, so that one run
# reports everything that differs; require() stops the run when going on makes no sense.
FAILURES = []


def ok(what):
    print(f"ok: {what}", flush=True)


def fail(what):
    print(f"MISMATCH: {what}", flush=True)
    FAILURES.append(what)


def check(cond, what, detail=""):
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
    """Runs fn(); an exception is recorded as a mismatch and the run goes on. True if it passed."""
    try:
        fn()
    except Exception as e:
        fail(f"{what}: {type(e).__name__}: {e}")
        return False
    ok(what)
    return True


def require(cond, what, detail=""):
    if not cond:
        raise Mismatch(f"{what}: {detail}" if detail else what)
    ok(what)


class Expected:
    """The records a client produces: per partition, record i is at offset base + i."""

    def __init__(self, topic, partitions, per_partition, tag, with_headers=True):
        self.topic = topic
        self.partitions = partitions
        self.per_partition = per_partition
        self.tag = tag
        self.with_headers = with_headers

    def key(self, partition, offset):
        return f"{self.tag}-key-{partition}-{offset}".encode()

    def value(self, partition, offset):
        # Repetitive, so that every codec really compresses it.
        return (f"{self.tag} value p{partition} o{offset} " * 8).encode()

    def headers(self, partition, offset):
        if not self.with_headers:
            return []
        return [("partition", str(partition).encode()), ("offset", str(offset).encode()), ("empty", b"")]

    def total(self):
        return self.partitions * self.per_partition


def verify_records(records, exp, start, end, what):
    """records: [(partition, offset, key, value, headers or None)] in arrival order.

    Checks that each partition p delivered exactly offsets start[p]..end[p]-1, in order, each
    with the expected key, value and headers (headers None: the client cannot read them).
    """
    problems = []
    by_partition = {}
    for partition, offset, key, value, headers in records:
        by_partition.setdefault(partition, []).append(offset)
        where = f"{exp.topic}[{partition}]@{offset}"
        if key != exp.key(partition, offset):
            problems.append(f"{where} key {key!r}, expected {exp.key(partition, offset)!r}")
        if value != exp.value(partition, offset):
            problems.append(f"{where} value {value!r}, expected {exp.value(partition, offset)!r}")
        if headers is not None:
            got = [(k, bytes(v) if v is not None else b"") for k, v in headers]
            if got != exp.headers(partition, offset):
                problems.append(f"{where} headers {got!r}, expected {exp.headers(partition, offset)!r}")
    for p in range(exp.partitions):
        got = by_partition.get(p, [])
        want = list(range(start[p], end[p]))
        if got != want:
            problems.append(f"partition {p} delivered offsets {summarize(got)}, expected {summarize(want)}")
    extra = set(by_partition) - set(range(exp.partitions))
    if extra:
        problems.append(f"records from unknown partitions {sorted(extra)}")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        fail(f"{what}: " + "; ".join(problems[:3]) + more)
        return
    ok(f"{what}: {len(records)} records, keys/values/headers exact, offsets contiguous "
       + ", ".join(f"p{p} {start[p]}..{end[p] - 1}" for p in range(exp.partitions)))


def summarize(offsets):
    if len(offsets) <= 12:
        return str(offsets)
    return f"[{', '.join(map(str, offsets[:6]))}, ..., {', '.join(map(str, offsets[-3:]))}] ({len(offsets)} offsets)"


def names(client):
    suffix = uuid.uuid4().hex[:8]
    base = f"compat-{client}-{suffix}"
    return base, f"{base}-group"


# ---------------------------------------------------------------------------------------------
# confluent-kafka (librdkafka 2.x, bundled in the wheel)

def run_confluent(bootstrap):
    import confluent_kafka
    from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

    print(f"confluent-kafka {confluent_kafka.__version__}, librdkafka {confluent_kafka.libversion()[0]}")
    base, group = names("confluent")
    topic = f"{base}-data"
    codecs = ["none", "gzip", "snappy", "lz4", "zstd"]
    per_codec = 8
    exp = Expected(topic, 3, per_codec * len(codecs), "confluent")
    common = {"bootstrap.servers": bootstrap, "broker.address.family": "v4"}

    # --- admin
    admin = AdminClient(common)
    futures = admin.create_topics([NewTopic(topic, num_partitions=exp.partitions, replication_factor=1,
                                            config={"retention.ms": "86400000"})],
                                  operation_timeout=30, request_timeout=30)
    futures[topic].result(timeout=DEADLINE_S)
    ok(f"AdminClient.create_topics {topic} (3 partitions, retention.ms=86400000)")

    dup = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)], request_timeout=30)
    try:
        dup[topic].result(timeout=DEADLINE_S)
        fail(f"creating {topic} a second time succeeded; expected TOPIC_ALREADY_EXISTS")
    except KafkaException as e:
        check_eq(e.args[0].name(), "TOPIC_ALREADY_EXISTS", "create_topics on an existing topic fails with")

    md = admin.list_topics(timeout=DEADLINE_S)
    check(topic in md.topics, f"list_topics lists {topic}", f"topics: {sorted(md.topics)}")
    check_eq(sorted(md.topics[topic].partitions), [0, 1, 2], "metadata partition ids")
    check(md.topics[topic].error is None, "metadata topic error is none", str(md.topics[topic].error))

    def describe(what):
        res = ConfigResource(ConfigResource.Type.TOPIC, topic)
        configs = admin.describe_configs([res], request_timeout=30)[res].result(timeout=DEADLINE_S)
        check(len(configs) > 0, f"describe_configs {what} returns configs")
        return {name: entry.value for name, entry in configs.items()}

    configs = describe("after create")
    check_eq(configs.get("retention.ms"), "86400000", "describe_configs retention.ms (set at creation)")
    check_eq(configs.get("cleanup.policy"), "delete", "describe_configs cleanup.policy (default)")

    res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"retention.ms": "3600000", "max.message.bytes": "2000000"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        altered = done = attempt("alter_configs retention.ms=3600000 max.message.bytes=2000000",
                       lambda: admin.alter_configs([res], request_timeout=30)[res].result(timeout=DEADLINE_S))
    if done:
        configs = describe("after alter_configs")
        check_eq(configs.get("retention.ms"), "3600000", "describe_configs retention.ms after alter_configs")
        check_eq(configs.get("max.message.bytes"), "2000000", "describe_configs max.message.bytes after alter_configs")

    res = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.bytes", "10485760", incremental_operation=AlterConfigOpType.SET)])
    done = attempt("incremental_alter_configs SET retention.bytes=10485760",
                   lambda: admin.incremental_alter_configs([res], request_timeout=30)[res].result(timeout=DEADLINE_S))
    if done:
        configs = describe("after incremental_alter_configs")
        check_eq(configs.get("retention.bytes"), "10485760", "describe_configs retention.bytes after incremental alter")
        check_eq(configs.get("retention.ms"), "3600000" if altered else "86400000",
                 "describe_configs retention.ms kept by incremental alter")

    # --- producers: one per codec, idempotent, acks=all; offsets must follow each other.
    base_ts = int(time.time() * 1000) - 60_000
    for ci, codec in enumerate(codecs):
        producer = Producer({**common, "acks": "all", "enable.idempotence": True, "compression.type": codec,
                             "linger.ms": 20, "message.timeout.ms": DEADLINE_S * 1000})
        reports = []

        def on_delivery(err, msg, reports=reports):
            reports.append((err, msg.partition(), msg.offset(), msg.key()))

        for p in range(exp.partitions):
            for i in range(per_codec):
                off = ci * per_codec + i
                producer.produce(topic, key=exp.key(p, off), value=exp.value(p, off), partition=p,
                                 headers=exp.headers(p, off), timestamp=base_ts + off, on_delivery=on_delivery)
        left = producer.flush(DEADLINE_S)
        require(left == 0, f"producer ({codec}) flush delivers every message", f"{left} undelivered")
        errors = [r for r in reports if r[0] is not None]
        require(not errors, f"producer ({codec}) delivery reports have no error", str(errors[:3]))
        for p in range(exp.partitions):
            got = sorted((off, key) for _, rp, off, key in reports if rp == p)
            want = [(ci * per_codec + i, exp.key(p, ci * per_codec + i)) for i in range(per_codec)]
            check(got == want, f"producer ({codec}, acks=all, idempotent) partition {p}: {per_codec} records at "
                  f"offsets {want[0][0]}..{want[-1][0]}", f"(offset, key) {got}, expected {want}")

    # --- consumer group: read all, commit the middle, a new consumer resumes from there.
    conf = {**common, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "session.timeout.ms": SESSION_TIMEOUT_MS, "heartbeat.interval.ms": 1000}

    def consume(consumer, count, what):
        records = []
        bad_timestamps = []
        deadline = time.monotonic() + DEADLINE_S
        while len(records) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise Mismatch(f"{what}: consumer error {msg.error()}")
            ts_type, ts = msg.timestamp()
            if ts_type != confluent_kafka.TIMESTAMP_CREATE_TIME or ts != base_ts + msg.offset():
                bad_timestamps.append(f"{topic}[{msg.partition()}]@{msg.offset()} timestamp (type {ts_type}, {ts}), "
                                      f"expected (CreateTime, {base_ts + msg.offset()})")
            records.append((msg.partition(), msg.offset(), msg.key(), msg.value(), msg.headers() or []))
        require(len(records) >= count, f"{what}: received {count} records within {DEADLINE_S}s", f"got {len(records)}")
        check(not bad_timestamps, f"{what}: CreateTime timestamps as produced",
              f"{len(bad_timestamps)} differ, first: {bad_timestamps[:1]}")
        extra = consumer.poll(1.0)
        check(extra is None or extra.error() is not None, f"{what}: no extra records",
              f"got {topic}[{extra.partition()}]@{extra.offset()}" if extra is not None else "")
        return records

    n = exp.per_partition
    mid = n // 2
    c1 = Consumer(conf)
    c1.subscribe([topic])
    records = consume(c1, exp.total(), "consumer 1 (group, from earliest)")
    verify_records(records, exp, [0] * 3, [n] * 3, "consumer 1")
    for p in range(exp.partitions):
        lo, hi = c1.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        check_eq((lo, hi), (0, n), f"watermarks of partition {p}")
    commits = [TopicPartition(topic, p, mid, metadata=f"checkpoint-{p}") for p in range(exp.partitions)]
    result = c1.commit(offsets=commits, asynchronous=False)
    errors = [tp for tp in result if tp.error]
    check(not errors, f"commitSync offsets {mid} on every partition", str(errors))
    committed = c1.committed([TopicPartition(topic, p) for p in range(exp.partitions)], timeout=30)
    check_eq([(tp.partition, tp.offset) for tp in committed], [(p, mid) for p in range(3)], "committed offsets read back")
    check_eq([tp.metadata for tp in committed], [f"checkpoint-{p}" for p in range(3)], "commit metadata round-trips")
    c1.close()
    ok("consumer 1 closed (left the group)")

    c2 = Consumer(conf)
    c2.subscribe([topic])
    records = consume(c2, exp.total() - mid * 3, "consumer 2 (same group, resumes)")
    verify_records(records, exp, [mid] * 3, [n] * 3, "consumer 2")
    result = c2.commit(asynchronous=False)
    check(not [tp for tp in result if tp.error], "commit of consumed positions")
    committed = c2.committed([TopicPartition(topic, p) for p in range(exp.partitions)], timeout=30)
    check_eq([tp.offset for tp in committed], [n] * 3, "committed offsets after consumer 2")
    c2.close()

    # --- two members at once: the partitions are split between them; when one leaves, the other
    # gets them all.
    pair_conf = {**conf, "group.id": f"{group}-pair"}
    a, b = Consumer(pair_conf), Consumer(pair_conf)
    a.subscribe([topic])
    b.subscribe([topic])

    def assignments():
        return [sorted(tp.partition for tp in c.assignment()) for c in (a, b)]

    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        for c in (a, b):
            c.poll(0.1)  # records are not checked here, only who owns which partition
        got = assignments()
        if got[0] and got[1] and sorted(got[0] + got[1]) == [0, 1, 2]:
            break
    got = assignments()
    check(got[0] and got[1] and sorted(got[0] + got[1]) == [0, 1, 2],
          f"two members in one group split the 3 partitions between them: {got}", "not split")
    a.close()
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline and sorted(tp.partition for tp in b.assignment()) != [0, 1, 2]:
        b.poll(0.1)
    check_eq(sorted(tp.partition for tp in b.assignment()), [0, 1, 2],
             "after one member leaves, the other is assigned every partition")
    b.close()


# ---------------------------------------------------------------------------------------------
# kafka-python (pure Python)

def run_kafka_python(bootstrap):
    import kafka
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError
    from kafka.structs import OffsetAndMetadata

    print(f"kafka-python {kafka.__version__}")
    base, group = names("kafka-python")
    topic = f"{base}-data"
    exp = Expected(topic, 2, 20, "kafka-python")

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    admin.create_topics([NewTopic(topic, exp.partitions, 1)], timeout_ms=30_000)
    ok(f"KafkaAdminClient.create_topics {topic} (2 partitions)")
    try:
        admin.create_topics([NewTopic(topic, 1, 1)], timeout_ms=30_000, raise_errors=True)
        fail(f"creating {topic} a second time succeeded; expected TopicAlreadyExistsError")
    except TopicAlreadyExistsError:
        ok("create_topics on an existing topic raises TopicAlreadyExistsError")
    topics = admin.list_topics()
    check(topic in topics, f"list_topics lists {topic}", f"topics: {sorted(topics)}")
    admin.close()

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=20,
                             request_timeout_ms=30_000)
    half = exp.per_partition // 2
    for p in range(exp.partitions):
        for off in range(exp.per_partition):
            if off == half:
                producer.flush(timeout=DEADLINE_S)  # a second batch, so offsets must continue across batches
            fut = producer.send(topic, key=exp.key(p, off), value=exp.value(p, off), partition=p,
                                headers=exp.headers(p, off))
            if off in (0, exp.per_partition - 1):
                md = fut.get(timeout=DEADLINE_S)
                check_eq((md.partition, md.offset), (p, off), f"produce {topic}[{p}] record {off} metadata")
    producer.flush(timeout=DEADLINE_S)
    producer.close(timeout=DEADLINE_S)
    ok(f"KafkaProducer (acks=all, gzip): {exp.total()} records")

    def consumer():
        return KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, session_timeout_ms=SESSION_TIMEOUT_MS,
                             heartbeat_interval_ms=1000, request_timeout_ms=30_000)

    def consume(c, count, what):
        records = []
        deadline = time.monotonic() + DEADLINE_S
        while len(records) < count and time.monotonic() < deadline:
            for tp, msgs in c.poll(timeout_ms=500).items():
                for m in msgs:
                    records.append((m.partition, m.offset, m.key, m.value, m.headers))
        require(len(records) >= count, f"{what}: received {count} records within {DEADLINE_S}s", f"got {len(records)}")
        extra = [m for msgs in c.poll(timeout_ms=1000).values() for m in msgs]
        check(not extra, f"{what}: no extra records", str(extra[:1]))
        return records

    n, mid = exp.per_partition, exp.per_partition // 2
    c1 = consumer()
    records = consume(c1, exp.total(), "consumer 1 (group, from earliest)")
    verify_records(records, exp, [0, 0], [n, n], "consumer 1")
    c1.commit({TopicPartition(topic, p): OffsetAndMetadata(mid, f"meta-{p}", -1) for p in range(exp.partitions)})
    ok(f"commit offsets {mid} on both partitions")
    check_eq([c1.committed(TopicPartition(topic, p)) for p in range(exp.partitions)], [mid, mid],
             "committed offsets read back")
    end = c1.end_offsets([TopicPartition(topic, p) for p in range(exp.partitions)])
    check_eq(sorted((tp.partition, o) for tp, o in end.items()), [(0, n), (1, n)], "end_offsets")
    c1.close()
    ok("consumer 1 closed")

    c2 = consumer()
    records = consume(c2, exp.total() - 2 * mid, "consumer 2 (same group, resumes)")
    verify_records(records, exp, [mid, mid], [n, n], "consumer 2")
    c2.commit()
    check_eq([c2.committed(TopicPartition(topic, p)) for p in range(exp.partitions)], [n, n],
             "committed offsets after consumer 2")
    c2.close()


# ---------------------------------------------------------------------------------------------
# aiokafka (asyncio; sends ApiVersions v0 only)

def run_aiokafka(bootstrap):
    asyncio.run(asyncio.wait_for(aiokafka_checks(bootstrap), timeout=170))


async def aiokafka_checks(bootstrap):
    import aiokafka
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.structs import OffsetAndMetadata

    print(f"aiokafka {aiokafka.__version__}")
    base, group = names("aiokafka")
    topic = f"{base}-data"
    exp = Expected(topic, 2, 16, "aiokafka")

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    try:
        await admin.start()
        await admin.create_topics([NewTopic(topic, exp.partitions, 1)], timeout_ms=30_000)
        ok(f"AIOKafkaAdminClient.create_topics {topic} (2 partitions)")
        topics = await admin.list_topics()
        check(topic in topics, f"list_topics lists {topic}", f"topics: {sorted(topics)}")
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                compression_type="gzip", linger_ms=20, request_timeout_ms=30_000)
    try:
        await producer.start()
        for p in range(exp.partitions):
            futures = [await producer.send(topic, key=exp.key(p, off), value=exp.value(p, off), partition=p,
                                           headers=exp.headers(p, off))
                       for off in range(exp.per_partition)]
            got = [(m.partition, m.offset) for m in [await f for f in futures]]
            want = [(p, o) for o in range(exp.per_partition)]
            check(got == want, f"AIOKafkaProducer (acks=all, idempotent, gzip) partition {p}: offsets 0..{exp.per_partition - 1}",
                  f"(partition, offset) {got}, expected {want}")
    finally:
        await producer.stop()

    async def consume(c, count, what):
        records = []
        deadline = time.monotonic() + DEADLINE_S
        while len(records) < count and time.monotonic() < deadline:
            batch = await c.getmany(timeout_ms=500)
            for tp, msgs in batch.items():
                for m in msgs:
                    records.append((m.partition, m.offset, m.key, m.value, list(m.headers)))
        require(len(records) >= count, f"{what}: received {count} records within {DEADLINE_S}s", f"got {len(records)}")
        extra = [m for msgs in (await c.getmany(timeout_ms=1000)).values() for m in msgs]
        check(not extra, f"{what}: no extra records", str(extra[:1]))
        return records

    def consumer():
        return AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False, session_timeout_ms=SESSION_TIMEOUT_MS,
                                heartbeat_interval_ms=1000, request_timeout_ms=30_000)

    n, mid = exp.per_partition, exp.per_partition // 2
    c1 = consumer()
    try:
        await c1.start()
        records = await consume(c1, exp.total(), "consumer 1 (group, from earliest)")
        verify_records(records, exp, [0, 0], [n, n], "consumer 1")
        await c1.commit({TopicPartition(topic, p): OffsetAndMetadata(mid, f"meta-{p}") for p in range(exp.partitions)})
        ok(f"commit offsets {mid} on both partitions")
        check_eq([await c1.committed(TopicPartition(topic, p)) for p in range(exp.partitions)], [mid, mid],
                 "committed offsets read back")
    finally:
        await c1.stop()
    ok("consumer 1 stopped")

    c2 = consumer()
    try:
        await c2.start()
        records = await consume(c2, exp.total() - 2 * mid, "consumer 2 (same group, resumes)")
        verify_records(records, exp, [mid, mid], [n, n], "consumer 2")
        await c2.commit()
        check_eq([await c2.committed(TopicPartition(topic, p)) for p in range(exp.partitions)], [n, n],
                 "committed offsets after consumer 2")
    finally:
        await c2.stop()


CLIENTS = {"confluent": run_confluent, "kafka-python": run_kafka_python, "aiokafka": run_aiokafka}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="host:port of the broker")
    parser.add_argument("--client", required=True, choices=sorted(CLIENTS))
    args = parser.parse_args()
    started = time.monotonic()
    try:
        CLIENTS[args.client](args.bootstrap)
    except Mismatch as e:
        FAILURES.append(f"{e} (run stopped here)")
    except Exception as e:  # a client error is a failure too: say which client and what
        traceback.print_exc()
        FAILURES.append(f"{type(e).__name__}: {e} (run stopped here)")
    elapsed = time.monotonic() - started
    if FAILURES:
        print(f"FAIL ({args.client}): {len(FAILURES)} mismatch(es) in {elapsed:.1f}s:", flush=True)
        for f in FAILURES:
            print(f"  - {f}", flush=True)
        return 1
    print(f"PASS ({args.client}): all checks passed in {elapsed:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
