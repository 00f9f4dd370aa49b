package dev.z8run.nodes.data;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import dev.z8run.nodes.support.ConnectionSettings;
import io.reactivex.processors.FlowableProcessor;
import io.reactivex.processors.UnicastProcessor;
import io.reactivex.schedulers.Schedulers;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
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
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      Properties properties,
      Runnable acknowledgement) {
    Incoming(
        MqttTopic topic,
        MqttQos qos,
        boolean retain,
        byte[] payload,
        Properties properties,
        Runnable acknowledgement) {
      this(topic.toString(), payload, qos.getCode(), retain, properties, acknowledgement);
    }

    /** Tells the broker the message is taken (QoS 1/2; the client's manual acknowledgement). */
    public void acknowledge() {
      acknowledgement.run();
    }
  }

  /**
   * The MQTT 5 properties of a publish, under the names Node-RED's MQTT nodes give them on {@code
   * msg}: {@code responseTopic}, {@code correlationData}, {@code contentType}, {@code
   * messageExpiryInterval} (seconds), {@code payloadFormatIndicator} (true: UTF-8 text) and {@code
   * userProperties} (name and value pairs, in order; a name may repeat). Absent ones are null (no
   * user properties: empty). MQTT 3.1.1 carries none ({@link #NONE}), and a 3.1.1 session ignores
   * those it is given.
   */
  public record Properties(
      String responseTopic,
      byte[] correlationData,
      String contentType,
      Long messageExpiryInterval,
      Boolean payloadFormatIndicator,
      List<Map.Entry<String, String>> userProperties) {
    /** No property. */
    public static final Properties NONE = new Properties(null, null, null, null, null, List.of());

    public Properties {
      userProperties = List.copyOf(userProperties);
      if (messageExpiryInterval != null
          && (messageExpiryInterval < 0 || messageExpiryInterval > 0xFFFF_FFFFL)) {
        throw new IllegalArgumentException(
            "messageExpiryInterval must be 0 to 4294967295 seconds, got " + messageExpiryInterval);
      }
    }

    /** True when no property is set. */
    public boolean isEmpty() {
      return responseTopic == null
          && correlationData == null
          && contentType == null
          && messageExpiryInterval == null
          && payloadFormatIndicator == null
          && userProperties.isEmpty();
    }

    static Properties of(Mqtt5Publish p) {
      List<Map.Entry<String, String>> user = List.of();
      List<? extends Mqtt5UserProperty> list = p.getUserProperties().asList();
      if (!list.isEmpty()) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>(list.size());
        for (Mqtt5UserProperty property : list) {
          pairs.add(Map.entry(property.getName().toString(), property.getValue().toString()));
        }
        user = pairs;
      }
      Properties properties =
          new Properties(
              p.getResponseTopic().map(Object::toString).orElse(null),
              p.getCorrelationData().map(MqttSession::bytes).orElse(null),
              p.getContentType().map(Object::toString).orElse(null),
              p.getMessageExpiryInterval().isPresent()
                  ? p.getMessageExpiryInterval().getAsLong()
                  : null,
              p.getPayloadFormatIndicator()
                  .map(f -> f == Mqtt5PayloadFormatIndicator.UTF_8)
                  .orElse(null),
              user);
      return properties.isEmpty() ? NONE : properties;
    }

    Mqtt5PublishBuilder.Complete applyTo(Mqtt5PublishBuilder.Complete builder) {
      if (responseTopic != null) {
        builder = builder.responseTopic(responseTopic);
      }
      if (correlationData != null) {
        builder = builder.correlationData(correlationData);
      }
      if (contentType != null) {
        builder = builder.contentType(contentType);
      }
      if (messageExpiryInterval != null) {
        builder = builder.messageExpiryInterval(messageExpiryInterval);
      }
      if (payloadFormatIndicator != null) {
        builder =
            builder.payloadFormatIndicator(
                payloadFormatIndicator
                    ? Mqtt5PayloadFormatIndicator.UTF_8
                    : Mqtt5PayloadFormatIndicator.UNSPECIFIED);
      }
      if (!userProperties.isEmpty()) {
        Mqtt5UserPropertiesBuilder user = Mqtt5UserProperties.builder();
        for (Map.Entry<String, String> pair : userProperties) {
          user = user.add(pair.getKey(), pair.getValue());
        }
        builder = builder.userProperties(user.build());
      }
      return builder;
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private final ConnectionSettings settings;
  private final Mqtt5AsyncClient v5;
  private final Mqtt3Connection v3;

  private record Outgoing(
      String topic, byte[] payload, int qos, boolean retain, Properties properties) {}

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
    // MQTT 3.1.1 numbers the messages in flight with 16 bits
    this.buffer =
        new Semaphore(
            settings.option("protocolVersion", 4) == 5 ? capacity : Math.min(capacity, 65_000));
    this.drainer = Thread.ofVirtual().name("z8-mqtt-drain").unstarted(this::drainWaiting);
    String clientId =
        settings.database().isEmpty()
            ? "z8run-" + UUID.randomUUID().toString().substring(0, 8)
            : settings.database();
    String host = settings.host().isEmpty() ? "127.0.0.1" : settings.host();
    int port = settings.port() > 0 ? settings.port() : settings.tls() ? 8883 : 1883;
    MqttClientBuilder builder =
        MqttClient.builder()
            .identifier(clientId)
            .serverHost(host)
            .serverPort(port)
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
    TrustManagerFactory trust = settings.tls() ? trust(settings) : null;
    if (settings.tls()) {
      builder =
          builder.sslConfig(
              trust == null
                  ? MqttClientSslConfig.builder().build()
                  : MqttClientSslConfig.builder().trustManagerFactory(trust).build());
    }
    boolean clean = settings.option("cleanSession", true);
    int keepAlive = (int) settings.option("keepAlive", 60);
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
      if (!settings.user().isEmpty()) {
        connect =
            connect
                .simpleAuth()
                .username(settings.user())
                .password(settings.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth();
      }
      String willTopic = settings.option("willTopic", "");
      if (!willTopic.isEmpty()) {
        connect =
            connect
                .willPublish()
                .topic(willTopic)
                .payload(settings.option("willPayload", "").getBytes(StandardCharsets.UTF_8))
                .qos(qos((int) settings.option("willQos", 0)))
                .retain(settings.option("willRetain", false))
                .applyWillPublish();
      }
      v5.connect(connect.build()).whenComplete(this::onFirstConnect);
    } else {
      // MQTT 3.1.1: the lean client of our own (see Mqtt3Connection)
      v5 = null;
      SSLSocketFactory tls = null;
      if (settings.tls()) {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust == null ? null : trust.getTrustManagers(), null);
        tls = context.getSocketFactory();
      }
      String willTopic = settings.option("willTopic", "");
      v3 =
          new Mqtt3Connection(
              new Mqtt3Connection.Options(
                  host,
                  port,
                  tls,
                  clientId,
                  keepAlive,
                  clean,
                  settings.user(),
                  settings.user().isEmpty()
                      ? null
                      : settings.password().getBytes(StandardCharsets.UTF_8),
                  willTopic,
                  settings.option("willPayload", "").getBytes(StandardCharsets.UTF_8),
                  qos((int) settings.option("willQos", 0)).getCode(),
                  settings.option("willRetain", false)),
              new Mqtt3Connection.Listener() {
                @Override
                public void connected() {
                  onConnected();
                }

                @Override
                public void disconnected(String cause) {
                  connected = false;
                  lastProblem = cause;
                }
              });
      v3.start();
    }
    drainer.start();
  }

  /** The trust of a TLS connection: the JDK's (null), or a PEM file's certificates too. */
  private static TrustManagerFactory trust(ConnectionSettings settings) throws Exception {
    String caFile = settings.option("caFile", "");
    if (caFile.isEmpty()) {
      return null;
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
    return trust;
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
    v5.toRx()
        .publish(next.map(Mqtt5Publish.class::cast))
        .subscribe(result -> onPublished(result.getError().orElse(null)), this::onStreamEnded);
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
    if (v5 != null) {
      openStream();
    }
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
    return publish(topic, payload, qos, retain, Properties.NONE);
  }

  /** {@link #publish(String, byte[], int, boolean)} with MQTT 5 properties. */
  public Sent publish(String topic, byte[] payload, int qos, boolean retain, Properties properties)
      throws InterruptedException {
    synchronized (waiting) {
      if (!connected || !waiting.isEmpty()) {
        if (waiting.size() >= capacity) {
          dropped.incrementAndGet();
          return Sent.DROPPED;
        }
        waiting.addLast(new Outgoing(topic, payload, qos, retain, properties));
        return Sent.SENT;
      }
    }
    send(topic, payload, qos, retain, properties);
    return Sent.SENT;
  }

  /**
   * Publishes without waiting: handed to the client at once while connected and the buffer has
   * room, else queued in order behind what waits (sent as room frees and the connection is up), or
   * dropped and counted when the buffer is full. For callers that must not block (a worker).
   */
  public Sent offer(String topic, byte[] payload, int qos, boolean retain) {
    return offer(topic, payload, qos, retain, Properties.NONE);
  }

  /** {@link #offer(String, byte[], int, boolean)} with MQTT 5 properties. */
  public Sent offer(String topic, byte[] payload, int qos, boolean retain, Properties properties) {
    checkTopic(topic, qos);
    synchronized (waiting) {
      if (connected && waiting.isEmpty() && buffer.tryAcquire()) {
        sendAcquired(topic, payload, qos, retain, properties);
        return Sent.SENT;
      }
      if (waiting.size() >= capacity) {
        dropped.incrementAndGet();
        return Sent.DROPPED;
      }
      waiting.addLast(new Outgoing(topic, payload, qos, retain, properties));
    }
    LockSupport.unpark(drainer);
    return Sent.SENT;
  }

  private void send(String topic, byte[] payload, int qos, boolean retain, Properties properties)
      throws InterruptedException {
    buffer.acquire();
    sendAcquired(topic, payload, qos, retain, properties);
  }

  private void sendAcquired(
      String topic, byte[] payload, int qos, boolean retain, Properties properties) {
    if (v3 != null) {
      inStream.incrementAndGet();
      v3.publish(topic, payload, qos, retain, this::onPublished);
      return;
    }
    FlowableProcessor<Object> open = stream;
    if (open == null) { // between a stream that ended and the next one
      buffer.release();
      failed.incrementAndGet();
      return;
    }
    inStream.incrementAndGet();
    open.onNext(
        properties
            .applyTo(
                Mqtt5Publish.builder().topic(topic).qos(qos(qos)).retain(retain).payload(payload))
            .build());
  }

  /** A topic to publish to: not empty, no wildcard (the broker would close the connection). */
  private static void checkTopic(String topic, int qos) {
    if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "cannot publish to '" + topic + "': a topic is not empty and has no + or #");
    }
    qos(qos);
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
        send(next.topic, next.payload, next.qos, next.retain, next.properties);
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
    return v3.subscribe(filter, qos(qos).getCode(), handler);
  }

  private static Incoming incoming(Mqtt5Publish p) {
    return new Incoming(
        p.getTopic(),
        p.getQos(),
        p.isRetain(),
        p.getPayloadAsBytes(),
        Properties.of(p),
        p::acknowledge);
  }

  /** True when the session speaks MQTT 5 (and so carries {@link Properties}). */
  public boolean isVersion5() {
    return v5 != null;
  }

  /** Ends a subscription made with {@link #subscribe}. */
  public void unsubscribe(String filter) {
    if (v5 != null) {
      v5.unsubscribeWith().topicFilter(filter).send();
    } else {
      v3.unsubscribe(filter);
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
      v3.close();
    }
  }
}
