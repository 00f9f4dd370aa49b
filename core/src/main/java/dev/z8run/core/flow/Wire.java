package dev.z8run.core.flow;

import java.util.Objects;

/**
 * A connection from one node's output port to another node's input port. Ports are zero-based
 * indexes into the node type's port lists.
 */
public record Wire(String fromNode, int fromPort, String toNode, int toPort) {
  public Wire {
    Objects.requireNonNull(fromNode, "fromNode");
    Objects.requireNonNull(toNode, "toNode");
  }
}
