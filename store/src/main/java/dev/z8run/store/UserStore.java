package dev.z8run.store;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.lmdb.Tx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Registered users. A user's value in the {@code users} table is JSON: {@code {"v":1, "id",
 * "username", "email", "roles", "passwordHash", "createdAtMs"}} ({@code email} and {@code roles}
 * are absent from users stored before they existed: such a user has no e-mail address, and is an
 * admin when it registered first); the {@code usernames} table maps the lower-cased name
 * (Locale.ROOT) to the id, which makes names unique ignoring case, and {@code user_emails} does the
 * same for e-mail addresses.
 *
 * <p>Roles: the first user to register gets {@link UserRecord#ADMIN} and {@link UserRecord#USER},
 * every later one {@link UserRecord#USER}; decided inside the write transaction, so two first
 * sign-ups at once cannot both become admins.
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

  private volatile Consumer<UserRecord> created;

  UserStore(LmdbEnvironment env) {
    this.env = env;
  }

  /**
   * Registers a user without an e-mail address under a new random id.
   *
   * @throws UsernameTakenException if a user has this name in any letter case
   * @throws IllegalArgumentException if the name is empty, too long or holds control characters
   */
  public UserRecord create(String username, String passwordHash, long createdAtMs) {
    return create(username, "", passwordHash, createdAtMs);
  }

  /**
   * Registers a user under a new random id; the first user of the store is an admin.
   *
   * @param email the user's e-mail address, or empty for none
   * @throws UsernameTakenException if a user has this name in any letter case
   * @throws EmailTakenException if a user has this e-mail address in any letter case
   * @throws IllegalArgumentException if the name or address is empty (the name), too long or holds
   *     control characters
   */
  public UserRecord create(String username, String email, String passwordHash, long createdAtMs) {
    byte[] nameKey = nameKey(username);
    byte[] emailKey = email == null || email.isEmpty() ? null : emailKey(email);
    if (passwordHash == null || passwordHash.isEmpty()) {
      throw new IllegalArgumentException("passwordHash is required");
    }
    String id = UUID.randomUUID().toString();
    byte[] idKey = Keys.id("user id", id);
    UserRecord stored =
        env.write(
            tx -> {
              List<String> roles =
                  tx.count(Table.USERS) == 0
                      ? List.of(UserRecord.ADMIN, UserRecord.USER)
                      : List.of(UserRecord.USER);
              UserRecord user =
                  new UserRecord(id, username, email, roles, passwordHash, createdAtMs);
              if (!tx.putIfAbsent(Table.USERNAMES, nameKey, idKey)) {
                throw new UsernameTakenException(username);
              }
              if (emailKey != null && !tx.putIfAbsent(Table.USER_EMAILS, emailKey, idKey)) {
                throw new EmailTakenException(email);
              }
              tx.put(Table.USERS, idKey, encode(user));
              return user;
            });
    Consumer<UserRecord> listener = created;
    if (listener != null) {
      listener.accept(stored);
    }
    return stored;
  }

  /**
   * Writes {@code user} exactly as given (id, name, address, roles, hash): a user another cluster
   * member registered, applied in the order of the cluster's state log. Idempotent; when another id
   * holds the same name or address here, the later record in the log takes it over.
   */
  public void replicate(UserRecord user) {
    byte[] idKey = Keys.id("user id", user.id());
    byte[] nameKey = nameKey(user.username());
    byte[] emailKey = user.email().isEmpty() ? null : emailKey(user.email());
    env.write(
        tx -> {
          tx.put(Table.USERNAMES, nameKey, idKey);
          if (emailKey != null) {
            tx.put(Table.USER_EMAILS, emailKey, idKey);
          }
          tx.put(Table.USERS, idKey, encode(user));
          return null;
        });
  }

  /**
   * Tells {@code listener} of every user {@link #create} registers from now on, after it is stored
   * (a cluster member publishes them); null: no one.
   */
  public void onCreated(Consumer<UserRecord> listener) {
    this.created = listener;
  }

  /** The user with this e-mail address in any letter case. */
  public Optional<UserRecord> findByEmail(String email) {
    byte[] emailKey = emailKey(email);
    return env.read(
        tx -> {
          byte[] id = tx.get(Table.USER_EMAILS, emailKey);
          byte[] value = id == null ? null : tx.get(Table.USERS, id);
          return Optional.ofNullable(value).map(v -> decode(tx, email, v));
        });
  }

  /** The user with this name in any letter case. */
  public Optional<UserRecord> findByName(String username) {
    byte[] nameKey = nameKey(username);
    return env.read(
        tx -> {
          byte[] id = tx.get(Table.USERNAMES, nameKey);
          byte[] value = id == null ? null : tx.get(Table.USERS, id);
          return Optional.ofNullable(value).map(v -> decode(tx, username, v));
        });
  }

  /** The user with this id. */
  public Optional<UserRecord> find(String id) {
    byte[] key = Keys.id("user id", id);
    return env.read(
        tx -> Optional.ofNullable(tx.get(Table.USERS, key)).map(v -> decode(tx, id, v)));
  }

  /** Every user, in id order. */
  public List<UserRecord> all() {
    return env.read(
        tx -> {
          List<UserRecord> users = new ArrayList<>();
          tx.scan(
              Table.USERS,
              new byte[0],
              false,
              (key, value) -> {
                byte[] bytes = Tx.copy(value);
                String id = new String(Tx.copy(key), StandardCharsets.UTF_8);
                users.add(decode(tx, id, bytes));
                return true;
              });
          return users;
        });
  }

  /**
   * Gives user {@code id} these roles, inside one write transaction that refuses to leave the store
   * without an admin.
   *
   * @return the updated user, or empty when there is none with this id
   * @throws LastAdminException if the user is the last admin and {@code roles} lacks admin
   */
  public Optional<UserRecord> setRoles(String id, List<String> roles) {
    byte[] key = Keys.id("user id", id);
    return env.write(
        tx -> {
          byte[] value = tx.get(Table.USERS, key);
          if (value == null) {
            return Optional.<UserRecord>empty();
          }
          UserRecord user = decode(tx, id, value);
          if (user.hasRole(UserRecord.ADMIN)
              && !roles.contains(UserRecord.ADMIN)
              && admins(tx) <= 1) {
            throw new LastAdminException(user.username());
          }
          UserRecord updated =
              new UserRecord(
                  user.id(),
                  user.username(),
                  user.email(),
                  roles,
                  user.passwordHash(),
                  user.createdAtMs());
          tx.put(Table.USERS, key, encode(updated));
          return Optional.of(updated);
        });
  }

  /**
   * Deletes user {@code id} (its name and e-mail address become free), refusing to delete the last
   * admin.
   *
   * @return whether there was such a user
   * @throws LastAdminException if the user is the last admin
   */
  public boolean delete(String id) {
    byte[] key = Keys.id("user id", id);
    return env.write(
        tx -> {
          byte[] value = tx.get(Table.USERS, key);
          if (value == null) {
            return false;
          }
          UserRecord user = decode(tx, id, value);
          if (user.hasRole(UserRecord.ADMIN) && admins(tx) <= 1) {
            throw new LastAdminException(user.username());
          }
          tx.delete(Table.USERS, key);
          tx.delete(Table.USERNAMES, nameKey(user.username()));
          if (!user.email().isEmpty()) {
            tx.delete(Table.USER_EMAILS, emailKey(user.email()));
          }
          return true;
        });
  }

  private static int admins(Tx tx) {
    int[] count = {0};
    tx.scan(
        Table.USERS,
        new byte[0],
        false,
        (key, value) -> {
          String id = new String(Tx.copy(key), StandardCharsets.UTF_8);
          if (decode(tx, id, Tx.copy(value)).hasRole(UserRecord.ADMIN)) {
            count[0]++;
          }
          return true;
        });
    return count[0];
  }

  /** How many users are registered: zero means the next one to register is the first. */
  public long count() {
    return env.read(tx -> tx.count(Table.USERS));
  }

  private static byte[] nameKey(String username) {
    Keys.id("user name", username);
    return Keys.id("user name", username.toLowerCase(Locale.ROOT));
  }

  private static byte[] emailKey(String email) {
    Keys.id("e-mail address", email);
    return Keys.id("e-mail address", email.toLowerCase(Locale.ROOT));
  }

  private static byte[] encode(UserRecord user) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("v", FORMAT);
    map.put("id", user.id());
    map.putAll(user.storedFields());
    return JsonCodec.write(map);
  }

  private static UserRecord decode(Tx tx, String lookedUp, byte[] value) {
    try {
      if (JsonCodec.parse(value) instanceof Map<?, ?> map
          && map.get("v") instanceof Long format
          && format == FORMAT
          && map.get("id") instanceof String id
          && map.get("username") instanceof String username
          && map.get("passwordHash") instanceof String hash
          && map.get("createdAtMs") instanceof Long createdAtMs) {
        String email = map.get("email") instanceof String text ? text : "";
        List<String> roles = new ArrayList<>();
        if (map.get("roles") instanceof List<?> stored) {
          stored.forEach(role -> roles.add(String.valueOf(role)));
        } else {
          roles.addAll(
              isEarliest(tx, id, createdAtMs)
                  ? List.of(UserRecord.ADMIN, UserRecord.USER)
                  : List.of(UserRecord.USER));
        }
        return new UserRecord(id, username, email, roles, hash, createdAtMs);
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

  /**
   * Whether no user registered before {@code id} (a user stored before roles existed is an admin
   * when it was the first): scans the users, which only such old stores need.
   */
  private static boolean isEarliest(Tx tx, String id, long createdAtMs) {
    boolean[] earliest = {true};
    tx.scan(
        Table.USERS,
        new byte[0],
        false,
        (key, value) -> {
          byte[] copy = Tx.copy(value);
          if (JsonCodec.parse(copy) instanceof Map<?, ?> other
              && other.get("createdAtMs") instanceof Long created
              && other.get("id") instanceof String otherId
              && (created < createdAtMs || (created == createdAtMs && otherId.compareTo(id) < 0))) {
            earliest[0] = false;
            return false;
          }
          return true;
        });
    return earliest[0];
  }
}
