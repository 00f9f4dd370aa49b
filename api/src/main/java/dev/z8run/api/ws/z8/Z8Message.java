package dev.z8run.api.ws.z8;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One {@code ProtocolMessage}: its variant and its fields by name. Field values by {@link
 * Z8Variant.Kind}: {@code Boolean}; {@code Integer} for u16 and u32; {@code Long} for u64 (read
 * unsigned); {@code String}; {@link UUID}; an Option is {@code null} for None; a {@code
 * serde_json::Value} is a {@link dev.z8run.io.json.JsonCodec} value (null for JSON null).
 */
public record Z8Message(Z8Variant variant, Map<String, Object> fields) implements Z8Decoded {
  public Z8Message {
    Objects.requireNonNull(variant, "variant");
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** A message whose fields are given as name, value, name, value... in declaration order. */
  public static Z8Message of(Z8Variant variant, Object... namesAndValues) {
    if (namesAndValues.length != variant.fields().size() * 2) {
      throw new IllegalArgumentException(
          variant.rustName() + " has " + variant.fields().size() + " fields");
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = (String) namesAndValues[i];
      if (!variant.fields().get(i / 2).name().equals(name)) {
        throw new IllegalArgumentException(variant.rustName() + " has no field " + name + " here");
      }
      fields.put(name, namesAndValues[i + 1]);
    }
    return new Z8Message(variant, fields);
  }

  public Object get(String name) {
    return fields.get(name);
  }

  public UUID uuid(String name) {
    return (UUID) fields.get(name);
  }

  public String string(String name) {
    return (String) fields.get(name);
  }
}
