package dev.z8run.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
