package dev.z8run.nodes.function;

import dev.z8run.io.json.FieldIndex;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Symbol;
import org.mozilla.javascript.SymbolScriptable;

/**
 * The script's {@code msg}: a view over the message's JSON bytes that reads them only as far as the
 * script looks. A function that only passes {@code msg} on never reads it, and the node then
 * forwards the original bytes ({@link #untouched()}).
 *
 * <p>Member by member: reading, writing or deleting a top-level property by name ({@code
 * msg.payload}, {@code msg.topic = "x"}, {@code delete msg.hop}, {@code 'topic' in msg}) finds the
 * member through the message's {@link FieldIndex} and parses only that member's value, once; what
 * the script changed is kept beside the bytes, so that the node writes the message back by patching
 * those members ({@link MessageWriteBack}) instead of serialising all of it. Anything else (its
 * keys, an index, a symbol, its default value, a binary payload, an object whose keys are not plain
 * ASCII or repeat) parses the whole message into a plain JavaScript object, with the members
 * already read, written or deleted carried over, and delegates to it from then on.
 *
 * <p>A {@link Scriptable} that delegates rather than a {@code ScriptableObject}: Rhino reads a
 * {@code ScriptableObject}'s property table directly on some paths (object spread, {@code
 * Object.assign}), which would see an empty object. The price: functions of {@code Object} that
 * demand a {@code ScriptableObject} ({@code Object.defineProperty}, {@code
 * Object.getOwnPropertyNames}, {@code Object.getOwnPropertyDescriptor}, {@code Reflect.ownKeys})
 * refuse {@code msg} itself with a TypeError; they work on a copy ({@code {...msg}}) and on every
 * object inside it.
 *
 * <p>The bytes are borrowed from the input message, valid only during the node's call: {@link
 * #detach()} copies them out at the end of the call for a view the script kept (in a global
 * variable, say) and reads later.
 */
final class MessageView implements Scriptable, SymbolScriptable {
  /** A member's state while the view reads member by member. */
  static final byte UNREAD = 0;

  static final byte READ = 1;
  static final byte WRITTEN = 2;
  static final byte DELETED = 3;

  private final Scriptable scope;
  private DirectBuffer json;
  private int offset;
  private int length;
  private DirectBuffer index;
  private int indexOffset;
  private final MutableDirectBuffer indexScratch;
  private boolean detached;
  private byte[] detachedBytes;
  private Scriptable target;
  private DirectBuffer binary;
  private int binaryOffset;
  private int binaryLength;
  private byte[] binaryDetached;
  private JsRuntime runtime;

  /**
   * Node-RED's {@code msg._msgid} when the message has none: the execution's id, the same for every
   * message of the execution (as Node-RED's clones keep theirs), as 16 hexadecimal digits, made
   * when read. Not enumerable: it is not written back into the message. 0: none.
   */
  private long executionId;

  private boolean msgidDeleted;

  /**
   * The function node's timers and link calls that keep this view past its call, and what it took
   * for them in the node's {@link dev.z8run.nodes.support.HeldMemory.Hold} (kept by the node).
   */
  int keepers;

  long keptCharge;

  static final String MSGID = "_msgid";

  // member by member: count >= 0 once the members were found; state, values per source member,
  // then the members the script added, in order
  private int count = -1;
  private long states; // two bits per member (at most FieldIndex.MAX_FIELDS): UNREAD .. DELETED
  private Object[] values;
  private String[] addedKeys;
  private Object[] addedValues;
  private int added;
  // the last NAMES names member() searched for (by identity: a compiled script passes the same
  // string each time), each with its ASCII bytes packed in a long (NO_WORD: not packable) and the
  // member it found: the answer while its bit of namesFound is set (the members never move in a
  // call), and in the next message of a reused view the member tried first (a flow's messages
  // mostly have the same members in the same order)
  private static final int NAMES = 4;
  private static final long NO_WORD = -1L; // a packed name of ASCII bytes never has bit 63 set
  private final String[] names = new String[NAMES];
  private final long[] nameWords = new long[NAMES];
  private final int[] nameMembers = new int[NAMES];
  private int namesFound;
  private int nextName;

  /**
   * A view of the JSON object at {@code [offset, offset + length)} of {@code json}, whose field
   * index is at {@code indexOffset} of {@code index} (null: none carried; one is built into {@code
   * indexScratch}, which must stay the view's until the end of the call, when it is first needed).
   */
  MessageView(
      Scriptable scope,
      DirectBuffer json,
      int offset,
      int length,
      DirectBuffer index,
      int indexOffset,
      MutableDirectBuffer indexScratch) {
    this.scope = scope;
    this.json = json;
    this.offset = offset;
    this.length = length;
    this.index = index;
    this.indexOffset = indexOffset;
    this.indexScratch = indexScratch;
  }

  /**
   * Makes this view the view of another message, as a new view of those arguments would be: for a
   * node that reuses one view (its script never keeps {@code msg}, {@link MessageEscape}) after
   * {@link #release()}.
   */
  MessageView reset(
      DirectBuffer json, int offset, int length, DirectBuffer index, int indexOffset) {
    this.json = json;
    this.offset = offset;
    this.length = length;
    this.index = index;
    this.indexOffset = indexOffset;
    return this;
  }

  /**
   * Ends the call without copying anything: forgets the input's bytes and what the script read,
   * wrote and added, so that {@link #reset} can start the next message. Only for a view nothing
   * refers to any more; false (and nothing forgotten) when the view was parsed whole, which a
   * reused view must not carry on (the caller detaches it and makes a new one).
   */
  boolean release() {
    if (target != null || detached) {
      return false;
    }
    json = null;
    index = null;
    binary = null;
    runtime = null;
    if (count > 0) {
      java.util.Arrays.fill(values, 0, count, null);
    }
    count = -1;
    states = 0;
    if (added > 0) {
      java.util.Arrays.fill(addedKeys, 0, added, null);
      java.util.Arrays.fill(addedValues, 0, added, null);
      added = 0;
    }
    namesFound = 0; // the names and their members stay: the next message's first guesses
    return true;
  }

  /**
   * An estimate of the heap this view takes once kept past its call: its copy of the message (JSON
   * and binary payload, {@link #detach}) and as much again for the values the script read out of
   * it.
   */
  long keptBytes() {
    return 256 + 2L * length + binaryLength;
  }

  /**
   * Gives the message a binary payload (borrowed like the JSON): the script's {@code msg.payload}
   * is then a Buffer of those bytes.
   */
  void binary(DirectBuffer buffer, int offset, int length, JsRuntime runtime) {
    this.binary = buffer;
    this.binaryOffset = offset;
    this.binaryLength = length;
    this.runtime = runtime;
  }

  /** Whether the script never looked inside: the message is exactly the input's bytes. */
  boolean untouched() {
    return target == null && count < 0;
  }

  /**
   * Whether the view still reads member by member (it can be written back by patching): the members
   * were found and the message was not parsed whole.
   */
  boolean byMember() {
    return target == null && count >= 0;
  }

  /**
   * Ends the borrow of the input's bytes: copies them, and the index in use, into one array of the
   * view's own if they are still needed (wrapped only when the view is read again).
   */
  void detach() {
    if (target != null || json == null) {
      return;
    }
    int indexLength = count >= 0 ? FieldIndex.lengthFor(count) : 0;
    byte[] bytes = new byte[length + indexLength];
    json.getBytes(offset, bytes, 0, length);
    if (indexLength > 0) {
      index.getBytes(indexOffset, bytes, length, indexLength);
    }
    detachedBytes = bytes;
    json = null;
    index = null; // without members found, built again into an array of its own if ever read
    offset = 0;
    indexOffset = length;
    detached = true;
    if (binary != null) {
      binaryDetached = new byte[binaryLength];
      binary.getBytes(binaryOffset, binaryDetached);
      binary = null;
    }
  }

  /** Reads a detached view's bytes again: wraps its own copy. */
  private void attach() {
    if (json == null && detachedBytes != null) {
      UnsafeBuffer own = new UnsafeBuffer(detachedBytes);
      json = own;
      if (count >= 0) {
        index = own;
      }
      detachedBytes = null;
    }
  }

  // ---- what MessageWriteBack reads

  DirectBuffer json() {
    attach();
    return json;
  }

  int jsonOffset() {
    return offset;
  }

  int jsonLength() {
    return length;
  }

  DirectBuffer index() {
    return index;
  }

  int indexOffset() {
    return indexOffset;
  }

  int memberCount() {
    return count;
  }

  byte memberState(int member) {
    return state(member);
  }

  String memberKey(int member) {
    return json.getStringWithoutLengthAscii(keyOffset(member), keyLength(member));
  }

  Object memberValue(int member) {
    return values[member];
  }

  int addedCount() {
    return added;
  }

  String addedKey(int n) {
    return addedKeys[n];
  }

  Object addedValue(int n) {
    return addedValues[n];
  }

  // ---- member by member

  /** Finds the members on the first look inside; false when the view must parse it whole. */
  private boolean members() {
    if (target != null) {
      return false;
    }
    attach();
    if (count >= 0) {
      return true;
    }
    if (binary != null || binaryDetached != null) {
      return false;
    }
    if (index == null) {
      MutableDirectBuffer into =
          detached ? new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]) : indexScratch;
      if (into == null || FieldIndex.build(json, offset, length, into, 0) == 0) {
        return false;
      }
      index = into;
      indexOffset = 0;
    }
    int members = FieldIndex.count(index, indexOffset);
    // an index that says its keys are plain and unique spares the check (most messages: every
    // writer of an index but a hand-made one says so when it is true)
    if (!FieldIndex.plainKeys(index, indexOffset)) {
      for (int n = 0; n < members; n++) {
        if (!FieldIndex.isPlain(json, keyOffset(n), keyLength(n))
            || FieldIndex.repeats(
                json, offset, index, indexOffset, n, keyOffset(n), keyLength(n))) {
          return false;
        }
      }
    }
    states = 0;
    if (values == null || values.length < members) {
      values = new Object[Math.max(members, 4)];
    }
    count = members;
    return true;
  }

  private byte state(int member) {
    return (byte) ((states >>> (2 * member)) & 3);
  }

  private void state(int member, byte state) {
    int shift = 2 * member;
    states = (states & ~(3L << shift)) | ((long) state << shift);
  }

  private int entry(int member) {
    return indexOffset + FieldIndex.lengthFor(member);
  }

  private int keyOffset(int member) {
    return offset + index.getInt(entry(member) + FieldIndex.KEY_OFFSET);
  }

  private int keyLength(int member) {
    return index.getInt(entry(member) + FieldIndex.KEY_LENGTH);
  }

  /**
   * The source member named {@code name}, or -1. The last {@value #NAMES} names looked up are
   * remembered, so that Rhino's {@code has} before each {@code put} and a read after a test cost
   * one search; in the next message each is looked for first where this one had it, with one
   * comparison (the keys are unique: {@link #members()}).
   */
  private int member(String name) {
    for (int slot = 0; slot < NAMES; slot++) {
      if (names[slot] == name) {
        if ((namesFound & (1 << slot)) == 0) {
          int guess = nameMembers[slot];
          if (guess < 0 || guess >= count || !isKey(guess, name, nameWords[slot])) {
            nameMembers[slot] = search(name, nameWords[slot]);
          }
          namesFound |= 1 << slot;
        }
        return nameMembers[slot];
      }
    }
    int slot = nextName;
    nextName = (slot + 1) % NAMES;
    long word = word(name);
    int found = search(name, word);
    names[slot] = name;
    nameWords[slot] = word;
    nameMembers[slot] = found;
    namesFound |= 1 << slot;
    return found;
  }

  private int search(String name, long word) {
    for (int n = 0; n < count; n++) {
      if (isKey(n, name, word)) {
        return n;
      }
    }
    return -1;
  }

  /** {@code name}'s characters as the bytes of a little-endian long, or NO_WORD. */
  private static long word(String name) {
    int length = name.length();
    if (length > Long.BYTES) {
      return NO_WORD;
    }
    long word = 0;
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (c >= 0x80) {
        return NO_WORD;
      }
      word |= (long) c << (i * Byte.SIZE);
    }
    return word;
  }

  /**
   * Whether member {@code member}'s key is {@code name}: a name of at most eight ASCII characters
   * ({@code word}) is compared in one read when eight bytes lie in the buffer from the key on.
   */
  private boolean isKey(int member, String name, long word) {
    int length = name.length();
    if (keyLength(member) != length) {
      return false;
    }
    int at = keyOffset(member);
    if (word != NO_WORD && at + Long.BYTES <= json.capacity()) {
      long mask = length == Long.BYTES ? -1L : (1L << (length * Byte.SIZE)) - 1;
      return (json.getLong(at, ByteOrder.LITTLE_ENDIAN) & mask) == word;
    }
    return keyEquals(at, name);
  }

  private boolean keyEquals(int at, String name) {
    for (int i = 0; i < name.length(); i++) {
      if (json.getByte(at + i) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private int addedMember(String name) {
    for (int n = 0; n < added; n++) {
      if (addedKeys[n].equals(name)) {
        return n;
      }
    }
    return -1;
  }

  private Object value(int member) {
    if (state(member) == UNREAD) {
      int entry = entry(member);
      int start = offset + index.getInt(entry + FieldIndex.VALUE_START);
      int end = offset + index.getInt(entry + FieldIndex.VALUE_END);
      values[member] = parseValue(start, end);
      state(member, READ);
    }
    return values[member];
  }

  /** One member's value, as JSON.parse makes it. */
  private Object parseValue(int start, int end) {
    byte first = json.getByte(start);
    if (first == 't') {
      return Boolean.TRUE;
    }
    if (first == 'f') {
      return Boolean.FALSE;
    }
    if (first == 'n') {
      return null;
    }
    if (first == '"' && plainString(start + 1, end - 1)) {
      return json.getStringWithoutLengthAscii(start + 1, end - start - 2);
    }
    return JsValues.parse(
        Context.getCurrentContext(), scope, json.getStringWithoutLengthUtf8(start, end - start));
  }

  private boolean plainString(int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = json.getByte(i);
      if (b < 0x20 || b == '\\') {
        return false;
      }
    }
    return true;
  }

  private Object getMember(String name) {
    int member = member(name);
    if (member >= 0 && state(member) != DELETED) {
      return value(member);
    }
    int n = addedMember(name);
    if (n >= 0) {
      return addedValues[n];
    }
    return virtualMsgid(name, member) ? msgidText() : NOT_FOUND;
  }

  private boolean hasMember(String name) {
    int member = member(name);
    return (member >= 0 && state(member) != DELETED)
        || addedMember(name) >= 0
        || virtualMsgid(name, member);
  }

  /** Whether {@code name} is the derived {@code _msgid}: the message has none of its own. */
  private boolean virtualMsgid(String name, int member) {
    return executionId != 0 && !msgidDeleted && member < 0 && name.equals(MSGID);
  }

  private String msgidText() {
    return java.util.HexFormat.of().toHexDigits(executionId);
  }

  /** The execution the message belongs to, for {@code msg._msgid}; 0: none. */
  MessageView executionId(long id) {
    this.executionId = id;
    this.msgidDeleted = false;
    return this;
  }

  private void putMember(String name, Object value) {
    int member = member(name);
    if (member >= 0 && state(member) != DELETED) {
      values[member] = value;
      state(member, WRITTEN);
      return;
    }
    int n = addedMember(name);
    if (n >= 0) {
      addedValues[n] = value;
      return;
    }
    if (addedKeys == null) {
      addedKeys = new String[4];
      addedValues = new Object[4];
    } else if (added == addedKeys.length) {
      addedKeys = java.util.Arrays.copyOf(addedKeys, added * 2);
      addedValues = java.util.Arrays.copyOf(addedValues, added * 2);
    }
    addedKeys[added] = name;
    addedValues[added] = value;
    added++;
  }

  private void deleteMember(String name) {
    if (name.equals(MSGID)) {
      msgidDeleted = true;
    }
    int member = member(name);
    if (member >= 0 && state(member) != DELETED) {
      values[member] = null;
      state(member, DELETED);
      return;
    }
    int n = addedMember(name);
    if (n >= 0) {
      System.arraycopy(addedKeys, n + 1, addedKeys, n, added - n - 1);
      System.arraycopy(addedValues, n + 1, addedValues, n, added - n - 1);
      added--;
      addedKeys[added] = null;
      addedValues[added] = null;
    }
  }

  // ---- the whole message

  /** Parses the whole message (once), carrying over what the script read, wrote or deleted. */
  private Scriptable target() {
    if (target == null) {
      attach();
      Context cx = Context.getCurrentContext();
      Scriptable parsed =
          JsValues.parseMessage(cx, scope, json.getStringWithoutLengthUtf8(offset, length));
      if (count >= 0) {
        for (int n = 0; n < count; n++) {
          String key = json.getStringWithoutLengthAscii(keyOffset(n), keyLength(n));
          if (state(n) == DELETED) {
            parsed.delete(key);
          } else if (state(n) != UNREAD) {
            parsed.put(key, parsed, values[n]);
          }
        }
        for (int n = 0; n < added; n++) {
          parsed.put(addedKeys[n], parsed, addedValues[n]);
        }
      }
      if (executionId != 0 && !msgidDeleted && !parsed.has(MSGID, parsed)) {
        ((ScriptableObject) parsed).defineProperty(MSGID, msgidText(), ScriptableObject.DONTENUM);
      }
      target = parsed;
      count = -1;
      json = null;
      index = null;
      values = null;
      addedKeys = null;
      addedValues = null;
      if (binary != null || binaryDetached != null) {
        byte[] bytes = binaryDetached;
        if (bytes == null) {
          bytes = new byte[binaryLength];
          binary.getBytes(binaryOffset, bytes);
        }
        target.put("payload", target, runtime.buffer(cx, bytes));
        binary = null;
        binaryDetached = null;
      }
    }
    return target;
  }

  private Scriptable start(Scriptable start) {
    return start == this ? target() : start;
  }

  /** Whether a property access by name may stay member by member. */
  private boolean byName(Scriptable start) {
    return start == this && members();
  }

  @Override
  public String getClassName() {
    return "Object";
  }

  @Override
  public Object get(String name, Scriptable start) {
    return byName(start) ? getMember(name) : target().get(name, start(start));
  }

  @Override
  public Object get(int index, Scriptable start) {
    return target().get(index, start(start));
  }

  @Override
  public Object get(Symbol key, Scriptable start) {
    return ((SymbolScriptable) target()).get(key, start(start));
  }

  @Override
  public boolean has(String name, Scriptable start) {
    return byName(start) ? hasMember(name) : target().has(name, start(start));
  }

  @Override
  public boolean has(int index, Scriptable start) {
    return target().has(index, start(start));
  }

  @Override
  public boolean has(Symbol key, Scriptable start) {
    return ((SymbolScriptable) target()).has(key, start(start));
  }

  @Override
  public void put(String name, Scriptable start, Object value) {
    if (byName(start)) {
      putMember(name, value);
    } else {
      target().put(name, start(start), value);
    }
  }

  @Override
  public void put(int index, Scriptable start, Object value) {
    target().put(index, start(start), value);
  }

  @Override
  public void put(Symbol key, Scriptable start, Object value) {
    ((SymbolScriptable) target()).put(key, start(start), value);
  }

  @Override
  public void delete(String name) {
    if (members()) {
      deleteMember(name);
    } else {
      target().delete(name);
    }
  }

  @Override
  public void delete(int index) {
    target().delete(index);
  }

  @Override
  public void delete(Symbol key) {
    ((SymbolScriptable) target()).delete(key);
  }

  @Override
  public Scriptable getPrototype() {
    // a parsed object's prototype is Object.prototype: no need to parse for a lookup that missed
    return target == null ? ScriptableObject.getObjectPrototype(scope) : target.getPrototype();
  }

  @Override
  public void setPrototype(Scriptable prototype) {
    target().setPrototype(prototype);
  }

  @Override
  public Scriptable getParentScope() {
    return scope;
  }

  @Override
  public void setParentScope(Scriptable parent) {
    // the view always belongs to its node's scope
  }

  @Override
  public Object[] getIds() {
    return target().getIds();
  }

  @Override
  public Object getDefaultValue(Class<?> hint) {
    return target().getDefaultValue(hint);
  }

  @Override
  public boolean hasInstance(Scriptable instance) {
    return target().hasInstance(instance);
  }
}
