package dev.z8run.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.store.PluginStore.StoredPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginStoreTest {
  @TempDir Path dataDir;

  private Store store;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.of(dataDir));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldKeepPluginsAcrossReopenUntilDeleted() {
    byte[] module = {0, 'a', 's', 'm', 1, 0, 0, 0, (byte) 0xFF};
    store.plugins().put(new StoredPlugin("upper", "name = \"upper\"\n", module, 42L));
    store.plugins().put(new StoredPlugin("echo", "{\"name\":\"echo\"}", new byte[0], 7L));
    store.close();
    store = Store.open(StoreConfig.of(dataDir));

    List<StoredPlugin> all = store.plugins().all();
    assertEquals(List.of("echo", "upper"), all.stream().map(StoredPlugin::name).toList());
    StoredPlugin upper = store.plugins().find("upper").orElseThrow();
    assertEquals("name = \"upper\"\n", upper.manifest());
    assertArrayEquals(module, upper.module());
    assertEquals(42L, upper.installedAtMs());

    assertTrue(store.plugins().delete("upper"));
    assertFalse(store.plugins().delete("upper"));
    assertTrue(store.plugins().find("upper").isEmpty());
  }

  @Test
  void shouldKeepNodeContextPerFlowAndNode() {
    byte[] one = "1".getBytes(StandardCharsets.UTF_8);
    store.plugins().contextPut("f", "n", "count", one);
    store.plugins().contextPut("f", "m", "count", "2".getBytes(StandardCharsets.UTF_8));
    store.close();
    store = Store.open(StoreConfig.of(dataDir));

    assertArrayEquals(one, store.plugins().contextGet("f", "n", "count"));
    assertArrayEquals(
        "2".getBytes(StandardCharsets.UTF_8), store.plugins().contextGet("f", "m", "count"));
    assertNull(store.plugins().contextGet("g", "n", "count"));
  }
}
