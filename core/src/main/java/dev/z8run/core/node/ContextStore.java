package dev.z8run.core.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory key/value store that nodes share: Node-RED's {@code context}, {@code flow} and
 * {@code global} stores. A node gets its flow's store (one per deployed flow, new on every deploy)
 * from {@link NodeContext#flowContext()} and the engine's store (one per engine, kept across
 * deploys) from {@link NodeContext#globalContext()}; a node that needs a store of its own creates
 * one.
 *
 * <p>Values are plain data in {@link dev.z8run.io.json.JsonCodec}'s value model (maps, lists,
 * strings, numbers, booleans): a node stores its own copy, never an object another thread may
 * change, and never changes a value it got. Thread-safe.
 *
 * <p>A store made with a {@link Meter} counts what its values take: a {@link #set} that finds no
 * room throws {@link FullException} and leaves the key as it was. {@link #release()} gives
 * everything back when the store is dropped (its flow stopped, its node stopped).
 */
public final class ContextStore {
  /**
   * What the values of a store may take (the server counts them in the owner's share of the heap).
   * Thread-safe.
   */
  public interface Meter {
    /** An estimate of the heap {@code key} and {@code value} take once stored. */
    long bytes(String key, Object value);

    /** Takes {@code bytes} if there is room; whether it did (nothing changed otherwise). */
    boolean tryTake(long bytes);

    /** Gives back {@code bytes} taken before. */
    void give(long bytes);

    /** Why storing {@code bytes} more under {@code key} was refused, as of now. */
    String refusal(String key, long bytes);
  }

  /** A value that would take a metered store past its room; nothing was stored. */
  public static final class FullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FullException(String message) {
      super(message);
    }
  }

  private final Map<String, Object> values = new ConcurrentHashMap<>();
  private final Meter meter;

  // metered stores only: what each key's value takes, and all of them
  private final Map<String, Long> sizes;
  private final AtomicLong heldBytes = new AtomicLong();
  private volatile boolean released;

  /** A store without a meter: its values are not counted. */
  public ContextStore() {
    this(null);
  }

  /**
   * @param meter counts what the values take (null: nothing is counted)
   */
  public ContextStore(Meter meter) {
    this.meter = meter;
    this.sizes = meter == null ? null : new ConcurrentHashMap<>();
  }

  /** The value stored under {@code key}, or null. */
  public Object get(String key) {
    return values.get(key);
  }

  /**
   * Stores {@code value} under {@code key}; a null value removes the key. In a metered store the
   * growth over the key's current value is taken first; once the store is {@linkplain #release()
   * released} nothing is stored any more.
   *
   * @throws FullException when the meter has no room for the value; the key keeps its value
   */
  public void set(String key, Object value) {
    if (meter == null) {
      if (value == null) {
        values.remove(key);
      } else {
        values.put(key, value);
      }
      return;
    }
    long bytes = value == null ? 0 : meter.bytes(key, value); // outside the key's lock
    long[] refused = {-1};
    values.compute(
        key,
        (k, old) -> {
          if (released) {
            return null;
          }
          Long oldBytes = old == null ? null : sizes.get(k);
          long growth = bytes - (oldBytes == null ? 0 : oldBytes);
          if (growth > 0 && !meter.tryTake(growth)) {
            refused[0] = growth;
            return old;
          }
          if (growth < 0) {
            meter.give(-growth);
          }
          heldBytes.addAndGet(growth);
          if (value == null) {
            sizes.remove(k);
          } else {
            sizes.put(k, bytes);
          }
          return value;
        });
    if (refused[0] >= 0) {
      throw new FullException(meter.refusal(key, refused[0]));
    }
  }

  /** The keys stored now, in no particular order. */
  public List<String> keys() {
    return List.copyOf(values.keySet());
  }

  /** What the values take by the meter's estimate (0 without a meter). */
  public long heldBytes() {
    return heldBytes.get();
  }

  /**
   * Drops every value and gives back what they took: the store's flow or node has stopped (its
   * nodes no longer run). Later {@link #set}s store nothing.
   */
  public void release() {
    released = true;
    values.clear();
    if (meter != null) {
      sizes.clear();
      long rest = heldBytes.getAndSet(0);
      if (rest != 0) {
        meter.give(rest);
      }
    }
  }
}
