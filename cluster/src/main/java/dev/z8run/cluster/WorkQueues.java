package dev.z8run.cluster;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The distributed wires: a {@code work-out} node publishes each message onto {@code
 * <prefix>.work.<queue>} of the work-queue stream and returns only once JetStream stored it; every
 * member running a {@code work-in} node of that queue pulls from one shared durable consumer,
 * starts an execution with the message and acknowledges it only when that execution has ended. A
 * member killed mid-execution never acknowledges, so after {@link ClusterConfig#ackWaitMs()}
 * JetStream redelivers the message to another member: at least once, never lost. Each publish
 * carries a message id ({@code Nats-Msg-Id}: member and counter) that a retried publish reuses, so
 * the stream's de-duplication window drops the copies a publisher retry would make.
 *
 * <p>Back-pressure: when the work-in node's inbox is full, the pulling thread waits, and the
 * consumer's bounded batches stop pulling more. Thread-safe.
 */
public final class WorkQueues implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WorkQueues.class.getName());
  private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final long PUBLISH_RETRY_MS = 60_000;

  private final Cluster cluster;
  private final Engine engine;
  private final ClusterReplies replies;
  private final Map<String, MessageConsumer> attached = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();

  /**
   * @param replies carries the answers of requests held open on another member, or null (a reply to
   *     a request that crossed a queue then times out on the member holding it)
   */
  public WorkQueues(Cluster cluster, Engine engine, ClusterReplies replies) {
    this.cluster = cluster;
    this.engine = engine;
    this.replies = replies;
  }

  /**
   * Checks a queue name: it becomes part of a subject and a consumer name.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String checkQueue(String queue) {
    if (queue == null || !QUEUE.matcher(queue).matches()) {
      throw new IllegalArgumentException(
          "queue '" + queue + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
    return queue;
  }

  /**
   * Publishes one message and returns once the stream stored it, retrying (same message id) while
   * NATS is unreachable for up to a minute. Blocks: call it from a blocking node.
   *
   * @throws IOException when the message could not be stored
   */
  public void publish(String queue, byte[] json) throws IOException {
    publish(queue, json, 0);
  }

  /**
   * As {@link #publish(String, byte[])}, for a message of an execution that holds request {@code
   * ref} open here (0: none): whichever member takes it can answer the request.
   */
  public void publish(String queue, byte[] json, long ref) throws IOException {
    Headers headers = ref != 0 && replies != null ? replies.headersFor(ref) : null;
    String id = cluster.memberId() + "-" + sequence.incrementAndGet();
    PublishOptions options = PublishOptions.builder().messageId(id).build();
    String subject = cluster.config().workSubject(queue);
    long deadlineNs = System.nanoTime() + PUBLISH_RETRY_MS * 1_000_000;
    while (true) {
      try {
        PublishAck ack = cluster.jetStream().publish(subject, headers, json, options);
        if (!ack.isDuplicate()) {
          published.incrementAndGet();
        }
        return;
      } catch (IOException | JetStreamApiException failed) {
        if (System.nanoTime() - deadlineNs > 0) {
          throw new IOException("work queue '" + queue + "' did not take a message: " + failed);
        }
        LockSupport.parkNanos(100_000_000L);
      }
    }
  }

  /** Starts pulling queue {@code queue} into node {@code nodeId} of flow {@code flowId}. */
  public void attach(String queue, String flowId, String nodeId) throws IOException {
    String key = flowId + "\u0000" + nodeId;
    ConsumerConfiguration consumer =
        ConsumerConfiguration.builder()
            .durable(cluster.config().prefix() + "-work-" + queue)
            .filterSubject(cluster.config().workSubject(queue))
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(Duration.ofMillis(cluster.config().ackWaitMs()))
            .maxAckPending(4096)
            .build();
    try {
      MessageConsumer running =
          cluster
              .connection()
              .getStreamContext(cluster.config().workStream())
              .createOrUpdateConsumer(consumer)
              .consume(
                  ConsumeOptions.builder().batchSize(256).build(),
                  message -> onMessage(key, flowId, nodeId, message));
      MessageConsumer before = attached.put(key, running);
      if (before != null) {
        stop(before);
      }
    } catch (JetStreamApiException refused) {
      throw new IOException("work queue '" + queue + "': " + refused, refused);
    }
  }

  /** Stops pulling into that node; messages taken and not finished are redelivered later. */
  public void detach(String flowId, String nodeId) {
    MessageConsumer running = attached.remove(flowId + "\u0000" + nodeId);
    if (running != null) {
      stop(running);
    }
  }

  private void onMessage(String key, String flowId, String nodeId, Message message) {
    received.incrementAndGet();
    if (message.metaData().deliveredCount() > 1) {
      redelivered.incrementAndGet();
    }
    byte[] json = message.getData();
    long ref = replies == null ? 0 : replies.adopt(message.getHeaders());
    while (attached.containsKey(key)) {
      InjectResult result =
          engine.inject(
              flowId,
              nodeId,
              json,
              ref,
              (executionId, failed) -> {
                forgetRef(ref);
                acknowledge(message);
              });
      switch (result) {
        case ACCEPTED -> {
          return;
        }
        case BACK_PRESSURED, NO_MEMORY -> LockSupport.parkNanos(200_000);
        case TOO_LARGE -> {
          forgetRef(ref);
          LOG.log(Level.WARNING, "work message too large for node '" + nodeId + "': dropped");
          message.term();
          return;
        }
        default -> {
          forgetRef(ref);
          message.nak();
          return;
        }
      }
    }
    forgetRef(ref);
    message.nak();
  }

  private void forgetRef(long ref) {
    if (replies != null) {
      replies.forget(ref);
    }
  }

  /**
   * Acknowledges on the thread that ended the execution: a publish into the connection's buffer,
   * never a wait. A connection already closed (the member is stopping) leaves the message to be
   * redelivered.
   */
  private void acknowledge(Message message) {
    try {
      message.ack();
      acknowledged.incrementAndGet();
    } catch (RuntimeException closed) {
      LOG.log(Level.DEBUG, "work message not acknowledged (redelivered later): " + closed);
    }
  }

  private static void stop(MessageConsumer consumer) {
    try {
      consumer.close();
    } catch (Exception failed) {
      LOG.log(Level.DEBUG, "closing a work consumer: " + failed);
    }
  }

  /** Messages this member stored on a work queue (not counting de-duplicated retries). */
  public long published() {
    return published.get();
  }

  /** Messages this member took from work queues, redeliveries included. */
  public long received() {
    return received.get();
  }

  /** Of {@link #received()}, those delivered before (to this or another member). */
  public long redelivered() {
    return redelivered.get();
  }

  /** Messages whose execution ended here and that were acknowledged. */
  public long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public void close() {
    for (String key : attached.keySet()) {
      MessageConsumer running = attached.remove(key);
      if (running != null) {
        stop(running);
      }
    }
  }
}
