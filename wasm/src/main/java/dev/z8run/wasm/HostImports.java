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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
          // HTTP/1.1: no "Upgrade: h2c" offered to a plain-HTTP server that may refuse it
          .version(HttpClient.Version.HTTP_1_1)
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

  /**
   * The functions the manifest asks for, bound to {@code host}. Each acts within what the plugin
   * was {@link PluginModule#granted() granted}: a function asked for but not granted is linked (so
   * the module loads) and refuses every call, saying the operator's ceiling does not grant it.
   */
  static List<ImportFunction> functions(PluginModule module, PluginHost host) {
    PluginManifest manifest = module.manifest();
    PluginManifest.Capabilities asked = manifest.capabilities();
    PluginManifest.Capabilities grants = module.granted();
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
    if (asked.grants("http")) {
      Http http =
          new Http(grants.httpHosts(), module.httpGate(), manifest.limits().timeoutMs(), maxBytes);
      functions.add(answering("http_request", I32X2, (i, a) -> http.send(bytes(i, a[0], a[1]))));
    }
    if (asked.fileRoot() != null) {
      Files2 files =
          new Files2(
              grants.fileRoot() == null ? null : Path.of(grants.fileRoot()),
              asked.fileRoot(),
              maxBytes);
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
    if (asked.grants("env")) {
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
          "z8.env_get('"
              + name
              + "') refused: the plugin is granted only "
              + allowed
              + " (what its manifest asks, within the operator's ceiling; never a Z8_ name)");
    }
    String value = getenv.apply(name);
    return JsonCodec.write(value);
  }

  /**
   * {@code z8.http_request}: one request to a host the manifest names, when the server's outbound
   * policy allows the addresses it resolves to (every IPv4-embedding IPv6 form included). The
   * answer is read up to {@code maxBytes}: a declared longer length is refused before reading, and
   * reading stops one byte past the limit.
   */
  private record Http(
      List<String> hosts, PluginCeiling.HostGate gate, long timeoutMs, int maxBytes) {
    byte[] send(byte[] requestJson) {
      if (!(JsonCodec.parse(requestJson) instanceof Map<?, ?> request)
          || !(request.get("url") instanceof String url)) {
        throw new HostCallException("z8.http_request needs a JSON object with a \"url\"");
      }
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException bad) {
        throw new HostCallException("z8.http_request: '" + url + "' is not a URL");
      }
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || !allowed(host)) {
        throw new HostCallException(
            "z8.http_request to '" + url + "' refused: the manifest grants only " + hosts);
      }
      PluginCeiling.Admission admitted;
      try {
        admitted = gate.admit(host);
      } catch (UnknownHostException unknown) {
        throw new HostCallException(
            "z8.http_request to '" + url + "' refused: host '" + host + "' does not resolve");
      }
      try (admitted) {
        if (admitted.refusal() != null) {
          throw new HostCallException(
              "z8.http_request to '" + url + "' refused: " + admitted.refusal());
        }
        return call(request, uri);
      }
    }

    /** Sends the request inside the admission: the connection goes to a checked address. */
    private byte[] call(Map<?, ?> request, URI uri) {
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
        HttpResponse<InputStream> response =
            HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
          long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
          byte[] bytes = declared > maxBytes ? null : in.readNBytes(maxBytes + 1);
          if (bytes == null || bytes.length > maxBytes) {
            answer.put(
                "error",
                "response of "
                    + (bytes == null ? declared + " bytes" : "more than " + maxBytes + " bytes")
                    + " exceeds "
                    + maxBytes);
          } else {
            Map<String, Object> headers = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
            answer.put("status", (long) response.statusCode());
            answer.put("headers", headers);
            answer.put("body", new String(bytes, StandardCharsets.UTF_8));
          }
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

  /**
   * {@code z8.file_read/file_write}: regular files under the granted root. Every existing part of a
   * path is resolved (symbolic links followed) and must stay inside the root before anything is
   * created; the file itself is opened without following a link, so a dangling link inside the root
   * cannot lead a write outside it; reads stop one byte past the limit whatever the file claims its
   * size is ({@code /dev/zero} says 0).
   *
   * @param root the granted root, or null when the ceiling grants none of what was asked
   */
  private record Files2(Path root, String asked, int maxBytes) {
    Files2 {
      root = root == null ? null : root.toAbsolutePath().normalize();
    }

    byte[] read(String name) {
      Path path = inside(name, "file_read");
      try {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
            && !Files.isRegularFile(path.toRealPath())) {
          throw new HostCallException("z8.file_read('" + name + "'): not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path.toRealPath())) {
          bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) {
          throw new HostCallException(
              "z8.file_read('" + name + "'): more than " + maxBytes + " bytes");
        }
        return JsonCodec.write(new String(bytes, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new HostCallException("z8.file_read('" + name + "') failed: " + e);
      }
    }

    void write(String name, byte[] data) {
      Path path = inside(name, "file_write");
      try {
        Files.createDirectories(path.getParent());
        if (!path.getParent().toRealPath().startsWith(realRoot())) {
          throw refused(name, "file_write");
        }
        try (OutputStream out =
            Files.newOutputStream(
                path,
                LinkOption.NOFOLLOW_LINKS,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
          out.write(data);
        }
      } catch (IOException e) {
        throw new HostCallException("z8.file_write('" + name + "') failed: " + e);
      }
    }

    private Path realRoot() throws IOException {
      return Files.exists(root) ? root.toRealPath() : root;
    }

    /** The path, after checking that it and its nearest existing ancestor stay in the root. */
    private Path inside(String name, String function) {
      if (root == null) {
        throw new HostCallException(
            "z8."
                + function
                + "('"
                + name
                + "') refused: files under '"
                + asked
                + "' are not granted by the operator's ceiling (Z8_PLUGIN_FILES_ROOT)");
      }
      Path path = root.resolve(name).normalize();
      boolean ok = path.startsWith(root) && !path.equals(root);
      try {
        Path realRoot = realRoot();
        Path existing = path;
        while (ok && existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
          existing = existing.getParent();
        }
        if (ok && existing != null) {
          if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
            ok = false; // dangling: where it leads is not known yet
          } else if (root.startsWith(existing) && !existing.equals(root)) {
            ok = true; // the root itself is yet to be made: only plain directories below
          } else {
            ok = existing.toRealPath().startsWith(realRoot);
          }
        }
      } catch (IOException e) {
        ok = false;
      }
      if (!ok) {
        throw refused(name, function);
      }
      return path;
    }

    private HostCallException refused(String name, String function) {
      return new HostCallException(
          "z8." + function + "('" + name + "') refused: outside the file root " + root);
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
