package dev.z8run.api.cluster;

import dev.z8run.io.json.JsonCodec;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test's end of a work queue: a durable consumer of {@code <prefix>.work.<queue>} that records
 * every message's {@code payload.id} (how often it came) or, for timer ticks, when it came.
 */
final class QueueSink implements AutoCloseable {
  final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<long[]> arrivals = new ConcurrentLinkedQueue<>(); // {nanoTime, tick}
  final AtomicInteger total = new AtomicInteger();
  private final MessageConsumer consumer;

  QueueSink(Connection nats, String prefix, String queue)
      throws IOException, JetStreamApiException {
    ensureWorkStream(nats, prefix);
    consumer =
        nats.getStreamContext(prefix + "_WORK")
            .createOrUpdateConsumer(
                ConsumerConfiguration.builder()
                    .durable("sink-" + queue)
                    .filterSubject(prefix + ".work." + queue)
                    .ackPolicy(AckPolicy.Explicit)
                    .build())
            .consume(this::onMessage);
  }

  /** The members create it too; the test may get there first. */
  static void ensureWorkStream(Connection nats, String prefix)
      throws IOException, JetStreamApiException {
    JetStreamManagement management = nats.jetStreamManagement();
    try {
      management.getStreamInfo(prefix + "_WORK");
    } catch (JetStreamApiException missing) {
      management.addStream(
          StreamConfiguration.builder()
              .name(prefix + "_WORK")
              .subjects(prefix + ".work.>")
              .retentionPolicy(RetentionPolicy.WorkQueue)
              .storageType(StorageType.File)
              .duplicateWindow(Duration.ofMinutes(2))
              .build());
    }
  }

  private void onMessage(Message message) {
    long now = System.nanoTime();
    Map<?, ?> body = (Map<?, ?>) JsonCodec.parse(message.getData());
    if (body.get("payload") instanceof Map<?, ?> payload) {
      if (payload.get("id") instanceof Number id) {
        seen.computeIfAbsent(id.longValue(), k -> new AtomicInteger()).incrementAndGet();
      } else if (payload.get("tick") instanceof Number tick) {
        arrivals.add(new long[] {now, tick.longValue()});
      }
    }
    total.incrementAndGet();
    message.ack();
  }

  /** Ids in {@code [0, count)} never seen. */
  long lost(long count) {
    long lost = 0;
    for (long id = 0; id < count; id++) {
      if (!seen.containsKey(id)) {
        lost++;
      }
    }
    return lost;
  }

  /** Deliveries beyond the first, over all ids. */
  long duplicates() {
    long duplicates = 0;
    for (AtomicInteger times : seen.values()) {
      duplicates += times.get() - 1;
    }
    return duplicates;
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } catch (Exception ignored) {
      // the stream goes with the test's cleanup anyway
    }
  }
}
