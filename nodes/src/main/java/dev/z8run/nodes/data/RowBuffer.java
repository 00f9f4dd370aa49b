package dev.z8run.nodes.data;

import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The rows of one batch: a row read in place ({@link MessageValues}) is kept as the JSON bytes of
 * its values, copied into one growing byte array, and decoded only when the batch is written; a row
 * given as objects (the general path) is kept as they are. Rows stay in the order they came.
 *
 * <p>A batch's rows live from their message until the batch is written, long enough for the young
 * generation to copy them, or to promote them: as bytes they make no objects while they wait, and
 * the buffers are reused from batch to batch ({@link BatchWriter}), so a waiting row costs the heap
 * nothing new. Not thread-safe.
 */
final class RowBuffer {
  private final int width;
  private byte[] bytes = new byte[8 * 1024];
  private int used;

  /** Per row and value: start, end in {@link #bytes}. */
  private int[] spans;

  /** Per row: its values as objects, or null when they are in {@link #bytes}. */
  private Object[][] objects;

  private int rows;

  RowBuffer(int width, int capacity) {
    this.width = width;
    this.spans = new int[Math.max(1, width * 2 * Math.min(capacity, 1024))];
    this.objects = new Object[Math.min(capacity, 1024)][];
  }

  int size() {
    return rows;
  }

  boolean isEmpty() {
    return rows == 0;
  }

  /** Adds a row given as objects. */
  void add(Object[] values) {
    grow();
    objects[rows++] = values;
  }

  /**
   * Adds a row whose values are the JSON spans {@code found} (packed as {@link
   * dev.z8run.io.json.JsonScanner} spans) in {@code source}.
   */
  void add(DirectBuffer source, long[] found) {
    grow();
    int need = 0;
    for (int i = 0; i < width; i++) {
      need += (int) found[i] - (int) (found[i] >>> 32);
    }
    if (used + need > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + need));
    }
    int base = rows * width * 2;
    for (int i = 0; i < width; i++) {
      int start = (int) (found[i] >>> 32);
      int length = (int) found[i] - start;
      source.getBytes(start, bytes, used, length);
      spans[base + 2 * i] = used;
      spans[base + 2 * i + 1] = used + length;
      used += length;
    }
    objects[rows++] = null;
  }

  private void grow() {
    if (rows == objects.length) {
      objects = Arrays.copyOf(objects, rows * 2);
      spans = Arrays.copyOf(spans, Math.max(1, rows * 2 * width * 2));
    }
  }

  /** Calls {@code each} with every row's values, in order. */
  void forEach(RowConsumer each) throws java.sql.SQLException {
    DirectBuffer view = new UnsafeBuffer(bytes, 0, Math.max(1, bytes.length));
    Object[] decoded = new Object[width];
    for (int row = 0; row < rows; row++) {
      Object[] values = objects[row];
      if (values == null) {
        int base = row * width * 2;
        for (int i = 0; i < width; i++) {
          decoded[i] = MessageValues.decode(view, spans[base + 2 * i], spans[base + 2 * i + 1]);
        }
        values = decoded;
      }
      each.accept(values);
    }
  }

  /** Empties the buffer for reuse; drops its arrays when one batch made them large. */
  void clear() {
    Arrays.fill(objects, 0, rows, null);
    rows = 0;
    used = 0;
    if (bytes.length > 1 << 20) {
      bytes = new byte[8 * 1024];
    }
  }

  /** Takes one row's values; they are valid only during the call. */
  interface RowConsumer {
    void accept(Object[] values) throws java.sql.SQLException;
  }
}
