package dev.z8run.nodes.function;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.Symbol;
import org.mozilla.javascript.SymbolScriptable;

/**
 * The script's {@code msg}: a view over the message's JSON bytes that parses them into a plain
 * JavaScript object on the first look inside (a property read or write, {@code in}, {@code
 * Object.keys}, spread, {@code JSON.stringify} ...). A function that only passes {@code msg} on
 * never parses it, and the node then forwards the original bytes ({@link #untouched()}).
 *
 * <p>A {@link Scriptable} that delegates to the parsed object rather than a {@code
 * ScriptableObject}: Rhino reads a {@code ScriptableObject}'s property table directly on some paths
 * (object spread, {@code Object.assign}), which would see an empty object. The price: functions of
 * {@code Object} that demand a {@code ScriptableObject} ({@code Object.defineProperty}, {@code
 * Object.getOwnPropertyNames}, {@code Object.getOwnPropertyDescriptor}, {@code Reflect.ownKeys})
 * refuse {@code msg} itself with a TypeError; they work on a copy ({@code {...msg}}) and on every
 * object inside it.
 *
 * <p>The bytes are borrowed from the input message, valid only during the node's call: {@link
 * #detach()} copies them out at the end of the call for a view the script kept (in a global
 * variable, say) and reads later.
 */
final class MessageView implements Scriptable, SymbolScriptable {
  private final Scriptable scope;
  private DirectBuffer json;
  private int offset;
  private int length;
  private byte[] detached;
  private Scriptable target;
  private DirectBuffer binary;
  private int binaryOffset;
  private int binaryLength;
  private byte[] binaryDetached;
  private JsRuntime runtime;

  MessageView(Scriptable scope, DirectBuffer json, int offset, int length) {
    this.scope = scope;
    this.json = json;
    this.offset = offset;
    this.length = length;
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
    return target == null;
  }

  /** Ends the borrow of the input's bytes: copies them if they were never parsed. */
  void detach() {
    if (target == null && json != null) {
      detached = new byte[length];
      json.getBytes(offset, detached);
      json = null;
      if (binary != null) {
        binaryDetached = new byte[binaryLength];
        binary.getBytes(binaryOffset, binaryDetached);
        binary = null;
      }
    }
  }

  private Scriptable target() {
    if (target == null) {
      String text =
          detached != null
              ? new String(detached, StandardCharsets.UTF_8)
              : json.getStringWithoutLengthUtf8(offset, length);
      Context cx = Context.getCurrentContext();
      target = JsValues.parseMessage(cx, scope, text);
      json = null;
      detached = null;
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

  @Override
  public String getClassName() {
    return "Object";
  }

  @Override
  public Object get(String name, Scriptable start) {
    return target().get(name, start(start));
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
    return target().has(name, start(start));
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
    target().put(name, start(start), value);
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
    target().delete(name);
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
    return target().getPrototype();
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
