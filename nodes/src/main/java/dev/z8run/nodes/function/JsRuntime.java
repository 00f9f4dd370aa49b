package dev.z8run.nodes.function;

import dev.z8run.core.node.NodeContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.SerializableCallable;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.typedarrays.NativeArrayBufferView;

/**
 * Node.js's {@code Buffer} and {@code console} and Node-RED's {@code RED.util} in a function node's
 * scope: {@code prelude.js} (run once per node at deploy) with a few helpers in Java for text
 * encodings ({@code utf8}, {@code ascii}, {@code latin1}/{@code binary}, {@code hex}, {@code
 * base64}, {@code base64url}, {@code ucs2}/{@code utf16le}) and logging. Also moves bytes between a
 * message's binary payload and a script Buffer.
 */
final class JsRuntime {
  static final List<String> ENCODINGS =
      List.of(
          "utf8",
          "utf-8",
          "ascii",
          "latin1",
          "binary",
          "hex",
          "base64",
          "base64url",
          "ucs2",
          "ucs-2",
          "utf16le",
          "utf-16le");

  private static final Sandbox.Shared PRELUDE = new Sandbox.Shared(load(), "prelude.js");
  private static final System.Logger LOG = System.getLogger("dev.z8run.nodes.function");

  private final Scriptable scope;
  private final Function bufferFrom;
  private final Scriptable bufferPrototype;

  private JsRuntime(Scriptable scope, Function bufferFrom, Scriptable bufferPrototype) {
    this.scope = scope;
    this.bufferFrom = bufferFrom;
    this.bufferPrototype = bufferPrototype;
  }

  private static String load() {
    try (InputStream in = JsRuntime.class.getResourceAsStream("prelude.js")) {
      if (in == null) {
        throw new IllegalStateException("prelude.js is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Defines {@code Buffer}, {@code console} and {@code RED} in {@code scope}. */
  static JsRuntime install(Context cx, ScriptableObject scope, NodeContext node) {
    Scriptable host = cx.newObject(scope);
    function(scope, host, "encode", 2, (c, s, t, args) -> encode(c, scope, args));
    function(scope, host, "decode", 4, (c, s, t, args) -> decode(args));
    function(
        scope,
        host,
        "isEncoding",
        1,
        (c, s, t, args) -> ENCODINGS.contains(Context.toString(args[0]).toLowerCase(Locale.ROOT)));
    function(
        scope,
        host,
        "log",
        1,
        (c, s, t, args) -> {
          LOG.log(
              System.Logger.Level.INFO,
              "function '"
                  + node.nodeId()
                  + "' (flow '"
                  + node.flowId()
                  + "'): "
                  + Context.toString(args[0]));
          return Undefined.instance;
        });
    function(
        scope,
        host,
        "warn",
        1,
        (c, s, t, args) -> {
          node.warn(Context.toString(args[0]));
          return Undefined.instance;
        });
    function(
        scope,
        host,
        "error",
        1,
        (c, s, t, args) -> {
          node.error(Context.toString(args[0]), null);
          return Undefined.instance;
        });
    function(scope, host, "id", 0, (c, s, t, args) -> HexFormat.of().formatHex(randomBytes(8)));
    Object installer = PRELUDE.exec(cx, scope);
    ((Function) installer).call(cx, scope, scope, new Object[] {scope, host});
    Scriptable buffer = (Scriptable) ScriptableObject.getProperty(scope, "Buffer");
    return new JsRuntime(
        scope,
        (Function) ScriptableObject.getProperty(buffer, "from"),
        (Scriptable) ScriptableObject.getProperty(buffer, "prototype"));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  private static void function(
      Scriptable scope, Scriptable owner, String name, int arity, SerializableCallable body) {
    owner.put(name, owner, new LambdaFunction(scope, name, arity, body));
  }

  /** A new Buffer holding a copy of {@code bytes}. */
  Scriptable buffer(Context cx, byte[] bytes) {
    Scriptable array = uint8Array(cx, scope, bytes);
    return (Scriptable) bufferFrom.call(cx, scope, scope, new Object[] {array});
  }

  /** Whether {@code value} is a Buffer (or another Uint8Array view). */
  boolean isBuffer(Object value) {
    if (!(value instanceof NativeArrayBufferView)) {
      return false;
    }
    for (Scriptable p = ((Scriptable) value).getPrototype(); p != null; p = p.getPrototype()) {
      if (p == bufferPrototype) {
        return true;
      }
    }
    return "Uint8Array".equals(((Scriptable) value).getClassName());
  }

  /** The bytes of a Buffer or typed array view. */
  static byte[] bytes(Object value) {
    NativeArrayBufferView view = (NativeArrayBufferView) value;
    byte[] bytes = new byte[view.getByteLength()];
    System.arraycopy(view.getBuffer().getBuffer(), view.getByteOffset(), bytes, 0, bytes.length);
    return bytes;
  }

  private static Scriptable uint8Array(Context cx, Scriptable scope, byte[] bytes) {
    Scriptable array = cx.newObject(scope, "Uint8Array", new Object[] {bytes.length});
    NativeArrayBufferView view = (NativeArrayBufferView) array;
    System.arraycopy(bytes, 0, view.getBuffer().getBuffer(), view.getByteOffset(), bytes.length);
    return array;
  }

  private static Object encode(Context cx, Scriptable scope, Object[] args) {
    String text = Context.toString(args.length > 0 ? args[0] : "");
    String encoding = encoding(args.length > 1 ? args[1] : "utf8");
    byte[] bytes =
        switch (encoding) {
          case "utf8" -> text.getBytes(StandardCharsets.UTF_8);
          case "ascii", "latin1" -> latin1(text);
          case "ucs2" -> text.getBytes(StandardCharsets.UTF_16LE);
          case "hex" -> hex(text);
          case "base64", "base64url" -> base64(text);
          default -> throw unknown(encoding);
        };
    return uint8Array(cx, scope, bytes);
  }

  private static Object decode(Object[] args) {
    byte[] all = bytes(args[0]);
    String encoding = encoding(args.length > 1 ? args[1] : "utf8");
    int start = (int) Math.max(0, Math.min(all.length, ScriptRuntime.toNumber(args[2])));
    int end = (int) Math.max(start, Math.min(all.length, ScriptRuntime.toNumber(args[3])));
    return switch (encoding) {
      case "utf8" -> new String(all, start, end - start, StandardCharsets.UTF_8);
      case "ascii" -> ascii(all, start, end);
      case "latin1" -> new String(all, start, end - start, StandardCharsets.ISO_8859_1);
      case "ucs2" -> new String(all, start, (end - start) & ~1, StandardCharsets.UTF_16LE);
      case "hex" -> HexFormat.of().formatHex(all, start, end);
      case "base64" ->
          Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(all, start, end));
      case "base64url" ->
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(java.util.Arrays.copyOfRange(all, start, end));
      default -> throw unknown(encoding);
    };
  }

  /** An encoding's canonical name; unknown ones are refused as Node.js does. */
  private static String encoding(Object raw) {
    String name = raw == null || raw == Undefined.instance ? "utf8" : Context.toString(raw);
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "utf8", "utf-8" -> "utf8";
      case "ascii" -> "ascii";
      case "latin1", "binary" -> "latin1";
      case "ucs2", "ucs-2", "utf16le", "utf-16le" -> "ucs2";
      case "hex" -> "hex";
      case "base64" -> "base64";
      case "base64url" -> "base64url";
      default -> throw unknown(name);
    };
  }

  private static RuntimeException unknown(String encoding) {
    return ScriptRuntime.typeError("Unknown encoding: " + encoding);
  }

  private static byte[] latin1(String text) {
    byte[] bytes = new byte[text.length()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) text.charAt(i);
    }
    return bytes;
  }

  private static String ascii(byte[] bytes, int start, int end) {
    char[] chars = new char[end - start];
    for (int i = start; i < end; i++) {
      chars[i - start] = (char) (bytes[i] & 0x7F);
    }
    return new String(chars);
  }

  /** Node.js reads hex up to the first pair that is not hex. */
  private static byte[] hex(String text) {
    int n = 0;
    while (n + 1 < text.length()
        && Character.digit(text.charAt(n), 16) >= 0
        && Character.digit(text.charAt(n + 1), 16) >= 0) {
      n += 2;
    }
    return HexFormat.of().parseHex(text, 0, n);
  }

  /** Node.js reads standard and URL-safe base64, with or without padding, skipping blanks. */
  private static byte[] base64(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '-') {
        clean.append('+');
      } else if (c == '_') {
        clean.append('/');
      } else if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '+'
          || c == '/') {
        clean.append(c);
      } else if (c == '=') {
        break;
      }
    }
    while (clean.length() % 4 != 0) {
      if (clean.length() % 4 == 1) {
        clean.setLength(clean.length() - 1);
      } else {
        clean.append('=');
      }
    }
    try {
      return Base64.getDecoder().decode(clean.toString());
    } catch (IllegalArgumentException malformed) {
      return new byte[0];
    }
  }
}
