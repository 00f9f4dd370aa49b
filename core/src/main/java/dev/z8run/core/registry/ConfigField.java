package dev.z8run.core.registry;

import java.util.List;
import java.util.Objects;

/**
 * One field of a node type's config schema. A node's limits are declared here, once: the validator
 * checks them before the node's factory runs, so the factory reads values it can trust.
 *
 * @param name key in the node's config object
 * @param type the JSON type the value must have
 * @param defaultValue used when the field is absent; a plain JSON value or null
 * @param required whether a flow without this field fails validation
 * @param description a sentence for the properties panel
 * @param options allowed values of an {@link FieldType#ENUM} field, empty otherwise
 * @param min the smallest number the field accepts, or null: checked for a number, or a string
 *     holding one (Node-RED writes some numbers as strings)
 * @param max the largest number the field accepts, or null
 */
public record ConfigField(
    String name,
    FieldType type,
    Object defaultValue,
    boolean required,
    String description,
    List<String> options,
    Number min,
    Number max) {
  public ConfigField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    description = description == null ? "" : description;
    options = options == null ? List.of() : List.copyOf(options);
    if (min != null && max != null && min.doubleValue() > max.doubleValue()) {
      throw new IllegalArgumentException(name + ": min=" + min + " is above max=" + max);
    }
  }

  public static ConfigField required(String name, FieldType type, String description) {
    return new ConfigField(name, type, null, true, description, List.of(), null, null);
  }

  public static ConfigField optional(
      String name, FieldType type, Object defaultValue, String description) {
    return new ConfigField(name, type, defaultValue, false, description, List.of(), null, null);
  }

  public static ConfigField choice(
      String name, String defaultValue, List<String> options, String description) {
    return new ConfigField(
        name, FieldType.ENUM, defaultValue, false, description, options, null, null);
  }

  /** This field, accepting numbers from {@code min} to {@code max} (both included). */
  public ConfigField between(Number min, Number max) {
    return bounded(Objects.requireNonNull(min, "min"), Objects.requireNonNull(max, "max"));
  }

  /** This field, accepting numbers from {@code min} up. */
  public ConfigField atLeast(Number min) {
    return bounded(Objects.requireNonNull(min, "min"), null);
  }

  private ConfigField bounded(Number min, Number max) {
    return new ConfigField(name, type, defaultValue, required, description, options, min, max);
  }

  /** Whether the field has a lower or an upper bound. */
  public boolean bounded() {
    return min != null || max != null;
  }

  /** The bounds in words, {@code 1 to 600000} or {@code 0 or more}; empty when unbounded. */
  public String range() {
    if (min != null && max != null) {
      return min + " to " + max;
    }
    if (min != null) {
      return min + " or more";
    }
    return max == null ? "" : max + " or less";
  }
}
