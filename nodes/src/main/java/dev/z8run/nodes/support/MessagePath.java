package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * A message property path as Node-RED writes it: dotted keys with optional brackets, {@code
 * payload.items[0].name}, {@code payload["a b"]}, an optional leading {@code msg.}. Compiled once
 * at deploy; {@link #find} then reads the value from the message's JSON bytes in place, without
 * allocating, and {@link #get}, {@link #set}, {@link #remove} work on a parsed message (the slow
 * paths of nodes that rewrite the message).
 *
 * <p>Keys are compared as raw bytes, as {@link JsonScanner} does: a key the message spells with
 * escapes where the path has plain characters does not match.
 */
public final class MessagePath {
  /** What {@link #get} answers for a property that does not exist (JavaScript's undefined). */
  public static final Object MISSING = new Object();

  private final String text;
  private final Object[] segments;
  private final byte[][] keys;

  private MessagePath(String text, Object[] segments) {
    this.text = text;
    this.segments = segments;
    this.keys = new byte[segments.length][];
    for (int i = 0; i < segments.length; i++) {
      if (segments[i] instanceof String key) {
        byte[] quoted = JsonCodec.write(key);
        keys[i] = Arrays.copyOfRange(quoted, 1, quoted.length - 1);
      }
    }
  }

  /** The config field {@link #property} reads, for a node that converts one message property. */
  public static final ConfigField PROPERTY_FIELD =
      ConfigField.optional(
          "property", FieldType.STRING, "payload", "The message property to convert.");

  /** The path in config field {@code property} (default {@code payload}); errors name the field. */
  public static MessagePath property(NodeContext context) {
    return of(context.configString("property", "payload"), "property");
  }

  /** Compiles the path in config field {@code field}; errors name the field. */
  public static MessagePath of(String path, String field) {
    try {
      return of(path);
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(field + ": " + bad.getMessage());
    }
  }

  /**
   * Compiles {@code path}.
   *
   * @throws IllegalArgumentException naming the path and what is wrong with it
   */
  public static MessagePath of(String path) {
    String rest = path.strip();
    if (rest.startsWith("msg.")) {
      rest = rest.substring(4);
    }
    List<Object> segments = new ArrayList<>();
    int i = 0;
    int n = rest.length();
    while (i < n) {
      char c = rest.charAt(i);
      if (c == '[') {
        int close = rest.indexOf(']', i);
        if (close < 0) {
          throw new IllegalArgumentException("'" + path + "' has an unclosed '['");
        }
        String inside = rest.substring(i + 1, close).strip();
        if (inside.length() >= 2
            && (inside.charAt(0) == '"' || inside.charAt(0) == '\'')
            && inside.charAt(inside.length() - 1) == inside.charAt(0)) {
          segments.add(inside.substring(1, inside.length() - 1));
        } else {
          try {
            int index = Integer.parseInt(inside);
            if (index < 0) {
              throw new NumberFormatException();
            }
            segments.add(index);
          } catch (NumberFormatException notIndex) {
            throw new IllegalArgumentException(
                "'" + path + "': [" + inside + "] is neither an index nor a quoted key");
          }
        }
        i = close + 1;
        if (i < n && rest.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw new IllegalArgumentException("'" + path + "' has an empty segment");
          }
        }
      } else {
        int end = i;
        while (end < n && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
          end++;
        }
        if (end == i) {
          throw new IllegalArgumentException("'" + path + "' has an empty segment");
        }
        segments.add(rest.substring(i, end));
        i = end;
        if (i < n && rest.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw new IllegalArgumentException("'" + path + "' has an empty segment");
          }
        }
      }
    }
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("'" + path + "' names no property");
    }
    if (segments.get(0) instanceof Integer) {
      throw new IllegalArgumentException(
          "'" + path + "' must start with a property name, not an index");
    }
    return new MessagePath(path.strip(), segments.toArray());
  }

  /**
   * A z8run property path ({@code crates/z8run-core/src/nodes/switch.rs}, {@code
   * json_path_lookup}): dotted keys relative to {@code msg.payload}, because z8run's messages are
   * their payload ({@code req.body.age} is {@code payload.req.body.age} here); a segment of digits
   * is an array index. Errors name {@code field}.
   */
  public static MessagePath inPayload(String path, String field) {
    String trimmed = path == null ? "" : path.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException(field + ": a property path is required");
    }
    List<Object> segments = new ArrayList<>();
    segments.add("payload");
    for (String segment : trimmed.split("\\.", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException(field + ": '" + path + "' has an empty segment");
      }
      boolean digits = segment.chars().allMatch(c -> c >= '0' && c <= '9') && segment.length() < 10;
      segments.add(digits ? (Object) Integer.valueOf(segment) : segment);
    }
    return new MessagePath("payload." + trimmed, segments.toArray());
  }

  /** The path as configured. */
  public String text() {
    return text;
  }

  /** Whether every segment is an object key (no array index): {@link #keys()} then applies. */
  public boolean keysOnly() {
    for (Object segment : segments) {
      if (!(segment instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The key bytes for {@link JsonScanner#find} and {@code JsonPatch}; only if {@link #keysOnly}.
   */
  public byte[][] keys() {
    return keys;
  }

  /**
   * Finds the value in the JSON object at {@code [offset, offset + length)}.
   *
   * @return a span as {@link JsonScanner#find} returns it, or {@link JsonScanner#NOT_FOUND}
   */
  public long find(DirectBuffer buffer, int offset, int length) {
    return find(buffer, offset, offset + length, 0);
  }

  /**
   * Finds the value in {@code msg}'s JSON: the first key through the record's field index when it
   * carries one (no scan), the rest inside that value.
   *
   * @return a span in {@code msg.buffer()}, or {@link JsonScanner#NOT_FOUND}
   */
  public long find(MessageFlyweight msg) {
    if (msg.indexLength() == 0 || segments.length == 0 || keys[0] == null) {
      return find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    }
    long span = FieldIndex.find(msg, keys[0]);
    if (span == JsonScanner.NOT_FOUND) {
      return span;
    }
    return find(msg.buffer(), JsonScanner.spanStart(span), JsonScanner.spanEnd(span), 1);
  }

  private long find(DirectBuffer buffer, int start, int end, int from) {
    for (int i = from; i < segments.length; i++) {
      long span =
          keys[i] != null
              ? JsonScanner.findKey(buffer, start, end, keys[i])
              : element(buffer, start, end, (Integer) segments[i]);
      if (span == JsonScanner.NOT_FOUND) {
        return JsonScanner.NOT_FOUND;
      }
      start = JsonScanner.spanStart(span);
      end = JsonScanner.spanEnd(span);
    }
    return ((long) start << 32) | (end & 0xFFFFFFFFL);
  }

  /** The span of element {@code index} of the array at {@code start}, or NOT_FOUND. */
  public static long element(DirectBuffer buffer, int start, int limit, int index) {
    int i = skipBlanks(buffer, start, limit);
    if (i >= limit || buffer.getByte(i) != '[') {
      return JsonScanner.NOT_FOUND;
    }
    i = skipBlanks(buffer, i + 1, limit);
    if (i < limit && buffer.getByte(i) == ']') {
      return JsonScanner.NOT_FOUND;
    }
    for (int k = 0; i < limit; k++) {
      int valueEnd = JsonScanner.skipValue(buffer, i, limit);
      if (valueEnd < 0) {
        return JsonScanner.NOT_FOUND;
      }
      if (k == index) {
        return ((long) i << 32) | (valueEnd & 0xFFFFFFFFL);
      }
      i = skipBlanks(buffer, valueEnd, limit);
      if (i >= limit || buffer.getByte(i) != ',') {
        return JsonScanner.NOT_FOUND;
      }
      i = skipBlanks(buffer, i + 1, limit);
    }
    return JsonScanner.NOT_FOUND;
  }

  /** {@link JsonScanner#skipWhitespace}. */
  public static int skipBlanks(DirectBuffer buffer, int i, int limit) {
    return JsonScanner.skipWhitespace(buffer, i, limit);
  }

  /**
   * The value at this path in a parsed message; when there is none, {@link #MISSING} after sending
   * {@code msg} on unchanged on port 0 (what a node converting one property does with a message
   * that lacks it).
   */
  public Object getOrForward(Map<String, Object> body, MessageFlyweight msg, Output out) {
    Object value = get(body);
    if (value == MISSING) {
      out.forward(0, msg);
    }
    return value;
  }

  /** The value at this path in a parsed message, or {@link #MISSING}. */
  public Object get(Object message) {
    Object current = message;
    for (Object segment : segments) {
      current = child(current, segment);
      if (current == MISSING) {
        return MISSING;
      }
    }
    return current;
  }

  private static Object child(Object parent, Object segment) {
    if (segment instanceof String key && parent instanceof Map<?, ?> map) {
      return map.containsKey(key) ? map.get(key) : MISSING;
    }
    if (segment instanceof Integer index && parent instanceof List<?> list) {
      return index < list.size() ? list.get(index) : MISSING;
    }
    return MISSING;
  }

  /**
   * Sets the value at this path in a parsed message, creating missing objects (or arrays, before an
   * index), as Node-RED's {@code setMessageProperty} does; and as it does, sets nothing when a
   * string, number, boolean or null is in the way (no property can be created beneath it), nor a
   * named property of an array (JavaScript would set one, but no JSON shows it). An index into an
   * object is the key of its text ({@code payload[0]} of an object is its {@code "0"}).
   *
   * @return whether the value was set
   */
  public boolean set(Map<String, Object> message, Object value) {
    Object current = message;
    for (int i = 0; i < segments.length - 1; i++) {
      Object segment = keyIn(current, segments[i]);
      if (segment == null) {
        return false;
      }
      Object next = child(current, segment);
      if (next == MISSING) {
        next =
            segments[i + 1] instanceof Integer
                ? new ArrayList<>()
                : new java.util.LinkedHashMap<String, Object>();
        put(current, segment, next);
      } else if (!(next instanceof Map<?, ?>) && !(next instanceof List<?>)) {
        return false;
      }
      current = next;
    }
    Object last = keyIn(current, segments[segments.length - 1]);
    if (last == null) {
      return false;
    }
    put(current, last, value);
    return true;
  }

  /**
   * The segment as {@code parent} takes it: an index's text in an object; null for a name in a
   * list.
   */
  private static Object keyIn(Object parent, Object segment) {
    if (parent instanceof Map<?, ?>) {
      return segment instanceof Integer index ? String.valueOf(index) : segment;
    }
    return segment instanceof Integer ? segment : null;
  }

  @SuppressWarnings("unchecked")
  private static void put(Object parent, Object segment, Object value) {
    if (segment instanceof String key) {
      ((Map<String, Object>) parent).put(key, value);
      return;
    }
    List<Object> list = (List<Object>) parent;
    int index = (Integer) segment;
    while (list.size() <= index) {
      list.add(null);
    }
    list.set(index, value);
  }

  /** Removes the property; returns whether it existed. */
  public boolean remove(Object message) {
    Object parent = message;
    for (int i = 0; i < segments.length - 1; i++) {
      parent = child(parent, segments[i]);
      if (parent == MISSING) {
        return false;
      }
    }
    Object last = segments[segments.length - 1];
    if (last instanceof String key && parent instanceof Map<?, ?> map) {
      boolean had = map.containsKey(key);
      map.remove(key);
      return had;
    }
    if (last instanceof Integer index && parent instanceof List<?> list && index < list.size()) {
      list.remove((int) index);
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }
}
