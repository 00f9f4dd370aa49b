package dev.z8run.store;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Registered users. A user's value in the {@code users} table is JSON: {@code {"v":1, "id",
 * "username", "passwordHash", "createdAtMs"}}; the {@code usernames} table maps the lower-cased
 * name (Locale.ROOT) to the id, which makes names unique ignoring case.
 *
 * <p>The store keeps the password hash as given; hashing and verifying are the caller's. What a
 * valid user name is (length, characters) is the caller's rule too; the store only refuses empty
 * names, names over {@link Keys#MAX_ID_BYTES} UTF-8 bytes and control characters.
 *
 * <p>Threading: thread-safe; writes block until durable.
 */
public final class UserStore {
  private static final int FORMAT = 1;

  private final LmdbEnvironment env;

  UserStore(LmdbEnvironment env) {
    this.env = env;
  }

  /**
   * Registers a user under a new random id.
   *
   * @throws UsernameTakenException if a user has this name in any letter case
   * @throws IllegalArgumentException if the name is empty, too long or holds control characters
   */
  public UserRecord create(String username, String passwordHash, long createdAtMs) {
    byte[] nameKey = nameKey(username);
    if (passwordHash == null || passwordHash.isEmpty()) {
      throw new IllegalArgumentException("passwordHash is required");
    }
    UserRecord user =
        new UserRecord(UUID.randomUUID().toString(), username, passwordHash, createdAtMs);
    byte[] id = Keys.id("user id", user.id());
    byte[] value = encode(user);
    env.write(
        tx -> {
          if (!tx.putIfAbsent(Table.USERNAMES, nameKey, id)) {
            throw new UsernameTakenException(username);
          }
          tx.put(Table.USERS, id, value);
          return null;
        });
    return user;
  }

  /** The user with this name in any letter case. */
  public Optional<UserRecord> findByName(String username) {
    byte[] nameKey = nameKey(username);
    byte[] value =
        env.read(
            tx -> {
              byte[] id = tx.get(Table.USERNAMES, nameKey);
              return id == null ? null : tx.get(Table.USERS, id);
            });
    return Optional.ofNullable(value).map(v -> decode(username, v));
  }

  /** The user with this id. */
  public Optional<UserRecord> find(String id) {
    byte[] key = Keys.id("user id", id);
    return Optional.ofNullable(env.read(tx -> tx.get(Table.USERS, key))).map(v -> decode(id, v));
  }

  /** How many users are registered: zero means the next one to register is the first. */
  public long count() {
    return env.read(tx -> tx.count(Table.USERS));
  }

  private static byte[] nameKey(String username) {
    Keys.id("user name", username);
    return Keys.id("user name", username.toLowerCase(Locale.ROOT));
  }

  private static byte[] encode(UserRecord user) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("v", FORMAT);
    map.put("id", user.id());
    map.put("username", user.username());
    map.put("passwordHash", user.passwordHash());
    map.put("createdAtMs", user.createdAtMs());
    return JsonCodec.write(map);
  }

  private static UserRecord decode(String lookedUp, byte[] value) {
    try {
      if (JsonCodec.parse(value) instanceof Map<?, ?> map
          && map.get("v") instanceof Long format
          && format == FORMAT
          && map.get("id") instanceof String id
          && map.get("username") instanceof String username
          && map.get("passwordHash") instanceof String hash
          && map.get("createdAtMs") instanceof Long createdAtMs) {
        return new UserRecord(id, username, hash, createdAtMs);
      }
    } catch (JsonCodec.JsonException e) {
      throw new StorageException("stored user '" + lookedUp + "' is not JSON: " + e, e);
    }
    throw new StorageException(
        "stored user '"
            + lookedUp
            + "' is damaged: "
            + new String(value, StandardCharsets.UTF_8).length()
            + " characters without the expected fields");
  }
}
