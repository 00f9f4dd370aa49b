package dev.z8run.nodes.data;

import com.zaxxer.hikari.HikariDataSource;
import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.nodes.support.MessageBodies;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 */
final class BatchWriter implements AutoCloseable {
  private final NodeContext context;
  private final HikariDataSource pool;
  private final SqlText text;
  private final int batchSize;
  private final long lingerMs;
  private final int timeoutSeconds;
  private List<Object[]> open;
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
    this.open = new ArrayList<>(batchSize);
  }

  /** Adds a message's values; the message that fills the batch writes it. */
  void add(Object[] values, Output out) throws SQLException {
    List<Object[]> full = null;
    synchronized (this) {
      open.add(values);
      if (open.size() >= batchSize) {
        full = take();
      } else if (open.size() == 1 && lingerMs > 0) {
        linger = context.schedule(this::onLinger, lingerMs);
      }
    }
    if (full == null) {
      return;
    }
    int rows = write(full);
    MessageBodies.send(out, 0, Map.of("payload", Map.of("rowCount", rows)), null);
  }

  private List<Object[]> take() {
    List<Object[]> taken = open;
    open = new ArrayList<>(batchSize);
    if (linger != null) {
      linger.cancel();
      linger = null;
    }
    return taken;
  }

  /** On the timer thread: hands a batch that waited long enough to a virtual thread. */
  private void onLinger() {
    List<Object[]> due;
    synchronized (this) {
      linger = null;
      if (open.isEmpty()) {
        return;
      }
      due = take();
    }
    Thread.ofVirtual().name("z8-db-linger").start(() -> writeReporting(due));
  }

  private void writeReporting(List<Object[]> rows) {
    try {
      write(rows);
    } catch (SQLException failed) {
      context.error(
          "batch of " + rows.size() + " rows failed, SQL state " + Errors.sqlState(failed), failed);
    }
  }

  private int write(List<Object[]> rows) throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(text.jdbc())) {
      statement.setQueryTimeout(timeoutSeconds);
      for (Object[] values : rows) {
        Parameters.bind(statement, values);
        statement.addBatch();
      }
      statement.executeBatch();
    }
    long total;
    synchronized (this) {
      written += rows.size();
      total = written;
    }
    context.status(total + " rows written");
    return rows.size();
  }

  /** Writes what is open (the flow is stopping). */
  @Override
  public void close() {
    List<Object[]> rest;
    synchronized (this) {
      rest = take();
    }
    if (!rest.isEmpty()) {
      writeReporting(rest);
    }
  }
}
