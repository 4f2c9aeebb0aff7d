#!/usr/bin/env node
// @kafkajs/confluent-schema-registry 3.x (and kafkajs 2.x) against the sluice schema registry.
//
// Checks that a second, independent registry client works unchanged against sluice: register
// (which also reads and sets the subject's compatibility), ids by subject, version and schema,
// fetching a schema by id, encode/decode in the Confluent wire format, an evolved schema and a
// reader schema, an incompatible schema rejected with HTTP 409; records produced and consumed
// through the sluice broker with kafkajs and decoded with the registry; and, across languages,
// the records confluent-kafka (Python) wrote, decoded here byte for byte, and records written here
// for the Python check to decode.
//
//     node registry_clients.js --registry URL --bootstrap HOST:PORT --topic T
//          [--py-topic T --expect-in FILE] [--expect-out FILE]
//
// --py-topic/--expect-in: the topic the Python check produced and the records it wrote there, in
// the raw Avro form (bytes as {"$bytes": hex}, logical types as their underlying values).
// --expect-out: where to write the records produced to --topic, in that form, for Python.
//
// Every check is printed; mismatches are collected and the run exits 1 listing them all, and
// ends with an "ok" line with counts when there are none. Run by tests/registry_clients.rs.
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

// Bounds every wait in this file; the Rust test kills the whole run later than this.
const DEADLINE_MS = 60000;

const failures = [];
let checks = 0;

const ok = (what) => {
  checks += 1;
  console.log(`ok: ${what}`);
};
function fail(what) {
  checks += 1;
  console.log(`MISMATCH: ${what}`);
  failures.push(what);
}
function check(cond, what, detail) {
  if (cond) ok(what);
  else fail(detail ? `${what}: ${detail}` : what);
  return cond;
}
// Buffers as {"$bytes": hex}, object keys sorted: a comparable JSON text.
function canonical(value) {
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('hex') };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical(value[k]);
    return out;
  }
  return value;
}
function checkEq(actual, expected, what) {
  const a = JSON.stringify(canonical(actual));
  const e = JSON.stringify(canonical(expected));
  if (a === e) {
    ok(`${what}: ${e.length > 200 ? `${e.slice(0, 200)}…` : e}`);
    return true;
  }
  fail(`${what}: expected ${e}, got ${a}`);
  return false;
}
async function attempt(what, fn) {
  try {
    const result = await fn();
    ok(what);
    return result;
  } catch (e) {
    fail(`${what}: ${e && e.name}: ${e && e.message}`);
    return undefined;
  }
}
// fn must reject with an HTTP error of this status.
async function expectStatus(what, fn, status) {
  try {
    const result = await fn();
    fail(`${what}: expected HTTP ${status}, got success ${JSON.stringify(result)}`);
    return undefined;
  } catch (e) {
    check(e && e.status === status, `${what} fails with HTTP ${status}`, `got ${e && e.name} status ${e && e.status}: ${e && e.message}`);
    return e;
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(cond, ms) {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await sleep(100);
  return cond();
}
// Raw JSON form → Avro values avsc encodes: {"$bytes": hex} → Buffer.
function fromRaw(value) {
  if (Array.isArray(value)) return value.map(fromRaw);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(value.$bytes, 'hex');
    const out = {};
    for (const k of keys) out[k] = fromRaw(value[k]);
    return out;
  }
  return value;
}

function parseArgs() {
  const args = process.argv.slice(2);
  const get = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const opts = {
    registry: get('--registry'),
    bootstrap: get('--bootstrap'),
    topic: get('--topic') || 'registry-clients-node',
    pyTopic: get('--py-topic'),
    expectIn: get('--expect-in'),
    expectOut: get('--expect-out'),
  };
  if (!opts.registry || !opts.bootstrap) {
    console.error('usage: node registry_clients.js --registry URL --bootstrap HOST:PORT [--topic T] [--py-topic T --expect-in FILE] [--expect-out FILE]');
    process.exit(2);
  }
  return opts;
}

const record = (name, fields) => ({ type: 'record', name, namespace: 'sluice.node', fields });
const PERSON_V1 = record('Person', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int' },
]);
const PERSON_V2 = record('Person', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int' },
  { name: 'email', type: ['null', 'string'], default: null },
]);
// A field without a default: BACKWARD incompatible with v2.
const PERSON_BAD = record('Person', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int' },
  { name: 'email', type: ['null', 'string'], default: null },
  { name: 'country', type: 'string' },
]);
// What Node writes for Python: no logical types, so both sides agree on the values.
const NODE_EVENT = record('NodeEvent', [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
  { name: 'score', type: 'double' },
  { name: 'active', type: 'boolean' },
  { name: 'payload', type: 'bytes' },
  { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] } },
  { name: 'tags', type: { type: 'array', items: 'string' } },
  { name: 'counts', type: { type: 'map', values: 'int' } },
  { name: 'inner', type: record('Inner', [{ name: 'x', type: 'int' }, { name: 'label', type: ['null', 'string'], default: null }]) },
  { name: 'maybe', type: ['null', 'long'], default: null },
]);
const nodeEvents = () =>
  [0, 1, 2, 3, 4].map((i) => ({
    id: 9000000000 + i,
    name: `node-${i} ✓`,
    score: i * 0.25 - 1,
    active: i % 2 === 1,
    payload: Buffer.from(Array.from({ length: i * 3 }, (_, j) => (j * 37 + i) % 256)),
    kind: ['A', 'B', 'C'][i % 3],
    tags: Array.from({ length: i }, (_, j) => `n${j}`),
    counts: Object.fromEntries(Array.from({ length: i % 3 }, (_, j) => [`c${j}`, j - i])),
    inner: { x: -i, label: i % 2 ? null : `inner ${i}` },
    maybe: i % 2 ? i * 1000 : null,
  }));

async function apiChecks(url) {
  const registry = new SchemaRegistry({ host: url });
  const subject = 'node-person';
  const v1 = { type: SchemaType.AVRO, schema: JSON.stringify(PERSON_V1) };
  const v2 = { type: SchemaType.AVRO, schema: JSON.stringify(PERSON_V2) };
  const bad = { type: SchemaType.AVRO, schema: JSON.stringify(PERSON_BAD) };

  const reg1 = await attempt(`register v1 under ${subject}`, () => registry.register(v1, { subject }));
  const id1 = reg1 && reg1.id;
  check(Number.isInteger(id1) && id1 > 0, 'register returns a positive id', `got ${JSON.stringify(reg1)}`);
  // A new client: the second registration reads the compatibility the first one set.
  const again = await attempt('register v1 again', () => new SchemaRegistry({ host: url }).register(v1, { subject }));
  checkEq(again && again.id, id1, 'registering the same schema again returns the same id');
  // The client compares GET /config/{subject} (set to BACKWARD by the first registration)
  // with the compatibility asked for, and refuses a mismatch itself.
  const mismatch = await attempt('register asking for FULL on a BACKWARD subject', async () => {
    try {
      await new SchemaRegistry({ host: url }).register(v1, { subject, compatibility: 'FULL' });
      return 'registered';
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  });
  checkEq(
    mismatch,
    'ConfluentSchemaRegistryCompatibilityError: Compatibility does not match the configuration (FULL != BACKWARD)',
    'the subject-level compatibility reads back as BACKWARD',
  );
  const fresh = () => new SchemaRegistry({ host: url });
  checkEq(await attempt('getLatestSchemaId', () => fresh().getLatestSchemaId(subject)), id1, 'latest id');
  checkEq(await attempt('getRegistryId(1)', () => fresh().getRegistryId(subject, 1)), id1, 'id of version 1');
  checkEq(await attempt("getRegistryId('latest')", () => fresh().getRegistryId(subject, 'latest')), id1, 'id of latest');
  checkEq(await attempt('getRegistryIdBySchema', () => fresh().getRegistryIdBySchema(subject, v1)), id1, 'id by schema');
  const missing = await attempt('getRegistryIdBySchema of an unregistered schema', async () => {
    try {
      await fresh().getRegistryIdBySchema(subject, bad);
      return 'found';
    } catch (e) {
      return e.name;
    }
  });
  checkEq(missing, 'ConfluentSchemaRegistryError', 'an unregistered schema is not found (404)');
  await expectStatus('getRegistryId of a missing version', () => fresh().getRegistryId(subject, 99), 404);
  await expectStatus('getLatestSchemaId of a missing subject', () => fresh().getLatestSchemaId('node-none'), 404);
  await expectStatus('getSchema of a missing id', () => fresh().getSchema(987654), 404);

  const type = await attempt(`getSchema(${id1})`, () => fresh().getSchema(id1));
  if (type) {
    checkEq(type.name, 'sluice.node.Person', 'the fetched schema is the registered record');
    checkEq(type.fields.map((f) => f.name), ['name', 'age'], 'its fields');
  }

  // encode/decode: through a fresh client each way, so the schema is fetched by id.
  const people = [
    { name: 'Ada', age: 36 },
    { name: 'Grace', age: 85 },
    { name: '', age: -1 },
    { name: 'ü ✓ 日本', age: 2147483647 },
  ];
  let v1Bytes;
  for (const [i, p] of people.entries()) {
    const buf = await attempt(`encode person ${i}`, () => fresh().encode(id1, p));
    if (!buf) continue;
    if (i === 0) v1Bytes = buf;
    check(buf[0] === 0 && buf.readInt32BE(1) === id1, `person ${i} has magic 0 and id ${id1}`, `header ${buf.subarray(0, 5).toString('hex')}`);
    checkEq(await attempt(`decode person ${i}`, () => fresh().decode(buf)), p, `person ${i} round trip`);
  }

  const reg2 = await attempt('register the evolved v2', () => fresh().register(v2, { subject }));
  const id2 = reg2 && reg2.id;
  check(Number.isInteger(id2) && id2 !== id1, 'the evolved schema gets a new id', `got ${id2} (v1 ${id1})`);
  checkEq(await attempt('getLatestSchemaId after v2', () => fresh().getLatestSchemaId(subject)), id2, 'latest id is v2');
  checkEq(await attempt('getRegistryId(2)', () => fresh().getRegistryId(subject, 2)), id2, 'id of version 2');
  if (v1Bytes) {
    checkEq(
      await attempt('decode v1 bytes with the v2 reader schema', () => fresh().decode(v1Bytes, { [SchemaType.AVRO]: { readerSchema: PERSON_V2 } })),
      { name: 'Ada', age: 36, email: null },
      'schema resolution fills the default',
    );
  }
  const withEmail = { name: 'Linus', age: 54, email: 'l@example.com' };
  const buf2 = await attempt('encode with v2', () => fresh().encode(id2, withEmail));
  if (buf2) checkEq(await attempt('decode v2', () => fresh().decode(buf2)), withEmail, 'v2 round trip');

  const rejected = await expectStatus('register an incompatible schema', () => fresh().register(bad, { subject }), 409);
  if (rejected) check(/incompatible|compatib/i.test(rejected.message), 'the 409 says why', `got ${rejected.message}`);
  checkEq(await attempt('getLatestSchemaId after the rejection', () => fresh().getLatestSchemaId(subject)), id2, 'still v2');

  // No subject: the client uses the record's full name.
  const thing = { type: SchemaType.AVRO, schema: JSON.stringify(record('Thing', [{ name: 'x', type: 'long' }])) };
  const regThing = await attempt('register without a subject', () => fresh().register(thing));
  checkEq(
    await attempt('getLatestSchemaId(sluice.node.Thing)', () => fresh().getLatestSchemaId('sluice.node.Thing')),
    regThing && regThing.id,
    'the subject is the full name',
  );
}

async function consumeAll(kafka, groupId, topic, count, what) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  const messages = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void messages.push(message) });
  const got = await waitFor(() => messages.length >= count, DEADLINE_MS);
  await consumer.disconnect();
  check(got && messages.length === count, `${what}: consumed ${count} records from ${topic}`, `got ${messages.length}`);
  messages.sort((a, b) => Number(a.offset) - Number(b.offset));
  return messages;
}

async function kafkaChecks(opts) {
  const registry = new SchemaRegistry({ host: opts.registry });
  const kafka = new Kafka({ clientId: 'sluice-registry-clients', brokers: [opts.bootstrap], logLevel: logLevel.WARN });
  const subject = `${opts.topic}-value`;
  const reg = await attempt(`register NodeEvent under ${subject}`, () =>
    registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(NODE_EVENT) }, { subject }),
  );
  if (!reg) return 0;
  const events = nodeEvents();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const messages = [];
  for (const [i, e] of events.entries()) {
    messages.push({ key: `node-key-${i}`, value: await registry.encode(reg.id, e) });
  }
  await attempt(`produce ${events.length} records to ${opts.topic}`, () => producer.send({ topic: opts.topic, acks: -1, messages }));
  await producer.disconnect();

  const got = await consumeAll(kafka, `${opts.topic}-node`, opts.topic, events.length, 'kafkajs');
  const decoder = new SchemaRegistry({ host: opts.registry });
  for (const [i, m] of got.entries()) {
    checkEq(m.key && m.key.toString(), `node-key-${i}`, `record ${i} key`);
    checkEq(await attempt(`decode record ${i}`, () => decoder.decode(m.value)), events[i], `record ${i} value`);
  }
  if (opts.expectOut) {
    const records = events.map((e, i) => ({ key: `node-key-${i}`, value: canonical(e) }));
    fs.writeFileSync(opts.expectOut, JSON.stringify({ topic: opts.topic, records }));
    ok(`wrote the expected records to ${opts.expectOut}`);
  }
  let count = events.length;

  if (opts.pyTopic && opts.expectIn) {
    const expected = JSON.parse(fs.readFileSync(opts.expectIn, 'utf8')).records;
    const fromPy = await consumeAll(kafka, `${opts.pyTopic}-node`, opts.pyTopic, expected.length, 'records Python wrote');
    const pyDecoder = new SchemaRegistry({ host: opts.registry });
    for (const [i, m] of fromPy.entries()) {
      const want = expected[i];
      if (want.value === null) {
        check(m.value === null, `python record ${i} is a tombstone`, `got ${m.value && m.value.length} bytes`);
        continue;
      }
      // The key is Avro "string" with the Confluent header too.
      checkEq(await attempt(`decode python key ${i}`, () => pyDecoder.decode(m.key)), want.key, `python record ${i} key`);
      checkEq(await attempt(`decode python record ${i}`, () => pyDecoder.decode(m.value)), fromRaw(want.value), `python record ${i} value`);
    }
    count += fromPy.length;
  }
  return count;
}

async function main() {
  const opts = parseArgs();
  let records = 0;
  try {
    await apiChecks(opts.registry);
    records = await kafkaChecks(opts);
  } catch (e) {
    fail(`unexpected ${e && e.name}: ${e && e.stack}`);
  }
  if (failures.length) {
    console.log(`\n${failures.length} of ${checks} checks failed:`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log(`ok: all ${checks} checks passed (${records} records decoded)`);
  process.exit(0);
}

main();
