package dev.z8run.io.message;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.ref.Cleaner;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap memory that reads as zeroes but is not written at allocation, for the engine's rings and
 * tables (node inboxes, the execution table, the event rings), which rely on starting zeroed.
 *
 * <p>{@link java.nio.ByteBuffer#allocateDirect} writes zeroes over the whole block, which makes
 * every page of it resident at once: a 1 MiB inbox costs 1 MiB of RSS whether a message ever goes
 * through it or not. This class takes the block from the C library's {@code calloc} instead
 * (through the foreign-function API): a block that large is fresh anonymous pages from the kernel,
 * which are zero without being written and become resident only where they are first written. A
 * ring that only ever holds a few messages (or none: a fused hop never touches its target's inbox)
 * stays at a few pages.
 *
 * <p>The foreign-function API is reached by reflection: the code is compiled for Java 21, where it
 * is a preview API; on a JDK before 22 this class falls back to direct buffers. The function
 * handles take and return addresses as {@code long}s (64-bit platforms).
 *
 * <p>The block is freed when the returned buffer becomes unreachable, as a direct buffer is. The
 * bytes are reserved in the JVM's own direct-memory account ({@code java.nio.Bits}, reached by
 * reflection: the launcher opens {@code java.nio}), the one {@code allocateDirect} reserves in:
 * blocks of this class and direct buffers share one limit ({@code -XX:MaxDirectMemorySize}, by
 * default the maximum heap), a block beyond it throws the same {@link OutOfMemoryError} after the
 * JVM's attempt to free unreachable blocks first, and the JVM's {@code direct} buffer pool (JMX,
 * the server's metrics) counts them. Where {@code java.nio} is not open the bytes are counted
 * against the same limit in a counter of this class's own. Without native access (the JVM started
 * with {@code --illegal-native-access=deny} and without {@code --enable-native-access} for this
 * code) it falls back to {@link BufferUtil#allocateDirectAligned}.
 *
 * <p>Thread-safe.
 */
public final class LazyZeroedMemory {
  private static final MethodHandle CALLOC;
  private static final MethodHandle FREE;
  private static final long LIMIT = maxDirectMemory();
  private static final AtomicLong RESERVED = new AtomicLong();

  /** {@code java.nio.Bits.reserveMemory(size, capacity)}, or null where it cannot be reached. */
  private static final MethodHandle RESERVE;

  /** {@code java.nio.Bits.unreserveMemory(size, capacity)}, or null. */
  private static final MethodHandle UNRESERVE;

  private static final Cleaner CLEANER = Cleaner.create();

  /** The cleaning action of each block not yet freed, by the buffer's address: {@link #free}. */
  private static final ConcurrentHashMap<Long, Cleaner.Cleanable> CLEANABLES =
      new ConcurrentHashMap<>();

  static {
    MethodHandle calloc = null;
    MethodHandle free = null;
    if (Runtime.version().feature() >= 22) {
      try {
        calloc = NativeHeap.calloc();
        free = NativeHeap.free();
      } catch (ReflectiveOperationException | RuntimeException | LinkageError noNativeAccess) {
        calloc = null;
        free = null;
      }
    }
    CALLOC = calloc;
    FREE = free;
    MethodHandle reserve = null;
    MethodHandle unreserve = null;
    try {
      Class<?> bits = Class.forName("java.nio.Bits");
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      Method reserveMethod = bits.getDeclaredMethod("reserveMemory", long.class, long.class);
      Method unreserveMethod = bits.getDeclaredMethod("unreserveMemory", long.class, long.class);
      reserveMethod.setAccessible(true);
      unreserveMethod.setAccessible(true);
      reserve = lookup.unreflect(reserveMethod);
      unreserve = lookup.unreflect(unreserveMethod);
    } catch (ReflectiveOperationException | RuntimeException notOpen) {
      reserve = null;
      unreserve = null;
    }
    RESERVE = reserve;
    UNRESERVE = unreserve;
  }

  private LazyZeroedMemory() {}

  /**
   * A zeroed block of {@code length} bytes whose address is a multiple of {@code alignment} (a
   * power of two).
   *
   * @throws OutOfMemoryError when the direct-memory limit or the C heap has no room for it
   */
  public static UnsafeBuffer allocate(int length, int alignment) {
    if (CALLOC == null) {
      return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, alignment));
    }
    long size = (long) length + alignment;
    reserve(size);
    long address;
    try {
      address = (long) CALLOC.invokeExact(1L, size);
    } catch (Throwable failure) {
      unreserve(size);
      throw new IllegalStateException("calloc failed", failure);
    }
    if (address == 0) {
      unreserve(size);
      throw new OutOfMemoryError("calloc could not allocate " + size + " bytes");
    }
    long aligned = BitUtil.align(address, alignment);
    UnsafeBuffer buffer = new UnsafeBuffer(aligned, length);
    // freed by free(buffer), else once nothing reaches the buffer; the action must not capture the
    // buffer
    CLEANABLES.put(
        aligned,
        CLEANER.register(
            buffer,
            () -> {
              CLEANABLES.remove(aligned);
              free(address, size);
            }));
    return buffer;
  }

  /**
   * Frees the block of {@code buffer} now, instead of when the buffer becomes unreachable, and
   * gives its bytes back to the direct-memory account. Nothing may touch the buffer afterwards: the
   * pages are returned to the system, and a read or write through the buffer may crash the JVM.
   * Does nothing for a block freed already or one that is not from {@link #allocate} (direct
   * buffers of the fallback are freed by the garbage collector, as before).
   */
  public static void free(DirectBuffer buffer) {
    Cleaner.Cleanable cleanable = CLEANABLES.remove(buffer.addressOffset());
    if (cleanable != null) {
      cleanable.clean();
    }
  }

  /**
   * Counts {@code size} bytes against the direct-memory limit: in the JVM's account when it can be
   * reached, else in this class's.
   *
   * @throws OutOfMemoryError beyond the limit
   */
  private static void reserve(long size) {
    if (RESERVE != null) {
      try {
        RESERVE.invokeExact(size, size);
      } catch (RuntimeException | Error refused) {
        throw refused;
      } catch (Throwable unexpected) {
        throw new IllegalStateException("reserving direct memory failed", unexpected);
      }
      RESERVED.addAndGet(size);
    } else if (RESERVED.addAndGet(size) > LIMIT) {
      RESERVED.addAndGet(-size);
      throw new OutOfMemoryError(
          "Cannot reserve " + size + " bytes of direct buffer memory (limit " + LIMIT + ")");
    }
  }

  private static void unreserve(long size) {
    RESERVED.addAndGet(-size);
    if (UNRESERVE != null) {
      try {
        UNRESERVE.invokeExact(size, size);
      } catch (Throwable unexpected) {
        throw new IllegalStateException("unreserving direct memory failed", unexpected);
      }
    }
  }

  /**
   * Whether the block of {@code buffer} is allocated through this class and not freed yet (false
   * for the fallback's direct buffers, which the garbage collector frees).
   */
  public static boolean isAllocated(DirectBuffer buffer) {
    return CLEANABLES.containsKey(buffer.addressOffset());
  }

  /** Bytes currently allocated through this class (alignment padding included). */
  public static long reserved() {
    return RESERVED.get();
  }

  /**
   * Whether {@link #reserved()} is part of the JVM's direct-memory account (and so of its {@code
   * direct} buffer pool's memory used): true where {@code java.nio} is open to this code.
   */
  public static boolean inJvmAccount() {
    return RESERVE != null;
  }

  /** The direct-memory limit the blocks are counted against. */
  public static long limit() {
    return LIMIT;
  }

  private static void free(long address, long size) {
    try {
      FREE.invokeExact(address);
    } catch (Throwable failure) {
      throw new IllegalStateException("free failed", failure);
    } finally {
      unreserve(size);
    }
  }

  /** The JVM's direct-memory limit, or the maximum heap (its default) when it cannot be read. */
  private static long maxDirectMemory() {
    try {
      return (long) Class.forName("jdk.internal.misc.VM").getMethod("maxDirectMemory").invoke(null);
    } catch (ReflectiveOperationException | RuntimeException notExported) {
      return Runtime.getRuntime().maxMemory();
    }
  }
}
