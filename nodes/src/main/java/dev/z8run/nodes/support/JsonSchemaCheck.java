package dev.z8run.nodes.support;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Schema, compiled once, that checks values with networknt's json-schema-validator (draft
 * 2020-12 unless the schema's {@code $schema} names another). References to other documents are
 * never fetched: a schema is one self-contained document, so validating cannot make the server call
 * anyone. Thread-safe. Used by structured-output (the model's answer) and json (Node-RED's {@code
 * msg.schema}).
 */
public final class JsonSchemaCheck {
  private static final int MAX_ERRORS = 20;

  private final Schema schema;
  private final String text;

  private JsonSchemaCheck(Schema schema, String text) {
    this.schema = schema;
    this.text = text;
  }

  /**
   * Compiles {@code schema} (an object, or z8run's JSON text of one).
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static JsonSchemaCheck compile(Object schema) {
    Object value = schema;
    if (schema instanceof String source) {
      try {
        value = JsonCodec.parse(source);
      } catch (JsonCodec.JsonException bad) {
        throw new IllegalArgumentException("schema: not JSON: " + bad.getMessage());
      }
    }
    if (!(value instanceof java.util.Map<?, ?>)) {
      throw new IllegalArgumentException(
          "schema: expected a JSON Schema object, got " + JsonCodec.describe(value));
    }
    String text = JsonCodec.writeString(value);
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder ->
                builder.schemaLoader(
                    // no $ref to any other document: not http(s), not file:, not the class path
                    loader -> loader.fetchRemoteResources(false).block(iri -> true)));
    try {
      Schema compiled = registry.getSchema(text, InputFormat.JSON);
      compiled.initializeValidators();
      return new JsonSchemaCheck(compiled, text);
    } catch (RuntimeException bad) {
      throw new IllegalArgumentException("schema: " + bad.getMessage());
    }
  }

  /** The schema as compact JSON, as it is shown to the model. */
  public String text() {
    return text;
  }

  /** What is wrong with {@code value} ({@code /path: message}); empty when it is valid. */
  public List<String> problems(Object value) {
    List<String> problems = new ArrayList<>();
    List<Error> errors;
    try {
      errors = schema.validate(JsonCodec.writeString(value), InputFormat.JSON);
    } catch (RuntimeException failed) {
      return List.of("the schema could not be applied: " + failed.getMessage());
    }
    for (Error error : errors) {
      if (problems.size() == MAX_ERRORS) {
        problems.add("... and " + (errors.size() - MAX_ERRORS) + " more");
        break;
      }
      String where =
          error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
      problems.add(where + ": " + error.getMessage());
    }
    return problems;
  }
}
