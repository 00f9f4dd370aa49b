package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.event.EventSubscription;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The start of executions run inline ({@link WorkerAgent#inlineStartNs}): a stream of triggers
 * shares clock readings, anything else reads the clock.
 */
@ResourceLock(TestNodes.STATE)
class InlineClockTest {
  /** A clock the test sets, which counts how often it is read. */
  private static final class SetClock implements NanoClock {
    long nowNs = 1_000_000_000L;
    int reads;

    @Override
    public long nanoTime() {
      reads++;
      return nowNs;
    }
  }

  @Test
  void shouldShareOneReadingAmongAStreamOfTriggersAndNoOthers() {
    SetClock clock = new SetClock();
    // the duty cycle reads a clock of its own; `clock` counts the inline triggers' readings
    WorkerAgent worker = new WorkerAgent(0, 16, new SetClock());
    assertEquals(clock.nowNs, worker.inlineStartNs(clock));
    clock.nowNs += 1_000_000; // 1 ms later: no stream
    assertEquals(clock.nowNs, worker.inlineStartNs(clock));
    assertEquals(2, clock.reads);

    clock.nowNs += 10_000; // 10 µs later: a stream
    long streamNs = clock.nowNs;
    assertEquals(streamNs, worker.inlineStartNs(clock));
    for (int i = 0; i < WorkerAgent.INLINE_CLOCK_REUSES; i++) {
      clock.nowNs += 100;
      assertEquals(streamNs, worker.inlineStartNs(clock), "trigger " + i + " of the stream");
    }
    assertEquals(3, clock.reads);
    clock.nowNs += 100;
    long nextNs = clock.nowNs;
    assertEquals(nextNs, worker.inlineStartNs(clock), "a reading is shared so often at most");
    assertEquals(4, clock.reads);
    clock.nowNs += 100;
    assertEquals(nextNs, worker.inlineStartNs(clock), "the stream goes on");
    assertEquals(4, clock.reads);

    // a duty cycle of the worker ends the sharing: the next trigger reads the clock
    worker.doWork();
    clock.nowNs += 100;
    assertEquals(clock.nowNs, worker.inlineStartNs(clock), "after a cycle");
    assertEquals(5, clock.reads);
    // and that reading does not make a stream with the one before the cycle: the next reads too
    clock.nowNs += 100;
    assertEquals(clock.nowNs, worker.inlineStartNs(clock), "the second reading after a cycle");
    assertEquals(6, clock.reads);
  }

  @Test
  void shouldNotDateAnExecutionAfterAPauseFromTheStreamBeforeIt() throws Exception {
    try (Engine engine =
        new Engine(
            EngineConfig.builder().workers(1).traceIntervalMs(1_000_000).maxParkMs(20).build(),
            TestNodes.registry())) {
      engine.deploy(
          new Flow(
              "pause",
              "pause",
              "",
              List.of(TestNodes.node("in", "trigger"), TestNodes.node("check", "boom")),
              List.of(new Wire("in", 0, "check", 0))));
      EventSubscription events = engine.subscribe();
      // run on this thread, as a web request's execution is
      byte[] ok = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 1_000; i++) {
        assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("pause", "in", ok, NONE, 0));
      }
      // the worker's park (20 ms at most) ends and it cycles while nobody triggers
      Thread.sleep(300);
      byte[] failing = "{\"fail\":true}".getBytes(StandardCharsets.UTF_8);
      assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("pause", "in", failing, NONE, 0));
      AtomicLong durationNs = new AtomicLong(-1);
      EngineListener listener =
          new EngineListener() {
            @Override
            public void onExecutionFailed(
                String flowId, long executionId, String failedNodeId, long ns) {
              durationNs.set(ns);
            }
          };
      TestNodes.await(
          "the failed execution's event",
          10_000,
          () -> {
            events.poll(listener, 1_024);
            return durationNs.get() >= 0;
          });
      assertTrue(
          durationNs.get() < 200_000_000L,
          "the execution started after a pause of 300 ms; its duration: " + durationNs.get());
    }
  }

  private static final byte[] NONE = new byte[0];
}
