package dev.z8run.nodes.data;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * TLS besides the JDK's), {@code autoConnect} (false: stopped until {@link #connect}).
 *
 * <p>Subscriptions are the session's, by node ({@code owner}) and filter: the broker holds one per
 * filter (made with the options of its first subscriber, on every new client) and the session hands
 * each arrival to every node whose filter it matches, acknowledging a QoS 1/2 message once all of
 * them have. Node-RED's control actions act on the whole session, as on Node-RED's broker config
 * node: {@link #disconnect} stops the client for every user, {@link #connect} starts it again,
 * possibly with new settings (a new client, the subscriptions and the waiting messages carried
 * over). Thread-safe.
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

  /**
   * A subscription's options: QoS and, on MQTT 5, no-local ({@code nl}: the broker does not send
   * back what this client published), retain-as-published ({@code rap}: retained messages keep
   * their retain flag) and retain handling ({@code rh}: 0 send retained messages at subscribe, 1
   * only for a new subscription, 2 never). A 3.1.1 session uses the QoS only.
   */
  public record SubscribeOptions(
      int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    public SubscribeOptions {
      MqttSession.qos(qos);
      if (retainHandling < 0 || retainHandling > 2) {
        throw new IllegalArgumentException("rh must be 0, 1 or 2, got " + retainHandling);
      }
    }

    /** QoS only, the MQTT 5 options at their defaults. */
    public static SubscribeOptions qos(int qos) {
      return new SubscribeOptions(qos, false, false, 0);
    }
  }

  /** What {@link #connect} did. */
  public enum Connected {
    /** The session was stopped: it connects now (with the new settings when there were some). */
    STARTED,
    /** The session was connected or connecting, and no new settings came: nothing changed. */
    ALREADY
  }

  /** A node's subscription to a filter. */
  private record Subscriber(Object owner, SubscribeOptions options, Consumer<Incoming> handler) {}

  /**
   * The filters of {@link #subscribers} and their subscribers: a snapshot for the client thread.
   */
  private record Route(String filter, Subscriber[] subscribers) {}

  /** One publish stream of an MQTT 5 client, and the messages in it not yet answered. */
  private static final class PublishStream {
    final FlowableProcessor<Object> processor;
    final AtomicLong inFlight = new AtomicLong();

    PublishStream(FlowableProcessor<Object> processor) {
      this.processor = processor;
    }

    /** Takes one message's permit back; false when it was already taken by {@link #abandon}. */
    boolean answered() {
      long n;
      do {
        n = inFlight.get();
        if (n == 0) {
          return false;
        }
      } while (!inFlight.compareAndSet(n, n - 1));
      return true;
    }
  }

  /** The client in use: exactly one of v5 and v3; replaced by a connect with new settings. */
  private static final class Client {
    Mqtt5AsyncClient v5;
    Mqtt3Connection v3;
    volatile PublishStream stream;
  }

  /** The settings the session was opened with: the key its users share it by. */
  private final ConnectionSettings settings;

  /** The settings in use: {@link #settings}, or those a connect action brought. */
  private volatile ConnectionSettings current;

  /** The client; null while stopped (a disconnect action, or {@code autoConnect: false}). */
  private volatile Client client;

  /** The outbound policy's pin on the host of {@link #current} when a connect action set it. */
  private AutoCloseable overrideAdmission;

  private record Outgoing(
      String topic, byte[] payload, int qos, boolean retain, Properties properties) {}

  private final Semaphore buffer;
  private final int capacity;
  private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong published = new AtomicLong();

  /** Subscribers by filter, in order; guarded by itself. */
  private final Map<String, List<Subscriber>> subscribers = new LinkedHashMap<>();

  private volatile Route[] routes = new Route[0];

  private volatile boolean connected;
  private volatile boolean closed;
  private volatile int topicAliasMaximum;
  private final Thread drainer;
  private volatile String lastProblem = "";

  /** Opens the client for {@code settings} (kind {@code mqtt}) and starts connecting. */
  public static MqttSession open(ConnectionSettings settings) throws Exception {
    return new MqttSession(settings);
  }

  private MqttSession(ConnectionSettings settings) throws Exception {
    this.settings = settings;
    this.current = settings;
    this.capacity = (int) Math.max(1, settings.option("bufferSize", 10_000));
    // MQTT 3.1.1 numbers the messages in flight with 16 bits
    this.buffer =
        new Semaphore(
            settings.option("protocolVersion", 4) == 5 ? capacity : Math.min(capacity, 65_000));
    this.drainer = Thread.ofVirtual().name("z8-mqtt-drain").unstarted(this::drainWaiting);
    if (settings.option("autoConnect", true)) {
      start(settings);
    } else {
      lastProblem = "not connected (autoConnect false): waiting for a connect action";
    }
    drainer.start();
  }

  /**
   * Builds and starts a client for {@code settings} (the HiveMQ client for MQTT 5, {@link
   * Mqtt3Connection} for 3.1.1), makes it {@link #client} and makes the session's subscriptions on
   * it.
   *
   * <p>It is {@link #client} before it starts connecting: its connected listener ignores a client
   * that is not (one a connect action replaced), and a fast first connection (the lean 3.1.1
   * client's reader, HiveMQ's event loop) may report before this returns. Were it assigned after,
   * that report would be dropped and the session would stay "not connected" for good: nothing
   * published, the waiting messages never sent.
   */
  private void start(ConnectionSettings settings) throws Exception {
    Client started = new Client();
    String clientId =
        settings.database().isEmpty()
            ? "z8run-" + UUID.randomUUID().toString().substring(0, 8)
            : settings.database();
    String host = settings.host().isEmpty() ? "127.0.0.1" : settings.host();
    int port = settings.port() > 0 ? settings.port() : settings.tls() ? 8883 : 1883;
    TrustManagerFactory trust = settings.tls() ? trust(settings) : null;
    boolean clean = settings.option("cleanSession", true);
    int keepAlive = (int) settings.option("keepAlive", 60);
    String willTopic = settings.option("willTopic", "");
    if (settings.option("protocolVersion", 4) == 5) {
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
              .addConnectedListener(context -> onConnected(started, context))
              .addDisconnectedListener(
                  context -> {
                    context.getReconnector().resubscribeIfSessionExpired(true);
                    context.getReconnector().republishIfSessionExpired(true);
                    onDisconnected(started, String.valueOf(context.getCause().getMessage()));
                  });
      if (settings.tls()) {
        builder =
            builder.sslConfig(
                trust == null
                    ? MqttClientSslConfig.builder().build()
                    : MqttClientSslConfig.builder().trustManagerFactory(trust).build());
      }
      Mqtt5AsyncClient v5 = builder.useMqttVersion5().buildAsync();
      started.v5 = v5;
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
      // every arrival goes through the session, which knows which nodes subscribed to what
      v5.publishes(MqttGlobalPublishFilter.ALL, this::onPublish5, true);
      client = started;
      v5.connect(connect.build()).whenComplete(this::onFirstConnect);
    } else {
      // MQTT 3.1.1: the lean client of our own (see Mqtt3Connection)
      SSLSocketFactory tls = null;
      if (settings.tls()) {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust == null ? null : trust.getTrustManagers(), null);
        tls = context.getSocketFactory();
      }
      started.v3 =
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
                  onConnected(started, null);
                }

                @Override
                public void disconnected(String cause) {
                  onDisconnected(started, cause);
                }
              });
    }
    synchronized (subscribers) {
      for (Map.Entry<String, List<Subscriber>> entry : subscribers.entrySet()) {
        subscribeOn(started, entry.getKey(), entry.getValue().getFirst().options());
      }
      if (started.v3 != null) {
        // in the same hold as the subscriptions made again: a node subscribing meanwhile is
        // either in them or finds this client (set after them, it found none: made nowhere)
        client = started;
      }
    }
    if (started.v3 != null) {
      started.v3.start();
    }
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
   * Opens the publish stream of an MQTT 5 client once connected (the client refuses one before its
   * first connection); it then lives through reconnects, failing the messages a lost connection
   * takes with it. Should it end all the same, what was in it counts as failed and the next
   * connection opens another.
   *
   * <p>One stream per client: HiveMQ's async {@code publish(message)} opens a flow of its own for
   * every message (a subscription, a future, hand-offs to the event loop), which cost more than the
   * rest of an {@code mqtt-in -> change -> mqtt-out} hop; one stream batches the writes on the
   * event loop and reports each message's result in order. Serialized: several workers may publish
   * at once.
   */
  private synchronized void openStream(Client owner) {
    if (owner.stream != null || closed || owner != client) {
      return;
    }
    PublishStream next = new PublishStream(UnicastProcessor.create().toSerialized());
    owner
        .v5
        .toRx()
        .publish(next.processor.map(Mqtt5Publish.class::cast))
        .subscribe(
            result -> onPublished(next, result.getError().orElse(null)),
            failure -> onStreamEnded(owner, next, failure));
    owner.stream = next;
  }

  private synchronized void onStreamEnded(Client owner, PublishStream ended, Throwable failure) {
    lastProblem = "the publish stream ended: " + failure.getMessage();
    abandon(ended);
    if (owner.stream == ended) {
      owner.stream = null;
      if (connected && owner == client) {
        openStream(owner);
      }
    }
  }

  /** What is in {@code stream} counts as failed and gives its room in the buffer back. */
  private void abandon(PublishStream stream) {
    long lost = stream.inFlight.getAndSet(0);
    failed.addAndGet(lost);
    buffer.release((int) lost);
  }

  private void onConnected(Client owner, MqttClientConnectedContext context) {
    if (owner != client) {
      return; // a client a connect action replaced
    }
    if (owner.v5 != null) {
      if (context instanceof Mqtt5ClientConnectedContext v5) {
        topicAliasMaximum = v5.getConnAck().getRestrictions().getTopicAliasMaximum();
      }
      openStream(owner);
    }
    connected = true;
    lastProblem = "";
    LockSupport.unpark(drainer);
  }

  private void onDisconnected(Client owner, String cause) {
    if (owner != client) {
      return;
    }
    connected = false;
    lastProblem = cause;
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

  /** The settings the session was opened with (its identity among the live connections). */
  public ConnectionSettings settings() {
    return settings;
  }

  /** The settings in use: those it was opened with, or those of the last connect action. */
  public ConnectionSettings currentSettings() {
    return current;
  }

  public boolean isConnected() {
    return connected;
  }

  /** True while a client runs (connected or reconnecting); false after a disconnect action. */
  public boolean isStarted() {
    return client != null;
  }

  /** Why the last connection attempt or connection failed; empty while connected. */
  public String lastProblem() {
    return lastProblem;
  }

  /** MQTT 5: the broker's topic alias maximum from its CONNACK (0: no aliases); else 0. */
  public int topicAliasMaximum() {
    return topicAliasMaximum;
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
   * Node-RED's {@code msg.action: "connect"} on the shared connection. A stopped session (after a
   * disconnect, or opened with {@code autoConnect: false}) connects, with {@code override} when
   * given. A running one (connected, or reconnecting by itself) is left alone when no settings
   * come; with settings it is refused unless {@code force}, which stops it, applies them and
   * connects again (Node-RED's {@code msg.broker.force}). Subscriptions and waiting messages carry
   * over to the new client. Every user of the session is affected: it is shared, as Node-RED's
   * broker node is.
   *
   * @param override the settings to use from now on, or null to keep the current ones
   * @param admission the outbound policy's pin on {@code override}'s host: the session holds it
   *     while it uses those settings when STARTED with an override; otherwise the caller closes it
   * @throws IllegalStateException when running, settings came and not {@code force}
   * @throws Exception when the new client cannot be built (a bad CA file)
   */
  public synchronized Connected connect(
      ConnectionSettings override, AutoCloseable admission, boolean force) throws Exception {
    if (closed) {
      throw new IllegalStateException("the connection is closed");
    }
    if (client != null) {
      if (override == null) {
        return Connected.ALREADY;
      }
      if (!force) {
        throw new IllegalStateException(
            "Disconnect from broker before connecting (or set msg.broker.force)");
      }
      disconnect();
    }
    if (override != null) {
      current = override;
      AutoCloseable previous = overrideAdmission;
      overrideAdmission = admission;
      closeQuietly(previous);
    }
    start(current);
    return Connected.STARTED;
  }

  /**
   * Node-RED's {@code msg.action: "disconnect"}: stops the client (a clean DISCONNECT, so no last
   * will) for every user of the session until a connect action. Subscriptions are kept and made
   * again at the next connect; messages published meanwhile wait in the buffer (past it they are
   * dropped and counted); messages in flight when it stops count as failed.
   */
  public synchronized void disconnect() {
    Client stopping = client;
    client = null;
    connected = false;
    if (stopping == null) {
      return;
    }
    lastProblem = "disconnected by a disconnect action";
    stop(stopping);
  }

  private void stop(Client stopping) {
    if (stopping.v5 != null) {
      PublishStream stream = stopping.stream;
      stopping.stream = null;
      if (stream != null) {
        abandon(stream);
        stream.processor.onComplete();
      }
      stopping.v5.disconnect();
    } else {
      stopping.v3.close();
    }
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
    Client using = client;
    if (using != null && using.v3 != null) {
      using.v3.publish(topic, payload, qos, retain, this::onPublished3);
      return;
    }
    PublishStream open = using == null ? null : using.stream;
    if (open == null) { // stopped, or between a stream that ended and the next one
      buffer.release();
      failed.incrementAndGet();
      return;
    }
    open.inFlight.incrementAndGet();
    open.processor.onNext(
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

  private void onPublished(PublishStream stream, Throwable failure) {
    if (stream.answered()) {
      completed(failure);
    }
  }

  private void onPublished3(Throwable failure) {
    completed(failure);
  }

  private void completed(Throwable failure) {
    buffer.release();
    if (failure != null) {
      failed.incrementAndGet();
      lastProblem = String.valueOf(failure.getMessage());
    } else {
      published.incrementAndGet();
    }
  }

  /**
   * Subscribes {@code handler} of {@code owner} (a node) to {@code filter}; QoS 1/2 messages are
   * acknowledged to the broker only when every handler they went to called {@link
   * Incoming#acknowledge}. The handler runs on the client's thread and must not block. An owner has
   * one subscription per filter: subscribing again replaces its handler.
   *
   * <p>The broker holds one subscription per filter for the whole session, made with the options of
   * the filter's first subscriber and ended when its last one unsubscribes. Made again on every new
   * client (a connect action); while stopped, made at the next connect.
   */
  public CompletableFuture<?> subscribe(
      Object owner, String filter, SubscribeOptions options, Consumer<Incoming> handler) {
    boolean first;
    synchronized (subscribers) {
      List<Subscriber> list = subscribers.computeIfAbsent(filter, f -> new ArrayList<>(1));
      list.removeIf(s -> s.owner == owner);
      first = list.isEmpty();
      list.add(new Subscriber(owner, options, handler));
      publishRoutes();
    }
    Client using = client;
    if (first && using != null) {
      return subscribeOn(using, filter, options);
    }
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<?> subscribeOn(Client using, String filter, SubscribeOptions options) {
    if (using.v5 != null) {
      return using.v5.subscribe(
          Mqtt5Subscribe.builder()
              .topicFilter(filter)
              .qos(qos(options.qos()))
              .noLocal(options.noLocal())
              .retainAsPublished(options.retainAsPublished())
              .retainHandling(Mqtt5RetainHandling.fromCode(options.retainHandling()))
              .build());
    }
    return using.v3.subscribe(filter, options.qos(), incoming -> deliver3(filter, incoming));
  }

  /** Ends {@code owner}'s subscription to {@code filter}; the broker's ends with the last one. */
  public void unsubscribe(Object owner, String filter) {
    boolean last;
    synchronized (subscribers) {
      List<Subscriber> list = subscribers.get(filter);
      if (list == null || !list.removeIf(s -> s.owner == owner)) {
        return;
      }
      last = list.isEmpty();
      if (last) {
        subscribers.remove(filter);
      }
      publishRoutes();
    }
    Client using = client;
    if (last && using != null) {
      if (using.v5 != null) {
        using.v5.unsubscribeWith().topicFilter(filter).send();
      } else {
        using.v3.unsubscribe(filter);
      }
    }
  }

  /** Under the lock of {@link #subscribers}: the snapshot the client thread reads. */
  private void publishRoutes() {
    Route[] next = new Route[subscribers.size()];
    int i = 0;
    for (Map.Entry<String, List<Subscriber>> entry : subscribers.entrySet()) {
      next[i++] = new Route(entry.getKey(), entry.getValue().toArray(new Subscriber[0]));
    }
    routes = next;
  }

  /** An MQTT 5 arrival (every one, {@code ALL}): to the subscribers of the filters it matches. */
  private void onPublish5(Mqtt5Publish p) {
    String topic = p.getTopic().toString();
    Route[] now = routes;
    Subscriber only = null;
    List<Subscriber> several = null;
    for (Route route : now) {
      if (Mqtt3Connection.matches(route.filter, topic)) {
        for (Subscriber s : route.subscribers) {
          if (only == null) {
            only = s;
          } else {
            if (several == null) {
              several = new ArrayList<>();
              several.add(only);
            }
            several.add(s);
          }
        }
      }
    }
    if (only == null) {
      p.acknowledge(); // no node wants it (any more)
      return;
    }
    Incoming incoming =
        new Incoming(
            topic,
            p.getPayloadAsBytes(),
            p.getQos().getCode(),
            p.isRetain(),
            Properties.of(p),
            p::acknowledge);
    if (several == null) {
      handOver(only, incoming);
    } else {
      deliver(several.toArray(new Subscriber[0]), incoming);
    }
  }

  /** A 3.1.1 arrival on {@code filter} (the connection counts acknowledgements across filters). */
  private void deliver3(String filter, Incoming incoming) {
    for (Route route : routes) {
      if (route.filter.equals(filter)) {
        if (route.subscribers.length == 1) {
          handOver(route.subscribers[0], incoming);
        } else {
          deliver(route.subscribers, incoming);
        }
        return;
      }
    }
    incoming.acknowledge();
  }

  /** To several subscribers: acknowledged once all of them have. */
  private static void deliver(Subscriber[] targets, Incoming incoming) {
    AtomicInteger left = new AtomicInteger(targets.length);
    Runnable each =
        () -> {
          if (left.decrementAndGet() == 0) {
            incoming.acknowledge();
          }
        };
    for (Subscriber target : targets) {
      handOver(
          target,
          new Incoming(
              incoming.topic(),
              incoming.payload(),
              incoming.qos(),
              incoming.retain(),
              incoming.properties(),
              each));
    }
  }

  private static void handOver(Subscriber target, Incoming incoming) {
    try {
      target.handler.accept(incoming);
    } catch (RuntimeException failure) {
      // a handler's fault must not cost the connection: the message counts as taken
      incoming.acknowledge();
    }
  }

  /** True when the session speaks MQTT 5 (and so carries {@link Properties}). */
  public boolean isVersion5() {
    return current.option("protocolVersion", 4) == 5;
  }

  private static void closeQuietly(AutoCloseable held) {
    if (held != null) {
      try {
        held.close();
      } catch (Exception ignored) {
        // an admission's close does not throw
      }
    }
  }

  @Override
  public void close() {
    AutoCloseable admission;
    synchronized (this) {
      closed = true;
      disconnect();
      admission = overrideAdmission;
      overrideAdmission = null;
    }
    LockSupport.unpark(drainer);
    closeQuietly(admission);
  }
}
