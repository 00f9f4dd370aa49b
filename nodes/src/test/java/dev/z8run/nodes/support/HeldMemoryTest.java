package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.node.ContextStore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An owner's exemption from the share is asked again as holds live on: a user's global store lives
 * as long as the server, and an admin may be demoted meanwhile.
 */
class HeldMemoryTest {
  private static final long HOUR_NS = 3_600_000_000_000L;

  @Test
  void shouldHoldADemotedAdminsStoreMadeBeforeToTheShare() {
    AtomicBoolean admin = new AtomicBoolean(true);
    HeldMemory held = new HeldMemory(100 << 20, 10, owner -> admin.get(), 0);
    ContextStore store = new ContextStore(held.contextMeter("mallory", "global"));
    store.set("a", "x".repeat(20 << 20)); // 20 MiB: past the 10 MiB share, exempt
    admin.set(false);

    ContextStore.FullException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            ContextStore.FullException.class, () -> store.set("b", "y"));
    assertTrue(
        refused.getMessage().contains("owner 'mallory' past its share"), refused.getMessage());
    assertTrue(store.get("b") == null, "nothing stored");

    store.set("a", null); // gives the 20 MiB back
    store.set("b", "y");
    assertTrue("y".equals(store.get("b")));
  }

  @Test
  void shouldGiveAUserMadeAdminTheWholeBudget() {
    AtomicBoolean admin = new AtomicBoolean(false);
    HeldMemory held = new HeldMemory(100 << 20, 10, owner -> admin.get(), 0);
    ContextStore.Meter meter = held.contextMeter("alice", "global");
    assertFalse(meter.tryTake(20 << 20), "past the share");
    admin.set(true);
    assertTrue(meter.tryTake(20 << 20), "within the budget");
  }

  @Test
  void shouldLetAnOwnerAboveAShareThatShrankTakeNothingAndGiveBack() {
    AtomicBoolean admin = new AtomicBoolean(true);
    HeldMemory held = new HeldMemory(100 << 20, 10, owner -> admin.get(), 0);
    ContextStore.Meter meter = held.contextMeter("mallory", "global");
    assertTrue(meter.tryTake(20 << 20));
    admin.set(false); // 20 MiB held, the share 10 MiB

    // a join's message that completes its group takes nothing: it is still sent
    assertTrue(meter.tryTake(0), "nothing taken");
    assertFalse(meter.tryTake(1), "more is past the share");
    // a value replaced by a smaller one gives back its difference
    assertTrue(meter.tryTake(-(15 << 20)), "less given back");
    assertEquals(5 << 20, held.heldBytes("mallory"));
    assertTrue(meter.tryTake(1 << 20), "within the share again");
  }

  @Test
  void shouldKeepAnAnswerForTheRecheckInterval() {
    AtomicBoolean admin = new AtomicBoolean(true);
    HeldMemory held = new HeldMemory(100 << 20, 10, owner -> admin.get(), HOUR_NS);
    ContextStore.Meter meter = held.contextMeter("mallory", "global");
    admin.set(false);
    assertTrue(meter.tryTake(20 << 20), "asked when the store was made, not at every take");
  }
}
