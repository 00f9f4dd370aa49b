package dev.z8run.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code z8} host module: the functions a plugin may import, each linked only when the manifest
 * grants its capability.
 *
 * <pre>
 *   function                                   capability  returns
 *   log(ptr, len)                              log         nothing
 *   http_request(reqPtr, reqLen) -> i32        http        JSON {"status","headers","body"} | {"error"}
 *   file_read(pathPtr, pathLen) -> i32         files       JSON string: the file's UTF-8 text
 *   file_write(pathPtr, pathLen, ptr, len) -> i32  files   0
 *   env_get(namePtr, nameLen) -> i32           env         JSON string, or null when unset
 *   context_get(keyPtr, keyLen) -> i32         context     the stored JSON value, or null
 *   context_set(keyPtr, keyLen, ptr, len) -> i32  context  0
 * </pre>
 *
 * A function returning i32 answers with a pointer to {@code u32 LE length + bytes} that it
 * allocated with the plugin's own {@code z8_alloc}. A call the grant does not cover (a host, a path
 * outside the root, a variable not listed) throws, which fails the plugin call with that reason.
 */
final class HostImports {
  static final String MODULE = "z8";

  private static final List<ValType> I32 = List.of(ValType.I32);
  private static final List<ValType> I32X2 = List.of(ValType.I32, ValType.I32);
  private static final List<ValType> I32X4 =
      List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32);
  private static final long[] ZERO = {0};
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** Host function name to the capability that links it. */
  static final Map<String, String> CAPABILITY =
      Map.of(
          "log", "log",
          "http_request", "http",
          "file_read", "files",
          "file_write", "files",
          "env_get", "env",
          "context_get", "context",
          "context_set", "context");

  private HostImports() {}

  /**
   * Checks every import of {@code module} against the grants.
   *
   * @throws PluginException naming the first import that is not a granted {@code z8} function
   */
  static void check(String plugin, WasmModule module, PluginManifest.Capabilities grants)
      throws PluginException {
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      String what = "plugin '" + plugin + "' imports " + imp.module() + "." + imp.name();
      if (!MODULE.equals(imp.module()) || imp.importType() != ExternalType.FUNCTION) {
        throw new PluginException(
            what + ", which z8run does not provide (only functions of module 'z8')");
      }
      String capability = CAPABILITY.get(imp.name());
      if (capability == null) {
        throw new PluginException(
            what + ", which is not a z8 host function; known: " + CAPABILITY.keySet());
      }
      if (!grants.grants(capability)) {
        throw new PluginException(
            what
                + ", which needs capability '"
                + capability
                + "' that its manifest does not grant");
      }
    }
  }

  /** The granted functions, bound to {@code host}. */
  static List<ImportFunction> functions(PluginManifest manifest, PluginHost host) {
    PluginManifest.Capabilities grants = manifest.capabilities();
    int maxBytes = manifest.limits().maxResultBytes();
    List<ImportFunction> functions = new ArrayList<>();
    if (grants.log()) {
      functions.add(
          new HostFunction(
              MODULE,
              "log",
              FunctionType.of(I32X2, List.of()),
              (instance, args) -> {
                host.log(string(instance, args[0], args[1]));
                return null;
              }));
    }
    if (grants.grants("http")) {
      Http http = new Http(grants.httpHosts(), manifest.limits().timeoutMs(), maxBytes);
      functions.add(answering("http_request", I32X2, (i, a) -> http.send(bytes(i, a[0], a[1]))));
    }
    if (grants.fileRoot() != null) {
      Files2 files = new Files2(Path.of(grants.fileRoot()), maxBytes);
      functions.add(answering("file_read", I32X2, (i, a) -> files.read(string(i, a[0], a[1]))));
      functions.add(
          new HostFunction(
              MODULE,
              "file_write",
              FunctionType.of(I32X4, I32),
              (i, a) -> {
                files.write(string(i, a[0], a[1]), bytes(i, a[2], a[3]));
                return ZERO;
              }));
    }
    if (grants.grants("env")) {
      functions.add(
          answering(
              "env_get", I32X2, (i, a) -> env(grants.env(), string(i, a[0], a[1]), host::env)));
    }
    if (grants.context()) {
      functions.add(
          answering(
              "context_get",
              I32X2,
              (i, a) -> {
                byte[] value = host.contextGet(string(i, a[0], a[1]));
                return value == null ? "null".getBytes(StandardCharsets.UTF_8) : value;
              }));
      functions.add(
          new HostFunction(
              MODULE,
              "context_set",
              FunctionType.of(I32X4, I32),
              (i, a) -> {
                byte[] json = bytes(i, a[2], a[3]);
                try {
                  JsonCodec.parse(json);
                } catch (JsonCodec.JsonException e) {
                  throw new HostCallException(
                      "z8.context_set value is not JSON: " + e.getMessage());
                }
                host.contextSet(string(i, a[0], a[1]), json);
                return ZERO;
              }));
    }
    return functions;
  }

  /** A function answering with a buffer it allocates in the plugin's memory. */
  private static HostFunction answering(String name, List<ValType> params, Answer answer) {
    return new HostFunction(
        MODULE,
        name,
        FunctionType.of(params, I32),
        (instance, args) -> new long[] {give(instance, answer.apply(instance, args))});
  }

  @FunctionalInterface
  private interface Answer {
    byte[] apply(Instance instance, long[] args);
  }

  /** Copies {@code bytes} into the plugin as {@code u32 length + bytes}; returns the pointer. */
  private static int give(Instance instance, byte[] bytes) {
    int ptr = (int) instance.export("z8_alloc").apply(bytes.length + 4L)[0];
    Memory memory = instance.memory();
    long end = Integer.toUnsignedLong(ptr) + 4L + bytes.length;
    if (end > (long) memory.pages() * Memory.PAGE_SIZE) {
      throw new HostCallException(
          "z8_alloc("
              + (bytes.length + 4)
              + ") returned 0x"
              + Integer.toHexString(ptr)
              + ", outside its memory");
    }
    memory.writeI32(ptr, bytes.length);
    memory.write(ptr + 4, bytes);
    return ptr;
  }

  private static byte[] bytes(Instance instance, long ptr, long len) {
    Memory memory = instance.memory();
    long size = (long) memory.pages() * Memory.PAGE_SIZE;
    long p = ptr & 0xFFFF_FFFFL;
    long n = len & 0xFFFF_FFFFL;
    if (p + n > size) {
      throw new HostCallException(
          "host call given 0x"
              + Long.toHexString(p)
              + "+"
              + n
              + ", outside its memory of "
              + size
              + " bytes");
    }
    return memory.readBytes((int) p, (int) n);
  }

  private static String string(Instance instance, long ptr, long len) {
    return new String(bytes(instance, ptr, len), StandardCharsets.UTF_8);
  }

  static byte[] env(List<String> allowed, String name, UnaryOperator<String> getenv) {
    if (!allowed.contains(name)) {
      throw new HostCallException(
          "z8.env_get('" + name + "') refused: the manifest grants only " + allowed);
    }
    String value = getenv.apply(name);
    return JsonCodec.write(value);
  }

  /** {@code z8.http_request}: one request to a granted host. */
  private record Http(List<String> hosts, long timeoutMs, int maxBytes) {
    byte[] send(byte[] requestJson) {
      if (!(JsonCodec.parse(requestJson) instanceof Map<?, ?> request)
          || !(request.get("url") instanceof String url)) {
        throw new HostCallException("z8.http_request needs a JSON object with a \"url\"");
      }
      URI uri = URI.create(url);
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || !allowed(host)) {
        throw new HostCallException(
            "z8.http_request to '" + url + "' refused: the manifest grants only " + hosts);
      }
      String method =
          request.get("method") instanceof String m ? m.toUpperCase(Locale.ROOT) : "GET";
      String body = request.get("body") == null ? null : bodyText(request.get("body"));
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofMillis(timeoutMs))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (request.get("headers") instanceof Map<?, ?> headers) {
        headers.forEach((k, v) -> builder.header(k.toString(), String.valueOf(v)));
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      try {
        HttpResponse<byte[]> response =
            HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.body().length > maxBytes) {
          answer.put(
              "error", "response of " + response.body().length + " bytes exceeds " + maxBytes);
        } else {
          Map<String, Object> headers = new LinkedHashMap<>();
          response.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
          answer.put("status", (long) response.statusCode());
          answer.put("headers", headers);
          answer.put("body", new String(response.body(), StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        answer.put("error", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HostCallException("z8.http_request interrupted");
      }
      return JsonCodec.write(answer);
    }

    private static String bodyText(Object body) {
      return body instanceof String text ? text : JsonCodec.writeString(body);
    }

    private boolean allowed(String host) {
      for (String allowed : hosts) {
        String a = allowed.toLowerCase(Locale.ROOT);
        if (a.equals(host) || (a.startsWith("*.") && host.endsWith(a.substring(1)))) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code z8.file_read/file_write}: files under the granted root, symbolic links resolved. */
  private record Files2(Path root, int maxBytes) {
    Files2 {
      root = root.toAbsolutePath().normalize();
    }

    byte[] read(String name) {
      Path path = inside(name, "file_read");
      try {
        long size = Files.size(path);
        if (size > maxBytes) {
          throw new HostCallException(
              "z8.file_read('" + name + "'): " + size + " bytes exceeds " + maxBytes);
        }
        return JsonCodec.write(Files.readString(path, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new HostCallException("z8.file_read('" + name + "') failed: " + e);
      }
    }

    void write(String name, byte[] data) {
      Path path = inside(name, "file_write");
      try {
        Files.createDirectories(path.getParent());
        if (!path.getParent().toRealPath().startsWith(root.toRealPath())) {
          throw new HostCallException(
              "z8.file_write('" + name + "') refused: outside the file root " + root);
        }
        Files.write(path, data);
      } catch (IOException e) {
        throw new HostCallException("z8.file_write('" + name + "') failed: " + e);
      }
    }

    private Path inside(String name, String function) {
      Path path = root.resolve(name).normalize();
      boolean ok = path.startsWith(root);
      try {
        if (ok && Files.exists(path)) {
          Path realRoot = Files.exists(root) ? root.toRealPath() : root;
          ok = path.toRealPath().startsWith(realRoot);
        }
      } catch (IOException e) {
        ok = false;
      }
      if (!ok) {
        throw new HostCallException(
            "z8." + function + "('" + name + "') refused: outside the file root " + root);
      }
      return path;
    }
  }

  /** A host call refused or failed; the plugin call fails with this message. */
  static final class HostCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HostCallException(String message) {
      super(message);
    }
  }
}
