package dev.z8run.nodes.function;

import dev.z8run.io.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.NativeJSON;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.json.JsonParser;

/**
 * Moves values between JSON and the script, with JavaScript's own {@code JSON.parse} and {@code
 * JSON.stringify} semantics ({@code toJSON}, {@code undefined} members left out, {@code NaN} as
 * {@code null}, a circular structure refused).
 */
final class JsValues {
  private JsValues() {}

  /**
   * Parses a message body into a new script object. A body that is not a JSON object (which no
   * z8run node sends) becomes {@code {payload: <body>}}.
   */
  static Scriptable parseMessage(Context cx, Scriptable scope, String json) {
    Object value = parse(cx, scope, json);
    if (value instanceof Scriptable object && !ScriptRuntime.isArrayObject(value)) {
      return object;
    }
    Scriptable wrapper = cx.newObject(scope);
    wrapper.put("payload", wrapper, value);
    return wrapper;
  }

  /** Parses JSON text into a script value. */
  static Object parse(Context cx, Scriptable scope, String json) {
    try {
      return new JsonParser(cx, scope).parseValue(json);
    } catch (JsonParser.ParseException malformed) {
      throw new IllegalArgumentException("malformed JSON: " + malformed.getMessage(), malformed);
    }
  }

  /** A script value as JSON text, or null when JSON has no form for it ({@code undefined}). */
  static String stringify(Context cx, Scriptable scope, Object value) {
    Object json = NativeJSON.stringify(cx, scope, value, null, null);
    return json instanceof CharSequence text ? text.toString() : null;
  }

  /** A script value as UTF-8 JSON bytes; {@code undefined} and functions as {@code null}. */
  static byte[] jsonBytes(Context cx, Scriptable scope, Object value) {
    String json = stringify(cx, scope, value);
    return (json == null ? "null" : json).getBytes(StandardCharsets.UTF_8);
  }

  /** A script value as plain Java data ({@link JsonCodec}'s value model), copied through JSON. */
  static Object toJava(Context cx, Scriptable scope, Object value) {
    String json = stringify(cx, scope, value);
    return json == null ? null : JsonCodec.parse(json);
  }

  /** Plain Java data as a new script value; null as {@code undefined}. */
  static Object toScript(Context cx, Scriptable scope, Object value) {
    return value == null ? Undefined.instance : parse(cx, scope, JsonCodec.writeString(value));
  }
}
