package dev.z8run.store.lmdb;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * One LMDB transaction, seen as {@code byte[]} keys and values. Handed to a {@link TxnWork} by
 * {@link LmdbEnvironment#read} or {@link LmdbEnvironment#write} and valid only inside that call.
 *
 * <p>Buffers: keys and values go to LMDB through Agrona {@link DirectBuffer}s over direct memory
 * that this object owns ({@code DirectBufferProxy}); lmdbjava's {@code ByteArrayProxy} is not used
 * because it hands LMDB the address of a temporary native block that the GC may free before the
 * native call reads it (lmdbjava issue 252). Values come back as copies ({@link #get}) or as views
 * lent to an {@link EntryVisitor} that are valid only during {@code onEntry}; copy out with {@link
 * #copy}.
 *
 * <p>Not thread-safe: used by the one thread that runs the transaction.
 */
public final class Tx {
  private final Txn<DirectBuffer> txn;
  private final Map<Table, Dbi<DirectBuffer>> dbis;
  private final ByteBuffer keyMemory;

  Tx(Txn<DirectBuffer> txn, Map<Table, Dbi<DirectBuffer>> dbis, int maxKeyBytes) {
    this.txn = txn;
    this.dbis = dbis;
    this.keyMemory = ByteBuffer.allocateDirect(maxKeyBytes);
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
    DirectBuffer keyBuffer = key(key);
    DirectBuffer value = dbis.get(table).get(txn, keyBuffer);
    Reference.reachabilityFence(keyBuffer);
    return value == null ? null : copy(value);
  }

  /** True if {@code key} has a value. */
  public boolean contains(Table table, byte[] key) {
    DirectBuffer keyBuffer = key(key);
    boolean found = dbis.get(table).get(txn, keyBuffer) != null;
    Reference.reachabilityFence(keyBuffer);
    return found;
  }

  /** Stores {@code value} under {@code key}, replacing what was there. Write transactions only. */
  public void put(Table table, byte[] key, byte[] value) {
    DirectBuffer keyBuffer = key(key);
    DirectBuffer valueBuffer = value(value);
    dbis.get(table).put(txn, keyBuffer, valueBuffer);
    Reference.reachabilityFence(keyBuffer);
    Reference.reachabilityFence(valueBuffer);
  }

  /**
   * Stores {@code value} under {@code key} unless the key has a value already.
   *
   * @return true if stored, false if the key was taken (nothing changed)
   */
  public boolean putIfAbsent(Table table, byte[] key, byte[] value) {
    DirectBuffer keyBuffer = key(key);
    DirectBuffer valueBuffer = value(value);
    boolean stored = dbis.get(table).put(txn, keyBuffer, valueBuffer, PutFlags.MDB_NOOVERWRITE);
    Reference.reachabilityFence(keyBuffer);
    Reference.reachabilityFence(valueBuffer);
    return stored;
  }

  /** Removes {@code key}; true if it was there. Write transactions only. */
  public boolean delete(Table table, byte[] key) {
    DirectBuffer keyBuffer = key(key);
    boolean deleted = dbis.get(table).delete(txn, keyBuffer);
    Reference.reachabilityFence(keyBuffer);
    return deleted;
  }

  /**
   * Visits the entries whose keys start with {@code prefix} in key order, or in reverse key order
   * when {@code descending}, until the visitor returns false. An empty prefix visits the table.
   */
  public void scan(Table table, byte[] prefix, boolean descending, EntryVisitor visitor) {
    try (Cursor<DirectBuffer> cursor = dbis.get(table).openCursor(txn)) {
      boolean positioned = descending ? seekLast(cursor, prefix) : seekFirst(cursor, prefix);
      while (positioned && startsWith(cursor.key(), prefix)) {
        if (!visitor.onEntry(cursor.key(), cursor.val())) {
          return;
        }
        positioned = descending ? cursor.prev() : cursor.next();
      }
    }
  }

  /**
   * Visits, in key order, the entries whose keys start with {@code prefix} and are not below {@code
   * from} (which starts with the prefix too), until the visitor returns false.
   */
  public void scanFrom(Table table, byte[] prefix, byte[] from, EntryVisitor visitor) {
    try (Cursor<DirectBuffer> cursor = dbis.get(table).openCursor(txn)) {
      DirectBuffer keyBuffer = key(from);
      boolean positioned = cursor.get(keyBuffer, GetOp.MDB_SET_RANGE);
      Reference.reachabilityFence(keyBuffer);
      while (positioned && startsWith(cursor.key(), prefix)) {
        if (!visitor.onEntry(cursor.key(), cursor.val())) {
          return;
        }
        positioned = cursor.next();
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
    return dbis.get(table).stat(txn).entries;
  }

  /** A heap copy of a buffer LMDB lent: the way to keep bytes beyond a transaction. */
  public static byte[] copy(DirectBuffer buffer) {
    byte[] bytes = new byte[buffer.capacity()];
    buffer.getBytes(0, bytes);
    return bytes;
  }

  private boolean seekFirst(Cursor<DirectBuffer> cursor, byte[] prefix) {
    if (prefix.length == 0) {
      return cursor.first();
    }
    DirectBuffer keyBuffer = key(prefix);
    boolean found = cursor.get(keyBuffer, GetOp.MDB_SET_RANGE);
    Reference.reachabilityFence(keyBuffer);
    return found;
  }

  /** Positions on the last key with the prefix: just before the prefix's successor. */
  private boolean seekLast(Cursor<DirectBuffer> cursor, byte[] prefix) {
    byte[] upper = successor(prefix);
    if (upper == null) {
      return cursor.last();
    }
    DirectBuffer keyBuffer = key(upper);
    boolean found = cursor.get(keyBuffer, GetOp.MDB_SET_RANGE);
    Reference.reachabilityFence(keyBuffer);
    return found ? cursor.prev() : cursor.last();
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

  /** Copies the key into this transaction's key memory; the view is valid until the next call. */
  private DirectBuffer key(byte[] key) {
    if (key.length == 0 || key.length > keyMemory.capacity()) {
      throw new IllegalArgumentException(
          "key of " + key.length + " bytes, LMDB takes 1.." + keyMemory.capacity());
    }
    keyMemory.clear();
    keyMemory.put(key);
    return new UnsafeBuffer(keyMemory, 0, key.length);
  }

  private static DirectBuffer value(byte[] value) {
    ByteBuffer memory = ByteBuffer.allocateDirect(value.length);
    memory.put(value);
    return new UnsafeBuffer(memory, 0, value.length);
  }
}
