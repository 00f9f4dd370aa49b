package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.CREDIT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.EXEC_SLOT_OFFSET;

import dev.z8run.core.node.Cancellable;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A message a node {@linkplain dev.z8run.core.node.Output#defer deferred}: a heap copy of the whole
 * record (header with its share of the execution's credit, then the body) that the engine's timer
 * thread writes back into the node's own inbox when it is due, under {@link #RECORD_TYPE_ID} so
 * that the node's worker calls {@link dev.z8run.core.node.Node#onDeferred} instead of {@code
 * onMessage}. The tag travels in the 4 bytes after the record.
 *
 * <pre>
 *  HELD --(the emitter gives it its credit)--> SCHEDULED --(written into the inbox)--> DELIVERED
 *    \\                                            \\
 *     +--cancel--> CANCELLED (credit returned     +--cancel--> CANCELLED (credit returned now)
 *                  when the emitter releases it)
 * </pre>
 *
 * <p>When the inbox is full at the due time, delivery is retried every millisecond (a later
 * deferred message of the same node may then overtake it). Thread-safe.
 */
final class DeferredMessage implements Cancellable, Runnable {
  /** Agrona message type id of a deferred record coming back into its node's inbox. */
  static final int RECORD_TYPE_ID = 2;

  private static final int HELD = 0;
  private static final int SCHEDULED = 1;
  private static final int DELIVERED = 2;
  private static final int CANCELLED = 3;
  private static final long RETRY_MS = 1;

  private final NodeInstance node;
  private final UnsafeBuffer record;
  private final long delayMs;

  /**
   * The block a large body waits in (0: the body is in {@link #record}): the record holds one
   * reference, released by the node's run once delivered, or here when the message is cancelled or
   * its flow stops first.
   */
  private final long block;

  private final AtomicInteger state = new AtomicInteger(HELD);
  private volatile Cancellable timer;

  DeferredMessage(NodeInstance node, UnsafeBuffer record, long delayMs, long block) {
    this.node = node;
    this.record = record;
    this.delayMs = delayMs;
    this.block = block;
    if (block != 0) {
      node.deferredBlocks.add(this);
    }
  }

  /** The emitter released it with {@code credit}: starts the wait, unless it was cancelled. */
  void schedule(long credit) {
    record.putLong(CREDIT_OFFSET, credit);
    if (state.compareAndSet(HELD, SCHEDULED)) {
      timer = node.flow.timers.schedule(node.flow, this, delayMs);
    } else {
      node.flow.returnCredit(slot(), credit);
    }
  }

  @Override
  public void run() {
    if (state.get() != SCHEDULED) {
      return;
    }
    int length = record.capacity();
    int index = node.inbox.tryClaim(RECORD_TYPE_ID, length);
    if (index <= 0) {
      timer = node.flow.timers.schedule(node.flow, this, RETRY_MS);
      return;
    }
    node.inbox.buffer().putBytes(index, record, 0, length);
    if (state.compareAndSet(SCHEDULED, DELIVERED)) {
      if (block != 0) {
        node.deferredBlocks.remove(this); // the record in the inbox holds the reference now
      }
      node.inbox.commit(index);
      node.signal(null);
    } else {
      node.inbox.abort(index);
    }
  }

  @Override
  public boolean cancel() {
    if (state.compareAndSet(HELD, CANCELLED)) {
      releaseBlock();
      return true;
    }
    if (state.compareAndSet(SCHEDULED, CANCELLED)) {
      Cancellable pending = timer;
      if (pending != null) {
        pending.cancel();
      }
      releaseBlock();
      node.flow.returnCredit(slot(), record.getLong(CREDIT_OFFSET));
      return true;
    }
    return false;
  }

  /**
   * Cancels it when its flow stops ({@link NodeInstance#discardQueued}): the timers are cancelled
   * without running, so the block would otherwise stay referenced (and counted in its owner's
   * share) for good. The execution's credit goes with the stopped flow.
   */
  void discard() {
    int now = state.get();
    if ((now == HELD || now == SCHEDULED) && state.compareAndSet(now, CANCELLED)) {
      releaseBlock();
    }
  }

  private void releaseBlock() {
    if (block != 0) {
      node.deferredBlocks.remove(this);
      node.flow.blocks.release(block);
    }
  }

  private int slot() {
    return record.getInt(EXEC_SLOT_OFFSET);
  }
}
