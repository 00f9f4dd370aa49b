package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.MessagePath;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code split}: one message per element of an array, per member of an object, or per piece of a
 * string, as Node-RED's split node does, each with {@code msg.parts} in Node-RED's shape ({@code
 * {id, index, count, type, len | key | ch}}, the message's earlier {@code parts} nested inside) so
 * that a join node can put them together again.
 *
 * <p>Arrays and objects are walked in place: each output is the input's bytes with the property
 * replaced by one element and {@code parts} added, written through two scratch buffers; nothing is
 * parsed. A string is decoded and cut. A value of another kind (number, boolean, null, missing)
 * passes on unchanged.
 *
 * <p>Bounded: an input that would give more than {@code maxParts} messages is an error of the node
 * and nothing is sent. On a worker, parts that do not fit in the next inbox wait in this node's
 * pending queue (memory, not dropped) until it drains, so {@code maxParts} bounds that queue too.
 */
public final class SplitNode implements Node {
  /** The body of a message this node sends: a node handles one message at a time. */
  private final MessageBodyView sent = new MessageBodyView();

  /** The largest {@code maxParts} a node may be configured with. */
  public static final int MAX_PARTS_LIMIT = 1_000_000;

  public static final NodeType TYPE =
      NodeType.builder("split")
          .category("sequence")
          .description(
              "Splits an array, object or string into one message per element, member or piece.")
          .field(
              ConfigField.optional(
                  "property", FieldType.STRING, "payload", "The message property to split."))
          .field(
              ConfigField.optional(
                  "delimiter", FieldType.STRING, "\n", "What separates the pieces of a string."))
          .field(
              ConfigField.optional(
                      "chunkLength",
                      FieldType.INTEGER,
                      0L,
                      "When above 0, strings are cut into pieces of this many characters instead.")
                  .between(0, Integer.MAX_VALUE))
          .field(
              ConfigField.optional(
                      "arrayChunk",
                      FieldType.INTEGER,
                      1L,
                      "Elements per message for arrays; above 1 each message holds an array.")
                  .between(1, Integer.MAX_VALUE))
          .field(
              ConfigField.optional(
                  "keyProperty",
                  FieldType.STRING,
                  "",
                  "For objects: also copy each member's key to this message property."))
          .field(
              ConfigField.optional(
                      "maxParts",
                      FieldType.INTEGER,
                      10_000L,
                      "Most messages one input may become; more is an error.")
                  .between(1, MAX_PARTS_LIMIT))
          .factory(SplitNode::new)
          .build();

  private static final byte[] PARTS = "parts".getBytes(StandardCharsets.US_ASCII);
  private static final byte[][] PARTS_PATH = {PARTS};

  private final MessagePath property;

  /** The property as a JSON string for {@code msg.parts.property}; null for payload. */
  private final byte[] propertyJson;

  private final byte[][] keyProperty;
  private final String delimiter;
  private final byte[] delimiterJson;
  private final int chunkLength;
  private final int arrayChunk;
  private final int maxParts;
  private final JsonPatch patch = new JsonPatch();
  private final ScratchBuffer first = new ScratchBuffer(1024);
  private final ScratchBuffer second = new ScratchBuffer(1024);
  private final ScratchBuffer third = new ScratchBuffer(1024);
  private final ScratchBuffer parts = new ScratchBuffer(256);
  private final ScratchBuffer value = new ScratchBuffer(256);

  private SplitNode(NodeContext context) {
    property = MessagePath.property(context);
    if (!property.keysOnly()) {
      throw new IllegalArgumentException(
          "property: '" + property.text() + "' has an array index; use object keys only");
    }
    propertyJson = property.text().equals("payload") ? null : JsonCodec.write(property.text());
    String key = context.configString("keyProperty", "").strip();
    try {
      keyProperty = key.isEmpty() ? null : MessagePath.of(key).keys();
      if (!key.isEmpty() && !MessagePath.of(key).keysOnly()) {
        throw new IllegalArgumentException("'" + key + "' has an array index");
      }
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("keyProperty: " + bad.getMessage());
    }
    delimiter = context.configString("delimiter", "\n");
    delimiterJson = JsonCodec.write(delimiter);
    chunkLength = (int) context.configLong("chunkLength", 0);
    if (chunkLength == 0 && delimiter.isEmpty()) {
      throw new IllegalArgumentException(
          "delimiter: empty; set a delimiter or a chunkLength above 0");
    }
    arrayChunk = (int) context.configLong("arrayChunk", 1);
    maxParts = (int) context.configLong("maxParts", 10_000);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    DirectBuffer buffer = msg.buffer();
    long span = property.find(msg);
    int kind = JsonValues.kind(buffer, span);
    if (kind != JsonValues.ARRAY && kind != JsonValues.OBJECT && kind != JsonValues.STRING) {
      out.forward(0, msg);
      return;
    }
    long oldParts = FieldIndex.find(msg, PARTS_PATH);
    byte[] id = id(msg);
    switch (kind) {
      case JsonValues.ARRAY -> splitArray(msg, out, span, oldParts, id);
      case JsonValues.OBJECT -> splitObject(msg, out, span, oldParts, id);
      default -> splitString(msg, out, span, oldParts, id);
    }
  }

  private static byte[] id(MessageFlyweight msg) {
    return JsonCodec.write(
        Long.toHexString(msg.executionId()) + "." + Long.toHexString(msg.messageId()));
  }

  private void checkCount(long count, String what) {
    if (count > maxParts) {
      throw new IllegalArgumentException(
          "msg."
              + property.text()
              + " would give "
              + count
              + " messages ("
              + what
              + "), more than maxParts="
              + maxParts);
    }
  }

  private void splitArray(MessageFlyweight msg, Output out, long span, long oldParts, byte[] id) {
    DirectBuffer buffer = msg.buffer();
    int start = JsonScanner.spanStart(span);
    int end = JsonScanner.spanEnd(span);
    int elements = 0;
    for (int i = firstElement(buffer, start, end); i >= 0; i = nextElement(buffer, i, end)) {
      elements++;
      checkCount((elements + arrayChunk - 1L) / arrayChunk, "array elements");
    }
    int count = (elements + arrayChunk - 1) / arrayChunk;
    int i = firstElement(buffer, start, end);
    for (int index = 0; index < count; index++) {
      int from = i;
      int to = i;
      for (int k = 0; k < arrayChunk && i >= 0; k++) {
        to = JsonScanner.skipValue(buffer, i, end);
        i = nextElement(buffer, i, end);
      }
      int length = partsHeader(id, index, count, "array");
      length = putAscii(length, ",\"len\":");
      length = parts.ensure(length + 12, length).putIntAscii(length, arrayChunk) + length;
      length = partsTail(length, buffer, oldParts);
      if (arrayChunk == 1) {
        emit(msg, out, buffer, from, to - from, length, null, 0, 0);
      } else {
        UnsafeBuffer chunk = value.ensure(to - from + 2, 0);
        chunk.putByte(0, (byte) '[');
        chunk.putBytes(1, buffer, from, to - from);
        chunk.putByte(to - from + 1, (byte) ']');
        emit(msg, out, chunk, 0, to - from + 2, length, null, 0, 0);
      }
    }
  }

  private void splitObject(MessageFlyweight msg, Output out, long span, long oldParts, byte[] id) {
    DirectBuffer buffer = msg.buffer();
    int start = JsonScanner.spanStart(span);
    int end = JsonScanner.spanEnd(span);
    int count = 0;
    for (int i = firstMember(buffer, start, end); i >= 0; i = nextMember(buffer, i, end)) {
      count++;
      checkCount(count, "object members");
    }
    int index = 0;
    for (int i = firstMember(buffer, start, end); i >= 0; i = nextMember(buffer, i, end)) {
      int keyEnd = skipString(buffer, i, end);
      int valueStart =
          MessagePath.skipBlanks(buffer, MessagePath.skipBlanks(buffer, keyEnd, end) + 1, end);
      int valueEnd = JsonScanner.skipValue(buffer, valueStart, end);
      int length = partsHeader(id, index++, count, "object");
      length = putAscii(length, ",\"key\":");
      parts.ensure(length + keyEnd - i, length).putBytes(length, buffer, i, keyEnd - i);
      length += keyEnd - i;
      length = partsTail(length, buffer, oldParts);
      emit(msg, out, buffer, valueStart, valueEnd - valueStart, length, buffer, i, keyEnd - i);
    }
  }

  private void splitString(MessageFlyweight msg, Output out, long span, long oldParts, byte[] id) {
    String text = JsonValues.text(msg.buffer(), span);
    int count;
    if (chunkLength > 0) {
      count = text.isEmpty() ? 1 : (int) ((text.length() + (long) chunkLength - 1) / chunkLength);
      checkCount(count, "string pieces");
    } else {
      count = 1;
      for (int at = text.indexOf(delimiter);
          at >= 0;
          at = text.indexOf(delimiter, at + delimiter.length())) {
        count++;
        checkCount(count, "string pieces");
      }
    }
    int from = 0;
    for (int index = 0; index < count; index++) {
      int to;
      int next;
      if (chunkLength > 0) {
        to = Math.min(text.length(), from + chunkLength);
        next = to;
      } else {
        int at = text.indexOf(delimiter, from);
        to = at < 0 ? text.length() : at;
        next = to + delimiter.length();
      }
      byte[] piece = JsonCodec.write(text.substring(from, to));
      int length = partsHeader(id, index, count, "string");
      length = putAscii(length, ",\"ch\":");
      if (chunkLength > 0) {
        length = putAscii(length, "\"\",\"len\":" + chunkLength);
      } else {
        parts.ensure(length + delimiterJson.length, length).putBytes(length, delimiterJson);
        length += delimiterJson.length;
      }
      length = partsTail(length, msg.buffer(), oldParts);
      emit(msg, out, new UnsafeBuffer(piece), 0, piece.length, length, null, 0, 0);
      from = next;
    }
  }

  /** Sends the input with the property set to the value and {@code parts} to the parts buffer. */
  private void emit(
      MessageFlyweight msg,
      Output out,
      DirectBuffer valueBuffer,
      int valueOffset,
      int valueLength,
      int partsLength,
      DirectBuffer keyBuffer,
      int keyOffset,
      int keyLength) {
    int withValue =
        patch.prepare(
            msg.buffer(), msg.jsonOffset(), msg.jsonLength(), property.keys(), valueLength);
    UnsafeBuffer a = first.ensure(withValue, 0);
    patch.write(valueBuffer, valueOffset, a, 0);
    int withParts = patch.prepare(a, 0, withValue, PARTS_PATH, partsLength);
    UnsafeBuffer b = second.ensure(withParts, 0);
    patch.write(parts.buffer(), 0, b, 0);
    DirectBuffer result = b;
    int resultLength = withParts;
    if (keyProperty != null && keyBuffer != null) {
      resultLength = patch.prepare(b, 0, withParts, keyProperty, keyLength);
      UnsafeBuffer c = third.ensure(resultLength, 0);
      patch.write(keyBuffer, keyOffset, c, 0);
      result = c;
    }
    out.send(
        0,
        sent.json(result, 0, resultLength)
            .binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength()));
  }

  /** Writes {@code {"id":..,"index":..,"count":..,"type":".."} without the closing brace. */
  private int partsHeader(byte[] id, int index, int count, String type) {
    int length = putAscii(0, "{\"id\":");
    parts.ensure(length + id.length, length).putBytes(length, id);
    length += id.length;
    length = putAscii(length, ",\"index\":");
    length += parts.ensure(length + 12, length).putIntAscii(length, index);
    length = putAscii(length, ",\"count\":");
    length += parts.ensure(length + 12, length).putIntAscii(length, count);
    length = putAscii(length, ",\"type\":\"");
    length = putAscii(length, type);
    length = putAscii(length, "\"");
    if (propertyJson != null) {
      // as Node-RED: a join in auto mode puts the parts back into this property
      length = putAscii(length, ",\"property\":");
      parts.ensure(length + propertyJson.length, length).putBytes(length, propertyJson);
      length += propertyJson.length;
    }
    return length;
  }

  /** Nests the input's own parts, if it had any, and closes the object. */
  private int partsTail(int length, DirectBuffer buffer, long oldParts) {
    if (oldParts != JsonScanner.NOT_FOUND) {
      length = putAscii(length, ",\"parts\":");
      int start = JsonScanner.spanStart(oldParts);
      int n = JsonScanner.spanEnd(oldParts) - start;
      parts.ensure(length + n, length).putBytes(length, buffer, start, n);
      length += n;
    }
    return putAscii(length, "}");
  }

  private int putAscii(int at, String text) {
    UnsafeBuffer buffer = parts.ensure(at + text.length(), at);
    return at + buffer.putStringWithoutLengthAscii(at, text);
  }

  private static int firstElement(DirectBuffer buffer, int start, int end) {
    int i = MessagePath.skipBlanks(buffer, start + 1, end);
    return i < end && buffer.getByte(i) != ']' ? i : -1;
  }

  private static int nextElement(DirectBuffer buffer, int i, int end) {
    int valueEnd = JsonScanner.skipValue(buffer, i, end);
    if (valueEnd < 0) {
      return -1;
    }
    int next = MessagePath.skipBlanks(buffer, valueEnd, end);
    return next < end && buffer.getByte(next) == ','
        ? MessagePath.skipBlanks(buffer, next + 1, end)
        : -1;
  }

  /** Offset of the first member's key (its opening quote), or -1. */
  private static int firstMember(DirectBuffer buffer, int start, int end) {
    int i = MessagePath.skipBlanks(buffer, start + 1, end);
    return i < end && buffer.getByte(i) == '"' ? i : -1;
  }

  private static int nextMember(DirectBuffer buffer, int keyStart, int end) {
    int keyEnd = skipString(buffer, keyStart, end);
    int colon = MessagePath.skipBlanks(buffer, keyEnd, end);
    int next = nextElement(buffer, MessagePath.skipBlanks(buffer, colon + 1, end), end);
    return next >= 0 && next < end && buffer.getByte(next) == '"' ? next : -1;
  }

  /** Offset just past the string whose opening quote is at {@code i}. */
  private static int skipString(DirectBuffer buffer, int i, int end) {
    return JsonScanner.skipValue(buffer, i, end);
  }
}
