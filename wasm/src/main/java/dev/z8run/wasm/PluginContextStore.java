package dev.z8run.wasm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the persistent key-value context of plugin nodes lives ({@code z8.context_get/set}): the
 * server keeps it in LMDB, tests and the benchmarks in memory. Values are UTF-8 JSON. Thread-safe.
 */
public interface PluginContextStore {
  /** The value under {@code key} of node {@code nodeId} in flow {@code flowId}, or null. */
  byte[] get(String flowId, String nodeId, String key);

  void put(String flowId, String nodeId, String key, byte[] json);

  /** A store that forgets everything when the process ends. */
  static PluginContextStore inMemory() {
    Map<String, byte[]> values = new ConcurrentHashMap<>();
    return new PluginContextStore() {
      @Override
      public byte[] get(String flowId, String nodeId, String key) {
        return values.get(flowId + '\0' + nodeId + '\0' + key);
      }

      @Override
      public void put(String flowId, String nodeId, String key, byte[] json) {
        values.put(flowId + '\0' + nodeId + '\0' + key, json.clone());
      }
    };
  }
}
