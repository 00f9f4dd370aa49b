package dev.z8run.core.registry;

import java.util.Locale;

/** The JSON type a config field must have; the editor picks its widget from it. */
public enum FieldType {
  /** Any JSON string. */
  STRING,
  /** Any JSON number. */
  NUMBER,
  /** A JSON number without a fractional part. */
  INTEGER,
  BOOLEAN,
  /** A string from {@link ConfigField#options()}. */
  ENUM,
  OBJECT,
  ARRAY,
  /** Source code (a string) for Function, JSONata or templates. */
  CODE,
  /** A string, usually {@code vault:<key>}, resolved at deploy. */
  SECRET,
  /** Any JSON value. */
  ANY;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
