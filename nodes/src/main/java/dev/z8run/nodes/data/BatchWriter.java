package dev.z8run.nodes.data;

import com.zaxxer.hikari.HikariDataSource;
import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.nodes.support.MessageBodies;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.agrona.DirectBuffer;

/**
 * The {@code database} node's batch mode: the values of many messages inserted with one JDBC batch
 * ({@code addBatch}/{@code executeBatch}, which the drivers rewrite into multi-row inserts).
 *
 * <p>A message's values join the open batch. The message that fills it ({@code batchSize}) flushes
 * it on its own virtual thread and sends {@code {payload: {rowCount}}} on (or its failure to the
 * error port), so the flow's back-pressure reaches upstream through the flushing messages; a batch
 * not full {@code lingerMs} after its first row is flushed by a timer, whose outcome is the node's
 * status (a failure an error of the node). Several batches may be written at once, on different
 * pooled connections. Thread-safe.
 *
 * <p>The node offers most messages' values on its worker ({@link #offer}): a message whose values
 * join the batch without filling it ends there; the one that fills it takes the full batch to a
 * virtual thread ({@link #writeFull}). So a row costs no virtual thread and no copy of its message,
 * and the worker fills the next batch while earlier ones are written. Rows keep the order of their
 * messages within a batch; batches written at once may commit in any order.
 */
final class BatchWriter implements AutoCloseable {
  /** Row buffers kept for reuse at most: more than this are written at once only under a burst. */
  private static final int KEPT_BUFFERS = 16;

  private final NodeContext context;
  private final HikariDataSource pool;
  private final SqlText text;
  private final int batchSize;
  private final long lingerMs;
  private final int timeoutSeconds;
  private final int width;
  private final ConcurrentLinkedQueue<RowBuffer> free = new ConcurrentLinkedQueue<>();
  private RowBuffer open;
  private Cancellable linger;
  private long written;

  BatchWriter(
      NodeContext context,
      HikariDataSource pool,
      SqlText text,
      int batchSize,
      long lingerMs,
      int timeoutSeconds) {
    this.context = context;
    this.pool = pool;
    this.text = text;
    this.batchSize = batchSize;
    this.lingerMs = lingerMs;
    this.timeoutSeconds = timeoutSeconds;
    this.width = text.sources().size();
    this.open = new RowBuffer(width, batchSize);
  }

  /** Adds a message's values; the message that fills the batch writes it. */
  void add(Object[] values, Output out) throws SQLException {
    RowBuffer full;
    synchronized (this) {
      open.add(values);
      full = added();
    }
    if (full != null) {
      writeFull(full, out);
    }
  }

  /**
   * On the node's worker: adds a row whose values are the JSON spans {@code found} in {@code
   * source}; returns null when the batch is still open, else the full batch, which the caller must
   * {@link #writeFull} (on a virtual thread).
   */
  RowBuffer offer(DirectBuffer source, long[] found) {
    synchronized (this) {
      open.add(source, found);
      return added();
    }
  }

  /**
   * After a row joined the open batch: the batch when it is full, else null (starts the linger).
   */
  private RowBuffer added() {
    if (open.size() >= batchSize) {
      return take();
    }
    if (open.size() == 1 && lingerMs > 0) {
      linger = context.schedule(this::onLinger, lingerMs);
    }
    return null;
  }

  /** Writes a full batch and sends {@code {payload: {rowCount}}} on. */
  void writeFull(RowBuffer rows, Output out) throws SQLException {
    int count = write(rows);
    MessageBodies.send(out, 0, Map.of("payload", Map.of("rowCount", count)), null);
  }

  private RowBuffer take() {
    RowBuffer taken = open;
    RowBuffer next = free.poll();
    open = next != null ? next : new RowBuffer(width, batchSize);
    if (linger != null) {
      linger.cancel();
      linger = null;
    }
    return taken;
  }

  /** On the timer thread: hands a batch that waited long enough to a virtual thread. */
  private void onLinger() {
    RowBuffer due;
    synchronized (this) {
      linger = null;
      if (open.isEmpty()) {
        return;
      }
      due = take();
    }
    Thread.ofVirtual().name("z8-db-linger").start(() -> writeReporting(due));
  }

  private void writeReporting(RowBuffer rows) {
    int count = rows.size();
    try {
      write(rows);
    } catch (SQLException failed) {
      context.error(
          "batch of " + count + " rows failed, SQL state " + Errors.sqlState(failed), failed);
    }
  }

  /** Writes the batch and gives its buffer back for reuse (written or not). */
  private int write(RowBuffer rows) throws SQLException {
    int count = rows.size();
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(text.jdbc())) {
      statement.setQueryTimeout(timeoutSeconds);
      rows.forEach(
          values -> {
            Parameters.bind(statement, values);
            statement.addBatch();
          });
      statement.executeBatch();
    } finally {
      rows.clear();
      if (free.size() < KEPT_BUFFERS) {
        free.offer(rows);
      }
    }
    long total;
    synchronized (this) {
      written += count;
      total = written;
    }
    context.status(total + " rows written");
    return count;
  }

  /** Writes what is open (the flow is stopping). */
  @Override
  public void close() {
    RowBuffer rest;
    synchronized (this) {
      rest = take();
    }
    if (!rest.isEmpty()) {
      writeReporting(rest);
    }
  }
}
