package dev.z8run.nodes.data;

import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * The values of a statement's parameters read from a message's JSON in place ({@link FieldIndex},
 * {@link JsonScanner}), without parsing the body into a tree: the batch mode's path for messages
 * such as {@code {payload: {id, name}}}. It answers only when the answer is the one {@link
 * Parameters#values} would give: every parameter names a path in the message ({@code $payload.id},
 * {@code :id}, {@code $id}, or a positional value with z8run's {@code params} paths), the message
 * has no {@code msg.params} (which may override those), and every path is found; else {@code null},
 * and the caller takes the general path. Strings without escapes, integers that fit a long,
 * booleans and null are decoded here; other numbers, escaped strings, objects and arrays by {@link
 * JsonCodec} from their bytes alone. (With a key written twice in one object, the general path
 * takes the last and this one the first; the engine does not write such JSON.)
 */
final class MessageValues {
  private static final byte[] PARAMS = "params".getBytes(StandardCharsets.UTF_8);

  private final byte[][][] paths;

  /**
   * The message's top-level keys the paths start with, then {@code params}; each path's first key's
   * place there; per top-level key the second-level keys of the paths under it, and each path's
   * second key's place there. One pass over the message's members, and one over each object the
   * values sit in, finds them all.
   */
  private final byte[][] top;

  private final int[] topOf;
  private final byte[][][] second;
  private final int[] secondOf;

  /** Scratch of the message being read: the worker reads one at a time. */
  private final long[] topSpans;

  private final long[][] secondSpans;
  private final long[] found;

  private MessageValues(byte[][][] paths) {
    this.paths = paths;
    this.found = new long[paths.length];
    List<byte[]> tops = new ArrayList<>();
    topOf = new int[paths.length];
    for (int i = 0; i < paths.length; i++) {
      topOf[i] = indexOf(tops, paths[i][0]);
    }
    tops.add(PARAMS);
    top = tops.toArray(new byte[0][]);
    List<List<byte[]>> seconds = new ArrayList<>();
    for (int t = 0; t < top.length; t++) {
      seconds.add(new ArrayList<>());
    }
    secondOf = new int[paths.length];
    for (int i = 0; i < paths.length; i++) {
      secondOf[i] = paths[i].length > 1 ? indexOf(seconds.get(topOf[i]), paths[i][1]) : -1;
    }
    second = new byte[top.length][][];
    secondSpans = new long[top.length][];
    for (int t = 0; t < top.length; t++) {
      second[t] = seconds.get(t).toArray(new byte[0][]);
      secondSpans[t] = new long[second[t].length];
    }
    topSpans = new long[top.length];
  }

  private static int indexOf(List<byte[]> keys, byte[] key) {
    for (int k = 0; k < keys.size(); k++) {
      if (Arrays.equals(keys.get(k), key)) {
        return k;
      }
    }
    keys.add(key);
    return keys.size() - 1;
  }

  /** How many values a row has. */
  int width() {
    return paths.length;
  }

  /** The reader for {@code text}, or null when some parameter has no path in the message. */
  static MessageValues of(SqlText text, List<String> positionalPaths) {
    List<SqlText.Source> sources = text.sources();
    byte[][][] paths = new byte[sources.size()][][];
    try {
      for (int i = 0; i < paths.length; i++) {
        String path =
            switch (sources.get(i)) {
              case SqlText.MessageValue value -> value.path();
              case SqlText.Named named -> key(named.name());
              case SqlText.DollarNamed named -> key(named.name());
              case SqlText.Positional positional ->
                  positional.index() < positionalPaths.size()
                      ? (positionalPaths.get(positional.index()).isEmpty()
                          ? "payload"
                          : "payload." + positionalPaths.get(positional.index()))
                      : null;
            };
        if (path == null || path.isEmpty()) {
          return null;
        }
        paths[i] = JsonCodec.keyPath(path);
      }
    } catch (IllegalArgumentException emptySegment) {
      return null;
    }
    return new MessageValues(paths);
  }

  /** {@code payload.name}, or null when the name is not one key. */
  private static String key(String name) {
    return name.isEmpty() || name.indexOf('.') >= 0 ? null : "payload." + name;
  }

  /**
   * Finds the spans of the values in {@code msg}'s JSON; one caller at a time (the node's worker).
   *
   * @return the spans, one per parameter, valid until the next call; or null when the general path
   *     must answer
   */
  long[] find(MessageFlyweight msg) {
    if (msg.jsonLength() == 0) {
      return null;
    }
    DirectBuffer buffer = msg.buffer();
    if (msg.indexLength() > 0) {
      for (int t = 0; t < top.length; t++) {
        topSpans[t] = FieldIndex.find(msg, top[t]);
      }
    } else {
      int json = msg.jsonOffset();
      JsonScanner.findKeys(buffer, json, json + msg.jsonLength(), top, topSpans);
    }
    if (topSpans[top.length - 1] != JsonScanner.NOT_FOUND) {
      return null; // msg.params
    }
    for (int t = 0; t < top.length - 1; t++) {
      long span = topSpans[t];
      if (second[t].length > 0 && span != JsonScanner.NOT_FOUND) {
        JsonScanner.findKeys(
            buffer,
            JsonScanner.spanStart(span),
            JsonScanner.spanEnd(span),
            second[t],
            secondSpans[t]);
      }
    }
    for (int i = 0; i < paths.length; i++) {
      long span = topSpans[topOf[i]];
      if (span != JsonScanner.NOT_FOUND && secondOf[i] >= 0) {
        span = secondSpans[topOf[i]][secondOf[i]];
      }
      for (int level = 2; level < paths[i].length && span != JsonScanner.NOT_FOUND; level++) {
        span =
            JsonScanner.findKey(
                buffer, JsonScanner.spanStart(span), JsonScanner.spanEnd(span), paths[i][level]);
      }
      if (span == JsonScanner.NOT_FOUND) {
        return null;
      }
      found[i] = span;
    }
    return found;
  }

  /** The values, one per parameter, or null when the general path must answer. */
  Object[] read(MessageFlyweight msg) {
    long[] spans = find(msg);
    if (spans == null) {
      return null;
    }
    Object[] values = new Object[spans.length];
    for (int i = 0; i < spans.length; i++) {
      values[i] =
          decode(msg.buffer(), JsonScanner.spanStart(spans[i]), JsonScanner.spanEnd(spans[i]));
    }
    return values;
  }

  /** The JSON value in {@code [start, end)} as {@link JsonCodec#parse} would give it. */
  static Object decode(DirectBuffer buffer, int start, int end) {
    if (end <= start) {
      return parsed(buffer, start, end);
    }
    byte first = buffer.getByte(start);
    if (first == '"') {
      for (int i = start + 1; i < end - 1; i++) {
        if (buffer.getByte(i) == '\\') {
          return parsed(buffer, start, end);
        }
      }
      return buffer.getStringWithoutLengthUtf8(start + 1, end - start - 2);
    }
    if (first == '-' || (first >= '0' && first <= '9')) {
      int i = first == '-' ? start + 1 : start;
      int digits = end - i;
      if (digits < 1 || digits > 18 || (digits > 1 && buffer.getByte(i) == '0')) {
        return parsed(buffer, start, end);
      }
      long value = 0;
      for (; i < end; i++) {
        byte b = buffer.getByte(i);
        if (b < '0' || b > '9') {
          return parsed(buffer, start, end);
        }
        value = value * 10 + (b - '0');
      }
      return first == '-' ? -value : value;
    }
    if (end - start == 4 && first == 't') {
      return Boolean.TRUE;
    }
    if (end - start == 5 && first == 'f') {
      return Boolean.FALSE;
    }
    if (end - start == 4 && first == 'n') {
      return null;
    }
    return parsed(buffer, start, end);
  }

  private static Object parsed(DirectBuffer buffer, int start, int end) {
    byte[] bytes = new byte[Math.max(0, end - start)];
    buffer.getBytes(start, bytes);
    return JsonCodec.parse(bytes);
  }

  @Override
  public String toString() {
    return "MessageValues" + Arrays.deepToString(paths);
  }
}
