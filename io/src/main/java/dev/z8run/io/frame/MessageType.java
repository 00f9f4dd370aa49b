package dev.z8run.io.frame;

/**
 * The {@code msg_type} numbers of the frame header, in z8run's ranges: {@code 0x00xx} control,
 * {@code 0x01xx} flow commands, {@code 0x02xx} execution events, {@code 0x03xx} debug, {@code
 * 0x04xx} editor sync (reserved), {@code 0x0Fxx} replies. {@code docs/protocol.md} gives each
 * type's direction and payload.
 *
 * <p>Types are {@code int}s holding the unsigned 16-bit value, so that a received type can be
 * compared without boxing or lookup.
 */
public final class MessageType {
  // 0x00xx control
  public static final int PING = 0x0001;
  public static final int PONG = 0x0002;
  public static final int AUTHENTICATE = 0x0003;
  public static final int AUTH_RESULT = 0x0004;
  public static final int HELLO = 0x0005;

  // 0x01xx flow commands (client to server, answered with OK or ERROR)
  public static final int FLOW_CREATE = 0x0101;
  public static final int FLOW_UPDATE = 0x0102;
  public static final int FLOW_DELETE = 0x0103;
  public static final int FLOW_DEPLOY = 0x0104;
  public static final int FLOW_START = 0x0105;
  public static final int FLOW_STOP = 0x0106;
  public static final int FLOW_PAUSE = 0x0107;
  public static final int FLOW_LIST = 0x0108;
  public static final int FLOW_GET = 0x0109;
  public static final int SUBSCRIBE = 0x010A;
  public static final int UNSUBSCRIBE = 0x010B;
  public static final int INJECT = 0x010C;
  public static final int FLOW_RESUME = 0x010D;

  // 0x02xx execution events (server to client)
  public static final int EXECUTION_STARTED = 0x0201;
  public static final int NODE_STARTED = 0x0202;
  public static final int NODE_COMPLETED = 0x0203;
  public static final int NODE_ERROR = 0x0204;
  public static final int MESSAGE_SENT = 0x0205;
  public static final int EXECUTION_COMPLETED = 0x0206;
  public static final int EXECUTION_FAILED = 0x0207;
  public static final int NODE_STATUS = 0x0208;
  public static final int COUNTERS = 0x0209;
  public static final int NODE_WARN = 0x020A;

  // 0x03xx debug (server to client); 0x0303 and up are reserved for breakpoints, step, inspect
  public static final int DEBUG_SAMPLE = 0x0301;
  public static final int DEBUG_SKIPPED = 0x0302;

  // 0x0Fxx replies (server to client)
  public static final int OK = 0x0F01;
  public static final int ERROR = 0x0F02;

  private MessageType() {}

  /** Whether {@code type} is a type this protocol version defines. */
  public static boolean isKnown(int type) {
    return !"UNKNOWN".equals(name(type));
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
      case DEBUG_SAMPLE -> "DEBUG_SAMPLE";
      case DEBUG_SKIPPED -> "DEBUG_SKIPPED";
      case OK -> "OK";
      case ERROR -> "ERROR";
      default -> "UNKNOWN";
    };
  }
}
