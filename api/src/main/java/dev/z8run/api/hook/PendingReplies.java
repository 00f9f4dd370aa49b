package dev.z8run.api.hook;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The requests waiting for their flow's answer, found by the ref their execution carries: a table
 * of {@link #SLOTS} slots, each claimed by a compare-and-set, so that a request's wait costs no map
 * entry, boxed key or shared counter. A request starts probing at a slot picked by its {@code hint}
 * (its thread's id: an HTTP/1 connection's requests run one after another on one virtual thread, so
 * each connection keeps coming back to the slot it left); when {@link #PROBES} slots in a row are
 * taken it waits in an overflow map instead, which has no limit.
 *
 * <pre>
 *  ref (never 0)
 *  63 62         61 ...                    12 11 ...      0
 *  +--+----------+----------------------------+------------+
 *  | 0| overflow |  uses of the slot (table)  | slot index |   table:    overflow bit 0
 *  +--+----------+----------------------------+------------+   overflow: a sequence number
 * </pre>
 *
 * A slot's use count goes up each time it is claimed, so a late answer for an earlier request in
 * the same slot (one that timed out) finds a different ref and is ignored. Thread-safe: a slot is
 * written only by the request that claimed it ({@link #add}, {@link #remove}); any thread may
 * {@link #find} a ref or {@link #forEach} waiting request.
 */
final class PendingReplies {
  /** Slots of the table; requests beyond wait in the overflow map. */
  static final int SLOTS = 1 << 12;

  /** Taken slots a request passes over before it waits in the overflow map. */
  static final int PROBES = 8;

  private static final int INDEX_BITS = 12;
  private static final int INDEX_MASK = SLOTS - 1;
  private static final long OVERFLOW = 1L << 62;
  private static final long USES_MASK = (OVERFLOW - 1) >>> INDEX_BITS;

  /** A waiting request: the future its answer completes, and the ref it was given. */
  static class Waiter<T> extends CompletableFuture<T> {
    /**
     * Written by {@link #add} before it returns; whoever is given the ref (the engine, through its
     * rings or on the same thread) sees it.
     */
    long ref;
  }

  private final AtomicReferenceArray<Waiter<?>> slots = new AtomicReferenceArray<>(SLOTS);

  /** Per slot, how often it was claimed; read and written only by the slot's claimer. */
  private final long[] uses = new long[SLOTS];

  private final Map<Long, Waiter<?>> overflow = new ConcurrentHashMap<>();
  private final AtomicLong overflowRefs = new AtomicLong();

  /**
   * Registers {@code waiter} and gives it its ref ({@link Waiter#ref}, also returned).
   *
   * @param hint where to start looking for a free slot (the calling thread's id)
   */
  long add(Waiter<?> waiter, long hint) {
    int start = (int) (hint * 0x9E3779B97F4A7C15L >>> (Long.SIZE - INDEX_BITS));
    for (int probe = 0; probe < PROBES; probe++) {
      int index = (start + probe) & INDEX_MASK;
      if (slots.get(index) == null && slots.compareAndSet(index, null, waiter)) {
        // read after the claim: the slot's last holder wrote its uses before it freed the slot
        long use = (uses[index] + 1) & USES_MASK;
        long ref = (use == 0 ? 1 : use) << INDEX_BITS | index;
        uses[index] = ref >>> INDEX_BITS;
        waiter.ref = ref; // before the ref is handed out; a find of another ref meanwhile misses
        return ref;
      }
    }
    long ref = OVERFLOW | overflowRefs.incrementAndGet();
    waiter.ref = ref;
    overflow.put(ref, waiter);
    return ref;
  }

  /** The request waiting under {@code ref}, or null (answered, timed out, never there). */
  Waiter<?> find(long ref) {
    if ((ref & OVERFLOW) != 0) {
      return overflow.get(ref);
    }
    Waiter<?> waiter = slots.get((int) ref & INDEX_MASK);
    return waiter != null && waiter.ref == ref ? waiter : null;
  }

  /** Removes {@code waiter}, which {@link #add} registered; by the thread that added it. */
  void remove(Waiter<?> waiter) {
    long ref = waiter.ref;
    if ((ref & OVERFLOW) != 0) {
      overflow.remove(ref, waiter);
    } else {
      slots.compareAndSet((int) ref & INDEX_MASK, waiter, null);
    }
  }

  /** Calls {@code action} with each waiting request (a snapshot per slot, as a sweep needs). */
  void forEach(Consumer<Waiter<?>> action) {
    for (int index = 0; index < SLOTS; index++) {
      Waiter<?> waiter = slots.get(index);
      if (waiter != null) {
        action.accept(waiter);
      }
    }
    overflow.values().forEach(action);
  }

  /** Requests waiting right now (counts the table: for tests and diagnostics, not a hot path). */
  int size() {
    int count = overflow.size();
    for (int index = 0; index < SLOTS; index++) {
      if (slots.get(index) != null) {
        count++;
      }
    }
    return count;
  }
}
