package dev.z8run.nodes.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQL statement as the node runs it: the text with every parameter turned into JDBC's {@code ?},
 * and where each parameter's value comes from. Values are always bound, never spliced into the
 * text.
 *
 * <p>Parameters, outside quoted strings, quoted names and comments:
 *
 * <ul>
 *   <li>{@code ?}: the next positional value;
 *   <li>{@code $1}, {@code $2}: positional value 1, 2 (PostgreSQL's and z8run's style; may repeat);
 *   <li>{@code :id}: named value {@code id} ({@code ::} casts and {@code :=} are left alone);
 *   <li>{@code $payload.id}, {@code $msg.topic}: the message's value at that path;
 *   <li>{@code $id} (any other name): named value {@code id}, as node-red-node-sqlite's prepared
 *       statements name them ({@code msg.params = {$id: 1}}).
 * </ul>
 *
 * PostgreSQL's dollar-quoted strings ({@code $$...$$}, {@code $tag$...$tag$}) are left alone, and
 * so is a {@code $} inside a name ({@code a$b}).
 *
 * <p>Immutable.
 *
 * @param jdbc the text with {@code ?} in place of each parameter
 * @param sources one per {@code ?}, in order
 */
public record SqlText(String jdbc, List<Source> sources) {
  /** Where one bound value comes from. */
  public sealed interface Source {}

  /** Positional value {@code index} (0-based). */
  public record Positional(int index) implements Source {}

  /** Named value {@code name}. */
  public record Named(String name) implements Source {}

  /** The message's value at {@code path} ({@code payload.id}). */
  public record MessageValue(String path) implements Source {}

  /** Named value {@code name} written {@code $name}. */
  public record DollarNamed(String name) implements Source {}

  /** Parses {@code sql}. */
  public static SqlText parse(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    List<Source> sources = new ArrayList<>();
    int next = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = closing(sql, i, c);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(sql, i, end);
        i = end;
      } else if (c == '?') {
        out.append('?');
        sources.add(new Positional(next++));
        i++;
      } else if (c == ':' && i + 1 < n && (sql.charAt(i + 1) == ':' || sql.charAt(i + 1) == '=')) {
        out.append(sql, i, i + 2);
        i += 2;
      } else if (c == ':' && i + 1 < n && isStart(sql.charAt(i + 1)) && !after(sql, i, ':')) {
        int end = identifier(sql, i + 1, false);
        sources.add(new Named(sql.substring(i + 1, end)));
        out.append('?');
        i = end;
      } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < n && Character.isDigit(sql.charAt(end))) {
          end++;
        }
        int index = Integer.parseInt(sql.substring(i + 1, end));
        if (index < 1) {
          throw new IllegalArgumentException("parameter $" + index + ": they count from $1");
        }
        sources.add(new Positional(index - 1));
        out.append('?');
        i = end;
      } else if (c == '$' && i + 1 < n && sql.charAt(i + 1) == '$') {
        int end = dollarQuoted(sql, i, "$$");
        out.append(sql, i, end);
        i = end;
      } else if (c == '$' && i + 1 < n && isStart(sql.charAt(i + 1)) && !inName(sql, i)) {
        int plain = identifier(sql, i + 1, false);
        if (plain < n && sql.charAt(plain) == '$') {
          int end = dollarQuoted(sql, i, sql.substring(i, plain + 1));
          out.append(sql, i, end);
          i = end;
        } else if (sql.startsWith("payload", i + 1) || sql.startsWith("msg.", i + 1)) {
          int end = identifier(sql, i + 1, true);
          String path = sql.substring(i + 1, end);
          sources.add(new MessageValue(path.startsWith("msg.") ? path.substring(4) : path));
          out.append('?');
          i = end;
        } else {
          sources.add(new DollarNamed(sql.substring(i + 1, plain)));
          out.append('?');
          i = plain;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return new SqlText(out.toString(), List.copyOf(sources));
  }

  /**
   * Splits a script into statements at the semicolons outside strings and comments (blank ones
   * dropped).
   */
  public static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        i = closing(script, i, c);
      } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (c == ';') {
        add(statements, script.substring(start, i));
        start = ++i;
      } else {
        i++;
      }
    }
    add(statements, script.substring(start));
    return statements;
  }

  private static void add(List<String> statements, String statement) {
    if (!statement.isBlank()) {
      statements.add(statement.strip());
    }
  }

  private static boolean after(String sql, int i, char c) {
    return i > 0 && sql.charAt(i - 1) == c;
  }

  /** Whether the {@code $} at {@code i} is inside a name ({@code a$b}). */
  private static boolean inName(String sql, int i) {
    if (i == 0) {
      return false;
    }
    char before = sql.charAt(i - 1);
    return Character.isLetterOrDigit(before) || before == '_' || before == '$';
  }

  /** The index after the dollar-quoted string that {@code tag} opens at {@code open}. */
  private static int dollarQuoted(String sql, int open, String tag) {
    int close = sql.indexOf(tag, open + tag.length());
    return close < 0 ? sql.length() : close + tag.length();
  }

  private static boolean isStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static int identifier(String sql, int from, boolean dotted) {
    int end = from;
    while (end < sql.length()) {
      char c = sql.charAt(end);
      boolean dot = dotted && c == '.' && end + 1 < sql.length() && isStart(sql.charAt(end + 1));
      if (!(Character.isLetterOrDigit(c) || c == '_' || dot)) {
        break;
      }
      end++;
    }
    return end;
  }

  /** The index after the quote closing the one at {@code open} (a doubled quote escapes it). */
  private static int closing(String sql, int open, char quote) {
    int i = open + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\\' && quote == '\'') {
        i += 2;
        continue;
      }
      if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }
}
