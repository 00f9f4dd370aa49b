package dev.z8run.nodes.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's live clients (a JDBC pool, an MQTT session), one per distinct {@link
 * ConnectionSettings} and owner, shared by every node and flow that uses it: opened when the first
 * node acquires it (at deploy, from the node's factory), closed when the last lease is released
 * (the node's {@code onStop}). Nodes get the engine's one instance through {@code
 * context.service(LiveConnections.class, LiveConnections::new)}.
 *
 * <p>Opening must be quick (clients connect in the background and reconnect by themselves), since
 * it runs on the control plane. Thread-safe.
 */
public final class LiveConnections {
  /** Opens a client for the settings. */
  @FunctionalInterface
  public interface Opener<T> {
    T open(ConnectionSettings settings) throws Exception;
  }

  /** Closes a client; must not throw. */
  @FunctionalInterface
  public interface Closer<T> {
    void close(T client);
  }

  private record Key(String owner, ConnectionSettings settings) {}

  private static final class Entry {
    final Object client;
    final Closer<Object> closer;
    int users;

    Entry(Object client, Closer<Object> closer) {
      this.client = client;
      this.closer = closer;
    }
  }

  /** A node's use of a live client; {@link #close} once, when the node stops. */
  public final class Lease<T> implements AutoCloseable {
    private final Key key;
    private final T client;
    private final AutoCloseable held;
    private boolean closed;

    private Lease(Key key, T client, AutoCloseable held) {
      this.key = key;
      this.client = client;
      this.held = held;
    }

    public T client() {
      return client;
    }

    public ConnectionSettings settings() {
      return key.settings;
    }

    @Override
    public void close() {
      synchronized (LiveConnections.this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      try {
        release(key);
      } finally {
        closeQuietly(held);
      }
    }
  }

  private final Map<Key, Entry> live = new HashMap<>();

  /**
   * The live client for {@code settings} of {@code owner}, opened with {@code opener} if there is
   * none yet.
   *
   * @throws Exception what the opener threw
   * @throws IllegalStateException when the live client of these settings is of another type
   */
  public <T> Lease<T> acquire(
      String owner, ConnectionSettings settings, Class<T> type, Opener<T> opener, Closer<T> closer)
      throws Exception {
    return acquire(owner, settings, type, opener, closer, null);
  }

  /**
   * As {@link #acquire(String, ConnectionSettings, Class, Opener, Closer)}, and {@code held}
   * (something the lease keeps, such as the outbound policy's pin on the host's addresses; may be
   * null) is closed when the lease is, or at once when acquiring fails. The live client is opened
   * while {@code held} is, and outlives no lease, so it never runs without one.
   */
  public <T> Lease<T> acquire(
      String owner,
      ConnectionSettings settings,
      Class<T> type,
      Opener<T> opener,
      Closer<T> closer,
      AutoCloseable held)
      throws Exception {
    try {
      synchronized (this) {
        Key key = new Key(owner == null ? "" : owner, settings);
        Entry entry = live.get(key);
        if (entry == null) {
          T client = opener.open(settings);
          @SuppressWarnings("unchecked")
          Closer<Object> untyped = (Closer<Object>) closer;
          entry = new Entry(client, untyped);
          live.put(key, entry);
        }
        if (!type.isInstance(entry.client)) {
          throw new IllegalStateException(
              "connection " + settings.address() + " is in use as a " + entry.client.getClass());
        }
        entry.users++;
        return new Lease<>(key, type.cast(entry.client), held);
      }
    } catch (Exception | Error failed) {
      closeQuietly(held);
      throw failed;
    }
  }

  private static void closeQuietly(AutoCloseable held) {
    if (held != null) {
      try {
        held.close();
      } catch (Exception ignored) {
        // an admission's close does not throw; nothing else is held here
      }
    }
  }

  private void release(Key key) {
    Entry closing = null;
    synchronized (this) {
      Entry entry = live.get(key);
      if (entry != null && --entry.users == 0) {
        live.remove(key);
        closing = entry;
      }
    }
    if (closing != null) {
      closing.closer.close(closing.client);
    }
  }

  /** How many live clients there are (all owners). */
  public synchronized int size() {
    return live.size();
  }

  /** The live clients of {@code owner}: settings without secrets and the number of users each. */
  public synchronized List<Map<String, Object>> describe(String owner) {
    List<Map<String, Object>> described = new ArrayList<>();
    live.forEach(
        (key, entry) -> {
          if (key.owner.equals(owner)) {
            Map<String, Object> line = new LinkedHashMap<>(key.settings.describe());
            line.put("users", entry.users);
            described.add(line);
          }
        });
    return described;
  }
}
