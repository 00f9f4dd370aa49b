package dev.z8run.core.runtime;

import dev.z8run.io.message.LazyZeroedMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The live executions of one flow, off-heap: a slot per execution, claimed by the trigger that
 * starts it and freed by whoever returns its last credit. The table's size bounds the executions in
 * flight, which makes it the flow's admission control: a full table refuses the trigger.
 *
 * <pre>
 *  slot (64 bytes, one cache line)
 *  0 execution_id i64 | 8 outstanding credit i64 | 16 start_ns i64 | 24 state i32 | 28 failed_node i32
 *  32 flags i32 | 36 trigger_node i32 | 40..63 reserved
 * </pre>
 *
 * <p>Credit: an execution starts with {@link #INITIAL_CREDIT}; each message carries a share; a node
 * splits its input's share among the messages it emits and returns it when it emits none. The
 * execution is complete when the outstanding credit reaches zero. A node that must split a share
 * smaller than 2 first {@linkplain #addCredit adds} credit to the slot, which it may do because it
 * still holds unreturned credit.
 *
 * <p>Memory: the table's memory is zero without being written ({@link LazyZeroedMemory}), and
 * triggers claim slots only in a window at the front of it, {@value #INITIAL_WINDOW} slots at
 * first, doubled whenever {@value #MAX_PROBES} slots in a row are live, up to the capacity: a flow
 * with a few executions in flight keeps a few pages of the table resident, not the whole of it (4
 * MiB for the default 65,536 slots).
 *
 * <p>Thread-safe: slots are claimed by CAS, credit moves by atomic add (but for the return of a
 * holder that holds all of it, see {@link #returnCredit}). The triggers' cursor is the table's
 * first line, before the slots, not a field beside the ones the threads that return credit read: a
 * trigger on one core bumping it with every execution would otherwise take their line from another
 * core with every message.
 */
public final class ExecutionTable {
  public static final long INITIAL_CREDIT = 1L << 62;
  public static final long REPLENISH_CREDIT = 1L << 50;

  static final int SLOT_LENGTH = 64;
  static final int EXECUTION_ID_OFFSET = 0;
  static final int OUTSTANDING_OFFSET = 8;
  static final int START_NS_OFFSET = 16;
  static final int STATE_OFFSET = 24;
  static final int FAILED_NODE_OFFSET = 28;
  static final int FLAGS_OFFSET = 32;
  static final int TRIGGER_NODE_OFFSET = 36;

  private static final int FREE = 0;
  private static final int CLAIMING = 1;
  private static final int LIVE = 2;
  private static final int MAX_PROBES = 32;
  static final int INITIAL_WINDOW = 256;

  private static final VarHandle WINDOW_MASK;

  static {
    try {
      WINDOW_MASK =
          MethodHandles.lookup().findVarHandle(ExecutionTable.class, "windowMask", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final UnsafeBuffer slots;
  private final int mask;

  /**
   * Slots triggers claim from, minus one: a power of two minus one, growing up to {@link #mask}.
   */
  @SuppressWarnings("unused") // through WINDOW_MASK
  private volatile int windowMask;

  /** The offset of the triggers' cursor in {@link #slots}: a line of its own before the slots. */
  private static final int CURSOR_OFFSET = 0;

  /** Receives completed executions; called on the thread that returned the last credit. */
  public interface CompletionHandler {
    void onExecutionComplete(
        int slot, long executionId, long startNs, int failedNode, int triggerNode, int flags);
  }

  private final CompletionHandler completionHandler;

  /**
   * @param capacity executions in flight at most; rounded up to a power of two
   */
  public ExecutionTable(int capacity, CompletionHandler completionHandler) {
    int slotsCount = BitUtil.findNextPositivePowerOfTwo(Math.max(capacity, 16));
    this.slots = LazyZeroedMemory.allocate((slotsCount + 1) * SLOT_LENGTH, SLOT_LENGTH);
    this.mask = slotsCount - 1;
    this.windowMask = Math.min(slotsCount, INITIAL_WINDOW) - 1;
    this.completionHandler = completionHandler;
  }

  public int capacity() {
    return mask + 1;
  }

  /**
   * Frees the slots' off-heap memory now rather than when the table becomes unreachable: for a
   * stopped flow's table, once nothing can touch it any more. Any use of the table afterwards may
   * crash the JVM.
   */
  void free() {
    LazyZeroedMemory.free(slots);
  }

  /** Off-heap bytes a table of {@code capacity} executions reserves (slots and alignment). */
  static long reservedBytes(int capacity) {
    return ((long) BitUtil.findNextPositivePowerOfTwo(Math.max(capacity, 16)) + 1) * SLOT_LENGTH
        + SLOT_LENGTH;
  }

  /**
   * Claims a slot for a new execution.
   *
   * @return the slot index, or -1 when the table is full (back-pressure)
   */
  public int tryStart(int triggerNode, int flags, long startNs) {
    int window = windowMask;
    while (true) {
      int slot = tryClaim(window, triggerNode, flags, startNs);
      if (slot >= 0 || window == mask) {
        return slot;
      }
      // MAX_PROBES live slots in a row: double the window (one of the racing callers does)
      WINDOW_MASK.compareAndSet(this, window, (window << 1) | 1);
      window = windowMask;
    }
  }

  /** Slots triggers currently claim from (for tests and the control plane). */
  int window() {
    return windowMask + 1;
  }

  private int tryClaim(int window, int triggerNode, int flags, long startNs) {
    for (int probe = 0; probe < MAX_PROBES; probe++) {
      long ticket = slots.getAndAddLong(CURSOR_OFFSET, 1);
      int slot = (int) (ticket & window);
      int offset = offset(slot);
      if (slots.getIntVolatile(offset + STATE_OFFSET) == FREE
          && slots.compareAndSetInt(offset + STATE_OFFSET, FREE, CLAIMING)) {
        slots.putLong(offset + EXECUTION_ID_OFFSET, ticket + 1);
        slots.putLong(offset + START_NS_OFFSET, startNs);
        slots.putInt(offset + FAILED_NODE_OFFSET, -1);
        slots.putInt(offset + FLAGS_OFFSET, flags);
        slots.putInt(offset + TRIGGER_NODE_OFFSET, triggerNode);
        slots.putLong(offset + OUTSTANDING_OFFSET, INITIAL_CREDIT);
        slots.putIntRelease(offset + STATE_OFFSET, LIVE);
        return slot;
      }
    }
    return -1;
  }

  /** Where {@code slot} starts in {@link #slots}: after the cursor's line. */
  private static int offset(int slot) {
    return (slot + 1) * SLOT_LENGTH;
  }

  public long executionId(int slot) {
    return slots.getLong(offset(slot) + EXECUTION_ID_OFFSET);
  }

  /**
   * Gives back a message's credit; completes the execution when it was the last.
   *
   * <p>The outstanding credit is the sum of the shares not yet returned, the caller's among them,
   * at every point of its history (a share is added to the table before it is held, and returned
   * after it was last held). A caller that reads exactly its own share there therefore holds all
   * the credit left, and nobody else can add or return any (only a holder splits or adds): its
   * return is a plain release store of zero instead of an atomic add, one atomic instruction less
   * per execution for a chain, whose last node holds everything.
   *
   * @return true when this call completed the execution
   */
  public boolean returnCredit(int slot, long credit) {
    int offset = offset(slot);
    if (slots.getLongVolatile(offset + OUTSTANDING_OFFSET) == credit) {
      // the caller holds all the credit left (a chain's last node): nobody else can add to it or
      // return any, so the last return needs no atomic add
      slots.putLongRelease(offset + OUTSTANDING_OFFSET, 0);
    } else if (slots.getAndAddLong(offset + OUTSTANDING_OFFSET, -credit) != credit) {
      return false;
    }
    long executionId = slots.getLong(offset + EXECUTION_ID_OFFSET);
    long startNs = slots.getLong(offset + START_NS_OFFSET);
    int failedNode = slots.getIntVolatile(offset + FAILED_NODE_OFFSET);
    int flags = slots.getInt(offset + FLAGS_OFFSET);
    int trigger = slots.getInt(offset + TRIGGER_NODE_OFFSET);
    slots.putIntRelease(offset + STATE_OFFSET, FREE);
    completionHandler.onExecutionComplete(slot, executionId, startNs, failedNode, trigger, flags);
    return true;
  }

  /** Adds credit to a live execution; the caller must hold unreturned credit of it. */
  public void addCredit(int slot, long credit) {
    slots.getAndAddLong(offset(slot) + OUTSTANDING_OFFSET, credit);
  }

  /** The node that started the execution in {@code slot} (valid while the caller holds credit). */
  public int triggerNode(int slot) {
    return slot < 0 ? -1 : slots.getInt(offset(slot) + TRIGGER_NODE_OFFSET);
  }

  /** Records the first node that failed in this execution; later failures keep the first. */
  public void markFailed(int slot, int nodeIndex) {
    slots.compareAndSetInt(offset(slot) + FAILED_NODE_OFFSET, -1, nodeIndex);
  }

  /** Number of slots holding a live execution (a scan: for the control plane). */
  public int liveCount() {
    int live = 0;
    int window = windowMask;
    for (int slot = 0; slot <= window; slot++) {
      if (slots.getIntVolatile(offset(slot) + STATE_OFFSET) != FREE) {
        live++;
      }
    }
    return live;
  }
}
