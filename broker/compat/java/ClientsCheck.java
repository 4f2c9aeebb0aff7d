// The Java Kafka clients (3.9) against a broker: Admin, idempotent acks=all producers with every
// codec, a consumer group that commits, and a second consumer that must resume exactly at the
// committed offsets.
//
//     javac -cp "$SLUICE_JAVA_CP" -d OUT ClientsCheck.java
//     java -cp "OUT:$SLUICE_JAVA_CP" ClientsCheck --bootstrap 127.0.0.1:PORT
//
// Every check is printed; mismatches are collected and the run exits 1 listing them all.
// Run by broker/tests/compat.rs (through scripts/test, which fetches the jars).

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class ClientsCheck {
    /** Group joins against some brokers take about session.timeout / 2 (Tansu): keep it low. */
    private static final int SESSION_TIMEOUT_MS = 10_000;
    /** Bounds every wait here; the Rust test kills the whole run later than this. */
    private static final long DEADLINE_MS = 60_000;
    private static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
    private static final int PARTITIONS = 2;
    private static final int PER_CODEC = 6;
    private static final int PER_PARTITION = PER_CODEC * CODECS.length;

    private static final List<String> FAILURES = new ArrayList<>();
    /** Record o of every partition is produced with timestamp BASE_TS + o. */
    private static long BASE_TS;

    /** A check failed in a way that makes the rest of the run meaningless. */
    private static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    private static void ok(String what) {
        System.out.println("ok: " + what);
    }

    private static void fail(String what) {
        System.out.println("MISMATCH: " + what);
        FAILURES.add(what);
    }

    private static boolean check(boolean cond, String what, String detail) {
        if (cond) {
            ok(what);
        } else {
            fail(what + ": " + detail);
        }
        return cond;
    }

    private static boolean checkEq(Object actual, Object expected, String what) {
        if (Objects.equals(actual, expected)) {
            ok(what + ": " + expected);
            return true;
        }
        fail(what + ": expected " + expected + ", got " + actual);
        return false;
    }

    private static void require(boolean cond, String what, String detail) {
        if (!cond) {
            throw new Mismatch(what + ": " + detail);
        }
        ok(what);
    }

    private static String key(int p, long o) {
        return "java-key-" + p + "-" + o;
    }

    private static String value(int p, long o) {
        return ("java value p" + p + " o" + o + " ").repeat(8);
    }

    private static List<Header> headers(int p, long o) {
        return List.of(
                new RecordHeader("partition", bytes(String.valueOf(p))),
                new RecordHeader("offset", bytes(String.valueOf(o))),
                new RecordHeader("empty", new byte[0]));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static String headersText(Iterable<Header> hs) {
        StringBuilder sb = new StringBuilder("[");
        for (Header h : hs) {
            sb.append(h.key()).append('=').append(str(h.value())).append(';');
        }
        return sb.append(']').toString();
    }

    public static void main(String[] args) {
        String bootstrap = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--bootstrap")) {
                bootstrap = args[i + 1];
            }
        }
        if (bootstrap == null) {
            System.err.println("usage: java ClientsCheck --bootstrap HOST:PORT");
            System.exit(2);
        }
        long started = System.nanoTime();
        try {
            run(bootstrap);
        } catch (Mismatch e) {
            FAILURES.add(e.getMessage() + " (run stopped here)");
        } catch (Exception e) {
            e.printStackTrace(System.out);
            FAILURES.add(e + " (run stopped here)");
        }
        String elapsed = String.format("%.1fs", (System.nanoTime() - started) / 1e9);
        if (!FAILURES.isEmpty()) {
            System.out.println("FAIL (java): " + FAILURES.size() + " mismatch(es) in " + elapsed + ":");
            FAILURES.forEach(f -> System.out.println("  - " + f));
            System.out.flush();
            System.exit(1);
        }
        System.out.println("PASS (java): all checks passed in " + elapsed);
        System.out.flush();
        System.exit(0);
    }

    private static void run(String bootstrap) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "compat-java-" + suffix + "-data";
        String group = "compat-java-" + suffix + "-group";
        System.out.println("kafka-clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                + ", java " + System.getProperty("java.version"));

        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        common.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        common.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DEADLINE_MS);

        try (Admin admin = Admin.create(common)) {
            admin(admin, topic);
            produce(common, topic);
            consume(common, admin, topic, group);
        }
    }

    private static void admin(Admin admin, String topic) throws Exception {
        NewTopic nt = new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of("retention.ms", "86400000"));
        admin.createTopics(List.of(nt)).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        ok("Admin.createTopics " + topic + " (2 partitions, retention.ms=86400000)");
        try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            fail("creating " + topic + " a second time succeeded; expected TopicExistsException");
        } catch (ExecutionException e) {
            check(e.getCause() instanceof TopicExistsException, "createTopics on an existing topic fails with TopicExistsException",
                    String.valueOf(e.getCause()));
        }

        Set<String> names = admin.listTopics().names().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        check(names.contains(topic), "Admin.listTopics lists " + topic, names.toString());
        TopicDescription desc = admin.describeTopics(List.of(topic)).allTopicNames().get(DEADLINE_MS, TimeUnit.MILLISECONDS).get(topic);
        checkEq(desc.partitions().size(), PARTITIONS, "describeTopics partition count");
        check(desc.topicId() != null && !desc.topicId().equals(org.apache.kafka.common.Uuid.ZERO_UUID),
                "describeTopics topic id is set", String.valueOf(desc.topicId()));
        String cluster = admin.describeCluster().clusterId().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        check(cluster != null && !cluster.isEmpty(), "describeCluster has a cluster id", String.valueOf(cluster));

        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<String, String> cfg = describe(admin, res);
        checkEq(cfg.get("retention.ms"), "86400000", "describeConfigs retention.ms (set at creation)");
        checkEq(cfg.get("cleanup.policy"), "delete", "describeConfigs cleanup.policy (default)");

        Collection<AlterConfigOp> ops = List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET));
        try {
            admin.incrementalAlterConfigs(Map.of(res, ops)).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            ok("incrementalAlterConfigs SET retention.ms=3600000");
            checkEq(describe(admin, res).get("retention.ms"), "3600000", "describeConfigs retention.ms after incrementalAlterConfigs");
        } catch (ExecutionException e) {
            fail("incrementalAlterConfigs SET retention.ms=3600000: " + e.getCause());
        }
    }

    private static Map<String, String> describe(Admin admin, ConfigResource res) throws Exception {
        Config config = admin.describeConfigs(List.of(res)).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS).get(res);
        Map<String, String> out = new TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            out.put(e.name(), e.value());
        }
        check(!out.isEmpty(), "describeConfigs returns configs", "none");
        return out;
    }

    private static void produce(Properties common, String topic) throws Exception {
        long baseTs = System.currentTimeMillis() - 60_000;
        for (int ci = 0; ci < CODECS.length; ci++) {
            Properties props = new Properties();
            props.putAll(common);
            props.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, CODECS[ci]);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DEADLINE_MS);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                List<Future<RecordMetadata>> futures = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    for (int i = 0; i < PER_CODEC; i++) {
                        long o = (long) ci * PER_CODEC + i;
                        futures.add(producer.send(new ProducerRecord<>(topic, p, baseTs + o, bytes(key(p, o)), bytes(value(p, o)), headers(p, o))));
                    }
                }
                producer.flush();
                List<String> got = new ArrayList<>();
                List<String> want = new ArrayList<>();
                int n = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    for (int i = 0; i < PER_CODEC; i++) {
                        RecordMetadata md = futures.get(n++).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                        got.add(md.partition() + "@" + md.offset());
                        want.add(p + "@" + ((long) ci * PER_CODEC + i));
                    }
                }
                checkEq(got, want, "KafkaProducer (idempotent, acks=all, " + CODECS[ci] + ") partition@offset");
            }
        }
        BASE_TS = baseTs;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Properties common, String group) {
        Properties props = new Properties();
        props.putAll(common);
        props.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    private static List<ConsumerRecord<byte[], byte[]>> poll(KafkaConsumer<byte[], byte[]> c, int count, String what) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (records.size() < count && System.currentTimeMillis() < deadline) {
            c.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        require(records.size() >= count, what + ": received " + count + " records within " + DEADLINE_MS / 1000 + "s",
                "got " + records.size());
        int extra = c.poll(Duration.ofMillis(1000)).count();
        check(extra == 0, what + ": no extra records", "got " + extra + " more");
        return records;
    }

    private static void verify(List<ConsumerRecord<byte[], byte[]>> records, String topic, long start, String what) {
        List<String> problems = new ArrayList<>();
        Map<Integer, List<Long>> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            int p = r.partition();
            long o = r.offset();
            offsets.computeIfAbsent(p, k -> new ArrayList<>()).add(o);
            String where = topic + "[" + p + "]@" + o;
            if (!key(p, o).equals(str(r.key()))) {
                problems.add(where + " key " + str(r.key()));
            }
            if (!value(p, o).equals(str(r.value()))) {
                problems.add(where + " value " + str(r.value()));
            }
            if (!headersText(headers(p, o)).equals(headersText(r.headers()))) {
                problems.add(where + " headers " + headersText(r.headers()) + ", expected " + headersText(headers(p, o)));
            }
            if (r.timestampType() != TimestampType.CREATE_TIME || r.timestamp() != BASE_TS + o) {
                problems.add(where + " timestamp " + r.timestampType() + " " + r.timestamp() + ", expected CreateTime " + (BASE_TS + o));
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            List<Long> want = new ArrayList<>();
            for (long o = start; o < PER_PARTITION; o++) {
                want.add(o);
            }
            List<Long> got = offsets.getOrDefault(p, List.of());
            if (!got.equals(want)) {
                problems.add("partition " + p + " delivered offsets " + got + ", expected " + start + ".." + (PER_PARTITION - 1));
            }
        }
        if (!problems.isEmpty()) {
            String more = problems.size() > 3 ? " (and " + (problems.size() - 3) + " more)" : "";
            fail(what + ": " + String.join("; ", problems.subList(0, Math.min(3, problems.size()))) + more);
            return;
        }
        ok(what + ": " + records.size() + " records, keys/values/headers/timestamps exact, offsets contiguous "
                + start + ".." + (PER_PARTITION - 1) + " in each partition");
    }

    private static void consume(Properties common, Admin admin, String topic, String group) throws Exception {
        int mid = PER_PARTITION / 2;
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> c1 = consumer(common, group)) {
            c1.subscribe(List.of(topic));
            verify(poll(c1, PARTITIONS * PER_PARTITION, "consumer 1 (group, from earliest)"), topic, 0, "consumer 1");
            Map<TopicPartition, Long> end = c1.endOffsets(tps, Duration.ofMillis(DEADLINE_MS));
            Map<TopicPartition, Long> wantEnd = new HashMap<>();
            tps.forEach(tp -> wantEnd.put(tp, (long) PER_PARTITION));
            checkEq(end, wantEnd, "endOffsets");
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            tps.forEach(tp -> commit.put(tp, new OffsetAndMetadata(mid, "checkpoint-" + tp.partition())));
            c1.commitSync(commit, Duration.ofMillis(DEADLINE_MS));
            ok("commitSync offset " + mid + " on every partition");
            Map<TopicPartition, OffsetAndMetadata> committed = c1.committed(Set.copyOf(tps), Duration.ofMillis(DEADLINE_MS));
            checkEq(committed, commit, "committed offsets and metadata read back");
        }
        ok("consumer 1 closed (left the group)");
        Map<TopicPartition, OffsetAndMetadata> listed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> listedOffsets = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        listed.forEach((tp, om) -> listedOffsets.put(tp, om.offset()));
        Map<TopicPartition, Long> wantListed = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        tps.forEach(tp -> wantListed.put(tp, (long) mid));
        checkEq(listedOffsets, wantListed, "Admin.listConsumerGroupOffsets");

        try (KafkaConsumer<byte[], byte[]> c2 = consumer(common, group)) {
            c2.subscribe(List.of(topic));
            verify(poll(c2, PARTITIONS * (PER_PARTITION - mid), "consumer 2 (same group, resumes)"), topic, mid, "consumer 2");
            c2.commitSync(Duration.ofMillis(DEADLINE_MS));
            Map<TopicPartition, OffsetAndMetadata> committed = c2.committed(Set.copyOf(tps), Duration.ofMillis(DEADLINE_MS));
            Map<TopicPartition, Long> got = new HashMap<>();
            committed.forEach((tp, om) -> got.put(tp, om == null ? null : om.offset()));
            Map<TopicPartition, Long> want = new HashMap<>();
            tps.forEach(tp -> want.put(tp, (long) PER_PARTITION));
            checkEq(got, want, "committed offsets after consumer 2");
        }
    }
}
