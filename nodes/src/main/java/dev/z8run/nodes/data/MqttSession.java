package dev.z8run.nodes.data;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3Connect;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import dev.z8run.nodes.support.ConnectionSettings;
import io.reactivex.processors.FlowableProcessor;
import io.reactivex.processors.UnicastProcessor;
import io.reactivex.schedulers.Schedulers;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;

/**
 * One live MQTT client (the HiveMQ client, MQTT 3.1.1 or 5) shared by every MQTT node of an owner
 * that uses the same connection settings.
 *
 * <p>It connects in the background and reconnects with exponential backoff (100 ms to 10 s),
 * resubscribing and sending again the QoS 1/2 messages the broker had not acknowledged. Outgoing
 * messages not yet acknowledged (QoS 1/2) or written (QoS 0) are held in a bounded buffer of {@code
 * bufferSize} messages: while connected a full buffer makes the publisher wait (back-pressure);
 * while disconnected a message that does not fit is dropped and counted ({@link #dropped()}), never
 * lost silently.
 *
 * <p>Connection options: {@code protocolVersion} (4 = 3.1.1, 5), {@code keepAlive} seconds, {@code
 * cleanSession}, {@code sessionExpiry} seconds (MQTT 5), {@code bufferSize}, {@code receiveMaximum}
 * (MQTT 5: unacknowledged QoS 1/2 messages the broker may send at once), {@code willTopic}, {@code
 * willPayload}, {@code willQos}, {@code willRetain}, {@code caFile} (PEM certificate trusted for
 * TLS besides the JDK's). Thread-safe.
 */
public final class MqttSession implements AutoCloseable {
  /** What {@link #publish} did with a message. */
  public enum Sent {
    /** Handed to the client (acknowledgement pending for QoS 1/2). */
    SENT,
    /** Disconnected and the buffer full: dropped and counted. */
    DROPPED
  }

  /**
   * A message that arrived on a subscription; {@link #acknowledge} once the flow has it. HiveMQ's
   * MQTT 3 and MQTT 5 publishes share no interface: both are read into this.
   *
   * @param acknowledgement the publish's own {@code acknowledge}
   */
  public record Incoming(
      String topic, byte[] payload, int qos, boolean retain, Runnable acknowledgement) {
    Incoming(
        MqttTopic topic, MqttQos qos, boolean retain, byte[] payload, Runnable acknowledgement) {
      this(topic.toString(), payload, qos.getCode(), retain, acknowledgement);
    }

    /** Tells the broker the message is taken (QoS 1/2; the client's manual acknowledgement). */
    public void acknowledge() {
      acknowledgement.run();
    }
  }

  private final ConnectionSettings settings;
  private final Mqtt5AsyncClient v5;
  private final Mqtt3AsyncClient v3;

  private record Outgoing(String topic, byte[] payload, int qos, boolean retain) {}

  private final Semaphore buffer;
  private final int capacity;
  private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong published = new AtomicLong();

  /**
   * The publishes, one reactive stream per session: HiveMQ's async {@code publish(message)} opens a
   * flow of its own for every message (a subscription, a future, hand-offs to the event loop),
   * which cost more than the rest of an {@code mqtt-in -> change -> mqtt-out} hop; one stream
   * batches the writes on the event loop and reports each message's result in order. Serialized:
   * several workers may publish at once.
   */
  private volatile FlowableProcessor<Object> stream;

  /** Messages handed to {@link #stream} whose result has not come back. */
  private final AtomicLong inStream = new AtomicLong();

  private volatile boolean connected;
  private volatile boolean closed;
  private final Thread drainer;
  private volatile String lastProblem = "";

  /** Opens the client for {@code settings} (kind {@code mqtt}) and starts connecting. */
  public static MqttSession open(ConnectionSettings settings) throws Exception {
    return new MqttSession(settings);
  }

  private MqttSession(ConnectionSettings settings) throws Exception {
    this.settings = settings;
    this.capacity = (int) Math.max(1, settings.option("bufferSize", 10_000));
    this.buffer = new Semaphore(capacity);
    this.drainer = Thread.ofVirtual().name("z8-mqtt-drain").unstarted(this::drainWaiting);
    String clientId =
        settings.database().isEmpty()
            ? "z8run-" + UUID.randomUUID().toString().substring(0, 8)
            : settings.database();
    MqttClientBuilder builder =
        MqttClient.builder()
            .identifier(clientId)
            .serverHost(settings.host().isEmpty() ? "127.0.0.1" : settings.host())
            .serverPort(settings.port() > 0 ? settings.port() : settings.tls() ? 8883 : 1883)
            // callbacks (arrivals, publish results) on the client's event loop, not handed to
            // RxJava's computation pool: they only hand the message on, without blocking
            .executorConfig()
            .applicationScheduler(Schedulers.from(Runnable::run))
            .applyExecutorConfig()
            .automaticReconnect()
            .initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(10, TimeUnit.SECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> onConnected())
            .addDisconnectedListener(
                context -> {
                  connected = false;
                  lastProblem = String.valueOf(context.getCause().getMessage());
                  context.getReconnector().resubscribeIfSessionExpired(true);
                  context.getReconnector().republishIfSessionExpired(true);
                });
    if (settings.tls()) {
      builder = builder.sslConfig(ssl(settings));
    }
    boolean clean = settings.option("cleanSession", true);
    int keepAlive = (int) settings.option("keepAlive", 60);
    Login login = Login.of(settings);
    Will will = Will.of(settings);
    if (settings.option("protocolVersion", 4) == 5) {
      v3 = null;
      v5 = builder.useMqttVersion5().buildAsync();
      Mqtt5ConnectBuilder connect =
          Mqtt5Connect.builder()
              .keepAlive(keepAlive)
              .cleanStart(clean)
              .sessionExpiryInterval(settings.option("sessionExpiry", clean ? 0 : 3600))
              .restrictions()
              .receiveMaximum((int) settings.option("receiveMaximum", 1_000))
              .applyRestrictions();
      if (login != null) {
        connect = connect.simpleAuth(login.v5());
      }
      if (will != null) {
        connect = connect.willPublish(will.v5());
      }
      v5.connect(connect.build()).whenComplete(this::onFirstConnect);
    } else {
      v5 = null;
      v3 = builder.useMqttVersion3().buildAsync();
      Mqtt3ConnectBuilder connect = Mqtt3Connect.builder().keepAlive(keepAlive).cleanSession(clean);
      if (login != null) {
        connect = connect.simpleAuth(login.v3());
      }
      if (will != null) {
        connect = connect.willPublish(will.v3());
      }
      v3.connect(connect.build()).whenComplete(this::onFirstConnect);
    }
    drainer.start();
  }

  /** The user name and password of the settings, for either protocol version. */
  private record Login(String user, byte[] password) {
    /** The settings' login, or null when they name no user. */
    static Login of(ConnectionSettings settings) {
      return settings.user().isEmpty()
          ? null
          : new Login(settings.user(), settings.password().getBytes(StandardCharsets.UTF_8));
    }

    Mqtt5SimpleAuth v5() {
      return Mqtt5SimpleAuth.builder().username(user).password(password).build();
    }

    Mqtt3SimpleAuth v3() {
      return Mqtt3SimpleAuth.builder().username(user).password(password).build();
    }
  }

  /** The last will of the settings (options willTopic, willPayload, willQos, willRetain). */
  private record Will(String topic, byte[] payload, MqttQos qos, boolean retain) {
    /** The settings' will, or null when they name no will topic. */
    static Will of(ConnectionSettings settings) {
      String topic = settings.option("willTopic", "");
      return topic.isEmpty()
          ? null
          : new Will(
              topic,
              settings.option("willPayload", "").getBytes(StandardCharsets.UTF_8),
              MqttSession.qos((int) settings.option("willQos", 0)),
              settings.option("willRetain", false));
    }

    Mqtt5Publish v5() {
      return Mqtt5Publish.builder().topic(topic).payload(payload).qos(qos).retain(retain).build();
    }

    Mqtt3Publish v3() {
      return Mqtt3Publish.builder().topic(topic).payload(payload).qos(qos).retain(retain).build();
    }
  }

  private static MqttClientSslConfig ssl(ConnectionSettings settings) throws Exception {
    String caFile = settings.option("caFile", "");
    if (caFile.isEmpty()) {
      return MqttClientSslConfig.builder().build();
    }
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(Path.of(caFile))) {
      int n = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        trusted.setCertificateEntry("ca-" + n++, certificate);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    return MqttClientSslConfig.builder().trustManagerFactory(trust).build();
  }

  /**
   * Opens the publish stream once connected (the client refuses one before its first connection);
   * it then lives through reconnects, failing the messages a lost connection takes with it. Should
   * it end all the same, what was in it counts as failed and the next connection opens another.
   */
  private synchronized void openStream() {
    if (stream != null || closed) {
      return;
    }
    FlowableProcessor<Object> next = UnicastProcessor.create().toSerialized();
    if (v5 != null) {
      v5.toRx()
          .publish(next.map(Mqtt5Publish.class::cast))
          .subscribe(result -> onPublished(result.getError().orElse(null)), this::onStreamEnded);
    } else {
      v3.toRx()
          .publish(next.map(Mqtt3Publish.class::cast))
          .subscribe(result -> onPublished(result.getError().orElse(null)), this::onStreamEnded);
    }
    stream = next;
  }

  private synchronized void onStreamEnded(Throwable failure) {
    lastProblem = "the publish stream ended: " + failure.getMessage();
    stream = null;
    long lost = inStream.getAndSet(0);
    failed.addAndGet(lost);
    buffer.release((int) lost);
    if (connected) {
      openStream();
    }
  }

  private void onConnected() {
    openStream();
    connected = true;
    lastProblem = "";
    LockSupport.unpark(drainer);
  }

  private void onFirstConnect(Object ack, Throwable failure) {
    if (failure != null) {
      lastProblem = String.valueOf(failure.getMessage());
    }
  }

  static MqttQos qos(int code) {
    MqttQos qos = MqttQos.fromCode(code);
    if (qos == null) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + code);
    }
    return qos;
  }

  public ConnectionSettings settings() {
    return settings;
  }

  public boolean isConnected() {
    return connected;
  }

  /** Why the last connection attempt or connection failed; empty while connected. */
  public String lastProblem() {
    return lastProblem;
  }

  /** Messages dropped because the buffer was full while disconnected. */
  public long dropped() {
    return dropped.get();
  }

  /** Messages the client gave up on (for example a QoS 0 message lost with its connection). */
  public long failed() {
    return failed.get();
  }

  /** Messages the client completed (written, or acknowledged for QoS 1/2). */
  public long published() {
    return published.get();
  }

  /**
   * Publishes a message. While connected it goes to the client at once, waiting for room in the
   * buffer (back-pressure); while disconnected it waits in the buffer, in order, and is sent when
   * the connection is back, unless the buffer is full: then it is dropped and counted.
   *
   * @throws InterruptedException when interrupted while waiting for room
   */
  public Sent publish(String topic, byte[] payload, int qos, boolean retain)
      throws InterruptedException {
    synchronized (waiting) {
      if (!connected || !waiting.isEmpty()) {
        if (waiting.size() >= capacity) {
          dropped.incrementAndGet();
          return Sent.DROPPED;
        }
        waiting.addLast(new Outgoing(topic, payload, qos, retain));
        return Sent.SENT;
      }
    }
    send(topic, payload, qos, retain);
    return Sent.SENT;
  }

  /**
   * Publishes without waiting: handed to the client at once while connected and the buffer has
   * room, else queued in order behind what waits (sent as room frees and the connection is up), or
   * dropped and counted when the buffer is full. For callers that must not block (a worker).
   */
  public Sent offer(String topic, byte[] payload, int qos, boolean retain) {
    synchronized (waiting) {
      if (connected && waiting.isEmpty() && buffer.tryAcquire()) {
        sendAcquired(topic, payload, qos, retain);
        return Sent.SENT;
      }
      if (waiting.size() >= capacity) {
        dropped.incrementAndGet();
        return Sent.DROPPED;
      }
      waiting.addLast(new Outgoing(topic, payload, qos, retain));
    }
    LockSupport.unpark(drainer);
    return Sent.SENT;
  }

  private void send(String topic, byte[] payload, int qos, boolean retain)
      throws InterruptedException {
    buffer.acquire();
    sendAcquired(topic, payload, qos, retain);
  }

  private void sendAcquired(String topic, byte[] payload, int qos, boolean retain) {
    FlowableProcessor<Object> open = stream;
    if (open == null) { // between a stream that ended and the next one
      buffer.release();
      failed.incrementAndGet();
      return;
    }
    inStream.incrementAndGet();
    if (v5 != null) {
      open.onNext(
          Mqtt5Publish.builder()
              .topic(topic)
              .qos(qos(qos))
              .retain(retain)
              .payload(payload)
              .build());
    } else {
      open.onNext(
          Mqtt3Publish.builder()
              .topic(topic)
              .qos(qos(qos))
              .retain(retain)
              .payload(payload)
              .build());
    }
  }

  /** On a virtual thread of its own: sends what waits, in order, while connected. */
  private void drainWaiting() {
    while (!closed) {
      Outgoing next;
      synchronized (waiting) {
        next = connected ? waiting.peekFirst() : null;
      }
      if (next == null) {
        LockSupport.parkNanos(10_000_000);
        continue;
      }
      try {
        send(next.topic, next.payload, next.qos, next.retain);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (waiting) {
        waiting.pollFirst();
      }
    }
  }

  /** Messages waiting for the connection. */
  public int waiting() {
    synchronized (waiting) {
      return waiting.size();
    }
  }

  private void onPublished(Throwable failure) {
    inStream.decrementAndGet();
    buffer.release();
    if (failure != null) {
      failed.incrementAndGet();
      lastProblem = String.valueOf(failure.getMessage());
    } else {
      published.incrementAndGet();
    }
  }

  /**
   * Subscribes {@code handler} to {@code filter}; QoS 1/2 messages are acknowledged to the broker
   * only when the handler calls {@link Incoming#acknowledge}. The handler runs on the client's
   * thread and must not block.
   */
  public CompletableFuture<?> subscribe(String filter, int qos, Consumer<Incoming> handler) {
    if (v5 != null) {
      return v5.subscribe(
          Mqtt5Subscribe.builder().topicFilter(filter).qos(qos(qos)).build(),
          publish -> handler.accept(incoming(publish)),
          true);
    }
    return v3.subscribe(
        Mqtt3Subscribe.builder().topicFilter(filter).qos(qos(qos)).build(),
        publish -> handler.accept(incoming(publish)),
        true);
  }

  private static Incoming incoming(Mqtt5Publish p) {
    return new Incoming(
        p.getTopic(), p.getQos(), p.isRetain(), p.getPayloadAsBytes(), p::acknowledge);
  }

  private static Incoming incoming(Mqtt3Publish p) {
    return new Incoming(
        p.getTopic(), p.getQos(), p.isRetain(), p.getPayloadAsBytes(), p::acknowledge);
  }

  /** Ends a subscription made with {@link #subscribe}. */
  public void unsubscribe(String filter) {
    if (v5 != null) {
      v5.unsubscribeWith().topicFilter(filter).send();
    } else {
      v3.unsubscribeWith().topicFilter(filter).send();
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(drainer);
    FlowableProcessor<Object> open = stream;
    if (open != null) {
      open.onComplete();
    }
    if (v5 != null) {
      v5.disconnect();
    } else {
      v3.disconnect();
    }
  }
}
