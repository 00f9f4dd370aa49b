package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.HeldMemory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The nodes that hold messages (join, batch, sort, delay, trigger) count the heap of what they hold
 * in the engine's {@link HeldMemory}: past it a message is the node's error and is dropped, what is
 * held is kept and sent as usual, and everything comes back when it is sent or the flow stops. A
 * budget of 64 KiB holds seven messages of 8,000 characters. Source "in" -> node "n" -> capture
 * "out", on a real engine.
 */
class HeldMessagesLimitTest {
  private static final String BIG = "\"" + "x".repeat(8_000) + "\"";

  private FlowHarness harness;
  private final HeldMemory memory = new HeldMemory(64 << 10, 100, owner -> true);

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    harness.engine.registerService(HeldMemory.class, memory);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String type, String config) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("n", type, config), node("out", "capture")));
  }

  private void injectBig(int count, boolean parts) {
    for (int i = 0; i < count; i++) {
      harness.inject(
          "f",
          "in",
          "{\"payload\":"
              + BIG
              + (parts ? ",\"parts\":{\"id\":\"s\",\"index\":" + i + ",\"count\":1000}" : "")
              + "}");
    }
  }

  private void assertRefusedPastTheBudget() {
    List<String> errors = harness.awaitErrors("n", 1);
    assertTrue(errors.get(0).contains("past its heap budget for held messages"), errors.get(0));
    assertTrue(memory.heldBytes() <= memory.budgetBytes(), "held " + memory.heldBytes());
    assertTrue(memory.heldBytes() > memory.budgetBytes() / 2, "held " + memory.heldBytes());
  }

  private void assertAllGivenBackWhenStopped() {
    harness.engine.stop("f", 1_000);
    FlowHarness.await("every held byte given back", () -> memory.heldBytes() == 0);
  }

  @Test
  void shouldRefuseJoinPartsPastTheHeldBudgetAndSendWhatItHolds() {
    deploy("join", "{\"mode\":\"custom\",\"build\":\"array\",\"count\":1000}");

    injectBig(20, false);
    assertRefusedPastTheBudget();
    harness.inject("f", "in", "{\"payload\":1,\"complete\":true}");

    List<?> joined =
        (List<?>)
            ((java.util.Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("payload");
    assertTrue(joined.size() >= 5 && joined.size() < 20, "parts joined: " + joined.size());
    FlowHarness.await("the sent group given back", () -> memory.heldBytes() == 0);
  }

  @Test
  void shouldGiveBackWhatAJoinSendsSoThatItNeverFillsTheBudget() {
    deploy("join", "{\"mode\":\"custom\",\"build\":\"array\",\"count\":2}");

    injectBig(40, false);

    assertEquals(20, harness.awaitCaptured("out", 20).size());
    assertEquals(List.of(), harness.errors("n"));
    assertEquals(0, memory.heldBytes());
  }

  @Test
  void shouldRefuseBatchMessagesPastTheHeldBudget() {
    deploy("batch", "{\"mode\":\"count\",\"count\":1000}");

    injectBig(20, false);

    assertRefusedPastTheBudget();
    assertAllGivenBackWhenStopped();
  }

  @Test
  void shouldGiveBackWhatABatchSendsKeepingTheOverlap() {
    deploy("batch", "{\"mode\":\"count\",\"count\":3,\"overlap\":1}");

    injectBig(41, false);

    assertEquals(20, harness.awaitCaptured("out", 60).size() / 3);
    assertEquals(List.of(), harness.errors("n"));
    // the overlap's one message stays held
    assertTrue(memory.heldBytes() > 8_000 && memory.heldBytes() < 16_000, "" + memory.heldBytes());
  }

  @Test
  void shouldRefuseSortMessagesPastTheHeldBudget() {
    deploy("sort", "{\"targetType\":\"seq\",\"seqKey\":\"payload\"}");

    injectBig(20, true);

    assertRefusedPastTheBudget();
    assertAllGivenBackWhenStopped();
  }

  @Test
  void shouldRefuseRbeValuesOfNewTopicsPastTheHeldBudgetAndForgetOnReset() {
    deploy("rbe", "{\"func\":\"rbe\"}");
    for (int i = 0; i < 20; i++) {
      harness.inject("f", "in", "{\"topic\":\"t" + i + "\",\"payload\":" + BIG + "}");
    }

    assertRefusedPastTheBudget();
    harness.inject("f", "in", "{\"reset\":true}");
    FlowHarness.await("every value forgotten", () -> memory.heldBytes() == 0);
    harness.inject("f", "in", "{\"topic\":\"t\",\"payload\":" + BIG + "}");
    FlowHarness.await("a new value has room", () -> memory.heldBytes() > 8_000);
    assertAllGivenBackWhenStopped();
  }

  @Test
  void shouldRefuseDelayQueueMessagesPastTheHeldBudget() {
    deploy("delay", "{\"pauseType\":\"rate\",\"rate\":1,\"nbRateUnits\":1,\"rateUnits\":\"hour\"}");

    injectBig(20, false);

    assertRefusedPastTheBudget();
    assertEquals(1, harness.awaitCaptured("out", 1).size(), "the first passes at once");
    assertAllGivenBackWhenStopped();
  }

  private void injectBigTopics(int count) {
    for (int i = 0; i < count; i++) {
      harness.inject("f", "in", "{\"topic\":\"t" + i + "\",\"payload\":" + BIG + "}");
    }
  }

  @Test
  void shouldRefuseTriggerWaitsPastTheHeldBudgetAndGiveBackOnReset() {
    deploy(
        "trigger",
        "{\"op2type\":\"payl\",\"bytopic\":\"topic\",\"duration\":\"1\",\"units\":\"hr\"}");

    injectBigTopics(20);

    assertRefusedPastTheBudget();
    long held = memory.heldBytes();
    harness.inject("f", "in", "{\"topic\":\"t0\",\"reset\":true}");
    FlowHarness.await("t0's wait given back", () -> memory.heldBytes() < held - 8_000);
    assertAllGivenBackWhenStopped();
  }

  @Test
  void shouldRefuseDelayTopicQueueMessagesPastTheHeldBudget() {
    deploy(
        "delay", "{\"pauseType\":\"queue\",\"rate\":1,\"nbRateUnits\":1,\"rateUnits\":\"hour\"}");

    injectBigTopics(20);

    assertRefusedPastTheBudget();
    harness.inject("f", "in", "{\"reset\":true}");
    FlowHarness.await("the queue given back", () -> memory.heldBytes() == 0);
    assertAllGivenBackWhenStopped();
  }
}
