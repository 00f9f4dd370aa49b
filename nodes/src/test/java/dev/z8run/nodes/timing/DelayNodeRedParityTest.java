package dev.z8run.nodes.timing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.FlowHarness.q;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code delay} node answers as Node-RED's for what its queue does with {@code msg.flush} and
 * {@code msg.reset}: the cases of {@code test/nodes/core/function/89-delay_spec.js} named in each
 * comment, with the node's config as Node-RED exports it (the importer keeps delay's field names).
 * The spec's delay of 1 s and rate of 2 a second are made 60 s and 1 a minute, so that no timer
 * releases a message while a case runs: what comes out, and in which order, is then what the
 * flushes and resets decide, as the spec's timings mean. Flow: source "in" → delay "d" → capture
 * "out".
 */
class DelayNodeRedParityTest {
  private static final String DELAY =
      "{'pauseType':'delay','timeout':60,'timeoutUnits':'seconds','rate':2,'rateUnits':'second',"
          + "'randomFirst':'1','randomLast':'5','randomUnits':'seconds','drop':false}";
  private static final String RATE =
      "{'pauseType':'rate','timeout':1,'timeoutUnits':'seconds','rate':1,'nbRateUnits':1,"
          + "'rateUnits':'minute','randomFirst':'1','randomLast':'5','randomUnits':'seconds',"
          + "'drop':false,'allowrate':false,'outputs':1}";

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String config) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("d", "delay", q(config)), node("out", "capture")));
  }

  private void send(String... messages) {
    for (String message : messages) {
      harness.inject("f", "in", q(message));
    }
  }

  /** The topic and payload of each message out, once {@code count} are in. */
  private List<String> out(int count) {
    List<String> out = new ArrayList<>();
    for (FlowHarness.Captured captured : harness.awaitCaptured("out", count)) {
      Map<?, ?> message = (Map<?, ?>) captured.parsed();
      out.add(message.get("topic") + ":" + message.get("payload"));
    }
    return out;
  }

  /** Waits until every one of {@code messages} executions has ended. */
  private void awaitEnded(int messages) {
    FlowHarness.await(
        messages + " executions ended",
        () ->
            harness.engine.metrics("f").completed() + harness.engine.metrics("f").failed()
                >= messages);
  }

  private static final String[] FOO_AND_FOUR_BARS = {
    "{'payload':1,'topic':'foo'}",
    "{'payload':1,'topic':'bar'}",
    "{'payload':1,'topic':'bar'}",
    "{'payload':1,'topic':'bar'}",
    "{'payload':1,'topic':'bar'}"
  };

  /** 'can flush delay queue' */
  @Test
  void shouldFlushTheDelayQueue() {
    deploy(DELAY);
    send(FOO_AND_FOUR_BARS);
    send("{'flush':true}");
    assertEquals(List.of("foo:1", "bar:1", "bar:1", "bar:1", "bar:1"), out(5));
  }

  /** 'can part flush delay queue': the oldest flush of them each time */
  @Test
  void shouldPartFlushTheDelayQueue() {
    deploy(DELAY);
    send(
        "{'payload':1,'topic':'foo'}",
        "{'payload':1,'topic':'foo'}",
        "{'payload':1,'topic':'bar'}",
        "{'payload':1,'topic':'boo'}",
        "{'payload':1,'topic':'boo'}");
    send("{'flush':2}");
    assertEquals(List.of("foo:1", "foo:1"), out(2));
    send("{'flush':1}");
    assertEquals(List.of("foo:1", "foo:1", "bar:1"), out(3));
    send("{'flush':4}");
    assertEquals(List.of("foo:1", "foo:1", "bar:1", "boo:1", "boo:1"), out(5));
  }

  /** 'can reset delay queue': nothing comes out */
  @Test
  void shouldResetTheDelayQueue() {
    deploy(DELAY);
    send(FOO_AND_FOUR_BARS);
    send("{'reset':true}");
    awaitEnded(6);
    assertEquals(List.of(), harness.captured("out"));
  }

  /** 'can flush rate limit queue': the first goes at once, the flush sends the rest */
  @Test
  void shouldFlushTheRateLimitQueue() {
    deploy(RATE);
    send(FOO_AND_FOUR_BARS);
    send("{'flush':true}");
    assertEquals(List.of("foo:1", "bar:1", "bar:1", "bar:1", "bar:1"), out(5));
  }

  /** 'can part flush rate limit queue' */
  @Test
  void shouldPartFlushTheRateLimitQueue() {
    deploy(RATE);
    send(
        "{'payload':1,'topic':'foo'}",
        "{'payload':1,'topic':'foo'}",
        "{'payload':1,'topic':'foo'}",
        "{'payload':1,'topic':'bar'}",
        "{'payload':1,'topic':'boo'}");
    assertEquals(List.of("foo:1"), out(1));
    send("{'flush':2}");
    assertEquals(List.of("foo:1", "foo:1", "foo:1"), out(3));
    send("{'flush':1}");
    assertEquals(List.of("foo:1", "foo:1", "foo:1", "bar:1"), out(4));
    send("{'flush':4}");
    assertEquals(List.of("foo:1", "foo:1", "foo:1", "bar:1", "boo:1"), out(5));
  }

  /**
   * 'can part flush and reset rate limit queue': flush first, then the rest dropped (bar never
   * comes), and the next message waits its turn until the next flush
   */
  @Test
  void shouldPartFlushAndResetTheRateLimitQueue() {
    deploy(RATE);
    send(
        "{'payload':1,'topic':'foo'}",
        "{'payload':2,'topic':'far'}",
        "{'payload':3,'topic':'boo'}",
        "{'payload':4,'topic':'bar'}",
        "{'flush':2,'reset':true}");
    assertEquals(List.of("foo:1", "far:2", "boo:3"), out(3));
    send("{'payload':5,'topic':'fob'}");
    awaitEnded(5); // fob waits in the queue: every other execution has ended
    assertEquals(3, harness.captured("out").size());
    send("{'flush':1,'reset':true}");
    assertEquals(List.of("foo:1", "far:2", "boo:3", "fob:5"), out(4));
    awaitEnded(7);
    assertEquals(4, harness.captured("out").size());
  }

  /**
   * 'can full flush and reset rate limit queue': a message with flush and reset that carries a
   * payload is queued, flushed with the rest, and the queue then reset
   */
  @Test
  void shouldFullyFlushAndResetTheRateLimitQueue() {
    deploy(RATE);
    send(
        "{'payload':1,'topic':'foo'}",
        "{'payload':2,'topic':'far'}",
        "{'payload':3,'topic':'boo'}",
        "{'payload':4,'topic':'bar'}",
        "{'payload':5,'topic':'last','flush':true,'reset':true}");
    assertEquals(List.of("foo:1", "far:2", "boo:3", "bar:4", "last:5"), out(5));
    send("{'payload':6,'topic':'fob'}", "{'flush':1,'reset':true}");
    assertEquals(List.of("foo:1", "far:2", "boo:3", "bar:4", "last:5", "fob:6"), out(6));
  }

  /** 'can reset rate limit queue': only the first, sent at once, comes out */
  @Test
  void shouldResetTheRateLimitQueue() {
    deploy(RATE);
    send(FOO_AND_FOUR_BARS);
    send("{'reset':true}");
    awaitEnded(6);
    assertEquals(List.of("foo:1"), out(1));
    assertEquals(1, harness.captured("out").size());
  }

  /** 'sending a msg with reset to empty queue doesnt send anything' */
  @Test
  void shouldSendNothingForAResetMessageToAnEmptyQueue() {
    deploy(
        "{'pauseType':'rate','timeout':1,'timeoutUnits':'seconds','rate':2,'rateUnits':'second',"
            + "'randomFirst':'1','randomLast':'5','randomUnits':'seconds','drop':false}");
    send("{'payload':1,'topic':'foo','reset':true}");
    awaitEnded(1);
    assertEquals(List.of(), harness.captured("out"));
  }

  /**
   * 'can part push to front of rate limit queue': a queued message with {@code toFront} true goes
   * to the front of the queue (doo with flush 1 is put in front, then flushed; eoo likewise); the
   * spec's timer releases coo then boo, flushes do it here. Node-RED deletes {@code flush} from
   * what it queues and keeps {@code toFront}.
   */
  @Test
  void shouldPushAMessageWithToFrontToTheFrontOfTheRateLimitQueue() {
    deploy(RATE);
    send(
        "{'payload':1,'topic':'aoo'}",
        "{'payload':1,'topic':'boo'}",
        "{'payload':1,'topic':'coo','toFront':true}",
        "{'payload':1,'topic':'doo','toFront':true,'flush':1}",
        "{'payload':1,'topic':'eoo','toFront':true}",
        "{'flush':1}");
    assertEquals(List.of("aoo:1", "doo:1", "eoo:1"), out(3));
    send("{'flush':1}");
    assertEquals(List.of("aoo:1", "doo:1", "eoo:1", "coo:1"), out(4));
    send("{'flush':1}");
    assertEquals(List.of("aoo:1", "doo:1", "eoo:1", "coo:1", "boo:1"), out(5));
    Map<?, ?> doo = (Map<?, ?>) harness.captured("out").get(1).parsed();
    assertEquals(Map.of("payload", 1L, "topic", "doo", "toFront", true), doo);
  }

  /**
   * Rate mode passes messages on without {@code flush} and {@code reset}, as Node-RED's rate mode
   * (it deletes {@code msg.flush} from every message it queues or sends, and {@code msg.reset} from
   * what a flush sends); the delay modes pass them on as they came.
   */
  @Test
  void shouldPassOnRateLimitedMessagesWithoutFlushOrResetAndDelayedOnesAsTheyCame() {
    deploy(RATE);
    send(
        "{'payload':1,'topic':'now','flush':true}",
        "{'payload':2,'topic':'queued'}",
        "{'payload':3,'topic':'last','flush':true,'reset':true}");
    assertEquals(List.of("now:1", "queued:2", "last:3"), out(3));
    assertEquals(Map.of("payload", 1L, "topic", "now"), harness.captured("out").get(0).parsed());
    assertEquals(Map.of("payload", 3L, "topic", "last"), harness.captured("out").get(2).parsed());
    harness.close();
    harness = new FlowHarness();
    deploy(DELAY);
    send("{'payload':1,'topic':'held'}", "{'payload':2,'topic':'flusher','flush':true}");
    assertEquals(List.of("held:1", "flusher:2"), out(2));
    assertEquals(
        Map.of("payload", 2L, "topic", "flusher", "flush", true),
        harness.captured("out").get(1).parsed());
  }

  /**
   * In drop mode Node-RED's rate limit knows no {@code msg.flush}: a flush message is one more
   * message over the rate (dropped), and does not let the next one through early.
   */
  @Test
  void shouldTreatAFlushAsAnOrdinaryMessageWhenDropping() {
    deploy(RATE.replace("'drop':false", "'drop':true"));
    send("{'payload':1,'topic':'first'}", "{'flush':true}", "{'payload':2,'topic':'early'}");
    awaitEnded(3);
    assertEquals(List.of("first:1"), out(1));
    assertEquals(1, harness.captured("out").size());
  }
}
