package dev.z8run.core.registry;

import java.util.List;
import java.util.Objects;

/**
 * One field of a node type's config schema.
 *
 * @param name key in the node's config object
 * @param type the JSON type the value must have
 * @param defaultValue used when the field is absent; a plain JSON value or null
 * @param required whether a flow without this field fails validation
 * @param description a sentence for the properties panel
 * @param options allowed values of an {@link FieldType#ENUM} field, empty otherwise
 */
public record ConfigField(
    String name,
    FieldType type,
    Object defaultValue,
    boolean required,
    String description,
    List<String> options) {
  public ConfigField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    description = description == null ? "" : description;
    options = options == null ? List.of() : List.copyOf(options);
  }

  public static ConfigField required(String name, FieldType type, String description) {
    return new ConfigField(name, type, null, true, description, List.of());
  }

  public static ConfigField optional(
      String name, FieldType type, Object defaultValue, String description) {
    return new ConfigField(name, type, defaultValue, false, description, List.of());
  }

  public static ConfigField choice(
      String name, String defaultValue, List<String> options, String description) {
    return new ConfigField(name, FieldType.ENUM, defaultValue, false, description, options);
  }
}
