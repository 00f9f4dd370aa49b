package dev.z8run.api.ws.z8;

import java.util.List;

/**
 * The variants of z8run's {@code ProtocolMessage} (crates/z8run-protocol/src/message.rs, lines
 * 100-187), in declaration order: bincode writes a variant as its index in this order ({@link
 * #ordinal()}, a u32), the debug JSON as its Rust name. {@link #msgType()} is the header number the
 * crate's {@code Z8Codec::message_type_id} (codec.rs, lines 76-103) gives the variant. Do not
 * reorder: the order is the wire format.
 */
public enum Z8Variant {
  PING("Ping", 0x0001),
  PONG("Pong", 0x0002),
  AUTHENTICATE("Authenticate", 0x0003, Field.of("token", Kind.STRING)),
  AUTH_RESULT(
      "AuthResult", 0x0004, Field.of("success", Kind.BOOL), Field.of("user_id", Kind.OPTION_UUID)),
  FLOW_CREATE("FlowCreate", 0x0100, Field.of("flow", Kind.VALUE)),
  FLOW_UPDATE(
      "FlowUpdate", 0x0101, Field.of("flow_id", Kind.UUID), Field.of("changes", Kind.VALUE)),
  FLOW_DELETE("FlowDelete", 0x0102, Field.of("flow_id", Kind.UUID)),
  FLOW_START("FlowStart", 0x0104, Field.of("flow_id", Kind.UUID)),
  FLOW_STOP("FlowStop", 0x0105, Field.of("flow_id", Kind.UUID)),
  FLOW_LIST("FlowList", 0x0108),
  FLOW_GET("FlowGet", 0x0109, Field.of("flow_id", Kind.UUID)),
  EXEC_STARTED(
      "ExecStarted", 0x0200, Field.of("flow_id", Kind.UUID), Field.of("trace_id", Kind.UUID)),
  EXEC_NODE_STARTED(
      "ExecNodeStarted", 0x0201, Field.of("flow_id", Kind.UUID), Field.of("node_id", Kind.UUID)),
  EXEC_NODE_COMPLETED(
      "ExecNodeCompleted",
      0x0202,
      Field.of("flow_id", Kind.UUID),
      Field.of("node_id", Kind.UUID),
      Field.of("duration_us", Kind.U64)),
  EXEC_NODE_ERROR(
      "ExecNodeError",
      0x0203,
      Field.of("flow_id", Kind.UUID),
      Field.of("node_id", Kind.UUID),
      Field.of("error", Kind.STRING)),
  EXEC_COMPLETED(
      "ExecCompleted",
      0x0205,
      Field.of("flow_id", Kind.UUID),
      Field.of("trace_id", Kind.UUID),
      Field.of("duration_ms", Kind.U64)),
  DEBUG_SET_BREAKPOINT(
      "DebugSetBreakpoint", 0x0300, Field.of("flow_id", Kind.UUID), Field.of("node_id", Kind.UUID)),
  DEBUG_REMOVE_BREAKPOINT(
      "DebugRemoveBreakpoint",
      0x0301,
      Field.of("flow_id", Kind.UUID),
      Field.of("node_id", Kind.UUID)),
  DEBUG_INSPECT(
      "DebugInspect", 0x0303, Field.of("flow_id", Kind.UUID), Field.of("node_id", Kind.UUID)),
  DEBUG_INSPECT_RESULT(
      "DebugInspectResult", 0x0304, Field.of("node_id", Kind.UUID), Field.of("data", Kind.VALUE)),
  OK("Ok", 0x0F00, Field.of("correlation_id", Kind.U32), Field.of("data", Kind.OPTION_VALUE)),
  ERROR(
      "Error",
      0x0F01,
      Field.of("correlation_id", Kind.U32),
      Field.of("code", Kind.U16),
      Field.of("message", Kind.STRING));

  /** How serde writes a field's Rust type. */
  public enum Kind {
    /** {@code bool}. */
    BOOL,
    /** {@code u16}. */
    U16,
    /** {@code u32}. */
    U32,
    /** {@code u64}. */
    U64,
    /** {@code String}. */
    STRING,
    /** {@code uuid::Uuid}. */
    UUID,
    /** {@code Option<Uuid>}. */
    OPTION_UUID,
    /** {@code serde_json::Value}. */
    VALUE,
    /** {@code Option<serde_json::Value>}. */
    OPTION_VALUE
  }

  /** A named field of a struct variant, in declaration order. */
  public record Field(String name, Kind kind) {
    static Field of(String name, Kind kind) {
      return new Field(name, kind);
    }
  }

  private static final Z8Variant[] BY_INDEX = values();

  private final String rustName;
  private final int msgType;
  private final List<Field> fields;

  Z8Variant(String rustName, int msgType, Field... fields) {
    this.rustName = rustName;
    this.msgType = msgType;
    this.fields = List.of(fields);
  }

  /** The name serde writes in the debug JSON's {@code "type"}. */
  public String rustName() {
    return rustName;
  }

  /** The frame header's {@code msg_type} for this variant. */
  public int msgType() {
    return msgType;
  }

  /** The struct fields in declaration order; empty for a unit variant. */
  public List<Field> fields() {
    return fields;
  }

  /** Whether the variant carries a {@code serde_json::Value}, which bincode cannot read back. */
  public boolean carriesValue() {
    for (Field field : fields) {
      if (field.kind == Kind.VALUE || field.kind == Kind.OPTION_VALUE) {
        return true;
      }
    }
    return false;
  }

  /** The variant bincode numbers {@code index}, or null when there is none. */
  public static Z8Variant byIndex(long index) {
    return index >= 0 && index < BY_INDEX.length ? BY_INDEX[(int) index] : null;
  }

  /** The variant serde names {@code name}, or null when there is none. */
  public static Z8Variant byRustName(String name) {
    for (Z8Variant variant : BY_INDEX) {
      if (variant.rustName.equals(name)) {
        return variant;
      }
    }
    return null;
  }

  /** The number of variants: bincode indices run from 0 to this minus one. */
  public static int count() {
    return BY_INDEX.length;
  }
}
