package dev.z8run.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextStoreTest {
  @Test
  void shouldReturnWhatWasSetAndListItsKeys() {
    ContextStore store = new ContextStore();

    store.set("count", 3L);
    store.set("user", Map.of("name", "ada"));

    assertEquals(3L, store.get("count"));
    assertEquals(Map.of("name", "ada"), store.get("user"));
    assertEquals(List.of("count", "user"), store.keys().stream().sorted().toList());
  }

  @Test
  void shouldRemoveAKeySetToNull() {
    ContextStore store = new ContextStore();
    store.set("count", 3L);

    store.set("count", null);

    assertNull(store.get("count"));
    assertEquals(List.of(), store.keys());
  }

  /** A meter of 100 bytes in all, a value's bytes its text's length. */
  private static final class HundredBytes implements ContextStore.Meter {
    long held;

    @Override
    public long bytes(String key, Object value) {
      return String.valueOf(value).length();
    }

    @Override
    public boolean tryTake(long bytes) {
      if (held + bytes > 100) {
        return false;
      }
      held += bytes;
      return true;
    }

    @Override
    public void give(long bytes) {
      held -= bytes;
    }

    @Override
    public String refusal(String key, long bytes) {
      return "no room for " + bytes + " more under " + key;
    }
  }

  @Test
  void shouldTakeOnlyTheGrowthAndRefuseAValuePastTheMeterKeepingTheOldOne() {
    HundredBytes meter = new HundredBytes();
    ContextStore store = new ContextStore(meter);

    store.set("a", "x".repeat(60));
    store.set("a", "x".repeat(90)); // 30 more: replacing never needs both at once
    ContextStore.FullException full =
        assertThrows(ContextStore.FullException.class, () -> store.set("b", "x".repeat(20)));

    assertEquals("no room for 20 more under b", full.getMessage());
    assertEquals(90, meter.held);
    assertEquals(90, store.heldBytes());
    assertEquals("x".repeat(90), store.get("a"));
    assertNull(store.get("b"));
    store.set("a", "x");
    store.set("b", "x".repeat(20));
    assertEquals(21, meter.held);
    store.set("b", null);
    assertEquals(1, meter.held);
  }

  @Test
  void shouldGiveEverythingBackWhenReleasedAndStoreNothingAfter() {
    HundredBytes meter = new HundredBytes();
    ContextStore store = new ContextStore(meter);
    store.set("a", "x".repeat(40));
    store.set("b", "x".repeat(40));

    store.release();
    store.set("c", "x");

    assertEquals(0, meter.held);
    assertEquals(List.of(), store.keys());
  }
}
