package dev.z8run.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Points {@code java.util.logging} (which {@link System.Logger}, and so Helidon, log through) at
 * one stderr handler with one-line records: {@code 2025-01-01T12:00:00.123Z INFO logger: text}.
 */
final class LogSetup {
  private LogSetup() {}

  /**
   * Replaces the root logger's handlers; call once, before the server starts. With {@link
   * ShutdownSafeLogManager} in charge, they then stay until the process ends.
   */
  static void configure(Level level) {
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setFormatter(new LineFormatter());
    console.setLevel(level);
    root.addHandler(console);
    root.setLevel(level);
    if (LogManager.getLogManager() instanceof ShutdownSafeLogManager manager) {
      manager.keepHandlers();
    }
  }

  private static final class LineFormatter extends Formatter {
    private static final DateTimeFormatter TIMESTAMP =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
      StringBuilder line = new StringBuilder(128);
      line.append(TIMESTAMP.format(Instant.ofEpochMilli(record.getMillis())))
          .append(' ')
          .append(String.format("%-5s", shortName(record.getLevel())))
          .append(' ')
          .append(record.getLoggerName())
          .append(": ")
          .append(formatMessage(record))
          .append(System.lineSeparator());
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }

    private static String shortName(Level level) {
      int value = level.intValue();
      if (value >= Level.SEVERE.intValue()) {
        return "ERROR";
      } else if (value >= Level.WARNING.intValue()) {
        return "WARN";
      } else if (value >= Level.INFO.intValue()) {
        return "INFO";
      } else if (value >= Level.FINE.intValue()) {
        return "DEBUG";
      }
      return "TRACE";
    }
  }
}
