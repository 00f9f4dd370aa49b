package dev.z8run.core.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory key/value store that nodes share: Node-RED's {@code context}, {@code flow} and
 * {@code global} stores. A node gets its flow's store (one per deployed flow, new on every deploy)
 * from {@link NodeContext#flowContext()} and the engine's store (one per engine, kept across
 * deploys) from {@link NodeContext#globalContext()}; a node that needs a store of its own creates
 * one.
 *
 * <p>Values are plain data in {@link dev.z8run.io.json.JsonCodec}'s value model (maps, lists,
 * strings, numbers, booleans): a node stores its own copy, never an object another thread may
 * change. Thread-safe.
 */
public final class ContextStore {
  private final Map<String, Object> values = new ConcurrentHashMap<>();

  /** The value stored under {@code key}, or null. */
  public Object get(String key) {
    return values.get(key);
  }

  /** Stores {@code value} under {@code key}; a null value removes the key. */
  public void set(String key, Object value) {
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
  }

  /** The keys stored now, in no particular order. */
  public List<String> keys() {
    return List.copyOf(values.keySet());
  }
}
