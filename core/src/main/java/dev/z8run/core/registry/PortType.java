package dev.z8run.core.registry;

import java.util.Locale;

/** The kind of value a port carries; z8run's port types. */
public enum PortType {
  ANY,
  STRING,
  NUMBER,
  BOOLEAN,
  OBJECT,
  ARRAY,
  BINARY;

  /** Two ports may be wired when their types are equal or either is {@link #ANY}. */
  public boolean compatibleWith(PortType other) {
    return this == ANY || other == ANY || this == other;
  }

  /** The lower-case name used in JSON documents. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a JSON name, case-insensitively; unknown names are {@link #ANY}. */
  public static PortType fromJson(String name) {
    if (name == null) {
      return ANY;
    }
    for (PortType type : values()) {
      if (type.name().equalsIgnoreCase(name)) {
        return type;
      }
    }
    return ANY;
  }
}
