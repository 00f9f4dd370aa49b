package dev.z8run.store;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Installed plugins (manifest text and module bytes, kept as uploaded so that the server installs
 * them again at start) and the persistent key-value context of plugin nodes. Checking a plugin is
 * the caller's business; the store keeps what it is given.
 *
 * <pre>
 *   plugin value:
 *   +---------+-----------------+----------------+----------------+------------------+
 *   | u8 = 1  | installedAtMs   | manifest len   | manifest UTF-8 | module bytes ... |
 *   | format  | i64 BE          | i32 BE         |                | to the end       |
 *   +---------+-----------------+----------------+----------------+------------------+
 *   0         1                 9                13
 * </pre>
 *
 * <p>Threading: thread-safe; writes block until durable.
 */
public final class PluginStore {
  private static final byte FORMAT = 1;
  private static final int FORMAT_OFFSET = 0;
  private static final int INSTALLED_OFFSET = FORMAT_OFFSET + 1;
  private static final int MANIFEST_LENGTH_OFFSET = INSTALLED_OFFSET + Long.BYTES;
  private static final int MANIFEST_OFFSET = MANIFEST_LENGTH_OFFSET + Integer.BYTES;

  /** One stored plugin: the manifest as uploaded (TOML or JSON) and the module's bytes. */
  public record StoredPlugin(String name, String manifest, byte[] module, long installedAtMs) {}

  private final LmdbEnvironment env;

  PluginStore(LmdbEnvironment env) {
    this.env = env;
  }

  /** Stores a plugin, replacing one of the same name. */
  public void put(StoredPlugin plugin) {
    byte[] key = Keys.id("plugin name", plugin.name());
    byte[] manifest = plugin.manifest().getBytes(StandardCharsets.UTF_8);
    byte[] value =
        ByteBuffer.allocate(MANIFEST_OFFSET + manifest.length + plugin.module().length)
            .put(FORMAT)
            .putLong(plugin.installedAtMs())
            .putInt(manifest.length)
            .put(manifest)
            .put(plugin.module())
            .array();
    env.write(
        tx -> {
          tx.put(Table.PLUGINS, key, value);
          return null;
        });
  }

  public Optional<StoredPlugin> find(String name) {
    byte[] key = Keys.id("plugin name", name);
    return Optional.ofNullable(env.read(tx -> tx.get(Table.PLUGINS, key)))
        .map(value -> decode(name, value));
  }

  /** Every stored plugin, by name. */
  public List<StoredPlugin> all() {
    List<StoredPlugin> plugins = new ArrayList<>();
    env.read(
        tx -> {
          tx.scan(
              Table.PLUGINS,
              new byte[0],
              false,
              (key, value) -> {
                byte[] bytes = new byte[value.capacity()];
                value.getBytes(0, bytes);
                plugins.add(decode(key.getStringWithoutLengthUtf8(0, key.capacity()), bytes));
                return true;
              });
          return null;
        });
    return plugins;
  }

  /** Removes a plugin (its nodes' context stays); returns whether it was there. */
  public boolean delete(String name) {
    byte[] key = Keys.id("plugin name", name);
    return env.write(tx -> tx.delete(Table.PLUGINS, key));
  }

  /** The JSON under {@code key} in the context of node {@code nodeId} of flow {@code flowId}. */
  public byte[] contextGet(String flowId, String nodeId, String key) {
    byte[] k = contextKey(flowId, nodeId, key);
    return env.read(tx -> tx.get(Table.PLUGIN_CONTEXT, k));
  }

  public void contextPut(String flowId, String nodeId, String key, byte[] json) {
    byte[] k = contextKey(flowId, nodeId, key);
    byte[] value = json.clone();
    env.write(
        tx -> {
          tx.put(Table.PLUGIN_CONTEXT, k, value);
          return null;
        });
  }

  private static byte[] contextKey(String flowId, String nodeId, String key) {
    return Keys.pair(
        Keys.pair(Keys.id("flow id", flowId), Keys.id("node id", nodeId)),
        Keys.id("context key", key));
  }

  private static StoredPlugin decode(String name, byte[] value) {
    ByteBuffer buffer = ByteBuffer.wrap(value);
    if (value.length < MANIFEST_OFFSET || buffer.get(FORMAT_OFFSET) != FORMAT) {
      throw new StorageException(
          "stored plugin '" + name + "' is damaged: " + value.length + " bytes, unknown format");
    }
    int manifestLength = buffer.getInt(MANIFEST_LENGTH_OFFSET);
    if (manifestLength < 0 || manifestLength > value.length - MANIFEST_OFFSET) {
      throw new StorageException(
          "stored plugin '"
              + name
              + "' is damaged: manifest_len="
              + manifestLength
              + " exceeds "
              + (value.length - MANIFEST_OFFSET));
    }
    String manifest = new String(value, MANIFEST_OFFSET, manifestLength, StandardCharsets.UTF_8);
    byte[] module = new byte[value.length - MANIFEST_OFFSET - manifestLength];
    System.arraycopy(value, MANIFEST_OFFSET + manifestLength, module, 0, module.length);
    return new StoredPlugin(name, manifest, module, buffer.getLong(INSTALLED_OFFSET));
  }
}
