package dev.z8run.nodes.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A lean MQTT 3.1.1 client on one socket: the hot path of {@link MqttSession} for protocol version
 * 4. Measured against the HiveMQ client it replaces there (perf/README.md, scenario e), most of the
 * CPU of an {@code mqtt-in -> change -> mqtt-out} hop was the client's reactive plumbing per
 * message; here a message costs one frame encoded into a queue, and the writer thread sends
 * everything queued in one socket write.
 *
 * <p>Two platform threads per client: the reader (connects, reconnects with exponential backoff
 * from 100 ms to 10 s, reads and dispatches packets) and the writer (drains the frame queue in
 * batches, sends PINGREQ when idle). QoS 0, 1 and 2 both ways; outgoing QoS 1/2 messages stay in
 * flight until acknowledged and are sent again (DUP) after a reconnect; subscriptions are made
 * again when the broker did not keep the session; incoming QoS 1/2 messages are acknowledged only
 * when every handler they went to has acknowledged them. Last will, user and password, TLS (with
 * host name verification).
 */
final class Mqtt3Connection implements AutoCloseable {
  /** Told when the connection comes up or goes down. */
  interface Listener {
    void connected();

    void disconnected(String cause);
  }

  /** The settings of a connection. */
  record Options(
      String host,
      int port,
      SSLSocketFactory tls,
      String clientId,
      int keepAlive,
      boolean cleanSession,
      String user,
      byte[] password,
      String willTopic,
      byte[] willPayload,
      int willQos,
      boolean willRetain) {}

  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int BATCH = 64 * 1024;

  /** A frame to write; {@code done} (QoS 0 publishes) is told once it is written, or failed. */
  private record Frame(byte[] bytes, Consumer<Throwable> done, boolean publish) {}

  /** An outgoing QoS 1/2 publish until its PUBACK (QoS 1) or PUBCOMP (QoS 2). */
  private static final class InFlight {
    final byte[] frame;
    final Consumer<Throwable> done;
    volatile boolean released; // QoS 2: PUBREC came, PUBREL sent

    InFlight(byte[] frame, Consumer<Throwable> done) {
      this.frame = frame;
      this.done = done;
    }
  }

  private record Subscription(String filter, int qos, Consumer<MqttSession.Incoming> handler) {}

  private final Options options;
  private final Listener listener;
  private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
  private final Map<Integer, InFlight> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();

  /** Filters subscribed while disconnected: made at the next connection even if it resumes. */
  private final java.util.Set<String> unsent = ConcurrentHashMap.newKeySet();

  /**
   * Held while a subscription is taken or ended, and while the reader makes the subscriptions again
   * and marks the connection up: a subscription taken in between would be neither in what the
   * reader sends nor sent by {@link #subscribe} (not yet connected), and so made nowhere.
   */
  private final Object subscribing = new Object();

  /** QoS 2 packet ids received (PUBREC sent or to send) and not yet released by PUBREL. */
  private final Map<Integer, Boolean> receivedQos2 = new ConcurrentHashMap<>();

  private final Object idLock = new Object();
  private int nextId = 1;
  private final Thread reader;
  private final Thread writer;
  private volatile Socket socket;
  private volatile OutputStream output;
  private volatile boolean connected;
  private volatile boolean closed;

  /** Bumped on every connection: acknowledgements for an older one are not sent. */
  private final AtomicInteger epoch = new AtomicInteger();

  private volatile boolean writerParked;
  private volatile long lastWrite = System.nanoTime();

  Mqtt3Connection(Options options, Listener listener) {
    this.options = options;
    this.listener = listener;
    this.reader = Thread.ofPlatform().daemon().name("z8-mqtt-read").unstarted(this::readLoop);
    this.writer = Thread.ofPlatform().daemon().name("z8-mqtt-write").unstarted(this::writeLoop);
  }

  void start() {
    reader.start();
    writer.start();
  }

  boolean isConnected() {
    return connected;
  }

  /**
   * Queues a publish; {@code done} is told when it is written (QoS 0) or acknowledged (QoS 1/2), or
   * with the failure. QoS 1/2 messages survive reconnects; QoS 0 ones queued when the connection
   * drops fail.
   */
  void publish(String topic, byte[] payload, int qos, boolean retain, Consumer<Throwable> done) {
    byte[] name = topic.getBytes(StandardCharsets.UTF_8);
    int id = 0;
    if (qos > 0) {
      id = allocateId();
    }
    int remaining = 2 + name.length + (qos > 0 ? 2 : 0) + payload.length;
    byte[] frame = new byte[1 + lengthSize(remaining) + remaining];
    frame[0] = (byte) (0x30 | (qos << 1) | (retain ? 1 : 0));
    int at = writeLength(frame, 1, remaining);
    frame[at++] = (byte) (name.length >> 8);
    frame[at++] = (byte) name.length;
    System.arraycopy(name, 0, frame, at, name.length);
    at += name.length;
    if (qos > 0) {
      frame[at++] = (byte) (id >> 8);
      frame[at++] = (byte) id;
    }
    System.arraycopy(payload, 0, frame, at, payload.length);
    if (qos > 0) {
      inFlight.put(id, new InFlight(frame, done));
      enqueue(new Frame(frame, null, true));
    } else {
      enqueue(new Frame(frame, done, true));
    }
  }

  private int allocateId() {
    synchronized (idLock) {
      for (int tries = 0; tries < 65_535; tries++) {
        int id = nextId;
        nextId = nextId == 65_535 ? 1 : nextId + 1;
        if (!inFlight.containsKey(id) && !acks.containsKey(id)) {
          return id;
        }
      }
    }
    throw new IllegalStateException("65535 messages in flight: no packet id is free");
  }

  /** Subscribes; the future completes with the broker's SUBACK (failed if it refuses). */
  CompletableFuture<Void> subscribe(
      String filter, int qos, Consumer<MqttSession.Incoming> handler) {
    synchronized (subscribing) {
      Subscription subscription = new Subscription(filter, qos, handler);
      subscriptions.put(filter, subscription);
      subscriptionVersion.incrementAndGet();
      if (!connected) {
        unsent.add(filter);
        return CompletableFuture.completedFuture(null); // made when the connection comes up
      }
      return sendSubscribe(List.of(subscription));
    }
  }

  private CompletableFuture<Void> sendSubscribe(List<Subscription> list) {
    int id = allocateId();
    CompletableFuture<Void> suback = new CompletableFuture<>();
    acks.put(id, suback);
    Bytes body = new Bytes();
    body.u16(id);
    for (Subscription s : list) {
      body.string(s.filter).u8(s.qos);
    }
    enqueue(new Frame(body.frame(0x82), null, false));
    return suback;
  }

  void unsubscribe(String filter) {
    synchronized (subscribing) {
      Subscription removed = subscriptions.remove(filter);
      subscriptionVersion.incrementAndGet();
      unsent.remove(filter);
      if (removed == null || !connected) {
        return;
      }
      int id = allocateId();
      acks.put(id, new CompletableFuture<>());
      enqueue(new Frame(new Bytes().u16(id).string(filter).frame(0xA2), null, false));
    }
  }

  private void enqueue(Frame frame) {
    frames.add(frame);
    if (Thread.currentThread() == reader) {
      // the reader writes what it queued before it blocks on the socket (or every FLUSH_EVERY
      // frames): a batch read in, a batch written out, and no writer to wake per message
      if (++readerQueued >= FLUSH_EVERY) {
        writeFromReader();
      }
      return;
    }
    if (writerParked) {
      LockSupport.unpark(writer);
    }
  }

  /** Frames the reader queued since it last wrote (the reader's own count). */
  private int readerQueued;

  private static final int FLUSH_EVERY = 64;

  /** On the reader: writes what waits, unless the writer is writing now (then it will). */
  private void writeFromReader() {
    readerQueued = 0;
    if (frames.isEmpty()) {
      return;
    }
    OutputStream out = output;
    if (out == null || !connected || !writing.tryLock()) {
      LockSupport.unpark(writer);
      return;
    }
    try {
      writeQueued(out);
    } finally {
      writing.unlock();
    }
  }

  // ---- the writer

  /** Held while frames are taken from the queue and written: by the writer, or the reader. */
  private final java.util.concurrent.locks.ReentrantLock writing =
      new java.util.concurrent.locks.ReentrantLock();

  /** Under {@link #writing}: the batch buffer and what to tell once it is written. */
  private byte[] batch = new byte[BATCH];

  private final List<Consumer<Throwable>> written = new ArrayList<>();

  private void writeLoop() {
    long keepAliveNanos =
        options.keepAlive() > 0 ? TimeUnit.SECONDS.toNanos(options.keepAlive()) * 3 / 4 : 0;
    while (!closed) {
      OutputStream out = output;
      if (out == null || !connected) {
        writerParked = true;
        LockSupport.parkNanos(10_000_000);
        writerParked = false;
        continue;
      }
      boolean wrote;
      writing.lock();
      try {
        wrote = writeQueued(out);
      } finally {
        writing.unlock();
      }
      if (!wrote) {
        if (keepAliveNanos > 0 && System.nanoTime() - lastWrite > keepAliveNanos) {
          frames.add(new Frame(new byte[] {(byte) 0xC0, 0}, null, false)); // PINGREQ
          continue;
        }
        writerParked = true;
        if (frames.isEmpty()) {
          LockSupport.parkNanos(
              keepAliveNanos > 0 ? Math.min(keepAliveNanos, 1_000_000_000L) : 1_000_000_000L);
        }
        writerParked = false;
      }
    }
  }

  /**
   * Under {@link #writing}: takes the queued frames and writes them, in batches of up to {@link
   * #BATCH} bytes, one socket write each; false when there was nothing to write.
   */
  private boolean writeQueued(OutputStream out) {
    boolean any = false;
    while (!frames.isEmpty()) {
      int length = 0;
      Frame frame;
      while ((frame = frames.peek()) != null) {
        if (frame.bytes.length > batch.length - length) {
          if (length > 0) {
            break;
          }
          batch = new byte[frame.bytes.length]; // one frame larger than the batch
        }
        frames.poll();
        System.arraycopy(frame.bytes, 0, batch, length, frame.bytes.length);
        length += frame.bytes.length;
        if (frame.done != null) {
          written.add(frame.done);
        }
      }
      if (length == 0) {
        break;
      }
      any = true;
      try {
        out.write(batch, 0, length);
        out.flush();
        lastWrite = System.nanoTime();
        for (Consumer<Throwable> done : written) {
          done.accept(null);
        }
      } catch (IOException lost) {
        for (Consumer<Throwable> done : written) {
          done.accept(lost);
        }
        written.clear();
        drop(out, lost);
        return true;
      } finally {
        written.clear();
        if (batch.length > BATCH) {
          batch = new byte[BATCH];
        }
      }
    }
    return any;
  }

  // ---- the reader: connects, reads, reconnects

  private void readLoop() {
    long backoffMs = 100;
    while (!closed) {
      Socket s = null;
      try {
        s = open();
        Input in = new Input(s.getInputStream());
        OutputStream out = s.getOutputStream();
        out.write(connectFrame());
        out.flush();
        int header = in.packet();
        int length = in.packetLength;
        byte[] body = in.buffer;
        int at = in.packetAt;
        if ((header & 0xF0) != 0x20 || length < 2) {
          throw new IOException("the broker did not answer CONNECT with CONNACK");
        }
        if (body[at + 1] != 0) {
          throw new Refused(refusal(body[at + 1]));
        }
        boolean sessionPresent = (body[at] & 1) != 0;
        if (options.keepAlive() > 0) {
          s.setSoTimeout(options.keepAlive() * 1500);
        }
        int current = epoch.incrementAndGet();
        startConnection(s, out, sessionPresent);
        backoffMs = 100;
        read(in, current);
      } catch (IOException | RuntimeException failure) {
        String cause =
            failure instanceof Refused
                ? failure.getMessage()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Socket was = s;
        if (was != null) {
          drop(was, cause);
        } else {
          listener.disconnected(cause);
        }
      }
      if (closed) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
      backoffMs = Math.min(10_000, backoffMs * 2);
    }
  }

  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private static String refusal(int code) {
    return switch (code) {
      case 1 -> "connection refused: unacceptable protocol version";
      case 2 -> "connection refused: identifier rejected";
      case 3 -> "connection refused: server unavailable";
      case 4 -> "connection refused: bad user name or password";
      case 5 -> "connection refused: not authorized";
      default -> "connection refused: return code " + code;
    };
  }

  private Socket open() throws IOException {
    Socket s;
    if (options.tls() != null) {
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress(options.host(), options.port()), CONNECT_TIMEOUT_MS);
      SSLSocket tls =
          (SSLSocket) options.tls().createSocket(plain, options.host(), options.port(), true);
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(parameters);
      s = tls;
    } else {
      s = new Socket();
      s.connect(new InetSocketAddress(options.host(), options.port()), CONNECT_TIMEOUT_MS);
    }
    s.setTcpNoDelay(true);
    s.setSoTimeout(CONNECT_TIMEOUT_MS);
    socket = s;
    if (closed) {
      s.close();
      throw new IOException("closed");
    }
    return s;
  }

  /**
   * The connection is up: what the old one left in the queue goes (QoS 0 publishes fail, acks and
   * requests for it are dropped), unacknowledged QoS 1/2 messages are sent again in order, and the
   * subscriptions are made again unless the broker kept the session.
   */
  private void startConnection(Socket s, OutputStream out, boolean sessionPresent) {
    Frame stale;
    IOException gone = new IOException("the connection was lost before the message was written");
    while ((stale = frames.poll()) != null) {
      if (stale.done != null) {
        stale.done.accept(gone);
      }
    }
    if (!sessionPresent) {
      receivedQos2.clear(); // a new session: the broker will reuse those packet ids
    }
    for (CompletableFuture<Void> ack : acks.values()) {
      ack.complete(null); // requested again below
    }
    acks.clear();
    for (Map.Entry<Integer, InFlight> entry : new TreeMap<>(inFlight).entrySet()) {
      InFlight message = entry.getValue();
      if (message.released) {
        int id = entry.getKey();
        frames.add(new Frame(new byte[] {0x62, 2, (byte) (id >> 8), (byte) id}, null, false));
      } else {
        byte[] again = message.frame.clone();
        again[0] |= 0x08; // DUP
        frames.add(new Frame(again, null, true));
      }
    }
    synchronized (subscribing) {
      List<Subscription> again = new ArrayList<>();
      for (Subscription subscription : subscriptions.values()) {
        if (!sessionPresent || unsent.contains(subscription.filter)) {
          again.add(subscription);
        }
      }
      unsent.clear();
      if (!again.isEmpty()) {
        sendSubscribe(again);
      }
      output = out;
      connected = true;
    }
    LockSupport.unpark(writer);
    listener.connected();
  }

  /**
   * The socket's bytes, read in batches: one read takes as many packets as the broker sent, and the
   * reader knows, without asking the socket, when the next packet means waiting.
   */
  private static final class Input {
    private final InputStream raw;
    byte[] buffer = new byte[BATCH];
    int pos;
    int limit;

    Input(InputStream raw) {
      this.raw = raw;
    }

    /** Where the last {@link #packet()}'s body starts in {@link #buffer}, and its length. */
    int packetAt;

    int packetLength;

    boolean isEmpty() {
      return pos == limit;
    }

    /**
     * Reads one whole packet: returns its fixed header's first byte; its body is {@link
     * #packetLength} bytes of {@link #buffer} from {@link #packetAt} (valid until the next read).
     */
    int packet() throws IOException {
      int header = u8();
      packetLength = length();
      ensure(packetLength);
      packetAt = pos;
      pos += packetLength;
      return header;
    }

    /** Makes {@code n} bytes available from {@code pos}: compacts, grows, reads. */
    void ensure(int n) throws IOException {
      if (limit - pos >= n) {
        return;
      }
      if (buffer.length - pos < n) {
        byte[] into = n > buffer.length ? new byte[Math.max(n, BATCH)] : buffer;
        System.arraycopy(buffer, pos, into, 0, limit - pos);
        buffer = into;
        limit -= pos;
        pos = 0;
      } else if (n <= BATCH && buffer.length > BATCH && limit == pos) {
        buffer = new byte[BATCH]; // back to the usual size after one large packet
        pos = 0;
        limit = 0;
      }
      while (limit - pos < n) {
        int read;
        try {
          read = raw.read(buffer, limit, buffer.length - limit);
        } catch (SocketTimeoutException silent) {
          throw new IOException("no packet from the broker within 1.5 keep-alive periods");
        }
        if (read < 0) {
          throw new EOFException("the broker closed the connection");
        }
        limit += read;
      }
    }

    int u8() throws IOException {
      ensure(1);
      return buffer[pos++] & 0xFF;
    }

    /** A remaining length. */
    int length() throws IOException {
      int value = 0;
      int shift = 0;
      int b;
      do {
        b = u8();
        value |= (b & 0x7F) << shift;
        shift += 7;
        if (shift > 28) {
          throw new IOException("a malformed remaining length");
        }
      } while ((b & 0x80) != 0);
      return value;
    }
  }

  private void read(Input in, int current) throws IOException {
    while (!closed) {
      if (in.isEmpty()) {
        writeFromReader(); // about to wait for the broker: what the flows queued goes out first
      }
      int header = in.packet();
      int length = in.packetLength;
      byte[] body = in.buffer;
      int at = in.packetAt;
      switch (header >> 4) {
        case 3 -> onPublish(header, body, at, length, current);
        case 4 -> { // PUBACK
          InFlight done = inFlight.remove(id(body, at));
          if (done != null) {
            done.done.accept(null);
          }
        }
        case 5 -> { // PUBREC
          int id = id(body, at);
          InFlight message = inFlight.get(id);
          if (message != null) {
            message.released = true;
          }
          enqueue(new Frame(new byte[] {0x62, 2, body[at], body[at + 1]}, null, false));
        }
        case 6 -> { // PUBREL
          receivedQos2.remove(id(body, at));
          enqueue(new Frame(new byte[] {0x70, 2, body[at], body[at + 1]}, null, false));
        }
        case 7 -> { // PUBCOMP
          InFlight done = inFlight.remove(id(body, at));
          if (done != null) {
            done.done.accept(null);
          }
        }
        case 9 -> { // SUBACK
          CompletableFuture<Void> suback = acks.remove(id(body, at));
          if (suback != null) {
            boolean refused = false;
            for (int i = at + 2; i < at + length; i++) {
              refused |= (body[i] & 0xFF) == 0x80;
            }
            if (refused) {
              suback.completeExceptionally(new IOException("the broker refused the subscription"));
            } else {
              suback.complete(null);
            }
          }
        }
        case 11 -> acks.remove(id(body, at)); // UNSUBACK
        case 13 -> {} // PINGRESP
        default -> throw new IOException("unexpected packet type " + (header >> 4));
      }
    }
  }

  /** The topic of the last publish and the subscriptions it matched (most topics repeat). */
  private record Route(byte[] name, String topic, Subscription[] matching, int version) {}

  private Route lastRoute;

  /** Bumped when the subscriptions change: a cached {@link Route} is stale. */
  private final AtomicInteger subscriptionVersion = new AtomicInteger();

  private Route route(byte[] body, int at, int topicLength) {
    Route last = lastRoute;
    int version = subscriptionVersion.get();
    if (last != null
        && last.version == version
        && Arrays.equals(last.name, 0, last.name.length, body, at, at + topicLength)) {
      return last;
    }
    String topic = new String(body, at, topicLength, StandardCharsets.UTF_8);
    List<Subscription> matching = new ArrayList<>(1);
    for (Subscription s : subscriptions.values()) {
      if (matches(s.filter, topic)) {
        matching.add(s);
      }
    }
    Route route =
        new Route(
            Arrays.copyOfRange(body, at, at + topicLength),
            topic,
            matching.toArray(new Subscription[0]),
            version);
    lastRoute = route;
    return route;
  }

  private void onPublish(int header, byte[] body, int start, int length, int current) {
    int qos = (header >> 1) & 3;
    boolean retain = (header & 1) != 0;
    int topicLength = ((body[start] & 0xFF) << 8) | (body[start + 1] & 0xFF);
    Route route = route(body, start + 2, topicLength);
    int at = start + 2 + topicLength;
    int id = 0;
    if (qos > 0) {
      id = ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
      at += 2;
    }
    byte[] payload = Arrays.copyOfRange(body, at, start + length);
    if (qos == 2 && receivedQos2.putIfAbsent(id, Boolean.TRUE) != null) {
      // a duplicate of a message already taken: acknowledge again, do not deliver
      enqueue(new Frame(new byte[] {0x50, 2, (byte) (id >> 8), (byte) id}, null, false));
      return;
    }
    Subscription[] matching = route.matching;
    Runnable ack = acknowledgement(qos, id, current, Math.max(1, matching.length));
    if (matching.length == 0) {
      ack.run();
      return;
    }
    for (Subscription s : matching) {
      try {
        s.handler.accept(
            new MqttSession.Incoming(
                route.topic, payload, qos, retain, MqttSession.Properties.NONE, ack));
      } catch (RuntimeException failure) {
        // a handler's fault must not cost the connection: the message counts as taken
        ack.run();
      }
    }
  }

  /** Sends PUBACK (QoS 1) or PUBREC (QoS 2) once {@code count} handlers have acknowledged. */
  private Runnable acknowledgement(int qos, int id, int current, int count) {
    if (qos == 0) {
      return () -> {};
    }
    byte type = (byte) (qos == 1 ? 0x40 : 0x50);
    byte[] frame = {type, 2, (byte) (id >> 8), (byte) id};
    if (count == 1) {
      return () -> {
        if (epoch.get() == current) {
          enqueue(new Frame(frame, null, false));
        }
      };
    }
    AtomicInteger left = new AtomicInteger(count);
    return () -> {
      if (left.decrementAndGet() == 0 && epoch.get() == current) {
        enqueue(new Frame(frame, null, false));
      }
    };
  }

  /** MQTT topic matching: {@code +} one level, {@code #} the rest; {@code $share/g/} stripped. */
  static boolean matches(String filter, String topic) {
    if (filter.startsWith("$share/")) {
      int slash = filter.indexOf('/', 7);
      filter = slash < 0 ? filter : filter.substring(slash + 1);
    }
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    int f = 0;
    int t = 0;
    while (f < filter.length()) {
      char c = filter.charAt(f);
      if (c == '#') {
        return true;
      }
      if (c == '+') {
        while (t < topic.length() && topic.charAt(t) != '/') {
          t++;
        }
        f++;
        continue;
      }
      if (t >= topic.length()) {
        // "a/#" matches "a"
        return filter.startsWith("/#", f);
      }
      if (topic.charAt(t) != c) {
        return false;
      }
      f++;
      t++;
    }
    return t == topic.length();
  }

  private static int id(byte[] body, int at) {
    return ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
  }

  /** Ends the connection {@code s} (once): the reader reconnects. */
  private void drop(Object which, Object cause) {
    Socket s = socket;
    boolean wasConnected;
    synchronized (this) {
      if (which instanceof OutputStream out && out != output) {
        return; // an older connection, already dropped
      }
      if (which instanceof Socket old && old != s) {
        return;
      }
      wasConnected = connected;
      connected = false;
      output = null;
    }
    try {
      if (s != null) {
        s.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    if (wasConnected || which instanceof Socket) {
      listener.disconnected(
          cause instanceof Throwable t
              ? t.getClass().getSimpleName() + ": " + t.getMessage()
              : String.valueOf(cause));
    }
  }

  private byte[] connectFrame() {
    Bytes body = new Bytes();
    body.string("MQTT").u8(4);
    int flags = options.cleanSession() ? 0x02 : 0;
    boolean will = options.willTopic() != null && !options.willTopic().isEmpty();
    if (will) {
      flags |= 0x04 | (options.willQos() << 3) | (options.willRetain() ? 0x20 : 0);
    }
    boolean user = options.user() != null && !options.user().isEmpty();
    if (user) {
      flags |= 0x80 | (options.password() != null ? 0x40 : 0);
    }
    body.u8(flags).u16(options.keepAlive()).string(options.clientId());
    if (will) {
      body.string(options.willTopic()).bytes(options.willPayload());
    }
    if (user) {
      body.string(options.user());
      if (options.password() != null) {
        body.bytes(options.password());
      }
    }
    return body.frame(0x10);
  }

  @Override
  public void close() {
    if (connected) {
      enqueue(new Frame(new byte[] {(byte) 0xE0, 0}, null, false)); // DISCONNECT: no last will
      if (Thread.currentThread() == reader) {
        // closed from a flow run on the reader (a disconnect action): the reader would only write
        // what it queued before it blocks again, and it waits here
        writeFromReader();
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (!frames.isEmpty() && connected && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
    }
    closed = true;
    connected = false;
    Socket s = socket;
    try {
      if (s != null) {
        s.close();
      }
    } catch (IOException ignored) {
      // closed
    }
    LockSupport.unpark(writer);
    LockSupport.unpark(reader);
    IOException gone = new IOException("the client is closed");
    Frame stale;
    while ((stale = frames.poll()) != null) {
      if (stale.done != null) {
        stale.done.accept(gone);
      }
    }
    for (InFlight message : inFlight.values()) {
      message.done.accept(gone);
    }
    inFlight.clear();
  }

  // ---- framing

  private static int lengthSize(int length) {
    return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
  }

  private static int writeLength(byte[] frame, int at, int length) {
    do {
      int b = length & 0x7F;
      length >>>= 7;
      frame[at++] = (byte) (length > 0 ? b | 0x80 : b);
    } while (length > 0);
    return at;
  }

  /** A packet body under construction. */
  private static final class Bytes {
    private byte[] bytes = new byte[64];
    private int length;

    private void room(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    Bytes u8(int value) {
      room(1);
      bytes[length++] = (byte) value;
      return this;
    }

    Bytes u16(int value) {
      room(2);
      bytes[length++] = (byte) (value >> 8);
      bytes[length++] = (byte) value;
      return this;
    }

    Bytes bytes(byte[] value) {
      u16(value.length);
      room(value.length);
      System.arraycopy(value, 0, bytes, length, value.length);
      length += value.length;
      return this;
    }

    Bytes string(String value) {
      return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    byte[] frame(int type) {
      byte[] frame = new byte[1 + lengthSize(length) + length];
      frame[0] = (byte) type;
      int at = writeLength(frame, 1, length);
      System.arraycopy(bytes, 0, frame, at, length);
      return frame;
    }
  }
}
