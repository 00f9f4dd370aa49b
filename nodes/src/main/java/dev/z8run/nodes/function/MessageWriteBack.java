package dev.z8run.nodes.function;

import dev.z8run.core.node.Output;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.ObjectPatch;
import dev.z8run.io.message.Bytes;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import java.math.BigInteger;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.NativeJSON;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.Undefined;

/**
 * Sends a {@code msg} the script changed member by member ({@link MessageView#byMember()}) by
 * patching its bytes straight into the next node's inbox ({@link ObjectPatch}): members written get
 * their new value's JSON, members deleted (or set to {@code undefined} or a function) are left out,
 * members added are appended, objects and arrays the script read are written again (it may have
 * changed them inside), and every other member keeps its bytes. The result carries a field index,
 * so the next node finds its fields without scanning. A {@code msg} the script only read scalars of
 * is forwarded as it came. When every change is a new value as long as the old one ({@code
 * msg.topic = "x"} over a one-letter topic, a counter of as many digits) in an input that carries
 * its index, the new values are written over the old ones: in the input itself when the engine
 * passes it on in place ({@link Output#claimInPlace}), else in one copy of its JSON and index.
 *
 * <p>The JSON is {@code JSON.stringify}'s: a value is written the way {@code JSON.stringify} writes
 * it as a member (strings escaped as ES2019's well-formed stringify does, {@code NaN} and
 * infinities as {@code null}, objects through Rhino's own {@code JSON.stringify}). Whitespace
 * between the members of the received JSON is dropped.
 *
 * <p>One per function node, used by the thread running its script; not thread-safe.
 */
final class MessageWriteBack {
  private static final String PAYLOAD = "payload";

  private static final int NOT_SCALAR = -2;

  private final ObjectPatch patch = new ObjectPatch();
  private final ScratchBuffer values = new ScratchBuffer(256);
  private int used;
  // trySendOverwritten: per member written, where its value lies in the JSON and in values
  private final int[] overwrittenAt = new int[FieldIndex.MAX_FIELDS];
  private final int[] overwrittenFrom = new int[FieldIndex.MAX_FIELDS];

  /**
   * Sends {@code view} on {@code port}, patched, or forwards {@code input} when nothing changed.
   *
   * @param input the message the view was made from ({@code view} is the call's own {@code msg})
   * @return false when the view cannot be written back by patching (it was parsed whole, or its
   *     payload is a Buffer): the caller serialises it whole; nothing was sent
   */
  boolean trySend(
      Context cx,
      Scriptable scope,
      JsRuntime runtime,
      MessageView view,
      MessageFlyweight input,
      int port,
      Output out) {
    if (!view.byMember()) {
      return false;
    }
    used = 0;
    if (trySendOverwritten(view, input, port, out)) {
      return true;
    }
    patch.reset(
        view.json(), view.jsonOffset(), view.jsonLength(), view.index(), view.indexOffset());
    used = 0;
    int count = view.memberCount();
    for (int n = 0; n < count; n++) {
      byte state = view.memberState(n);
      Object value = view.memberValue(n);
      if (state == MessageView.DELETED) {
        patch.remove(n);
      } else if (state == MessageView.WRITTEN
          || (state == MessageView.READ && value instanceof Scriptable)) {
        if (runtime.isBuffer(value) && isPayload(view, n)) {
          return false;
        }
        int at = used;
        int length = writeValue(cx, scope, value);
        if (!view.byMember()) {
          return false; // the value held msg itself: stringifying it parsed msg whole
        }
        if (length < 0) {
          patch.remove(n);
        } else {
          patch.replace(n, at, length);
        }
      }
    }
    for (int n = 0; n < view.addedCount(); n++) {
      Object value = view.addedValue(n);
      if (PAYLOAD.equals(view.addedKey(n)) && runtime.isBuffer(value)) {
        return false;
      }
      int key = used;
      int keyLength = quote(view.addedKey(n));
      int at = used;
      int length = writeValue(cx, scope, value);
      if (!view.byMember()) {
        return false;
      }
      if (length < 0) {
        used = key; // undefined: JSON.stringify leaves the member out
      } else if (!patch.append(key, keyLength, at, length)) {
        return false;
      }
    }
    if (!patch.changed()) {
      out.forward(port, input);
      return true;
    }
    if (patch.sameShape() && overInput(view, input)) {
      sendSameShape(input, port, out);
      return true;
    }
    int length = patch.resultLength();
    int indexLength = patch.resultIndexLength();
    MessageFlyweight claimed = out.claim(port, length, 0, indexLength);
    MutableDirectBuffer destination = (MutableDirectBuffer) claimed.buffer();
    patch.write(values.buffer(), destination, claimed.jsonOffset());
    if (indexLength > 0) {
      patch.writeIndex(destination, claimed.indexOffset());
    }
    out.commit();
    return true;
  }

  /**
   * The common case without the patch's bookkeeping: in the input's own compact JSON ({@link
   * FieldIndex#COMPACT}), nothing added or deleted and no object read, every member written given a
   * scalar whose JSON is as long as the old value (or none written: the input is forwarded). The
   * new values are written over the old ones as {@link #sendSameShape} writes a same-shape patch.
   *
   * @return false when the case does not hold: nothing was sent, and nothing kept but the values
   *     written so far (the caller starts again at {@code used = 0})
   */
  private boolean trySendOverwritten(
      MessageView view, MessageFlyweight input, int port, Output out) {
    if (view.addedCount() > 0 || !overInput(view, input)) {
      return false;
    }
    DirectBuffer index = view.index();
    int indexOffset = view.indexOffset();
    if (!FieldIndex.compact(index, indexOffset)) {
      return false;
    }
    int count = view.memberCount();
    int changed = 0;
    for (int n = 0; n < count; n++) {
      byte state = view.memberState(n);
      Object value = view.memberValue(n);
      if (state == MessageView.UNREAD
          || (state == MessageView.READ && !(value instanceof Scriptable))) {
        continue;
      }
      if (state != MessageView.WRITTEN) {
        return false; // deleted, or an object read (it may have changed inside)
      }
      int entry = indexOffset + FieldIndex.lengthFor(n);
      int valueStart = index.getInt(entry + FieldIndex.VALUE_START);
      int at = used;
      if (writeScalar(value) != index.getInt(entry + FieldIndex.VALUE_END) - valueStart) {
        return false; // not a scalar, or not as long as the old value
      }
      overwrittenAt[changed] = valueStart;
      overwrittenFrom[changed] = at;
      changed++;
    }
    if (changed == 0) {
      out.forward(port, input);
      return true;
    }
    int jsonLength = input.jsonLength();
    int indexLength = input.indexLength();
    MessageFlyweight destination = out.claimInPlace(port, input, jsonLength, indexLength);
    MutableDirectBuffer bytes;
    if (destination == null) {
      destination = out.claim(port, jsonLength, 0, indexLength);
      bytes = (MutableDirectBuffer) destination.buffer();
      Bytes.copy(
          input.buffer(),
          input.jsonOffset(),
          bytes,
          destination.jsonOffset(),
          jsonLength + indexLength);
    } else {
      bytes = (MutableDirectBuffer) destination.buffer();
    }
    int jsonOffset = destination.jsonOffset();
    for (int i = 0; i < changed; i++) {
      int from = overwrittenFrom[i];
      int length = (i + 1 < changed ? overwrittenFrom[i + 1] : used) - from;
      Bytes.copy(values.buffer(), from, bytes, jsonOffset + overwrittenAt[i], length);
    }
    out.commit();
    return true;
  }

  /**
   * Whether the view reads the input's own JSON and the index the input carries (not one it built,
   * nor its own copy), with nothing between them: then the input's body, values overwritten, is the
   * result with its index.
   */
  private static boolean overInput(MessageView view, MessageFlyweight input) {
    return input.indexLength() > 0
        && input.binaryLength() == 0
        && view.json() == input.buffer()
        && view.jsonOffset() == input.jsonOffset()
        && view.index() == input.indexBuffer()
        && view.indexOffset() == input.indexOffset();
  }

  /**
   * Sends a {@link ObjectPatch#sameShape()} patch of the input: the new values written over the
   * input where it lies when the engine passes it on in place, else over one copy of its JSON and
   * index.
   */
  private void sendSameShape(MessageFlyweight input, int port, Output out) {
    int jsonLength = input.jsonLength();
    int indexLength = input.indexLength();
    MessageFlyweight same = out.claimInPlace(port, input, jsonLength, indexLength);
    if (same != null) {
      patch.writeReplaced(values.buffer(), (MutableDirectBuffer) same.buffer(), same.jsonOffset());
      out.commit();
      return;
    }
    DirectBuffer source = input.buffer();
    int jsonOffset = input.jsonOffset();
    MessageFlyweight claimed = out.claim(port, jsonLength, 0, indexLength);
    MutableDirectBuffer destination = (MutableDirectBuffer) claimed.buffer();
    Bytes.copy(source, jsonOffset, destination, claimed.jsonOffset(), jsonLength + indexLength);
    patch.writeReplaced(values.buffer(), destination, claimed.jsonOffset());
    out.commit();
  }

  private static boolean isPayload(MessageView view, int member) {
    return PAYLOAD.equals(view.memberKey(member));
  }

  /**
   * Appends {@code value}'s JSON to the values written so far.
   *
   * @return its length, or -1 when JSON.stringify leaves such a member out (undefined, a function,
   *     a symbol)
   */
  private int writeValue(Context cx, Scriptable scope, Object value) {
    int scalar = writeScalar(value);
    if (scalar != NOT_SCALAR) {
      return scalar;
    }
    if (Undefined.isUndefined(value) || value == Scriptable.NOT_FOUND) {
      return -1;
    }
    Object json = NativeJSON.stringify(cx, scope, value, null, null);
    if (!(json instanceof CharSequence text)) {
      return -1;
    }
    String string = text.toString();
    UnsafeBuffer buffer = values.ensure(used + string.length() * 3, used);
    int length = buffer.putStringWithoutLengthUtf8(used, string);
    used += length;
    return length;
  }

  /**
   * Appends the JSON of a null, boolean, string or number (not a BigInt); its length, or {@link
   * #NOT_SCALAR} (nothing written) for any other value.
   */
  private int writeScalar(Object value) {
    if (value == null) {
      return ascii("null");
    }
    if (value instanceof Boolean flag) {
      return ascii(flag ? "true" : "false");
    }
    if (value instanceof CharSequence text) {
      return quote(text);
    }
    if (value instanceof Number number && !(value instanceof BigInteger)) {
      return number(number.doubleValue());
    }
    return NOT_SCALAR;
  }

  private int number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return ascii("null");
    }
    long whole = (long) value;
    if (whole == value && Math.abs(whole) < 1_000_000_000_000_000L) {
      UnsafeBuffer buffer = values.ensure(used + 20, used);
      int length = buffer.putLongAscii(used, whole);
      used += length;
      return length;
    }
    return ascii(ScriptRuntime.numberToString(value, 10));
  }

  private int ascii(String text) {
    UnsafeBuffer buffer = values.ensure(used + text.length(), used);
    int length = buffer.putStringWithoutLengthAscii(used, text);
    used += length;
    return length;
  }

  /** Writes {@code text} as a JSON string, UTF-8, escaped as JSON.stringify escapes it. */
  private int quote(CharSequence text) {
    int n = text.length();
    UnsafeBuffer b = values.ensure(used + 6 * n + 2, used);
    int at = used;
    b.putByte(at++, (byte) '"');
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b.putByte(at++, (byte) c);
      } else if (c < 0x80) {
        at = escape(b, at, c);
      } else if (c < 0x800) {
        b.putByte(at++, (byte) (0xC0 | (c >> 6)));
        b.putByte(at++, (byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, text.charAt(++i));
        b.putByte(at++, (byte) (0xF0 | (codePoint >> 18)));
        b.putByte(at++, (byte) (0x80 | ((codePoint >> 12) & 0x3F)));
        b.putByte(at++, (byte) (0x80 | ((codePoint >> 6) & 0x3F)));
        b.putByte(at++, (byte) (0x80 | (codePoint & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        at = unicodeEscape(b, at, c); // a lone surrogate, as well-formed JSON.stringify writes it
      } else {
        b.putByte(at++, (byte) (0xE0 | (c >> 12)));
        b.putByte(at++, (byte) (0x80 | ((c >> 6) & 0x3F)));
        b.putByte(at++, (byte) (0x80 | (c & 0x3F)));
      }
    }
    b.putByte(at++, (byte) '"');
    int length = at - used;
    used = at;
    return length;
  }

  private static int escape(UnsafeBuffer b, int at, char c) {
    char escaped =
        switch (c) {
          case '"' -> '"';
          case '\\' -> '\\';
          case '\b' -> 'b';
          case '\f' -> 'f';
          case '\n' -> 'n';
          case '\r' -> 'r';
          case '\t' -> 't';
          default -> 0;
        };
    if (escaped == 0) {
      return unicodeEscape(b, at, c);
    }
    b.putByte(at++, (byte) '\\');
    b.putByte(at++, (byte) escaped);
    return at;
  }

  private static int unicodeEscape(UnsafeBuffer b, int at, char c) {
    b.putByte(at++, (byte) '\\');
    b.putByte(at++, (byte) 'u');
    for (int shift = 12; shift >= 0; shift -= 4) {
      b.putByte(at++, (byte) Character.forDigit((c >> shift) & 0xF, 16));
    }
    return at;
  }
}
