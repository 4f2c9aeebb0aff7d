// Prints Java Avro's `Schema.toString()` for each schema of a JSON array of schema
// texts: what Confluent's registry stores and returns for an Avro schema
// (`AvroSchema.canonicalString()`), used to check `schema-registry/src/java_json.rs`.
//
//   javac -d /tmp/avro-to-string schema-registry/compat/java/AvroToString.java
//   java -cp "/tmp/avro-to-string:$SLUICE_CONFLUENT_AVRO_CP:$SLUICE_CONNECT_CP" \
//     AvroToString schema-registry/tests/data/java_string_corpus.json
//
// The input is a JSON array; each element is a schema text (a string). The output
// is a JSON array of the same length, one element per line: the schema as Java
// prints it (parsed with default validation, as Confluent parses a new schema), or
// `{"error": "..."}` when Java rejects it. Each printed text is also checked to be
// what Confluent's `new AvroSchema(text).canonicalString()` answers (the string the
// registry stores); a difference is reported as an error entry.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.avro.Schema;

public class AvroToString {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode corpus = mapper.readTree(new File(args[0]));
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < corpus.size(); i++) {
      String text = corpus.get(i).textValue();
      JsonNode result;
      try {
        String printed = new Schema.Parser().setValidateDefaults(true).parse(text).toString();
        String canonical = new AvroSchema(text).canonicalString();
        if (!canonical.equals(printed)) {
          throw new IllegalStateException("canonicalString() differs: " + canonical);
        }
        result = JsonNodeFactory.instance.textNode(printed);
      } catch (Exception e) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        result = error;
      }
      out.append("  ").append(mapper.writeValueAsString(result));
      out.append(i + 1 < corpus.size() ? ",\n" : "\n");
    }
    out.append("]\n");
    System.out.print(out);
  }
}
