package dev.z8run.io.message;

import java.util.concurrent.atomic.AtomicLong;
import org.agrona.UnsafeApi;

/**
 * Off-heap, reference-counted, pooled blocks for message bodies that travel <em>by reference</em>:
 * a body larger than {@link MessageDescriptor#BY_REFERENCE_BYTES} is written once into a block, and
 * the records in the inboxes carry only the block's address ({@link
 * MessageDescriptor#FLAG_BODY_REF}). Each record that names a block holds one reference; a fan-out
 * shares the block; the node that consumes a record releases its reference, and the last release
 * returns the block to the pool.
 *
 * <pre>
 *  0                   4                   8                   12                  16
 *  +-------------------+-------------------+-------------------+-------------------+--------
 *  | ref_count i32     | size_class i32    | body_length i32   | account i32       | body ...
 *  +-------------------+-------------------+-------------------+-------------------+--------
 *  body = json | binary | field index, exactly as after a record's header
 *  account = the MemoryBudget.Account the block is counted in (its id), 0 for none
 * </pre>
 *
 * <p>Bounded: a block allocated for an {@link MemoryBudget.Account} is counted in it (its whole
 * size class) from allocation to its last release, so the bodies in flight of one owner's flows
 * stay within that owner's share and all of them within the budget; a block that would pass either
 * is refused ({@link #tryAllocate} answers 0, {@link #allocate(int, MemoryBudget.Account)} throws
 * {@link MemoryBudget.ExceededException}) before any memory is taken. Freed blocks kept in the pool
 * are counted in no account (at most {@code maxPooledBytes} for the server).
 *
 * <p>Blocks come in power-of-two sizes from {@value #MIN_CLASS_BYTES} bytes; freed blocks are kept
 * for reuse up to {@code maxPooledBytes} in all, the rest is given back to the system. Thread-safe:
 * any thread allocates, retains and releases.
 */
public final class BodyBlocks implements AutoCloseable {
  public static final int REF_COUNT_OFFSET = 0;
  public static final int SIZE_CLASS_OFFSET = REF_COUNT_OFFSET + Integer.BYTES;
  public static final int BODY_LENGTH_OFFSET = SIZE_CLASS_OFFSET + Integer.BYTES;
  public static final int ACCOUNT_OFFSET = BODY_LENGTH_OFFSET + Integer.BYTES;
  public static final int BLOCK_HEADER_LENGTH = ACCOUNT_OFFSET + Integer.BYTES;

  /** The smallest block: {@value} bytes. */
  public static final int MIN_CLASS_BYTES = 16 * 1024;

  /** Size classes 16 KiB << 0 .. 17: up to 2 GiB. */
  private static final int CLASSES = 18;

  private final long maxPooledBytes;
  private final MemoryBudget budget;
  private final long[][] free = new long[CLASSES][];
  private final int[] freeCount = new int[CLASSES];
  private long pooledBytes;
  private final AtomicLong liveBlocks = new AtomicLong();
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicLong allocations = new AtomicLong();
  private final AtomicLong allocatedBodyBytes = new AtomicLong();

  /** A pool that keeps at most {@code maxPooledBytes} of freed blocks for reuse; no budget. */
  public BodyBlocks(long maxPooledBytes) {
    this(maxPooledBytes, null);
  }

  /**
   * A pool that keeps at most {@code maxPooledBytes} of freed blocks for reuse, whose blocks may be
   * counted in the accounts of {@code budget} (null: none).
   */
  public BodyBlocks(long maxPooledBytes, MemoryBudget budget) {
    this.maxPooledBytes = maxPooledBytes;
    this.budget = budget;
    for (int c = 0; c < CLASSES; c++) {
      free[c] = new long[4];
    }
  }

  /**
   * A block for a body of {@code bodyLength} bytes, with one reference (the caller's).
   *
   * @return the block's address
   */
  public long allocate(int bodyLength) {
    return tryAllocate(bodyLength, null);
  }

  /**
   * A block for a body of {@code bodyLength} bytes counted in {@code account}, with one reference
   * (the caller's).
   *
   * @return the block's address
   * @throws MemoryBudget.ExceededException when the block would take the account past its limit or
   *     the budget past its size: for a node, an error on the node that sends the message
   */
  public long allocate(int bodyLength, MemoryBudget.Account account) {
    long address = tryAllocate(bodyLength, account);
    if (address == 0) {
      throw new MemoryBudget.ExceededException(
          account.refusal(
              "a message body of " + MemoryBudget.mib(bodyLength) + " (sent by reference)",
              classBytes(sizeClass(BLOCK_HEADER_LENGTH + bodyLength))));
    }
    return address;
  }

  /**
   * As {@link #allocate(int, MemoryBudget.Account)}, answering 0 instead of throwing when the block
   * would pass the account's limit or the budget; {@code account} null: counted in none.
   */
  public long tryAllocate(int bodyLength, MemoryBudget.Account account) {
    int sizeClass = sizeClass(BLOCK_HEADER_LENGTH + bodyLength);
    if (account != null) {
      if (account.budget() != budget) {
        throw new IllegalArgumentException("account of another budget: " + account.owner());
      }
      if (!account.tryReserveBlock(classBytes(sizeClass))) {
        return 0;
      }
    }
    long address = takeFree(sizeClass);
    if (address == 0) {
      try {
        address = UnsafeApi.allocateMemory(classBytes(sizeClass));
      } catch (RuntimeException | OutOfMemoryError failure) {
        if (account != null) {
          account.releaseBlock(classBytes(sizeClass));
        }
        throw failure;
      }
    }
    UnsafeApi.putInt(null, address + SIZE_CLASS_OFFSET, sizeClass);
    UnsafeApi.putInt(null, address + BODY_LENGTH_OFFSET, bodyLength);
    UnsafeApi.putInt(null, address + ACCOUNT_OFFSET, account == null ? 0 : account.id());
    UnsafeApi.putIntVolatile(null, address + REF_COUNT_OFFSET, 1);
    liveBlocks.incrementAndGet();
    liveBytes.addAndGet(classBytes(sizeClass));
    allocations.incrementAndGet();
    allocatedBodyBytes.addAndGet(bodyLength);
    return address;
  }

  /** Adds a reference to the block (another record names it). */
  public static void retain(long address) {
    UnsafeApi.getAndAddInt(null, address + REF_COUNT_OFFSET, 1);
  }

  /** Drops a reference; the last one returns the block to the pool. */
  public void release(long address) {
    int before = UnsafeApi.getAndAddInt(null, address + REF_COUNT_OFFSET, -1);
    if (before > 1) {
      return;
    }
    if (before < 1) {
      throw new IllegalStateException("block " + address + " released more often than retained");
    }
    int sizeClass = UnsafeApi.getInt(null, address + SIZE_CLASS_OFFSET);
    int accountId = UnsafeApi.getInt(null, address + ACCOUNT_OFFSET);
    if (accountId != 0) {
      budget.account(accountId).releaseBlock(classBytes(sizeClass));
    }
    liveBlocks.decrementAndGet();
    liveBytes.addAndGet(-classBytes(sizeClass));
    if (!putFree(sizeClass, address)) {
      UnsafeApi.freeMemory(address);
    }
  }

  /** Length of the body in the block at {@code address}. */
  public static int bodyLength(long address) {
    return UnsafeApi.getInt(null, address + BODY_LENGTH_OFFSET);
  }

  /** References the block at {@code address} holds now (for tests). */
  public static int refCount(long address) {
    return UnsafeApi.getIntVolatile(null, address + REF_COUNT_OFFSET);
  }

  /** Blocks handed out and not yet released by their last holder. */
  public long liveBlocks() {
    return liveBlocks.get();
  }

  /** Bytes of the blocks in use. */
  public long liveBytes() {
    return liveBytes.get();
  }

  /**
   * Blocks handed out since this pool was made. Every body above {@link
   * MessageDescriptor#BY_REFERENCE_BYTES} that is written (not shared) goes into a new block, so
   * this counts the copies of large bodies: the perf harness divides it by the messages.
   */
  public long allocations() {
    return allocations.get();
  }

  /** Body bytes the blocks handed out since this pool was made were asked for. */
  public long allocatedBodyBytes() {
    return allocatedBodyBytes.get();
  }

  /** Bytes of freed blocks kept for reuse. */
  public synchronized long pooledBytes() {
    return pooledBytes;
  }

  /** Frees the pooled blocks; blocks still in use are freed by their last release. */
  @Override
  public synchronized void close() {
    for (int c = 0; c < CLASSES; c++) {
      for (int i = 0; i < freeCount[c]; i++) {
        UnsafeApi.freeMemory(free[c][i]);
      }
      freeCount[c] = 0;
    }
    pooledBytes = 0;
  }

  private synchronized long takeFree(int sizeClass) {
    int n = freeCount[sizeClass];
    if (n == 0) {
      return 0;
    }
    freeCount[sizeClass] = n - 1;
    pooledBytes -= classBytes(sizeClass);
    return free[sizeClass][n - 1];
  }

  private synchronized boolean putFree(int sizeClass, long address) {
    long bytes = classBytes(sizeClass);
    if (pooledBytes + bytes > maxPooledBytes) {
      return false;
    }
    long[] list = free[sizeClass];
    if (freeCount[sizeClass] == list.length) {
      list = java.util.Arrays.copyOf(list, list.length * 2);
      free[sizeClass] = list;
    }
    list[freeCount[sizeClass]++] = address;
    pooledBytes += bytes;
    return true;
  }

  private static int sizeClass(int bytes) {
    int rounded = Math.max(MIN_CLASS_BYTES, bytes);
    int bits = 32 - Integer.numberOfLeadingZeros(rounded - 1);
    return bits - Integer.numberOfTrailingZeros(MIN_CLASS_BYTES);
  }

  private static long classBytes(int sizeClass) {
    return (long) MIN_CLASS_BYTES << sizeClass;
  }
}
