package dev.z8run.api.ws;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A client of {@code /ws/engine} written from docs/protocol.md alone, with nothing but the JDK: it
 * shares no code with the server (no io codec, no JSON library). JSON payloads stay strings; the
 * binary event layouts are decoded here by the document's tables.
 */
final class DocClient implements AutoCloseable {
  /** One frame as the document draws it. */
  record Frame(int version, int type, int correlationId, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    ByteBuffer reader() {
      return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** DEBUG_SAMPLE (0x0305). */
  record DebugSample(
      String flowId,
      String nodeId,
      long executionId,
      long timestampMs,
      boolean truncated,
      long originalLength,
      String preview) {}

  /** NODE_STATUS (0x0207). */
  record NodeStatus(String flowId, String nodeId, String text) {}

  /** EXECUTION_STARTED, NODE_COMPLETED (node event layout). */
  record NodeEvent(int type, String flowId, long executionId, String nodeId, long value) {}

  /** One COUNTERS entry. */
  record Counter(
      String nodeId,
      long in,
      long out,
      long errors,
      long drops,
      long queued,
      long samples,
      long p50Ns,
      long p99Ns) {}

  /** COUNTERS (0x0208). */
  record Counters(String flowId, List<Counter> entries) {}

  static final int PING = 0x0001;
  static final int PONG = 0x0002;
  static final int AUTHENTICATE = 0x0003;
  static final int AUTH_RESULT = 0x0004;
  static final int HELLO = 0x0005;
  static final int FLOW_CREATE = 0x0100;
  static final int FLOW_UPDATE = 0x0101;
  static final int FLOW_DELETE = 0x0102;
  static final int FLOW_DEPLOY = 0x0103;
  static final int FLOW_START = 0x0104;
  static final int FLOW_STOP = 0x0105;
  static final int FLOW_PAUSE = 0x0106;
  static final int FLOW_LIST = 0x0108;
  static final int FLOW_GET = 0x0109;
  static final int SUBSCRIBE = 0x010A;
  static final int UNSUBSCRIBE = 0x010B;
  static final int INJECT = 0x010C;
  static final int EXECUTION_STARTED = 0x0200;
  static final int NODE_COMPLETED = 0x0202;
  static final int NODE_ERROR = 0x0203;
  static final int EXECUTION_COMPLETED = 0x0205;
  static final int NODE_STATUS = 0x0207;
  static final int COUNTERS = 0x0208;
  static final int DEBUG_SAMPLE = 0x0305;
  static final int DEBUG_SKIPPED = 0x0306;
  static final int OK = 0x0F00;
  static final int ERROR = 0x0F01;

  private final WebSocket socket;
  private final BlockingQueue<Frame> replies = new LinkedBlockingQueue<>();
  private final BlockingQueue<Frame> events = new LinkedBlockingQueue<>();
  private final List<Frame> history = new ArrayList<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private volatile boolean reading = true;

  private DocClient(WebSocket socket) {
    this.socket = socket;
  }

  static DocClient connect(int port) {
    DocClient[] self = new DocClient[1];
    Receiver receiver = new Receiver();
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/engine"), receiver)
            .join();
    self[0] = new DocClient(socket);
    receiver.client = self[0];
    receiver.flushEarly();
    return self[0];
  }

  /** Receives whole messages and splits them into frames (one or more back to back). */
  private static final class Receiver implements WebSocket.Listener {
    volatile DocClient client;
    private final List<byte[]> early = new ArrayList<>();
    private ByteBuffer parts = ByteBuffer.allocate(0);

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
      ByteBuffer grown = ByteBuffer.allocate(parts.remaining() + data.remaining());
      grown.put(parts).put(data).flip();
      parts = grown;
      if (last) {
        byte[] message = new byte[parts.remaining()];
        parts.get(message);
        parts = ByteBuffer.allocate(0);
        deliver(message);
      }
      DocClient current = client;
      if (current == null || current.reading) {
        socket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      throw new AssertionError("the server sent a text message: " + data);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
      DocClient current = client;
      if (current != null) {
        current.closed.complete(status + " " + reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      DocClient current = client;
      if (current != null) {
        current.closed.complete("error " + error);
      }
    }

    private synchronized void deliver(byte[] message) {
      if (client == null) {
        early.add(message);
        return;
      }
      ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
      while (in.remaining() > 0) {
        if (in.remaining() < 11) {
          throw new AssertionError("a frame shorter than its 11-byte header");
        }
        int version = in.get() & 0xFF;
        int type = in.getShort() & 0xFFFF;
        int correlationId = in.getInt();
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new AssertionError("payload_len=" + length + " runs past the message");
        }
        byte[] payload = new byte[length];
        in.get(payload);
        Frame frame = new Frame(version, type, correlationId, payload);
        boolean event = (type >>> 8) == 0x02 || (type >>> 8) == 0x03;
        (event ? client.events : client.replies).add(frame);
      }
    }

    synchronized void flushEarly() {
      for (byte[] message : early) {
        deliver(message);
      }
      early.clear();
    }
  }

  /** Encodes a frame: version 1, type, correlation id, payload length, payload; little endian. */
  static byte[] frame(int version, int type, int correlationId, byte[] payload) {
    ByteBuffer out = ByteBuffer.allocate(11 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) version).putShort((short) type).putInt(correlationId).putInt(payload.length);
    out.put(payload);
    return out.array();
  }

  /** Sends raw bytes as one binary message. */
  void sendRaw(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** Sends bytes as one binary message in {@code parts} WebSocket fragments. */
  void sendFragments(byte[] bytes, int parts) {
    int size = (bytes.length + parts - 1) / parts;
    for (int start = 0; start < bytes.length; start += size) {
      int end = Math.min(bytes.length, start + size);
      socket.sendBinary(ByteBuffer.wrap(bytes, start, end - start), end == bytes.length).join();
    }
  }

  /** Sends bytes as a fragment of a binary message that is not its last. */
  void sendPart(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), false).join();
  }

  void sendText(String text) {
    socket.sendText(text, true).join();
  }

  /** Sends a request with a JSON payload ("" for none) and returns its correlation id. */
  int send(int type, String json) {
    int id = nextId.getAndIncrement();
    sendRaw(frame(1, type, id, json.getBytes(StandardCharsets.UTF_8)));
    return id;
  }

  /** Sends a request and waits for the reply carrying its correlation id. */
  Frame request(int type, String json) throws InterruptedException {
    return reply(send(type, json));
  }

  Frame reply(int correlationId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Frame frame = replies.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null && frame.correlationId() == correlationId) {
        return frame;
      }
      if (frame != null) {
        throw new AssertionError(
            "reply for id " + frame.correlationId() + " while waiting for " + correlationId);
      }
    }
    throw new AssertionError("no reply for correlation id " + correlationId);
  }

  /** HELLO, then AUTHENTICATE; returns the AUTH_RESULT's JSON. */
  String handshake(String token) throws InterruptedException {
    Frame hello = request(HELLO, "{\"versions\":[1]}");
    if (hello.type() != HELLO) {
      throw new AssertionError("HELLO answered " + hello.type() + " " + hello.text());
    }
    Frame auth = request(AUTHENTICATE, "{\"token\":\"" + token + "\"}");
    if (auth.type() != AUTH_RESULT) {
      throw new AssertionError("AUTHENTICATE answered " + auth.type());
    }
    return auth.text();
  }

  /**
   * Waits for an event frame that {@code test} accepts, among every event received since the last
   * {@link #clearEvents()} (events are kept in arrival order).
   */
  Frame awaitEvent(Predicate<Frame> test, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    int checked = 0;
    while (true) {
      events.drainTo(history);
      for (; checked < history.size(); checked++) {
        if (test.test(history.get(checked))) {
          return history.get(checked);
        }
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      Frame next = events.poll(50, TimeUnit.MILLISECONDS);
      if (next != null) {
        history.add(next);
      }
    }
  }

  /** Every event received since the last {@link #clearEvents()}. */
  List<Frame> events() {
    events.drainTo(history);
    return List.copyOf(history);
  }

  /** Forgets the events received so far. */
  void clearEvents() {
    events.drainTo(history);
    history.clear();
  }

  /** Stops asking for more messages: the client no longer reads (a stalled browser). */
  void stopReading() {
    reading = false;
  }

  /** The close status and reason, once the server closed. */
  String awaitClose(long timeoutMs) throws Exception {
    return closed.get(timeoutMs, TimeUnit.MILLISECONDS);
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }

  // The event layouts, from the document's tables.

  private static String str16(ByteBuffer in) {
    int length = in.getShort() & 0xFFFF;
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static DebugSample debugSample(Frame frame) {
    ByteBuffer in = frame.reader();
    String flow = str16(in);
    String node = str16(in);
    long execution = in.getLong();
    long timestamp = in.getLong();
    int truncated = in.get();
    long original = in.getInt() & 0xFFFF_FFFFL;
    int previewLength = in.getInt();
    byte[] preview = new byte[previewLength];
    in.get(preview);
    if (in.remaining() != 0) {
      throw new AssertionError("DEBUG_SAMPLE has " + in.remaining() + " trailing bytes");
    }
    return new DebugSample(
        flow,
        node,
        execution,
        timestamp,
        truncated == 1,
        original,
        new String(preview, StandardCharsets.UTF_8));
  }

  static NodeStatus nodeStatus(Frame frame) {
    ByteBuffer in = frame.reader();
    NodeStatus status = new NodeStatus(str16(in), str16(in), str16(in));
    if (in.remaining() != 0) {
      throw new AssertionError("NODE_STATUS has trailing bytes");
    }
    return status;
  }

  static NodeEvent nodeEvent(Frame frame) {
    ByteBuffer in = frame.reader();
    String flow = str16(in);
    long execution = in.getLong();
    String node = str16(in);
    long value = in.getLong();
    return new NodeEvent(frame.type(), flow, execution, node, value);
  }

  static Counters counters(Frame frame) {
    ByteBuffer in = frame.reader();
    String flow = str16(in);
    int count = in.getInt();
    List<Counter> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(
          new Counter(
              str16(in),
              in.getLong(),
              in.getLong(),
              in.getLong(),
              in.getLong(),
              in.getInt() & 0xFFFF_FFFFL,
              in.getInt() & 0xFFFF_FFFFL,
              in.getLong(),
              in.getLong()));
    }
    if (in.remaining() != 0) {
      throw new AssertionError("COUNTERS has trailing bytes");
    }
    return new Counters(flow, entries);
  }

  static long skipped(Frame frame) {
    ByteBuffer in = frame.reader();
    str16(in);
    return in.getInt() & 0xFFFF_FFFFL;
  }
}
