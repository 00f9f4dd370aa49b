package dev.z8run.store;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shared connections of each owner: the settings a node needs to reach a server (kind, host,
 * port, database or client id, TLS, user, options), stored as JSON under the owner and the
 * connection's id. The password never lies in the record: a plain password given to {@link #put}
 * goes into the owner's vault as {@code connection.<id>.password} and the record keeps the
 * reference {@code vault:connection.<id>.password}; a {@code vault:} reference given is kept as it
 * is. Deleting a connection deletes the vault entry it created.
 *
 * <p>Threading: thread-safe; writes block until durable.
 */
public final class ConnectionStore {
  /** Longest connection record accepted, in bytes of JSON. */
  public static final int MAX_RECORD_BYTES = 16 * 1024;

  private static final String VAULT_PREFIX = "vault:";

  private final LmdbEnvironment env;
  private final Vault vault;

  ConnectionStore(LmdbEnvironment env, Vault vault) {
    this.env = env;
    this.vault = vault;
  }

  /** The vault entry a connection's own password is kept in. */
  public static String passwordEntry(String connectionId) {
    return "connection." + connectionId + ".password";
  }

  /**
   * Stores the connection {@code id} of {@code owner}, replacing one with that id. A {@code
   * password} that is not a {@code vault:} reference moves into the vault; an absent one keeps the
   * stored reference.
   *
   * @return the stored record (password as its reference)
   * @throws IllegalArgumentException for an id the vault cannot name or a record too large
   */
  public Map<String, Object> put(String owner, String id, Map<String, Object> connection) {
    Vault.requireValidName(passwordEntry(id));
    Map<String, Object> stored = new LinkedHashMap<>(connection);
    stored.put("id", id);
    Object password = stored.get("password");
    if (password == null) {
      get(owner, id).map(old -> old.get("password")).ifPresent(old -> stored.put("password", old));
    } else if (password instanceof String text
        && !text.isEmpty()
        && !text.startsWith(VAULT_PREFIX)) {
      vault.put(owner, passwordEntry(id), text);
      stored.put("password", VAULT_PREFIX + passwordEntry(id));
    }
    byte[] value = JsonCodec.write(stored);
    if (value.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "connection record of " + value.length + " bytes exceeds " + MAX_RECORD_BYTES);
    }
    byte[] key = key(owner, id);
    env.write(
        tx -> {
          tx.put(Table.CONNECTIONS, key, value);
          return null;
        });
    return stored;
  }

  /** The connection {@code id} of {@code owner}, password as its {@code vault:} reference. */
  public Optional<Map<String, Object>> get(String owner, String id) {
    byte[] key = key(owner, id);
    byte[] value = env.read(tx -> tx.get(Table.CONNECTIONS, key));
    return Optional.ofNullable(value).map(bytes -> decode(id, bytes));
  }

  /** Every connection of {@code owner}, by id. */
  public List<Map<String, Object>> list(String owner) {
    byte[] prefix = Keys.prefix(Keys.id("owner id", owner));
    List<Map<String, Object>> all = new ArrayList<>();
    env.read(
        tx -> {
          tx.scan(
              Table.CONNECTIONS,
              prefix,
              false,
              (key, value) -> {
                byte[] bytes = new byte[value.capacity()];
                value.getBytes(0, bytes);
                byte[] keyBytes = new byte[key.capacity()];
                key.getBytes(0, keyBytes);
                all.add(decode(Keys.suffix(keyBytes, prefix.length), bytes));
                return true;
              });
          return null;
        });
    return all;
  }

  /** Removes the connection and the vault entry holding its own password; whether it existed. */
  public boolean delete(String owner, String id) {
    byte[] key = key(owner, id);
    boolean existed = env.write(tx -> tx.delete(Table.CONNECTIONS, key));
    if (existed) {
      vault.delete(owner, passwordEntry(id));
    }
    return existed;
  }

  private static byte[] key(String owner, String id) {
    return Keys.pair(Keys.id("owner id", owner), Keys.id("connection id", id));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> decode(String id, byte[] value) {
    Object parsed = JsonCodec.parse(value);
    if (!(parsed instanceof Map<?, ?>)) {
      throw new StorageException(
          "stored connection '"
              + id
              + "' is damaged: "
              + new String(value, StandardCharsets.UTF_8));
    }
    return new LinkedHashMap<>((Map<String, Object>) parsed);
  }
}
