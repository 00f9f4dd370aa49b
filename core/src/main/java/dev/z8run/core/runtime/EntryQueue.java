package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.MSG_TYPE_ID;

import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import java.util.function.Consumer;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Messages a node emitted that wait for room in their target's inbox, in emission order: the node's
 * pending queue and its loop queue (see {@link NodeInstance}) are each one of these.
 *
 * <pre>
 *  entry: 0 target_node i32 | 4 record_length i32 | 8 record (header + body) | padding to 8
 * </pre>
 *
 * <p>Threading: owned by the node's worker.
 */
final class EntryQueue {
  static final int ENTRY_HEADER = 8;

  private final ScratchBuffer scratch = new ScratchBuffer(64);

  /** Bytes the queue may hold before {@link #append} refuses; it always takes one entry. */
  private final int budget;

  /** Whether a partial {@link #flush} moves what is left to the front of the buffer. */
  private final boolean compact;

  private int head;
  private int tail;
  private int entries;

  /**
   * @param budget bytes the queue may hold ({@link Integer#MAX_VALUE}: unbounded)
   * @param compact whether a flush that moves some entries but not all moves the rest to the front
   *     (a queue that keeps being appended to while never emptying would otherwise grow)
   */
  EntryQueue(int budget, boolean compact) {
    this.budget = budget;
    this.compact = compact;
  }

  /** The buffer the records are in; fetch it again after {@link #append} (growth replaces it). */
  UnsafeBuffer buffer() {
    return scratch.buffer();
  }

  int budget() {
    return budget;
  }

  boolean isEmpty() {
    return tail == 0;
  }

  int entries() {
    return entries;
  }

  /**
   * Reserves an entry for a record of {@code recordLength}; returns the record's offset, or -1 when
   * the queue would exceed its budget.
   */
  int append(int targetIndex, int recordLength) {
    int at = tail;
    int end = BitUtil.align(at + ENTRY_HEADER + recordLength, Long.BYTES);
    if (entries > 0 && end - head > budget) {
      return -1;
    }
    UnsafeBuffer buffer = scratch.ensure(at + ENTRY_HEADER + recordLength, at);
    buffer.putInt(at, targetIndex);
    buffer.putInt(at + Integer.BYTES, recordLength);
    tail = end;
    entries++;
    return at + ENTRY_HEADER;
  }

  /**
   * Moves entries into their target inboxes, in order, until one does not fit.
   *
   * @param sender the worker flushing, which does not wake itself
   * @return the number moved
   */
  int flush(FlowRuntime flow, WorkerAgent sender) {
    int moved = 0;
    while (head < tail) {
      UnsafeBuffer buffer = scratch.buffer();
      int targetIndex = buffer.getInt(head);
      int recordLength = buffer.getInt(head + Integer.BYTES);
      NodeInstance target = flow.instance(targetIndex);
      int claimed = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
      if (claimed <= 0) {
        if (compact && moved > 0) {
          buffer.putBytes(0, buffer, head, tail - head);
          tail -= head;
          head = 0;
        }
        return moved;
      }
      target.inbox.buffer().putBytes(claimed, buffer, head + ENTRY_HEADER, recordLength);
      target.inbox.commit(claimed);
      target.signal(sender);
      head = BitUtil.align(head + ENTRY_HEADER + recordLength, Long.BYTES);
      entries--;
      moved++;
    }
    head = 0;
    tail = 0;
    return moved;
  }

  /**
   * Empties the queue, showing each record to {@code dropped} first.
   *
   * @return the number of entries dropped
   */
  int discard(MessageFlyweight record, Consumer<MessageFlyweight> dropped) {
    UnsafeBuffer buffer = scratch.buffer();
    for (int at = head; at < tail; ) {
      int recordLength = buffer.getInt(at + Integer.BYTES);
      dropped.accept(record.wrap(buffer, at + ENTRY_HEADER, recordLength));
      at = BitUtil.align(at + ENTRY_HEADER + recordLength, Long.BYTES);
    }
    int count = entries;
    head = 0;
    tail = 0;
    entries = 0;
    return count;
  }
}
