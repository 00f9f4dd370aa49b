package dev.z8run.nodes.ai.provider;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.OutboundPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node's way to its provider: every call is checked against the server's {@link OutboundPolicy}
 * (on the addresses the host resolves to), waits for one of the node's {@code concurrency} permits,
 * is bounded by {@code timeout} from then on (connecting, retries, their pauses and reading the
 * body), and is retried on 408, 409, 429 and 5xx answers and failed connections, up to {@code
 * maxRetries} times, after the pause the provider asks for ({@code retry-after-ms}, {@code
 * Retry-After} in seconds or as a date) or else an exponential backoff with jitter (0.5 s, 1 s, 2 s
 * ... at most 30 s). A pause that would pass the timeout ends the call at once with the provider's
 * answer. Responses are read up to {@link #MAX_RESPONSE_BYTES}.
 *
 * <p>Blocking: called on virtual threads, never on an engine worker. Thread-safe.
 */
public final class ProviderClient {
  /** Largest response body read (an image in base64 fits). */
  public static final int MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

  /** Longest pause between two attempts when the provider does not say. */
  public static final long MAX_BACKOFF_MS = 30_000;

  private static final int MAX_ERROR_BYTES = 64 * 1024;

  /** Reads a successful response body. */
  @FunctionalInterface
  public interface BodyReader<T> {
    T read(InputStream body) throws IOException, ProviderException, InterruptedException;
  }

  /** Receives the lines of a streamed answer, in order, without their line ends. */
  @FunctionalInterface
  public interface LineHandler {
    void onLine(String line) throws ProviderException, InterruptedException;
  }

  private final ProviderSettings settings;
  private final OutboundPolicy policy;
  private final HttpClient http;
  private final AiUsage.Counters counters;
  private final Semaphore permits;

  public ProviderClient(
      ProviderSettings settings,
      OutboundPolicy policy,
      HttpClient http,
      AiUsage.Counters counters) {
    this.settings = settings;
    this.policy = policy;
    this.http = http;
    this.counters = counters;
    this.permits = new Semaphore(settings.concurrency(), true);
  }

  public ProviderSettings settings() {
    return settings;
  }

  /**
   * {@code Authorization: Bearer <key>} when the settings hold a key, no header otherwise (the
   * OpenAI-style and Ollama endpoints).
   */
  Map<String, String> bearerHeaders() {
    String key = settings.apiKey();
    return key.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + key);
  }

  /** The counters this client's calls are counted in (tokens are added by the caller). */
  public AiUsage.Counters counters() {
    return counters;
  }

  /**
   * POSTs {@code body} as JSON to {@code path} under the base URL and answers the parsed JSON of
   * the 2xx response.
   */
  public Object postJson(String path, Map<String, String> headers, Object body)
      throws ProviderException, InterruptedException {
    return exchange(
        settings.endpoint(path),
        headers,
        JsonCodec.write(body),
        in -> {
          byte[] bytes = readLimited(in, MAX_RESPONSE_BYTES);
          try {
            return JsonCodec.parse(bytes);
          } catch (JsonCodec.JsonException notJson) {
            throw new ProviderException(
                settings.provider().id()
                    + " answered with something that is not JSON: "
                    + snippet(bytes),
                200);
          }
        });
  }

  /**
   * POSTs {@code body} as JSON and hands each line of the 2xx response to {@code lines} as it
   * arrives (server-sent events, NDJSON). A stream is not retried once it has started.
   */
  public void postStream(String path, Map<String, String> headers, Object body, LineHandler lines)
      throws ProviderException, InterruptedException {
    exchange(
        settings.endpoint(path),
        headers,
        JsonCodec.write(body),
        in -> {
          BufferedReader reader =
              new BufferedReader(
                  new InputStreamReader(new LimitedStream(in), StandardCharsets.UTF_8));
          String line;
          while ((line = reader.readLine()) != null) {
            lines.onLine(line);
          }
          return null;
        });
  }

  /**
   * POSTs {@code body} (JSON) to any {@code uri} under the same policy, limits and retries, and
   * answers the 2xx body's first {@code maxBytes} bytes (more is an error): the agent's URL tools.
   */
  public byte[] post(URI uri, Map<String, String> headers, byte[] body, int maxBytes)
      throws ProviderException, InterruptedException {
    return exchange(uri, headers, body, in -> readLimited(in, maxBytes));
  }

  /**
   * GETs {@code uri} (an image a provider links to), under the same policy, and answers the bytes.
   */
  public byte[] download(URI uri) throws ProviderException, InterruptedException {
    return exchange(uri, Map.of(), null, in -> readLimited(in, MAX_RESPONSE_BYTES));
  }

  private <T> T exchange(URI uri, Map<String, String> headers, byte[] body, BodyReader<T> reader)
      throws ProviderException, InterruptedException {
    permits.acquire();
    counters.started();
    boolean failed = true;
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
      for (int attempt = 0; ; attempt++) {
        String problem;
        long pauseMs;
        try {
          HttpResponse<InputStream> response;
          OutboundPolicy.Admission admitted = admit(uri);
          try {
            response = send(uri, headers, body, deadline); // connects to a checked address
          } finally {
            admitted.close();
          }
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            T result = readUntil(response.body(), deadline, reader);
            failed = false;
            return result;
          }
          byte[] error =
              readUntil(response.body(), deadline, in -> readLimited(in, MAX_ERROR_BYTES));
          problem = settings.provider().id() + " answered HTTP " + status + ": " + errorText(error);
          if (!retryable(status) || attempt >= settings.maxRetries()) {
            throw new ProviderException(problem, status);
          }
          pauseMs = retryAfterMs(response.headers(), attempt);
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) - deadline > 0) {
            throw new ProviderException(
                problem
                    + " (asked to retry after "
                    + pauseMs
                    + " ms, past timeout="
                    + settings.timeoutMs()
                    + " ms)",
                status);
          }
        } catch (IOException failedConnection) {
          problem =
              "request to "
                  + uri.getScheme()
                  + "://"
                  + uri.getAuthority()
                  + " failed: "
                  + describe(failedConnection);
          if (attempt >= settings.maxRetries()) {
            throw new ProviderException(problem, 0, failedConnection);
          }
          pauseMs = backoffMs(attempt);
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) - deadline > 0) {
            throw new ProviderException(problem, 0, failedConnection);
          }
        }
        counters.retried();
        Thread.sleep(pauseMs);
      }
    } finally {
      counters.finished(failed);
      permits.release();
    }
  }

  private OutboundPolicy.Admission admit(URI uri) throws ProviderException {
    String host = uri.getHost();
    OutboundPolicy.Admission admitted;
    try {
      admitted = policy.admit(host);
    } catch (UnknownHostException unknown) {
      throw new ProviderException("unknown host '" + host + "'", 0);
    }
    if (admitted.refusal() != null) {
      admitted.close();
      throw new ProviderException(admitted.refusal(), 0);
    }
    return admitted;
  }

  private HttpResponse<InputStream> send(
      URI uri, Map<String, String> headers, byte[] body, long deadline)
      throws IOException, ProviderException, InterruptedException {
    long remainingNs = deadline - System.nanoTime();
    if (remainingNs <= 0) {
      throw timedOut(uri);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(remainingNs));
    if (body == null) {
      request.GET();
    } else {
      request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    CompletableFuture<HttpResponse<InputStream>> future =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try {
      return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException late) {
      future.cancel(true);
      throw timedOut(uri);
    } catch (InterruptedException interrupted) {
      future.cancel(true);
      throw interrupted;
    } catch (ExecutionException failed) {
      if (failed.getCause() instanceof java.net.http.HttpTimeoutException) {
        throw timedOut(uri);
      }
      if (failed.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(describe(failed.getCause()), failed.getCause());
    }
  }

  /** Reads the body on this thread; a watchdog closes the stream when the deadline passes. */
  private <T> T readUntil(InputStream body, long deadline, BodyReader<T> reader)
      throws IOException, ProviderException, InterruptedException {
    long remainingNs = deadline - System.nanoTime();
    AtomicBoolean expired = new AtomicBoolean();
    Thread watchdog =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, remainingNs));
                    expired.set(true);
                    body.close();
                  } catch (InterruptedException | IOException done) {
                    // the read finished first, or the stream is closed already
                  }
                });
    try (body) {
      return reader.read(body);
    } catch (IOException broken) {
      if (expired.get()) {
        throw new ProviderException(
            "timed out after timeout=" + settings.timeoutMs() + " ms reading the answer", 0);
      }
      throw broken;
    } finally {
      watchdog.interrupt();
    }
  }

  private ProviderException timedOut(URI uri) {
    return new ProviderException(
        "timed out after timeout="
            + settings.timeoutMs()
            + " ms calling "
            + uri.getScheme()
            + "://"
            + uri.getAuthority(),
        0);
  }

  static boolean retryable(int status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /** The pause the provider asks for, else the backoff for {@code attempt}. */
  static long retryAfterMs(HttpHeaders headers, int attempt) {
    String millis = headers.firstValue("retry-after-ms").orElse(null);
    if (millis != null) {
      try {
        return Math.max(0, Math.round(Double.parseDouble(millis.strip())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String after = headers.firstValue("retry-after").orElse(null);
    if (after != null) {
      String value = after.strip();
      try {
        return Math.max(0, Math.round(Double.parseDouble(value) * 1000));
      } catch (NumberFormatException notSeconds) {
        try {
          ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
          return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
        } catch (DateTimeParseException notDate) {
          // fall through to the backoff
        }
      }
    }
    return backoffMs(attempt);
  }

  static long backoffMs(int attempt) {
    long base = Math.min(MAX_BACKOFF_MS, 500L << Math.min(attempt, 16));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /** The error message in a provider's error body (each has its own shape), else its start. */
  static String errorText(byte[] body) {
    try {
      Object parsed = JsonCodec.parse(body);
      if (parsed instanceof Map<?, ?> map) {
        Object error = map.get("error");
        if (error instanceof Map<?, ?> details && details.get("message") instanceof String text) {
          return text; // OpenAI, Anthropic
        }
        if (error instanceof String text) {
          return text; // Ollama
        }
        if (map.get("message") instanceof String text) {
          return text; // Stability
        }
      }
    } catch (JsonCodec.JsonException notJson) {
      // shown as text below
    }
    return snippet(body);
  }

  private static String snippet(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  private static String describe(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }

  static byte[] readLimited(InputStream in, int limit) throws IOException, ProviderException {
    byte[] bytes = in.readNBytes(limit + 1);
    if (bytes.length > limit) {
      throw new ProviderException("the answer is larger than " + limit + " bytes", 200);
    }
    return bytes;
  }

  /** Fails a stream that goes on past {@link #MAX_RESPONSE_BYTES}. */
  private static final class LimitedStream extends java.io.FilterInputStream {
    private long read;

    LimitedStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws IOException {
      read += n;
      if (read > MAX_RESPONSE_BYTES) {
        throw new IOException(
            "the streamed answer is larger than " + MAX_RESPONSE_BYTES + " bytes");
      }
    }
  }
}
