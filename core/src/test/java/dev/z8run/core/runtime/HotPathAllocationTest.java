package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.InjectResult;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Guards the hot path against allocation: messages through a 10-node chain, trigger to sink, on one
 * thread (manual workers), measured with the thread's allocated-bytes counter.
 */
@Isolated // allocation once the JIT has compiled: other classes' compiles would delay that
class HotPathAllocationTest {
  private static final int WARM_UP = 200_000;
  private static final int MEASURED = 500_000;

  @Test
  void shouldAllocateNearlyNothingPerMessageThroughTenNodeChain() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (Engine engine =
        new Engine(
            EngineConfig.builder()
                .workers(2)
                .traceIntervalMs(1_000_000)
                .manualWorkers(new SystemNanoClock())
                .build(),
            TestNodes.registry())) {
      engine.deploy(TestNodes.chain("alloc", 10, "pass", "sink"));
      byte[] body = "{\"payload\":{\"n\":123456},\"topic\":\"t\"}".getBytes(StandardCharsets.UTF_8);
      UnsafeBuffer buffer = new UnsafeBuffer(body);
      Engine.Trigger trigger = engine.trigger("alloc", "in");
      Engine.CounterReader sink = engine.counter("alloc", "out", NodeCounters.MESSAGES_IN);

      run(engine, trigger, buffer, body.length, WARM_UP);
      long threadId = Thread.currentThread().threadId();
      long before = threads.getThreadAllocatedBytes(threadId);
      run(engine, trigger, buffer, body.length, MEASURED);
      long allocated = threads.getThreadAllocatedBytes(threadId) - before;

      assertEquals(WARM_UP + MEASURED, sink.get());
      double perMessage = (double) allocated / MEASURED;
      System.out.printf(
          "allocated %d bytes for %d messages: %.4f B/msg%n", allocated, MEASURED, perMessage);
      assertTrue(perMessage < 0.5, "hot path allocates " + perMessage + " bytes per message");
    }
  }

  private static void run(
      Engine engine, Engine.Trigger trigger, UnsafeBuffer body, int length, int count) {
    int sent = 0;
    while (sent < count) {
      for (int burst = 0; burst < 64 && sent < count; burst++) {
        if (trigger.tryInject(body, 0, length) != InjectResult.ACCEPTED) {
          break;
        }
        sent++;
      }
      engine.doWork();
    }
    while (engine.doWork() > 0) {
      // drain what is still in flight
    }
  }
}
