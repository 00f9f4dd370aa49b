package dev.z8run.testkit.ai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model server on the loopback interface that answers as OpenAI, Anthropic, Ollama and Stability
 * AI do, byte for byte in their formats: every answer is one of the recorded example bodies under
 * {@code providers/} (see its README) with only the parts a test asks for changed (the text, a tool
 * call, the vectors). Streams are server-sent events (OpenAI, Anthropic) or NDJSON (Ollama) built
 * from the recorded streams. Tests script the next answers per provider ({@link #enqueue}); with
 * nothing scripted a chat answers {@code echo: <the last user message>}.
 *
 * <pre>
 *   base URLs   openai     http://127.0.0.1:PORT/openai/v1     (chat/completions, embeddings,
 *                                                                 images/generations)
 *               anthropic  http://127.0.0.1:PORT/anthropic/v1  (messages)
 *               ollama     http://127.0.0.1:PORT/ollama        (api/chat, api/embed)
 *               stability  http://127.0.0.1:PORT/stability/v1  (generation/{model}/text-to-image)
 * </pre>
 *
 * It records every request, counts requests in flight (and the most at once), and can answer after
 * a delay ({@link #delayMs}) to play a slow provider. Requests run on virtual threads. Thread-safe.
 */
public final class FakeProviders implements AutoCloseable {
  /** Which provider a request was for. */
  public enum Kind {
    OPENAI,
    ANTHROPIC,
    OLLAMA,
    STABILITY
  }

  /** A request as received: headers with lower-case names, the JSON body parsed (null if none). */
  public record Request(Kind kind, String path, Map<String, String> headers, Object json) {
    /** A top-level field of the JSON body. */
    public Object field(String name) {
      return json instanceof Map<?, ?> map ? map.get(name) : null;
    }
  }

  /** A scripted answer. */
  public sealed interface Reply {
    /** A completion whose text is {@code text}. */
    record Text(String text) implements Reply {}

    /** A completion that calls tools; arguments as JSON text. */
    record ToolCalls(List<String[]> calls) implements Reply {}

    /** An error answer: a status, a recorded (or literal JSON) body and headers. */
    record Error(int status, String body, Map<String, String> headers) implements Reply {}

    /** An answer that never comes: the connection is held until the server closes. */
    record Hang() implements Reply {}
  }

  /** The 1x1 PNG the image endpoints answer. */
  public static final byte[] PNG =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

  private final HttpServer server;
  private final Map<Kind, Queue<Reply>> scripts = new ConcurrentHashMap<>();
  private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile long delayMs;
  private volatile boolean imageAsUrl;

  private FakeProviders(HttpServer server) {
    this.server = server;
    for (Kind kind : Kind.values()) {
      scripts.put(kind, new ConcurrentLinkedQueue<>());
    }
  }

  /** Starts the server on 127.0.0.1 and an ephemeral port. */
  public static FakeProviders start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
      FakeProviders fake = new FakeProviders(server);
      server.createContext("/", fake::handle);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL a node's {@code baseUrl} takes for {@code kind}. */
  public String baseUrl(Kind kind) {
    String root = "http://127.0.0.1:" + server.getAddress().getPort();
    return switch (kind) {
      case OPENAI -> root + "/openai/v1";
      case ANTHROPIC -> root + "/anthropic/v1";
      case OLLAMA -> root + "/ollama";
      case STABILITY -> root + "/stability/v1";
    };
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Scripts the next answer of {@code kind}'s chat endpoint (or the next error of any). */
  public FakeProviders enqueue(Kind kind, Reply reply) {
    scripts.get(kind).add(reply);
    return this;
  }

  public static Reply text(String text) {
    return new Reply.Text(text);
  }

  /** A tool call: name, arguments as JSON text; pairs {@code name, args, name, args ...}. */
  public static Reply toolCalls(String... nameArgs) {
    List<String[]> calls = new ArrayList<>();
    for (int i = 0; i + 1 < nameArgs.length; i += 2) {
      calls.add(new String[] {nameArgs[i], nameArgs[i + 1]});
    }
    return new Reply.ToolCalls(calls);
  }

  /** An error with the recorded body {@code file} (or literal JSON) and headers. */
  public static Reply error(int status, String fileOrJson, Map<String, String> headers) {
    String body = fileOrJson.startsWith("{") ? fileOrJson : recorded(fileOrJson);
    return new Reply.Error(status, body, headers);
  }

  public static Reply hang() {
    return new Reply.Hang();
  }

  /** Every answer waits this long first (a slow provider). */
  public void delayMs(long delayMs) {
    this.delayMs = delayMs;
  }

  /** OpenAI images answer a {@code url} to this server (DALL-E 3) instead of {@code b64_json}. */
  public void imageAsUrl(boolean url) {
    this.imageAsUrl = url;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(Kind kind) {
    return requests.stream().filter(r -> r.kind() == kind).toList();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** The most requests that were in flight at once. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** A recorded body, as text. */
  public static String recorded(String file) {
    try (InputStream in = FakeProviders.class.getResourceAsStream("/providers/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no recorded body providers/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> headers = new LinkedHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) ->
                  headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
      byte[] body = exchange.getRequestBody().readAllBytes();
      Object json = body.length == 0 ? null : JsonCodec.parse(body);
      Kind kind = kind(path);
      if (path.equals("/files/otter.png")) {
        send(exchange, 200, "image/png", PNG, Map.of());
        return;
      }
      if (kind == null) {
        send(exchange, 404, "application/json", "{\"error\":\"no such endpoint\"}", Map.of());
        return;
      }
      Request request = new Request(kind, path, headers, json);
      requests.add(request);
      if (delayMs > 0) {
        Thread.sleep(delayMs);
      }
      Reply reply = scripts.get(kind).poll();
      if (reply instanceof Reply.Hang) {
        Thread.sleep(Long.MAX_VALUE);
      }
      if (reply instanceof Reply.Error error) {
        send(exchange, error.status(), "application/json", error.body(), error.headers());
        return;
      }
      answer(exchange, request, reply);
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private static Kind kind(String path) {
    for (Kind kind : Kind.values()) {
      if (path.startsWith("/" + kind.name().toLowerCase(Locale.ROOT) + "/")) {
        return kind;
      }
    }
    return null;
  }

  private void answer(HttpExchange exchange, Request request, Reply reply) throws IOException {
    String path = request.path();
    boolean stream = Boolean.TRUE.equals(request.field("stream"));
    switch (request.kind()) {
      case OPENAI -> {
        if (path.endsWith("/chat/completions")) {
          Reply r = reply(reply, request);
          ok(exchange, stream, stream ? OpenAiFormat.stream(r) : OpenAiFormat.completion(r));
        } else if (path.endsWith("/embeddings")) {
          ok(exchange, false, OpenAiFormat.embeddings(inputs(request)));
        } else if (path.endsWith("/images/generations")) {
          ok(
              exchange,
              false,
              OpenAiFormat.image(
                  imageAsUrl ? "http://127.0.0.1:" + port() + "/files/otter.png" : null));
        } else {
          send(exchange, 404, "application/json", recorded("openai-error-401.json"), Map.of());
        }
      }
      case ANTHROPIC -> {
        Reply r = reply(reply, request);
        ok(exchange, stream, stream ? AnthropicFormat.stream(r) : AnthropicFormat.message(r));
      }
      case OLLAMA -> {
        if (path.endsWith("/api/embed")) {
          ok(exchange, false, OllamaFormat.embed(inputs(request)));
        } else if (stream) {
          send(
              exchange,
              200,
              "application/x-ndjson",
              OllamaFormat.stream(reply(reply, request)),
              Map.of());
        } else {
          ok(exchange, false, OllamaFormat.chat(reply(reply, request)));
        }
      }
      case STABILITY -> {
        Map<String, Object> answer = object(recorded("stability-text-to-image.json"));
        Map<String, Object> artifact = object(((List<?>) answer.get("artifacts")).get(0));
        artifact.put("base64", Base64.getEncoder().encodeToString(PNG));
        answer.put("artifacts", List.of(artifact));
        send(exchange, 200, "application/json", JsonCodec.writeString(answer), Map.of());
      }
    }
  }

  /** Answers 200 with a JSON body, or with an event stream when {@code stream}. */
  private static void ok(HttpExchange exchange, boolean stream, String body) throws IOException {
    send(exchange, 200, stream ? "text/event-stream" : "application/json", body, Map.of());
  }

  /** The scripted reply, or an echo of the last user message. */
  private static Reply reply(Reply scripted, Request request) {
    if (scripted != null) {
      return scripted;
    }
    String last = "";
    if (request.field("messages") instanceof List<?> messages) {
      for (Object message : messages) {
        if (message instanceof Map<?, ?> m && "user".equals(m.get("role"))) {
          Object content = m.get("content");
          last = content instanceof String s ? s : JsonCodec.writeString(content);
        }
      }
    }
    return new Reply.Text("echo: " + last);
  }

  private static List<String> inputs(Request request) {
    Object input = request.field("input");
    List<String> texts = new ArrayList<>();
    if (input instanceof List<?> list) {
      list.forEach(item -> texts.add(String.valueOf(item)));
    } else {
      texts.add(String.valueOf(input));
    }
    return texts;
  }

  /**
   * A deterministic vector for a text (8 dimensions, from its words), so that texts sharing words
   * are near each other.
   */
  public static List<Object> vector(String text) {
    double[] v = new double[8];
    for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
      if (!word.isEmpty()) {
        v[Math.floorMod(word.hashCode(), 8)] += 1;
      }
    }
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    List<Object> list = new ArrayList<>();
    for (double x : v) {
      list.add(norm == 0 ? 0.0 : x / Math.sqrt(norm));
    }
    return list;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object json) {
    Object value = json instanceof String text ? JsonCodec.parse(text) : json;
    return new LinkedHashMap<>((Map<String, Object>) value);
  }

  private static void send(
      HttpExchange exchange, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private static void send(
      HttpExchange exchange, int status, String type, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
