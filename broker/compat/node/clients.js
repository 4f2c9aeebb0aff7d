#!/usr/bin/env node
// kafkajs 2.x against a broker: admin, an acks=all gzip producer, a consumer group that commits,
// and a second consumer that must resume exactly at the committed offsets.
//
//     node clients.js --bootstrap 127.0.0.1:PORT
//
// Every check is printed; mismatches are collected and the run exits 1 listing them all.
// Run by broker/tests/compat.rs (through scripts/test, which runs `npm ci` here).
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const crypto = require('crypto');
const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes } = require('kafkajs');

// Group joins against some brokers take about session.timeout / 2 (Tansu): keep it low.
const SESSION_TIMEOUT_MS = 10000;
// Bounds every wait in this file; the Rust test kills the whole run later than this.
const DEADLINE_MS = 60000;

const failures = [];
class Mismatch extends Error {}

const ok = (what) => console.log(`ok: ${what}`);
function fail(what) {
  console.log(`MISMATCH: ${what}`);
  failures.push(what);
}
function check(cond, what, detail) {
  if (cond) ok(what);
  else fail(detail ? `${what}: ${detail}` : what);
  return cond;
}
function checkEq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a === e) {
    ok(`${what}: ${e}`);
    return true;
  }
  fail(`${what}: expected ${e}, got ${a}`);
  return false;
}
function require_(cond, what, detail) {
  if (!cond) throw new Mismatch(detail ? `${what}: ${detail}` : what);
  ok(what);
}
async function attempt(what, fn) {
  try {
    const result = await fn();
    ok(what);
    return result;
  } catch (e) {
    fail(`${what}: ${e.name}: ${e.message}`);
    return undefined;
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(cond, ms) {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await sleep(100);
  return cond();
}

function parseArgs() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--bootstrap');
  if (i < 0 || !args[i + 1]) {
    console.error('usage: node clients.js --bootstrap HOST:PORT');
    process.exit(2);
  }
  return { bootstrap: args[i + 1] };
}

// Record `offset` of partition p: what was produced there.
const key = (p, o) => `kafkajs-key-${p}-${o}`;
const value = (p, o) => `kafkajs value p${p} o${o} `.repeat(8);
const headers = (p, o) => ({ partition: String(p), offset: String(o) });

function verifyRecords(records, partitions, start, end, what) {
  const problems = [];
  const byPartition = new Map();
  for (const r of records) {
    if (!byPartition.has(r.partition)) byPartition.set(r.partition, []);
    byPartition.get(r.partition).push(r.offset);
    const where = `[${r.partition}]@${r.offset}`;
    if (r.key !== key(r.partition, r.offset)) problems.push(`${where} key ${JSON.stringify(r.key)}`);
    if (r.value !== value(r.partition, r.offset)) problems.push(`${where} value ${JSON.stringify(r.value)}`);
    const want = JSON.stringify(headers(r.partition, r.offset));
    if (JSON.stringify(r.headers) !== want) problems.push(`${where} headers ${JSON.stringify(r.headers)}, expected ${want}`);
  }
  for (let p = 0; p < partitions; p++) {
    const got = byPartition.get(p) || [];
    const want = [];
    for (let o = start[p]; o < end[p]; o++) want.push(o);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`partition ${p} delivered offsets ${JSON.stringify(got)}, expected ${start[p]}..${end[p] - 1}`);
    }
  }
  for (const p of byPartition.keys()) if (p < 0 || p >= partitions) problems.push(`records from unknown partition ${p}`);
  if (problems.length) {
    fail(`${what}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
    return;
  }
  const ranges = start.map((s, p) => `p${p} ${s}..${end[p] - 1}`).join(', ');
  ok(`${what}: ${records.length} records, keys/values/headers exact, offsets contiguous ${ranges}`);
}

async function consumeGroup(kafka, groupId, topic, count, what) {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: 1000,
    rebalanceTimeout: 30000,
    maxWaitTimeInMs: 500,
  });
  const records = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const hs = {};
      for (const [k, v] of Object.entries(message.headers || {})) hs[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
      records.push({
        partition,
        offset: Number(message.offset),
        key: message.key ? message.key.toString() : null,
        value: message.value ? message.value.toString() : null,
        headers: hs,
      });
    },
  });
  const got = await waitFor(() => records.length >= count, DEADLINE_MS);
  if (!got) await consumer.disconnect();
  require_(got, `${what}: received ${count} records within ${DEADLINE_MS / 1000}s`, `got ${records.length}`);
  await sleep(1000);
  check(records.length === count, `${what}: no extra records`, `got ${records.length - count} more`);
  return { consumer, records };
}

// Two members at once split the partitions; when one leaves, the other gets them all.
async function twoMembers(kafka, groupId, topic, partitions) {
  const all = [...Array(partitions).keys()];
  const members = [0, 1].map(() => {
    const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    const member = { consumer, assigned: [] };
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      member.assigned = (e.payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b);
    });
    return member;
  });
  try {
    for (const m of members) {
      await m.consumer.connect();
      await m.consumer.subscribe({ topics: [topic], fromBeginning: true });
      await m.consumer.run({ autoCommit: false, eachMessage: async () => {} });
    }
    const split = () => {
      const [a, b] = members.map((m) => m.assigned);
      return a.length > 0 && b.length > 0 && JSON.stringify([...a, ...b].sort((x, y) => x - y)) === JSON.stringify(all);
    };
    await waitFor(split, DEADLINE_MS);
    const got = members.map((m) => m.assigned);
    check(split(), `two members in one group split the ${partitions} partitions between them: ${JSON.stringify(got)}`, 'not split');
    await members[0].consumer.disconnect();
    const rest = members[1];
    await waitFor(() => JSON.stringify(rest.assigned) === JSON.stringify(all), DEADLINE_MS);
    checkEq(rest.assigned, all, 'after one member leaves, the other is assigned every partition');
  } finally {
    for (const m of members) await m.consumer.disconnect();
  }
}

async function run(bootstrap) {
  const suffix = crypto.randomBytes(4).toString('hex');
  const topic = `compat-kafkajs-${suffix}-data`;
  const groupId = `compat-kafkajs-${suffix}-group`;
  const partitions = 2;
  const perPartition = 20;
  const mid = perPartition / 2;
  console.log(`kafkajs ${require('kafkajs/package.json').version}, node ${process.version}`);

  const kafka = new Kafka({
    clientId: 'sluice-compat',
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 5 },
  });

  // --- admin
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
      waitForLeaders: true,
      timeout: 30000,
    });
    checkEq(created, true, `admin.createTopics ${topic} (2 partitions) returns`);
    const again = await attempt('admin.createTopics on an existing topic', () =>
      admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], timeout: 30000 }),
    );
    if (again !== undefined) checkEq(again, false, 'admin.createTopics on an existing topic returns');

    const topics = await admin.listTopics();
    check(topics.includes(topic), `admin.listTopics lists ${topic}`, JSON.stringify(topics));
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const parts = md.topics[0].partitions.slice().sort((a, b) => a.partitionId - b.partitionId);
    checkEq(parts.map((p) => p.partitionId), [0, 1], 'fetchTopicMetadata partition ids');
    checkEq(parts.map((p) => p.partitionErrorCode), [0, 0], 'fetchTopicMetadata partition error codes');
    check(parts.every((p) => p.leader >= 0 && p.replicas.includes(p.leader) && p.isr.includes(p.leader)),
      'fetchTopicMetadata: each partition has a leader in its replicas and isr', JSON.stringify(parts));

    const described = await attempt('admin.describeConfigs', () =>
      admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }],
        includeSynonyms: false,
      }),
    );
    if (described) {
      const res = described.resources[0];
      checkEq(res.errorCode, 0, 'describeConfigs error code');
      const cfg = Object.fromEntries(res.configEntries.map((e) => [e.configName, e.configValue]));
      checkEq(cfg['retention.ms'], '86400000', 'describeConfigs retention.ms (set at creation)');
      checkEq(cfg['cleanup.policy'], 'delete', 'describeConfigs cleanup.policy (default)');
    }

    // --- producer: acks=-1, gzip, two sends, so offsets must continue across batches.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (const [from, to] of [[0, mid], [mid, perPartition]]) {
        const messages = [];
        for (let p = 0; p < partitions; p++) {
          for (let o = from; o < to; o++) messages.push({ partition: p, key: key(p, o), value: value(p, o), headers: headers(p, o) });
        }
        const meta = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, timeout: 30000, messages });
        const got = meta.map((m) => [m.partition, m.errorCode, Number(m.baseOffset)]).sort((a, b) => a[0] - b[0]);
        checkEq(got, [[0, 0, from], [1, 0, from]], `producer.send (acks -1, gzip) records ${from}..${to - 1}: [partition, error, baseOffset]`);
      }
    } finally {
      await producer.disconnect();
    }
    const latest = await admin.fetchTopicOffsets(topic);
    checkEq(latest.map((o) => [o.partition, o.low, o.high]).sort((a, b) => a[0] - b[0]),
      [[0, '0', String(perPartition)], [1, '0', String(perPartition)]], 'fetchTopicOffsets [partition, low, high]');

    // --- consumer group: read all, commit the middle, a new consumer resumes from there.
    const end = [perPartition, perPartition];
    const first = await consumeGroup(kafka, groupId, topic, partitions * perPartition, 'consumer 1 (group, from beginning)');
    verifyRecords(first.records, partitions, [0, 0], end, 'consumer 1');
    await first.consumer.commitOffsets([0, 1].map((partition) => ({ topic, partition, offset: String(mid) })));
    ok(`consumer 1 commitOffsets ${mid} on both partitions`);
    await first.consumer.disconnect();
    ok('consumer 1 disconnected (left the group)');
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    checkEq(committed[0].partitions.map((p) => [p.partition, p.offset]).sort((a, b) => a[0] - b[0]),
      [[0, String(mid)], [1, String(mid)]], 'admin.fetchOffsets committed [partition, offset]');

    const second = await consumeGroup(kafka, groupId, topic, partitions * (perPartition - mid), 'consumer 2 (same group, resumes)');
    verifyRecords(second.records, partitions, [mid, mid], end, 'consumer 2');
    await second.consumer.commitOffsets([0, 1].map((partition) => ({ topic, partition, offset: String(perPartition) })));
    await second.consumer.disconnect();
    const after = await admin.fetchOffsets({ groupId, topics: [topic] });
    checkEq(after[0].partitions.map((p) => [p.partition, p.offset]).sort((a, b) => a[0] - b[0]),
      [[0, String(perPartition)], [1, String(perPartition)]], 'committed offsets after consumer 2');
    await twoMembers(kafka, `${groupId}-pair`, topic, partitions);
    const groups = await admin.listGroups();
    check(groups.groups.some((g) => g.groupId === groupId), `admin.listGroups lists ${groupId}`, JSON.stringify(groups));
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  const { bootstrap } = parseArgs();
  const started = Date.now();
  try {
    await run(bootstrap);
  } catch (e) {
    if (!(e instanceof Mismatch)) console.log(e.stack);
    failures.push(`${e.name}: ${e.message} (run stopped here)`);
  }
  const elapsed = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length) {
    console.log(`FAIL (kafkajs): ${failures.length} mismatch(es) in ${elapsed}s:`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log(`PASS (kafkajs): all checks passed in ${elapsed}s`);
  process.exit(0);
}

main();
