package dev.z8run.store.lmdb;

import static dev.z8run.store.lmdb.LmdbLibrary.MDB_FIRST;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_KEYEXIST;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_LAST;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_NEXT;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_NOOVERWRITE;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_NOTFOUND;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_PREV;
import static dev.z8run.store.lmdb.LmdbLibrary.MDB_SET_RANGE;
import static dev.z8run.store.lmdb.LmdbLibrary.STAT_BYTES;
import static dev.z8run.store.lmdb.LmdbLibrary.STAT_ENTRIES_OFFSET;
import static dev.z8run.store.lmdb.LmdbLibrary.VAL_BYTES;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One LMDB transaction, seen as {@code byte[]} keys and values. Handed to a {@link TxnWork} by
 * {@link LmdbEnvironment#read} or {@link LmdbEnvironment#write} and valid only inside that call.
 *
 * <p>Buffers: keys and values go to LMDB from direct memory that this object owns (a scratch block
 * for the key and the {@code MDB_val}s, a direct buffer per stored value), kept reachable until the
 * native call has returned. Values come back as copies ({@link #get}) or as views lent to an {@link
 * EntryVisitor} that are valid only during {@code onEntry}; copy out with {@link #copy}.
 *
 * <p>Not thread-safe: used by the one thread that runs the transaction.
 */
public final class Tx {
  /**
   * The scratch block's layout: two {@code MDB_val}s (the key given, the value found or given),
   * room for an {@code MDB_stat} or a returned handle, then the key's bytes.
   *
   * <pre>
   *  0            16           32                   80
   *  +------------+------------+--------------------+---------------------+
   *  | key MDB_val| data MDB_val| out (stat, handle) | key bytes (max key) |
   *  +------------+------------+--------------------+---------------------+
   * </pre>
   */
  private static final int KEY_VAL = 0;

  private static final int DATA_VAL = KEY_VAL + VAL_BYTES;
  private static final int OUT = DATA_VAL + VAL_BYTES;
  private static final int VALS_BYTES = OUT + STAT_BYTES;

  private final long txn;
  private final int[] dbis;
  private final int maxKeyBytes;
  private final ByteBuffer scratchMemory;
  private final UnsafeBuffer scratch;
  private final long scratchAddress;

  /** The address of the key's bytes in the scratch block (after the {@code MDB_val}s). */
  private final long keyAddress;

  /** The view {@link #get} copies from. */
  private final UnsafeBuffer found = new UnsafeBuffer(0, 0);

  Tx(long txn, int[] dbis, int maxKeyBytes) {
    this.txn = txn;
    this.dbis = dbis;
    this.maxKeyBytes = maxKeyBytes;
    this.scratchMemory = ByteBuffer.allocateDirect(VALS_BYTES + maxKeyBytes);
    this.scratch = new UnsafeBuffer(scratchMemory);
    this.scratchAddress = BufferUtil.address(scratchMemory);
    this.keyAddress = scratchAddress + VALS_BYTES;
  }

  /** Receives entries of a scan. The buffers are LMDB's memory: valid only during the call. */
  @FunctionalInterface
  public interface EntryVisitor {
    /**
     * @return true to go on to the next entry, false to stop the scan
     */
    boolean onEntry(DirectBuffer key, DirectBuffer value);
  }

  /** A copy of the value under {@code key}, or null when there is none. */
  public byte[] get(Table table, byte[] key) {
    if (!find(table, key)) {
      return null;
    }
    found.wrap(scratch.getLong(DATA_VAL + Long.BYTES), (int) scratch.getLong(DATA_VAL));
    return copy(found);
  }

  /** True if {@code key} has a value. */
  public boolean contains(Table table, byte[] key) {
    return find(table, key);
  }

  /** Stores {@code value} under {@code key}, replacing what was there. Write transactions only. */
  public void put(Table table, byte[] key, byte[] value) {
    int rc = put(table, key, value, 0);
    LmdbEnvironment.check(rc, "put");
  }

  /**
   * Stores {@code value} under {@code key} unless the key has a value already.
   *
   * @return true if stored, false if the key was taken (nothing changed)
   */
  public boolean putIfAbsent(Table table, byte[] key, byte[] value) {
    int rc = put(table, key, value, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
      return false;
    }
    LmdbEnvironment.check(rc, "put");
    return true;
  }

  /** Removes {@code key}; true if it was there. Write transactions only. */
  public boolean delete(Table table, byte[] key) {
    setKey(KEY_VAL, key);
    int rc = LmdbLibrary.del(txn, dbi(table), scratchAddress + KEY_VAL);
    if (rc == MDB_NOTFOUND) {
      return false;
    }
    LmdbEnvironment.check(rc, "delete");
    return true;
  }

  /**
   * Visits the entries whose keys start with {@code prefix} in key order, or in reverse key order
   * when {@code descending}, until the visitor returns false. An empty prefix visits the table.
   */
  public void scan(Table table, byte[] prefix, boolean descending, EntryVisitor visitor) {
    try (Cursor cursor = new Cursor(table)) {
      boolean positioned = descending ? seekLast(cursor, prefix) : seekFirst(cursor, prefix);
      while (positioned && startsWith(cursor.key, prefix)) {
        if (!visitor.onEntry(cursor.key, cursor.value)) {
          return;
        }
        positioned = cursor.move(descending ? MDB_PREV : MDB_NEXT);
      }
    }
  }

  /**
   * Visits, in key order, the entries whose keys start with {@code prefix} and are not below {@code
   * from} (which starts with the prefix too), until the visitor returns false.
   */
  public void scanFrom(Table table, byte[] prefix, byte[] from, EntryVisitor visitor) {
    try (Cursor cursor = new Cursor(table)) {
      boolean positioned = cursor.seek(from);
      while (positioned && startsWith(cursor.key, prefix)) {
        if (!visitor.onEntry(cursor.key, cursor.value)) {
          return;
        }
        positioned = cursor.move(MDB_NEXT);
      }
    }
  }

  /** Copies of the keys that start with {@code prefix}, in key order. */
  public List<byte[]> keys(Table table, byte[] prefix) {
    List<byte[]> keys = new ArrayList<>();
    scan(
        table,
        prefix,
        false,
        (key, value) -> {
          keys.add(copy(key));
          return true;
        });
    return keys;
  }

  /** Removes every entry whose key starts with {@code prefix}; returns how many. */
  public int deletePrefix(Table table, byte[] prefix) {
    List<byte[]> keys = keys(table, prefix);
    for (byte[] key : keys) {
      delete(table, key);
    }
    return keys.size();
  }

  /**
   * Removes the first entries (lowest keys) with {@code prefix} until at most {@code keep} remain.
   *
   * @return how many were removed
   */
  public int trimPrefix(Table table, byte[] prefix, int keep) {
    List<byte[]> keys = keys(table, prefix);
    int excess = keys.size() - keep;
    for (int i = 0; i < excess; i++) {
      delete(table, keys.get(i));
    }
    return Math.max(0, excess);
  }

  /** The number of entries in the table. */
  public long count(Table table) {
    LmdbEnvironment.check(LmdbLibrary.stat(txn, dbi(table), scratchAddress + OUT), "stat");
    return scratch.getLong(OUT + STAT_ENTRIES_OFFSET);
  }

  /** A heap copy of a buffer LMDB lent: the way to keep bytes beyond a transaction. */
  public static byte[] copy(DirectBuffer buffer) {
    byte[] bytes = new byte[buffer.capacity()];
    buffer.getBytes(0, bytes);
    return bytes;
  }

  private boolean find(Table table, byte[] key) {
    setKey(KEY_VAL, key);
    int rc = LmdbLibrary.get(txn, dbi(table), scratchAddress + KEY_VAL, scratchAddress + DATA_VAL);
    if (rc == MDB_NOTFOUND) {
      return false;
    }
    LmdbEnvironment.check(rc, "get");
    return true;
  }

  private int put(Table table, byte[] key, byte[] value, int flags) {
    setKey(KEY_VAL, key);
    ByteBuffer valueMemory = ByteBuffer.allocateDirect(Math.max(1, value.length));
    valueMemory.put(value);
    scratch.putLong(DATA_VAL, value.length);
    scratch.putLong(DATA_VAL + Long.BYTES, BufferUtil.address(valueMemory));
    int rc =
        LmdbLibrary.put(
            txn, dbi(table), scratchAddress + KEY_VAL, scratchAddress + DATA_VAL, flags);
    Reference.reachabilityFence(valueMemory);
    return rc;
  }

  private int dbi(Table table) {
    return dbis[table.ordinal()];
  }

  private boolean seekFirst(Cursor cursor, byte[] prefix) {
    return prefix.length == 0 ? cursor.move(MDB_FIRST) : cursor.seek(prefix);
  }

  /** Positions on the last key with the prefix: just before the prefix's successor. */
  private boolean seekLast(Cursor cursor, byte[] prefix) {
    byte[] upper = successor(prefix);
    if (upper == null) {
      return cursor.move(MDB_LAST);
    }
    return cursor.seek(upper) ? cursor.move(MDB_PREV) : cursor.move(MDB_LAST);
  }

  /**
   * An LMDB cursor with its own {@code MDB_val}s and views: a visitor may read, write or scan again
   * inside {@code onEntry} without disturbing the entry it was lent.
   */
  private final class Cursor implements AutoCloseable {
    private final long handle;
    private final ByteBuffer valsMemory = ByteBuffer.allocateDirect(2 * VAL_BYTES);
    private final UnsafeBuffer vals = new UnsafeBuffer(valsMemory);
    private final long valsAddress = BufferUtil.address(valsMemory);
    final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    final UnsafeBuffer value = new UnsafeBuffer(0, 0);

    Cursor(Table table) {
      LmdbEnvironment.check(
          LmdbLibrary.cursorOpen(txn, dbi(table), scratchAddress + OUT), "cursor open");
      handle = scratch.getLong(OUT);
    }

    /** Moves ({@code MDB_FIRST}, {@code MDB_NEXT}...); false past either end. */
    boolean move(int op) {
      int rc = LmdbLibrary.cursorGet(handle, valsAddress, valsAddress + VAL_BYTES, op);
      if (rc == MDB_NOTFOUND) {
        return false;
      }
      LmdbEnvironment.check(rc, "cursor");
      key.wrap(vals.getLong(Long.BYTES), (int) vals.getLong(0));
      value.wrap(vals.getLong(VAL_BYTES + Long.BYTES), (int) vals.getLong(VAL_BYTES));
      return true;
    }

    /** Positions on the first key not below {@code from}; false if there is none. */
    boolean seek(byte[] from) {
      setKey(KEY_VAL, from);
      vals.putLong(0, from.length);
      vals.putLong(Long.BYTES, keyAddress);
      return move(MDB_SET_RANGE);
    }

    @Override
    public void close() {
      LmdbLibrary.cursorClose(handle);
    }
  }

  /** The smallest key greater than every key starting with {@code prefix}, or null if none. */
  private static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] upper = Arrays.copyOf(prefix, i + 1);
        upper[i]++;
        return upper;
      }
    }
    return null;
  }

  private static boolean startsWith(DirectBuffer key, byte[] prefix) {
    if (key.capacity() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key.getByte(i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the key into this transaction's key memory and points the {@code MDB_val} at {@code
   * offset} to it; valid until the next call.
   */
  private void setKey(int offset, byte[] key) {
    if (key.length == 0 || key.length > maxKeyBytes) {
      throw new IllegalArgumentException(
          "key of " + key.length + " bytes, LMDB takes 1.." + maxKeyBytes);
    }
    scratch.putBytes(VALS_BYTES, key);
    scratch.putLong(offset, key.length);
    scratch.putLong(offset + Long.BYTES, keyAddress);
  }
}
