package dev.z8run.api.ws;

import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.api.ws.z8.Z8Decoded;
import dev.z8run.api.ws.z8.Z8Encoding;
import dev.z8run.api.ws.z8.Z8Message;
import dev.z8run.api.ws.z8.Z8Refusal;
import dev.z8run.api.ws.z8.Z8Variant;
import dev.z8run.io.frame.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The requests of a client that speaks z8run's codec ({@code Z8Codec}, bincode or debug JSON),
 * mapped onto this server's: each decoded {@code ProtocolMessage} becomes the JSON request of the
 * same {@code msg_type} and runs through the same {@link SocketCommands}; the reply is z8run's
 * {@code Ok}, {@code Error}, {@code AuthResult} or {@code Pong} in the connection's encoding, with
 * the request's correlation id in the header and (Ok, Error) in the body. Runs on the connection's
 * thread, like {@link EngineSocket}.
 *
 * <p>Ids: z8run's are {@code Uuid}; a flow is addressed by the lowercase hyphenated form of its
 * Uuid as this server's flow id. FlowStart also subscribes the connection to the flow's events
 * (z8run's enum has no Subscribe), which the {@link EventPump} sends as z8run's {@code Exec*}.
 */
final class Z8Requests {
  private final EngineSocket socket;

  Z8Requests(EngineSocket socket) {
    this.socket = socket;
  }

  /**
   * One request whose payload is (or, before the connection's encoding is fixed, looks like) in
   * {@code encoding}; fixes the connection's encoding when it decodes.
   */
  void request(
      Z8Encoding encoding, int type, int correlationId, byte[] bytes, int offset, int length) {
    Z8Decoded decoded = encoding.decode(bytes, offset, length);
    if (decoded instanceof Z8Refusal(int code, String reason)) {
      error(encoding, correlationId, code, reason);
      return;
    }
    Z8Message message = (Z8Message) decoded;
    socket.lockEncoding(
        encoding == Z8Encoding.BINCODE
            ? PayloadEncoding.Z8_BINCODE
            : PayloadEncoding.Z8_DEBUG_JSON);
    Z8Variant variant = message.variant();
    if (variant.msgType() != type) {
      socket.fail(
          correlationId,
          400,
          "msg_type="
              + hex(type)
              + " but the payload is "
              + variant.rustName()
              + ", which is msg_type="
              + hex(variant.msgType()));
      return;
    }
    if (variant == Z8Variant.AUTHENTICATE) {
      socket.authenticate(correlationId, Map.of("token", message.string("token")));
      return;
    }
    UserPrincipal user = socket.user();
    if (user == null) {
      socket.fail(correlationId, 401, "authenticate first");
      return;
    }
    int maxRequestBytes = socket.sockets().settings().maxRequestBytes();
    if (length > maxRequestBytes) {
      socket.fail(
          correlationId,
          413,
          "payload_len=" + length + " exceeds this server's request limit of " + maxRequestBytes);
      return;
    }
    SocketCommands commands = socket.sockets().commands();
    EventPump pump = socket.pump();
    String owner = user.userId();
    switch (variant) {
      case PING -> send(encoding, correlationId, Z8Message.of(Z8Variant.PONG));
      case FLOW_LIST -> ok(encoding, correlationId, commands.run(type, owner, Map.of(), pump));
      case FLOW_GET, FLOW_DELETE, FLOW_STOP ->
          ok(encoding, correlationId, commands.run(type, owner, flowRequest(message), pump));
      case FLOW_START -> {
        Map<String, Object> started = commands.run(type, owner, flowRequest(message), pump);
        commands.run(MessageType.SUBSCRIBE, owner, flowRequest(message), pump);
        ok(encoding, correlationId, started);
      }
      case FLOW_CREATE -> {
        if (!(message.get("flow") instanceof Map<?, ?> flow)) {
          socket.fail(correlationId, 400, "FlowCreate.flow: expected a flow document (an object)");
          return;
        }
        ok(encoding, correlationId, commands.run(type, owner, object(flow), pump));
      }
      case FLOW_UPDATE -> {
        Map<String, Object> update = flowRequest(message);
        update.put("flow", message.get("changes"));
        ok(encoding, correlationId, commands.run(type, owner, update, pump));
      }
      case DEBUG_SET_BREAKPOINT, DEBUG_REMOVE_BREAKPOINT, DEBUG_INSPECT ->
          socket.fail(
              correlationId,
              501,
              variant.rustName() + " is reserved: this server does not implement it");
      default ->
          socket.fail(correlationId, 400, variant.rustName() + " is sent by the server only");
    }
  }

  /** AUTH_RESULT: success and the user's id when it is a Uuid, or a failure. */
  void authResult(int correlationId, UserPrincipal verified) {
    UUID userId = verified == null ? null : uuidOrNull(verified.userId());
    send(
        socket.z8Encoding(),
        correlationId,
        Z8Message.of(Z8Variant.AUTH_RESULT, "success", verified != null, "user_id", userId));
  }

  void error(Z8Encoding encoding, int correlationId, int code, String message) {
    send(
        encoding,
        correlationId,
        Z8Message.of(
            Z8Variant.ERROR,
            "correlation_id",
            correlationId,
            "code",
            code & 0xFFFF,
            "message",
            message));
  }

  private void ok(Z8Encoding encoding, int correlationId, Map<String, Object> result) {
    send(
        encoding,
        correlationId,
        Z8Message.of(Z8Variant.OK, "correlation_id", correlationId, "data", result));
  }

  private void send(Z8Encoding encoding, int correlationId, Z8Message message) {
    socket.sender().reply(message.variant().msgType(), correlationId, encoding.encode(message));
  }

  private static Map<String, Object> flowRequest(Z8Message message) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("flow_id", message.uuid("flow_id").toString());
    return request;
  }

  private static Map<String, Object> object(Map<?, ?> map) {
    Map<String, Object> object = new LinkedHashMap<>();
    map.forEach((key, value) -> object.put(String.valueOf(key), value));
    return object;
  }

  /** {@code id} as a Uuid when it is one in canonical form, else null. */
  static UUID uuidOrNull(String id) {
    if (id.length() != 36) {
      return null;
    }
    try {
      UUID parsed = UUID.fromString(id);
      return parsed.toString().equalsIgnoreCase(id) ? parsed : null;
    } catch (IllegalArgumentException notOne) {
      return null;
    }
  }

  /**
   * The Uuid z8run's events carry for one of this server's ids (flows, nodes): the id itself when
   * it is a Uuid, else the name-based (version 3, MD5) Uuid of its UTF-8 bytes, {@code
   * UUID.nameUUIDFromBytes}.
   */
  static UUID uuidFor(String id) {
    UUID direct = uuidOrNull(id);
    return direct != null ? direct : UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(int type) {
    return String.format("0x%04X", type);
  }
}
