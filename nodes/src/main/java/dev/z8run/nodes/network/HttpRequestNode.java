package dev.z8run.nodes.network;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import dev.z8run.nodes.support.OutboundPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code http-request}: calls an HTTP(S) URL for each message and sends the response on, with
 * {@code java.net.http.HttpClient}. A blocking node: the runtime runs it on virtual threads, up to
 * its per-node concurrency limit at once.
 *
 * <p>The URL may hold placeholders ({@link UrlTemplate}); the method is fixed or taken from {@code
 * msg.method}; headers are the configured ones, overridden by {@code msg.headers}; the body is the
 * binary payload, or {@code msg.payload} (a string as text, anything else as JSON); a GET has none
 * unless {@code payloadAsBody} (Node-RED's paytoqs {@code body}) is set. Redirects are followed by
 * the node itself, at most {@code maxRedirects}, each target checked against the server's {@link
 * OutboundPolicy} like the first. {@code timeoutMs} bounds the whole exchange, body included, and
 * {@code maxResponseBytes} the body.
 *
 * <p>The response message is the input with {@code payload} (text, parsed JSON, or the bytes as the
 * binary payload), {@code statusCode}, {@code headers} and {@code responseUrl}; every status is a
 * response (a 404 too). Failures (refused by the policy, unreachable, timed out, too large, too
 * many redirects, a JSON response that is not JSON) go to the {@code error} port with {@code
 * msg.error = {message, source}}; with nothing wired there, they are errors of the node.
 *
 * <p>z8run's fields are read as z8run reads them ({@code crates/z8run-core/src/nodes/
 * http_request.rs}): {@code {path}} placeholders in the URL insert values of {@code msg.payload} as
 * they are, {@code timeout} is the exchange's limit in milliseconds, and {@code bodyPath} names the
 * value of {@code msg.payload} sent as the JSON body. With {@code mode: "z8run"} (what a z8run
 * canvas gets) the node answers as z8run's: {@code bodyPath} defaults to {@code req.body}, and the
 * response's payload is {@code {status, headers, body, url}} (body parsed when it is JSON), a
 * failure's {@code {error, url, timeout}}.
 */
public final class HttpRequestNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("http-request")
          .category("network")
          .description("Calls an HTTP(S) URL for each message and sends the response on.")
          .outputs(PortSpec.any("response"), PortSpec.any("error"))
          .blocking(true)
          .field(
              ConfigField.choice(
                  "method",
                  "GET",
                  List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "use"),
                  "The HTTP method; use: take it from msg.method."))
          .field(
              ConfigField.optional(
                  "url",
                  FieldType.STRING,
                  "",
                  "The URL; {{path}} inserts a message value URL-encoded, {{{path}}} as it is,"
                      + " z8run's {path} a value of msg.payload as it is; empty: take msg.url."))
          .field(
              ConfigField.optional(
                  "headers",
                  FieldType.OBJECT,
                  Map.of(),
                  "Request headers (name -> value); msg.headers overrides them."))
          .field(
              ConfigField.optional(
                  "payloadToQuery",
                  FieldType.BOOLEAN,
                  false,
                  "Node-RED's paytoqs 'query': a GET appends the keys of an object msg.payload to"
                      + " the URL's query (key=value, URL-encoded; an array's items one each)."))
          .field(
              ConfigField.optional(
                  "payloadAsBody",
                  FieldType.BOOLEAN,
                  false,
                  "Node-RED's paytoqs 'body': a GET sends msg.payload as its body (an object as"
                      + " JSON, a number as text, a string or binary payload as it is)."))
          .field(
              ConfigField.choice(
                  "responseType",
                  "text",
                  List.of("text", "json", "binary"),
                  "text: payload is the body as a string; json: the parsed body; binary: the body"
                      + " as the binary payload."))
          .field(
              ConfigField.optional(
                      "timeoutMs",
                      FieldType.INTEGER,
                      30_000L,
                      "Longest the whole exchange may take, body included.")
                  .between(1, 600_000))
          .field(
              ConfigField.optional(
                      "maxRedirects",
                      FieldType.INTEGER,
                      5L,
                      "Redirects followed at most; 0 returns the redirect response.")
                  .between(0, 20))
          .field(
              ConfigField.optional(
                      "maxResponseBytes",
                      FieldType.INTEGER,
                      1_048_576L,
                      "Largest response body accepted; longer is an error.")
                  .between(1, 104_857_600))
          .field(
              ConfigField.choice(
                  "mode",
                  "node-red",
                  List.of("node-red", "z8run"),
                  "node-red: payload is the response body; z8run: payload is {status, headers,"
                      + " body, url} (a failure's {error, url, timeout})."))
          .field(
              ConfigField.optional(
                  "bodyPath",
                  FieldType.STRING,
                  null,
                  "z8run's body: the value of msg.payload at this path, sent as JSON (z8run mode:"
                      + " req.body when absent)."))
          .field(
              ConfigField.optional(
                      "timeout",
                      FieldType.INTEGER,
                      null,
                      "z8run's name for timeoutMs, in milliseconds; replaces it.")
                  .between(1, 600_000))
          .factory(HttpRequestNode::new)
          .build();

  private static final byte[][] PAYLOAD = {"payload".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] METHOD = {"method".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] URL = {"url".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] HEADERS = {"headers".getBytes(StandardCharsets.US_ASCII)};
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final NodeContext context;
  private final OutboundPolicy policy;
  private final String method;
  private final UrlTemplate url;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final String responseType;
  private final long timeoutMs;
  private final int maxRedirects;
  private final long maxResponseBytes;
  private final boolean z8run;
  private final boolean payloadToQuery;
  private final boolean payloadAsBody;
  private final MessagePath bodyPath;
  private final HttpClient client;

  private HttpRequestNode(NodeContext context) {
    this.context = context;
    OutboundPolicy installed = context.service(OutboundPolicy.class);
    policy = installed != null ? installed : OutboundPolicy.parse(OutboundPolicy.DEFAULT);
    method = context.configString("method", "GET");
    String template = context.configString("url", "").strip();
    try {
      url = template.isEmpty() ? null : new UrlTemplate(template);
      if (url != null && url.isConstant()) {
        uri(template);
      }
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("url: " + bad.getMessage());
    }
    if (context.config().get("headers") instanceof Map<?, ?> configured) {
      for (Map.Entry<?, ?> header : configured.entrySet()) {
        if (!(header.getValue() instanceof String value)) {
          throw new IllegalArgumentException(
              "headers."
                  + header.getKey()
                  + ": expected a string, got "
                  + JsonCodec.describe(header.getValue()));
        }
        headers.put(String.valueOf(header.getKey()), value);
      }
    }
    responseType = context.configString("responseType", "text");
    z8run = context.configString("mode", "node-red").equals("z8run");
    payloadToQuery = context.configBoolean("payloadToQuery", false);
    payloadAsBody = context.configBoolean("payloadAsBody", false);
    if (payloadToQuery && payloadAsBody) {
      throw new IllegalArgumentException(
          "payloadToQuery and payloadAsBody: a GET's payload goes to the query or the body, not"
              + " both");
    }
    String path = context.configString("bodyPath", z8run ? "req.body" : "");
    bodyPath = path.isBlank() ? null : MessagePath.inPayload(path, "bodyPath");
    timeoutMs =
        context.config().get("timeout") != null
            ? context.configLong("timeout", 5_000)
            : context.configLong("timeoutMs", 30_000);
    maxRedirects = (int) context.configLong("maxRedirects", 5);
    maxResponseBytes = context.configLong("maxResponseBytes", 1_048_576);
    client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofMillis(timeoutMs))
            .build();
  }

  private static URI uri(String text) {
    URI uri;
    try {
      uri = new URI(escapeIllegal(text));
    } catch (URISyntaxException bad) {
      throw new IllegalArgumentException("'" + text + "' is not a valid URL: " + bad.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("'" + text + "' is not an http or https URL");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("'" + text + "' has no host");
    }
    return uri;
  }

  /**
   * The URL with what no URL may hold as it is (spaces, control characters, non-ASCII, {@code
   * "<>\\^`{|}}) percent-encoded as UTF-8, as browsers and Node-RED's client do ({@code /a b} is
   * {@code /a%20b}); the rest, {@code %} escapes included, is kept.
   */
  static String escapeIllegal(String text) {
    int scheme = text.indexOf("://");
    int pathStart = scheme < 0 ? 0 : indexOfAny(text, "/?#", scheme + 3);
    StringBuilder escaped = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean legal =
          c > ' '
              && c < 0x7f
              && "\"<>\\^`{|}".indexOf(c) < 0
              && ((c != '[' && c != ']') || i < pathStart) // an IPv6 host's brackets stay
              && (c != '%' || (hex(text, i + 1) && hex(text, i + 2))); // a lone % is %25
      if (legal) {
        if (escaped != null) {
          escaped.append(c);
        }
        continue;
      }
      if (escaped == null) {
        escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
      for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
        ResponseCookies.percent(escaped, b);
      }
      i = end - 1;
    }
    return escaped == null ? text : escaped.toString();
  }

  private static int indexOfAny(String text, String chars, int from) {
    for (int i = from; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }

  private static boolean hex(String text, int at) {
    return at < text.length() && Character.digit(text.charAt(at), 16) >= 0;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Exchange exchange;
    String[] url = {""}; // the URL called, for z8run's failure payload
    try {
      exchange = call(msg, url);
    } catch (IllegalArgumentException | IllegalStateException failed) {
      fail(msg, out, failed.getMessage(), url[0]);
      return;
    }
    sendResponse(msg, out, exchange);
  }

  /** The final response, where it came from, and the Location of each redirect followed. */
  private record Exchange(HttpResponse<byte[]> response, URI uri, List<String> redirects) {}

  private Exchange call(MessageFlyweight msg, String[] called) throws InterruptedException {
    DirectBuffer buffer = msg.buffer();
    int offset = msg.jsonOffset();
    int length = msg.jsonLength();
    String verb = method;
    if (verb.equals("use")) {
      long span = FieldIndex.find(msg, METHOD);
      verb =
          span == JsonScanner.NOT_FOUND
              ? "GET"
              : JsonValues.text(buffer, span).toUpperCase(Locale.ROOT);
      if (!METHODS.contains(verb)) {
        throw new IllegalArgumentException("msg.method '" + verb + "' is not an HTTP method");
      }
    }
    String target;
    if (url != null) {
      target = url.fill(buffer, offset, length);
    } else {
      long span = FieldIndex.find(msg, URL);
      if (span == JsonScanner.NOT_FOUND) {
        throw new IllegalArgumentException("no url configured and msg.url is missing");
      }
      target = JsonValues.text(buffer, span);
    }
    if (payloadToQuery && verb.equals("GET")) {
      target = withPayloadQuery(msg, target);
    }
    called[0] = target;
    URI uri = uri(target);
    Map<String, String> requestHeaders = requestHeaders(msg);
    byte[] body =
        bodyPath != null
            ? z8runBody(msg, verb, requestHeaders)
            : payloadAsBody && verb.equals("GET") ? getBody(msg) : body(msg, verb, requestHeaders);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<String> followed = new ArrayList<>();
    for (int redirects = 0; ; redirects++) {
      HttpResponse<byte[]> response;
      OutboundPolicy.Admission admitted = admit(uri);
      try {
        // the client connects inside the admission: to an address the policy checked
        response = send(uri, verb, requestHeaders, body, deadline);
      } finally {
        admitted.close();
      }
      int status = response.statusCode();
      String location = response.headers().firstValue("location").orElse(null);
      if (location == null || !List.of(301, 302, 303, 307, 308).contains(status)) {
        return new Exchange(response, uri, followed);
      }
      if (redirects == maxRedirects) {
        if (maxRedirects == 0) {
          return new Exchange(response, uri, followed);
        }
        throw new IllegalStateException(
            "more than maxRedirects=" + maxRedirects + " redirects, the last to " + location);
      }
      followed.add(location);
      uri = uri(uri.resolve(escapeIllegal(location)).toString());
      if (status == 303 || ((status == 301 || status == 302) && !verb.equals("HEAD"))) {
        if (!verb.equals("GET") && !verb.equals("HEAD")) {
          verb = "GET";
          body = null;
          requestHeaders.keySet().removeIf(name -> name.equalsIgnoreCase("content-type"));
        }
      }
    }
  }

  private OutboundPolicy.Admission admit(URI uri) {
    String host = uri.getHost();
    OutboundPolicy.Admission admitted;
    try {
      admitted = policy.admit(host);
    } catch (UnknownHostException unknown) {
      throw new IllegalStateException("unknown host '" + host + "'");
    }
    if (admitted.refusal() != null) {
      admitted.close();
      throw new IllegalStateException(admitted.refusal());
    }
    return admitted;
  }

  private HttpResponse<byte[]> send(
      URI uri, String verb, Map<String, String> requestHeaders, byte[] body, long deadline)
      throws InterruptedException {
    long remainingNs = deadline - System.nanoTime();
    if (remainingNs <= 0) {
      throw new IllegalStateException("timed out after timeoutMs=" + timeoutMs);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            // plain HTTP/1.1 over http: (no "Upgrade: h2c" offer, which servers and proxies that
            // do not speak it may refuse); HTTP/2 over https when the server's ALPN offers it
            .version(
                uri.getScheme().equalsIgnoreCase("http")
                    ? HttpClient.Version.HTTP_1_1
                    : HttpClient.Version.HTTP_2)
            .timeout(Duration.ofNanos(remainingNs))
            .method(
                verb,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      requestHeaders.forEach(request::header);
    } catch (IllegalArgumentException restricted) {
      throw new IllegalArgumentException("header: " + restricted.getMessage());
    }
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request.build(), LimitedBody.handler(maxResponseBytes));
    try {
      return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException late) {
      future.cancel(true);
      throw new IllegalStateException("timed out after timeoutMs=" + timeoutMs + " calling " + uri);
    } catch (InterruptedException interrupted) {
      future.cancel(true);
      throw interrupted;
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof LimitedBody.TooLarge tooLarge) {
        throw new IllegalStateException(tooLarge.getMessage() + " (" + uri + ")");
      }
      if (cause instanceof java.net.http.HttpTimeoutException) {
        throw new IllegalStateException(
            "timed out after timeoutMs=" + timeoutMs + " calling " + uri);
      }
      String reason =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new IllegalStateException("request to " + uri + " failed: " + reason);
    }
  }

  /**
   * Node-RED's paytoqs {@code query}: the URL with the members of an object {@code msg.payload}
   * appended to its query as Node.js's {@code querystring.stringify} writes them (an array's items
   * one pair each; a nested object or null an empty value).
   */
  private static String withPayloadQuery(MessageFlyweight msg, String target) {
    long span = FieldIndex.find(msg, PAYLOAD);
    if (JsonValues.kind(msg.buffer(), span) != JsonValues.OBJECT) {
      return target;
    }
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - JsonScanner.spanStart(span)];
    msg.buffer().getBytes(JsonScanner.spanStart(span), bytes);
    StringBuilder query = new StringBuilder();
    for (Map.Entry<?, ?> member : ((Map<?, ?>) JsonCodec.parse(bytes)).entrySet()) {
      String key = ResponseCookies.encodeUriComponent(String.valueOf(member.getKey()));
      List<?> values =
          member.getValue() instanceof List<?> list
              ? list
              : Collections.singletonList(member.getValue());
      for (Object value : values) {
        query.append(query.isEmpty() ? "" : "&").append(key).append('=');
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
          query.append(
              ResponseCookies.encodeUriComponent(
                  value instanceof String text ? text : JsonCodec.writeString(value)));
        }
      }
    }
    if (query.isEmpty()) {
      return target;
    }
    int mark = target.indexOf('?');
    String joiner = mark < 0 ? "?" : target.endsWith("?") ? "" : "&";
    return target + joiner + query;
  }

  private Map<String, String> requestHeaders(MessageFlyweight msg) {
    Map<String, String> merged = new LinkedHashMap<>(headers);
    long span = FieldIndex.find(msg, HEADERS);
    if (JsonValues.kind(msg.buffer(), span) == JsonValues.OBJECT) {
      byte[] bytes = new byte[JsonScanner.spanEnd(span) - JsonScanner.spanStart(span)];
      msg.buffer().getBytes(JsonScanner.spanStart(span), bytes);
      for (Map.Entry<?, ?> header : ((Map<?, ?>) JsonCodec.parse(bytes)).entrySet()) {
        String name = String.valueOf(header.getKey());
        merged.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        Object value = header.getValue();
        merged.put(name, value instanceof String s ? s : JsonCodec.writeString(value));
      }
    }
    return merged;
  }

  /** z8run's body: the value at bodyPath as JSON, not for GET/HEAD, none when null/missing. */
  private byte[] z8runBody(MessageFlyweight msg, String verb, Map<String, String> headers) {
    if (verb.equals("GET") || verb.equals("HEAD")) {
      return null;
    }
    long span = bodyPath.find(msg);
    int kind = JsonValues.kind(msg.buffer(), span);
    if (kind == JsonValues.UNDEFINED || kind == JsonValues.NULL) {
      return null;
    }
    byte[] body = new byte[JsonScanner.spanEnd(span) - JsonScanner.spanStart(span)];
    msg.buffer().getBytes(JsonScanner.spanStart(span), body);
    headers.keySet().removeIf(name -> name.equalsIgnoreCase("content-type"));
    headers.put("Content-Type", "application/json");
    return body;
  }

  /**
   * Node-RED's paytoqs {@code body}: a GET's body is {@code msg.payload}, an object, array or null
   * as its JSON, a number as its text, a string or the binary payload as it is; none for a boolean
   * or no payload. As Node-RED, no content type is added: only configured or message headers.
   */
  private static byte[] getBody(MessageFlyweight msg) {
    if (msg.binaryLength() > 0) {
      return msg.binaryBytes();
    }
    long span = FieldIndex.find(msg, PAYLOAD);
    return switch (JsonValues.kind(msg.buffer(), span)) {
      case JsonValues.UNDEFINED, JsonValues.BOOLEAN -> null;
      case JsonValues.STRING ->
          JsonValues.text(msg.buffer(), span).getBytes(StandardCharsets.UTF_8);
      default -> {
        byte[] json = new byte[JsonScanner.spanEnd(span) - JsonScanner.spanStart(span)];
        msg.buffer().getBytes(JsonScanner.spanStart(span), json);
        yield json;
      }
    };
  }

  /** The request body, or null; sets a content type when none is given. */
  private static byte[] body(MessageFlyweight msg, String verb, Map<String, String> headers) {
    if (verb.equals("GET") || verb.equals("HEAD")) {
      return null; // an OPTIONS request carries the payload, as Node-RED sends it
    }
    String type = null;
    byte[] body;
    if (msg.binaryLength() > 0) {
      body = msg.binaryBytes();
      type = "application/octet-stream";
    } else {
      long span = FieldIndex.find(msg, PAYLOAD);
      int kind = JsonValues.kind(msg.buffer(), span);
      if (kind == JsonValues.UNDEFINED) {
        return null;
      }
      if (kind == JsonValues.STRING) {
        body = JsonValues.text(msg.buffer(), span).getBytes(StandardCharsets.UTF_8);
        type = "text/plain; charset=utf-8";
      } else {
        body = new byte[JsonScanner.spanEnd(span) - JsonScanner.spanStart(span)];
        msg.buffer().getBytes(JsonScanner.spanStart(span), body);
        type = "application/json";
      }
    }
    if (headers.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("content-type"))) {
      headers.put("Content-Type", type);
    }
    return body;
  }

  /** z8run's response payload: {@code {status, headers, body, url}}. */
  private void sendZ8runResponse(MessageFlyweight msg, Output out, Exchange exchange) {
    HttpResponse<byte[]> response = exchange.response();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    Map<String, Object> message = MessageBodies.parse(msg);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("status", (long) response.statusCode());
    payload.put("headers", responseHeaders(response));
    Object parsedBody;
    if (body.length == 0) {
      parsedBody = null;
    } else {
      String text = new String(body, StandardCharsets.UTF_8);
      try {
        parsedBody = JsonCodec.parse(text);
      } catch (RuntimeException notJson) {
        parsedBody = text;
      }
    }
    payload.put("body", parsedBody);
    payload.put("url", exchange.uri().toString());
    message.put("payload", payload);
    MessageBodies.send(out, 0, message, null);
  }

  private static Map<String, Object> responseHeaders(HttpResponse<byte[]> response) {
    Map<String, Object> responseHeaders = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!name.startsWith(":")) {
                responseHeaders.put(name.toLowerCase(Locale.ROOT), String.join(", ", values));
              }
            });
    return responseHeaders;
  }

  @SuppressWarnings("unchecked")
  private void sendResponse(MessageFlyweight msg, Output out, Exchange exchange) {
    if (z8run) {
      sendZ8runResponse(msg, out, exchange);
      return;
    }
    HttpResponse<byte[]> response = exchange.response();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    Map<String, Object> message = MessageBodies.parse(msg);
    byte[] binary = new byte[0];
    switch (responseType) {
      case "json" -> {
        if (response.statusCode() == 204 && body.length == 0) {
          message.put("payload", new LinkedHashMap<>()); // Node-RED parses "{}" for a 204
        } else {
          try {
            message.put("payload", JsonCodec.parse(body));
          } catch (JsonCodec.JsonException notJson) {
            // as Node-RED: the text goes on, with a warning
            message.put("payload", new String(body, StandardCharsets.UTF_8));
            context.warn(
                "the response from " + exchange.uri() + " is not JSON: " + notJson.getMessage());
          }
        }
      }
      case "binary" -> {
        message.put("payload", null);
        binary = body;
      }
      default -> message.put("payload", new String(body, StandardCharsets.UTF_8));
    }
    message.put("statusCode", (long) response.statusCode());
    message.put("headers", responseHeaders(response));
    message.put("responseUrl", exchange.uri().toString());
    List<Object> redirects = new ArrayList<>();
    for (String location : exchange.redirects()) {
      redirects.add(new LinkedHashMap<>(Map.of("location", location)));
    }
    message.put("redirectList", redirects);
    List<String> setCookies = response.headers().allValues("set-cookie");
    if (!setCookies.isEmpty()) {
      message.put("responseCookies", SetCookies.parse(setCookies));
    } else {
      message.remove("responseCookies");
    }
    MessageBodies.send(out, 0, message, new UnsafeBuffer(binary), 0, binary.length);
  }

  private void fail(MessageFlyweight msg, Output out, String reason, String url) {
    if (!out.isWired(1)) {
      throw new IllegalStateException(reason);
    }
    Map<String, Object> message = MessageBodies.parse(msg);
    if (z8run) {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("error", reason);
      payload.put("url", url);
      payload.put("timeout", reason.contains("timed out"));
      message.put("payload", payload);
      MessageBodies.send(out, 1, message, null);
      return;
    }
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", reason);
    error.put("source", Map.of("id", context.nodeId(), "type", "http-request"));
    message.put("error", error);
    MessageBodies.send(out, 1, message, msg);
  }

  @Override
  public void onStop() {
    client.close();
  }
}
