// Confluent's io.confluent.connect.avro.AvroConverter (7.0) as a peer of sluice's AvroConverter,
// driven by tests/avro_interop.rs. Compiled at test time against Kafka Connect 3.9
// (SLUICE_CONNECT_CP) and Confluent's AvroConverter jars (SLUICE_CONFLUENT_AVRO_CP).
//
//   java AvroConverterInterop <registry-url> write <topic>
//       converts the record of richRecord() with fromConnectData and prints the bytes as hex
//   java AvroConverterInterop <registry-url> read <topic> <hex>...
//       converts each hex string with toConnectData and prints the schema and the value, one
//       line each, in the canonical text form of dump() (the Rust test writes the same form)
//
// The record uses every Connect type AvroData maps: int8..int64, float32/64, boolean, string,
// bytes, Decimal, Date, Time, Timestamp, optional fields with and without defaults, arrays,
// maps with string and non-string keys, nested and named structs with version, doc and
// parameters. tests/avro_interop.rs builds the same record in Rust; keep them in step.

import io.confluent.connect.avro.AvroConverter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

public class AvroConverterInterop {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: AvroConverterInterop <registry-url> write|read <topic> [hex...]");
      System.exit(2);
    }
    AvroConverter converter = new AvroConverter();
    Map<String, Object> config = new HashMap<>();
    config.put("schema.registry.url", args[0]);
    converter.configure(config, false);
    String topic = args[2];
    if (args[1].equals("write")) {
      Schema schema = richSchema();
      byte[] bytes = converter.fromConnectData(topic, schema, richRecord(schema));
      System.out.println(hex(bytes));
    } else if (args[1].equals("read")) {
      for (int i = 3; i < args.length; i++) {
        SchemaAndValue read = converter.toConnectData(topic, unhex(args[i]));
        System.out.println(dumpSchema(read.schema()));
        System.out.println(dumpValue(read.schema(), read.value()));
      }
    } else {
      System.err.println("unknown mode " + args[1]);
      System.exit(2);
    }
  }

  static Schema innerSchema() {
    return SchemaBuilder.struct()
        .name("com.example.Inner")
        .version(2)
        .doc("an inner record")
        .field("label", Schema.STRING_SCHEMA)
        .field("weight", Schema.OPTIONAL_FLOAT64_SCHEMA)
        .build();
  }

  static Schema richSchema() {
    Schema inner = innerSchema();
    return SchemaBuilder.struct()
        .name("com.example.Rich")
        .version(1)
        .doc("every Connect type")
        .parameter("origin", "interop")
        .field("i8", Schema.INT8_SCHEMA)
        .field("i16", Schema.INT16_SCHEMA)
        .field("i32", Schema.INT32_SCHEMA)
        .field("i64", Schema.INT64_SCHEMA)
        .field("f32", Schema.FLOAT32_SCHEMA)
        .field("f64", Schema.FLOAT64_SCHEMA)
        .field("flag", Schema.BOOLEAN_SCHEMA)
        .field("text", Schema.STRING_SCHEMA)
        .field("blob", Schema.BYTES_SCHEMA)
        .field("amount", Decimal.schema(2))
        .field("day", Date.SCHEMA)
        .field("clock", Time.SCHEMA)
        .field("at", Timestamp.SCHEMA)
        .field("opt_missing", Schema.OPTIONAL_STRING_SCHEMA)
        .field("opt_set", Schema.OPTIONAL_INT64_SCHEMA)
        .field("with_default", SchemaBuilder.int32().optional().defaultValue(42).build())
        .field("str_default", SchemaBuilder.string().defaultValue("dflt").doc("a doc").build())
        .field("tagged", SchemaBuilder.string().parameter("k", "v").build())
        .field("opt_amount", Decimal.builder(4).optional().build())
        .field("list", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("opt_items", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
        .field("by_name", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
        .field("by_id", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
        .field("inner", inner)
        .field("opt_inner", SchemaBuilder.struct().name("com.example.Other")
            .field("n", Schema.INT16_SCHEMA).optional().build())
        .field("anon", SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build())
        .field("inners", SchemaBuilder.array(inner).build())
        .build();
  }

  static Struct richRecord(Schema schema) {
    Struct inner = new Struct(schema.field("inner").schema())
        .put("label", "in")
        .put("weight", 2.5);
    Struct second = new Struct(schema.field("inner").schema()).put("label", "second");
    Map<String, Integer> byName = new LinkedHashMap<>();
    byName.put("one", 1);
    Map<Integer, String> byId = new LinkedHashMap<>();
    byId.put(7, "seven");
    return new Struct(schema)
        .put("i8", (byte) -8)
        .put("i16", (short) 1600)
        .put("i32", -320000)
        .put("i64", 6400000000000L)
        .put("f32", 3.25f)
        .put("f64", -1.0e-3)
        .put("flag", true)
        .put("text", "héllo \"w\"")
        .put("blob", new byte[] {0, 1, (byte) 0xfe, (byte) 0xff})
        .put("amount", new BigDecimal("-1234.56"))
        .put("day", new java.util.Date(19000L * 86400000L))
        .put("clock", new java.util.Date(45296789L))
        .put("at", new java.util.Date(1700000000123L))
        .put("opt_set", 5L)
        .put("tagged", "t")
        .put("opt_amount", new BigDecimal("0.0001"))
        .put("list", Arrays.asList("a", "b"))
        .put("opt_items", Arrays.asList(1, null, 3))
        .put("by_name", byName)
        .put("by_id", byId)
        .put("inner", inner)
        .put("anon", new Struct(schema.field("anon").schema()).put("x", 9))
        .put("inners", Arrays.asList(inner, second));
  }

  // ---- the canonical text form (tests/avro_interop.rs `dump_schema` / `dump_value`) ----

  static String dumpSchema(Schema s) {
    if (s == null) {
      return "none";
    }
    StringBuilder b = new StringBuilder("{");
    b.append("type=").append(s.type().getName());
    b.append(",opt=").append(s.isOptional());
    if (s.name() != null) b.append(",name=").append(s.name());
    if (s.version() != null) b.append(",ver=").append(s.version());
    if (s.doc() != null) b.append(",doc=").append(s.doc());
    if (s.parameters() != null && !s.parameters().isEmpty()) {
      b.append(",params=").append(new TreeMap<>(s.parameters()));
    }
    if (s.defaultValue() != null) b.append(",default=").append(dumpValue(s, s.defaultValue()));
    switch (s.type()) {
      case STRUCT:
        b.append(",fields=[");
        List<String> fields = new ArrayList<>();
        for (Field f : s.fields()) fields.add(f.name() + ":" + dumpSchema(f.schema()));
        b.append(String.join(",", fields)).append("]");
        break;
      case ARRAY:
        b.append(",items=").append(dumpSchema(s.valueSchema()));
        break;
      case MAP:
        b.append(",keys=").append(dumpSchema(s.keySchema()));
        b.append(",values=").append(dumpSchema(s.valueSchema()));
        break;
      default:
    }
    return b.append("}").toString();
  }

  static String dumpValue(Schema s, Object v) {
    if (v == null) return "null";
    String logical = s.name();
    if (Decimal.LOGICAL_NAME.equals(logical)) {
      BigDecimal d = (BigDecimal) v;
      return "dec(" + d.unscaledValue() + "," + d.scale() + ")";
    }
    if (Date.LOGICAL_NAME.equals(logical)) {
      return "date(" + Math.floorDiv(((java.util.Date) v).getTime(), 86400000L) + ")";
    }
    if (Time.LOGICAL_NAME.equals(logical)) return "time(" + ((java.util.Date) v).getTime() + ")";
    if (Timestamp.LOGICAL_NAME.equals(logical)) return "ts(" + ((java.util.Date) v).getTime() + ")";
    switch (s.type()) {
      case INT8: return "i8(" + v + ")";
      case INT16: return "i16(" + v + ")";
      case INT32: return "i32(" + v + ")";
      case INT64: return "i64(" + v + ")";
      case FLOAT32: return "f32(" + Integer.toHexString(Float.floatToRawIntBits((Float) v)) + ")";
      case FLOAT64: return "f64(" + Long.toHexString(Double.doubleToRawLongBits((Double) v)) + ")";
      case BOOLEAN: return "bool(" + v + ")";
      case STRING: return "str(" + hex(((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ")";
      case BYTES: {
        byte[] bytes;
        if (v instanceof ByteBuffer) {
          ByteBuffer buffer = ((ByteBuffer) v).duplicate();
          bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
        } else {
          bytes = (byte[]) v;
        }
        return "bytes(" + hex(bytes) + ")";
      }
      case ARRAY: {
        List<String> items = new ArrayList<>();
        for (Object item : (List<?>) v) items.add(dumpValue(s.valueSchema(), item));
        return "arr[" + String.join(",", items) + "]";
      }
      case MAP: {
        List<String> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          entries.add(dumpValue(s.keySchema(), e.getKey()) + "=" + dumpValue(s.valueSchema(), e.getValue()));
        }
        Collections.sort(entries);
        return "map{" + String.join(",", entries) + "}";
      }
      case STRUCT: {
        Struct st = (Struct) v;
        List<String> fields = new ArrayList<>();
        for (Field f : s.fields()) fields.add(f.name() + "=" + dumpValue(f.schema(), st.getWithoutDefault(f.name())));
        return "struct{" + String.join(",", fields) + "}";
      }
      default:
        return "?" + v;
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (byte x : bytes) b.append(String.format("%02x", x));
    return b.toString();
  }

  static byte[] unhex(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
