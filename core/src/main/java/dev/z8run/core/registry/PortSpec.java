package dev.z8run.core.registry;

import java.util.Objects;

/** A named input or output port of a node type. */
public record PortSpec(String name, PortType type) {
  public PortSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  public static PortSpec any(String name) {
    return new PortSpec(name, PortType.ANY);
  }
}
