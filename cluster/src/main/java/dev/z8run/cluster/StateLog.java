package dev.z8run.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's shared state as one ordered log on the state stream: each change to a record (a
 * flow) is a message on {@code <prefix>.state.<kind>.<key>}, its whole new content, or an empty
 * message with the header {@code Z8-Op: delete}. Every member, the writer included, applies every
 * record in stream order, so members that wrote the same record at once end with the same content:
 * the stream's order decides, never a clock. The stream keeps the last records of each key, so it
 * is its own snapshot: a member that starts or comes back replays it from the beginning.
 *
 * <p>Thread-safe; {@link Applier} calls come one at a time on one NATS dispatcher thread.
 */
public final class StateLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StateLog.class.getName());
  private static final String OP = "Z8-Op";
  private static final String MEMBER = "Z8-Member";
  private static final Base64.Encoder KEYS = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder KEYS_DECODER = Base64.getUrlDecoder();

  /** Receives the log's records in order. */
  public interface Applier {
    /**
     * @param kind what the record is ({@code flow}, ...)
     * @param key its id within the kind
     * @param content the record, or null when it was deleted
     * @param member the member that wrote it
     */
    void onRecord(String kind, String key, byte[] content, String member);
  }

  private final Cluster cluster;
  private final Object progress = new Object();
  private long applied;
  private MessageConsumer consumer;

  StateLog(Cluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Writes a record's new content; returns once the stream has stored it.
   *
   * @return the record's sequence in the stream
   */
  public long publish(String kind, String key, byte[] content) throws IOException {
    return write(kind, key, content, "put");
  }

  /** Writes that a record was deleted. */
  public long delete(String kind, String key) throws IOException {
    return write(kind, key, new byte[0], "delete");
  }

  private long write(String kind, String key, byte[] content, String op) throws IOException {
    Headers headers = new Headers().put(OP, op).put(MEMBER, cluster.memberId());
    try {
      PublishAck ack = cluster.jetStream().publish(subject(kind, key), headers, content);
      return ack.getSeqno();
    } catch (JetStreamApiException refused) {
      throw new IOException("state log refused " + kind + " '" + key + "': " + refused, refused);
    }
  }

  private String subject(String kind, String key) {
    return cluster.config().prefix()
        + ".state."
        + kind
        + "."
        + KEYS.encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Applies the log from its beginning, then every new record as it comes; returns once the records
   * that were in the stream at the call are applied.
   *
   * @throws TimeoutException when catching up takes longer than {@code catchUp}
   */
  public void start(Applier applier, Duration catchUp) throws IOException, TimeoutException {
    long last;
    try {
      last =
          cluster
              .connection()
              .jetStreamManagement()
              .getStreamInfo(cluster.config().stateStream())
              .getStreamState()
              .getLastSequence();
      consumer =
          cluster
              .connection()
              .getStreamContext(cluster.config().stateStream())
              .createOrderedConsumer(
                  new OrderedConsumerConfiguration()
                      .filterSubject(cluster.config().stateSubjects()))
              .consume(message -> onMessage(applier, message));
    } catch (JetStreamApiException refused) {
      throw new IOException("cannot read the state log: " + refused, refused);
    }
    awaitApplied(last, catchUp);
  }

  /** Waits until the record at {@code sequence} (and all before it) is applied here. */
  public void awaitApplied(long sequence, Duration timeout) throws TimeoutException {
    long deadlineNs = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (applied < sequence) {
        long leftNs = deadlineNs - System.nanoTime();
        if (leftNs <= 0) {
          throw new TimeoutException(
              "state log applied up to " + applied + ", waiting for " + sequence);
        }
        try {
          progress.wait(Math.max(1, leftNs / 1_000_000));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new TimeoutException("interrupted");
        }
      }
    }
  }

  /** The stream sequence of the last record applied here. */
  public long applied() {
    synchronized (progress) {
      return applied;
    }
  }

  private void onMessage(Applier applier, Message message) {
    String[] parts = message.getSubject().split("\\.", 4);
    Headers headers = message.getHeaders();
    String op = headers == null ? "put" : headers.getFirst(OP);
    String member = headers == null ? "" : headers.getFirst(MEMBER);
    try {
      if (parts.length == 4) {
        String key = new String(KEYS_DECODER.decode(parts[3]), StandardCharsets.UTF_8);
        applier.onRecord(parts[2], key, "delete".equals(op) ? null : message.getData(), member);
      }
    } catch (RuntimeException failed) {
      // one bad record must not stop the log; it is logged and the next one applies
      LOG.log(Level.WARNING, "state record " + message.getSubject() + " not applied: " + failed);
    } finally {
      synchronized (progress) {
        applied = Math.max(applied, message.metaData().streamSequence());
        progress.notifyAll();
      }
    }
  }

  @Override
  public void close() {
    if (consumer != null) {
      try {
        consumer.close();
      } catch (Exception ignored) {
        LOG.log(Level.DEBUG, "closing the state log consumer: " + ignored);
      }
    }
  }
}
