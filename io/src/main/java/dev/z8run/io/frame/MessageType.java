package dev.z8run.io.frame;

/**
 * The {@code msg_type} numbers of the frame header: z8run's own numbers (its protocol crate, {@code
 * crates/z8run-protocol/src/message.rs}) for every message z8run defines, and free numbers in the
 * same ranges for this server's additions (subscribe, inject, node status, counters, warnings,
 * debug samples). Ranges: {@code 0x00xx} control, {@code 0x01xx} flow commands, {@code 0x02xx}
 * execution events, {@code 0x03xx} debug, {@code 0x04xx} editor sync, {@code 0x0Fxx} replies.
 * {@code docs/protocol.md} gives each type's direction and payload.
 *
 * <p>Types are {@code int}s holding the unsigned 16-bit value, so that a received type can be
 * compared without boxing or lookup.
 */
public final class MessageType {
  // 0x00xx control (z8run: Ping, Pong, Authenticate, AuthResult, VersionNegotiation)
  public static final int PING = 0x0001;
  public static final int PONG = 0x0002;
  public static final int AUTHENTICATE = 0x0003;
  public static final int AUTH_RESULT = 0x0004;
  public static final int HELLO = 0x0005;

  // 0x01xx flow commands (client to server, answered with OK or ERROR); z8run's FlowCreate ..
  // FlowGet, then ours
  public static final int FLOW_CREATE = 0x0100;
  public static final int FLOW_UPDATE = 0x0101;
  public static final int FLOW_DELETE = 0x0102;
  public static final int FLOW_DEPLOY = 0x0103;
  public static final int FLOW_START = 0x0104;
  public static final int FLOW_STOP = 0x0105;
  public static final int FLOW_PAUSE = 0x0106;
  public static final int FLOW_RESUME = 0x0107;
  public static final int FLOW_LIST = 0x0108;
  public static final int FLOW_GET = 0x0109;
  public static final int SUBSCRIBE = 0x010A;
  public static final int UNSUBSCRIBE = 0x010B;
  public static final int INJECT = 0x010C;

  // 0x02xx execution events (server to client); z8run's ExecStarted .. ExecError, then ours
  public static final int EXECUTION_STARTED = 0x0200;
  public static final int NODE_STARTED = 0x0201;
  public static final int NODE_COMPLETED = 0x0202;
  public static final int NODE_ERROR = 0x0203;
  public static final int MESSAGE_SENT = 0x0204;
  public static final int EXECUTION_COMPLETED = 0x0205;
  public static final int EXECUTION_FAILED = 0x0206;
  public static final int NODE_STATUS = 0x0207;
  public static final int COUNTERS = 0x0208;
  public static final int NODE_WARN = 0x0209;

  // 0x03xx debug: z8run's breakpoints, step and inspect (requests this server answers with ERROR
  // 501, and the inspect result it never sends), then ours (server to client)
  public static final int DEBUG_SET_BREAKPOINT = 0x0300;
  public static final int DEBUG_REMOVE_BREAKPOINT = 0x0301;
  public static final int DEBUG_STEP = 0x0302;
  public static final int DEBUG_INSPECT = 0x0303;
  public static final int DEBUG_INSPECT_RESULT = 0x0304;
  public static final int DEBUG_SAMPLE = 0x0305;
  public static final int DEBUG_SKIPPED = 0x0306;

  // 0x04xx editor sync: z8run's (collaborative editing; answered with ERROR 501 here)
  public static final int EDITOR_NODE_MOVED = 0x0400;
  public static final int EDITOR_ZOOM_CHANGED = 0x0401;
  public static final int EDITOR_SELECTION_CHANGED = 0x0402;
  public static final int EDITOR_CURSOR_POSITION = 0x0403;

  // 0x0Fxx replies (server to client): z8run's Ok and Error
  public static final int OK = 0x0F00;
  public static final int ERROR = 0x0F01;

  private MessageType() {}

  /** Whether {@code type} is a type this protocol version defines. */
  public static boolean isKnown(int type) {
    return !"UNKNOWN".equals(name(type));
  }

  /**
   * Whether a client may send {@code type} but this server does not implement it: z8run's pause and
   * resume, breakpoints, step, inspect and editor sync. They are answered with ERROR 501.
   */
  public static boolean isUnimplementedRequest(int type) {
    return type == FLOW_PAUSE
        || type == FLOW_RESUME
        || (type >= DEBUG_SET_BREAKPOINT && type <= DEBUG_INSPECT)
        || (type >= EDITOR_NODE_MOVED && type <= EDITOR_CURSOR_POSITION);
  }

  /** Whether only the server sends {@code type} (events and replies). */
  public static boolean isServerToClient(int type) {
    return switch (type >>> 8) {
      case 0x02, 0x0F -> true;
      case 0x03 -> type >= DEBUG_INSPECT_RESULT;
      default -> type == PONG || type == AUTH_RESULT;
    };
  }

  /** The type's name as the protocol document spells it, or {@code "UNKNOWN"}. */
  public static String name(int type) {
    return switch (type) {
      case PING -> "PING";
      case PONG -> "PONG";
      case AUTHENTICATE -> "AUTHENTICATE";
      case AUTH_RESULT -> "AUTH_RESULT";
      case HELLO -> "HELLO";
      case FLOW_CREATE -> "FLOW_CREATE";
      case FLOW_UPDATE -> "FLOW_UPDATE";
      case FLOW_DELETE -> "FLOW_DELETE";
      case FLOW_DEPLOY -> "FLOW_DEPLOY";
      case FLOW_START -> "FLOW_START";
      case FLOW_STOP -> "FLOW_STOP";
      case FLOW_PAUSE -> "FLOW_PAUSE";
      case FLOW_LIST -> "FLOW_LIST";
      case FLOW_GET -> "FLOW_GET";
      case SUBSCRIBE -> "SUBSCRIBE";
      case UNSUBSCRIBE -> "UNSUBSCRIBE";
      case INJECT -> "INJECT";
      case FLOW_RESUME -> "FLOW_RESUME";
      case EXECUTION_STARTED -> "EXECUTION_STARTED";
      case NODE_STARTED -> "NODE_STARTED";
      case NODE_COMPLETED -> "NODE_COMPLETED";
      case NODE_ERROR -> "NODE_ERROR";
      case MESSAGE_SENT -> "MESSAGE_SENT";
      case EXECUTION_COMPLETED -> "EXECUTION_COMPLETED";
      case EXECUTION_FAILED -> "EXECUTION_FAILED";
      case NODE_STATUS -> "NODE_STATUS";
      case COUNTERS -> "COUNTERS";
      case NODE_WARN -> "NODE_WARN";
      case DEBUG_SET_BREAKPOINT -> "DEBUG_SET_BREAKPOINT";
      case DEBUG_REMOVE_BREAKPOINT -> "DEBUG_REMOVE_BREAKPOINT";
      case DEBUG_STEP -> "DEBUG_STEP";
      case DEBUG_INSPECT -> "DEBUG_INSPECT";
      case DEBUG_INSPECT_RESULT -> "DEBUG_INSPECT_RESULT";
      case DEBUG_SAMPLE -> "DEBUG_SAMPLE";
      case DEBUG_SKIPPED -> "DEBUG_SKIPPED";
      case EDITOR_NODE_MOVED -> "EDITOR_NODE_MOVED";
      case EDITOR_ZOOM_CHANGED -> "EDITOR_ZOOM_CHANGED";
      case EDITOR_SELECTION_CHANGED -> "EDITOR_SELECTION_CHANGED";
      case EDITOR_CURSOR_POSITION -> "EDITOR_CURSOR_POSITION";
      case OK -> "OK";
      case ERROR -> "ERROR";
      default -> "UNKNOWN";
    };
  }
}
