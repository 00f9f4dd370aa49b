package dev.z8run.core.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids that no two emitters of a process share: each emitter takes a block of {@link #BLOCK}
 * ids at a time from one counter and numbers its children from it, so the hot path pays a
 * comparison per id and a shared atomic once per 65,536 messages. Ids start at 2<sup>62</sup>,
 * above every execution id (the first message of an execution carries the execution's id).
 */
final class MessageIds {
  /** How many ids an emitter takes at a time. */
  static final long BLOCK = 1L << 16;

  private static final AtomicLong NEXT_BLOCK = new AtomicLong(1L << 62);

  private long next;
  private long limit;

  /** The next id of this emitter; unique in the process. */
  long next() {
    if (next == limit) {
      next = NEXT_BLOCK.getAndAdd(BLOCK);
      limit = next + BLOCK;
    }
    return next++;
  }
}
