package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.event.EventSubscription;
import dev.z8run.core.node.InjectResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Editor-style subscribers of the event broadcast: one keeps up, one never reads. The engine must
 * deliver every message regardless, the live subscriber must keep receiving, and the stalled one
 * must learn it was lapped instead of holding anyone back.
 */
@ResourceLock(TestNodes.STATE)
class EventSubscriptionTest {
  @Test
  void shouldKeepEngineAndLiveSubscriberGoingWhileOneSubscriberStalls() throws Exception {
    try (Engine engine =
        new Engine(
            EngineConfig.builder().workers(2).traceIntervalMs(0).build(), TestNodes.registry())) {
      engine.deploy(TestNodes.chain("watched", 5, "pass", "sink"));
      EventSubscription live = engine.subscribe();
      EventSubscription stalled = engine.subscribe();
      AtomicLong completions = new AtomicLong();
      AtomicLong nodeEvents = new AtomicLong();
      AtomicBoolean reading = new AtomicBoolean(true);
      EngineListener counting =
          new EngineListener() {
            @Override
            public void onNodeCompleted(
                String flowId, long executionId, String nodeId, long durationNs) {
              assertEquals("watched", flowId);
              nodeEvents.incrementAndGet();
            }

            @Override
            public void onExecutionCompleted(String flowId, long executionId, long durationNs) {
              completions.incrementAndGet();
            }
          };
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (reading.get()) {
                      if (live.poll(counting, 256) == 0) {
                        Thread.onSpinWait();
                      }
                    }
                  });
      byte[] body = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);
      UnsafeBuffer buffer = new UnsafeBuffer(body);
      Engine.Trigger trigger = engine.trigger("watched", "in");
      int sent = 0;
      // every execution traced: 7 events each, far more than the broadcast buffer holds
      while (sent < 200_000) {
        if (trigger.tryInject(buffer, 0, body.length) == InjectResult.ACCEPTED) {
          sent++;
        } else {
          Thread.onSpinWait();
        }
      }
      Engine.CounterReader out = engine.counter("watched", "out", NodeCounters.MESSAGES_IN);
      int total = sent;
      await("every message delivered while a subscriber stalls", 30_000, () -> out.get() == total);
      await("the live subscriber keeps receiving", 10_000, () -> completions.get() > 0);
      reading.set(false);
      reader.join();
      assertTrue(nodeEvents.get() > 0);

      AtomicLong late = new AtomicLong();
      EngineListener any =
          new EngineListener() {
            @Override
            public void onExecutionCompleted(String flowId, long executionId, long durationNs) {
              late.incrementAndGet();
            }
          };
      while (stalled.poll(any, 10_000) > 0) {
        // drain what is still in the buffer
      }
      assertTrue(stalled.lapped() > 0, "the stalled subscriber was lapped and knows it");
      assertTrue(late.get() < total, "it lost events instead of holding the engine back");
    }
  }
}
