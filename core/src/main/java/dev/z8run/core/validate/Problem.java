package dev.z8run.core.validate;

import java.util.Objects;

/**
 * One thing wrong with a flow, as {@link FlowValidator} reports it.
 *
 * @param nodeId the node the editor should point at, or null for a problem of the whole flow (or of
 *     a node without an id)
 * @param field the config field at fault ({@code timeoutMs}), {@code id} or {@code type} for a
 *     node's own fields, or null when the problem is not about one field (wires, cycles)
 * @param code one of the constants of this class; stable, for programs and tests
 * @param message a sentence a person can act on, naming the node (id, and name if it has one) and
 *     the field or port
 */
public record Problem(String nodeId, String field, String code, String message) {
  /** The flow's id is empty. */
  public static final String MISSING_FLOW_ID = "MISSING_FLOW_ID";

  /** A node's id is empty or blank. */
  public static final String MISSING_NODE_ID = "MISSING_NODE_ID";

  /** Two or more nodes share an id. */
  public static final String DUPLICATE_NODE_ID = "DUPLICATE_NODE_ID";

  /** A node's type is empty or blank. */
  public static final String MISSING_NODE_TYPE = "MISSING_NODE_TYPE";

  /** A node's type is not in the registry. */
  public static final String UNKNOWN_NODE_TYPE = "UNKNOWN_NODE_TYPE";

  /** A wire starts at a node id that is not in the flow. */
  public static final String WIRE_UNKNOWN_SOURCE = "WIRE_UNKNOWN_SOURCE";

  /** A wire ends at a node id that is not in the flow. */
  public static final String WIRE_UNKNOWN_TARGET = "WIRE_UNKNOWN_TARGET";

  /** A wire starts at an output port its node does not have. */
  public static final String WIRE_UNKNOWN_OUTPUT_PORT = "WIRE_UNKNOWN_OUTPUT_PORT";

  /** A wire ends at an input port its node does not have. */
  public static final String WIRE_UNKNOWN_INPUT_PORT = "WIRE_UNKNOWN_INPUT_PORT";

  /** A wire joins ports whose types are not compatible. */
  public static final String WIRE_PORT_TYPE_MISMATCH = "WIRE_PORT_TYPE_MISMATCH";

  /** The same wire (same ports at both ends) appears more than once. */
  public static final String DUPLICATE_WIRE = "DUPLICATE_WIRE";

  /** A required config field is absent or null. */
  public static final String CONFIG_MISSING = "CONFIG_MISSING";

  /** A config field's value has the wrong JSON type. */
  public static final String CONFIG_WRONG_TYPE = "CONFIG_WRONG_TYPE";

  /** An enum config field's value is not one of its options. */
  public static final String CONFIG_BAD_OPTION = "CONFIG_BAD_OPTION";

  /** A number config field's value is outside the field's bounds. */
  public static final String CONFIG_OUT_OF_RANGE = "CONFIG_OUT_OF_RANGE";

  /** A node's number of output ports cannot be computed from its config. */
  public static final String CONFIG_INVALID = "CONFIG_INVALID";

  /** A config field that lists node ids names a node that is not in the flow. */
  public static final String CONFIG_UNKNOWN_NODE = "CONFIG_UNKNOWN_NODE";

  public Problem {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
