package dev.z8run.api.ws;

/**
 * Limits and pacing of the editor socket (see docs/protocol.md, "Event stream").
 *
 * @param debugPerSecond debug samples a client receives per second over all its flows; the rest are
 *     counted and reported as DEBUG_SKIPPED ({@code Z8_WS_DEBUG_RATE})
 * @param previewBytes the longest debug preview sent ({@code Z8_WS_PREVIEW_BYTES}); longer ones are
 *     cut and flagged {@code truncated}
 * @param batchIntervalMs how often a client's pending events go out as one WebSocket message
 * @param authTimeoutMs how long a connection may stay unauthenticated
 * @param slowConsumerMs how long one send to a client may block before the client is dropped
 * @param idleTimeoutMs how long a client may stay silent (no frame, not even PING)
 * @param requestsPerSecond requests a connection may make per second; more answer ERROR 429
 * @param maxRequestBytes the largest JSON payload of a request (flow documents included)
 * @param maxEventsPerBatch execution events queued for one client per batch; more are dropped
 */
public record SocketSettings(
    int debugPerSecond,
    int previewBytes,
    long batchIntervalMs,
    long authTimeoutMs,
    long slowConsumerMs,
    long idleTimeoutMs,
    int requestsPerSecond,
    int maxRequestBytes,
    int maxEventsPerBatch) {

  public static final int DEFAULT_DEBUG_PER_SECOND = 200;
  public static final int DEFAULT_PREVIEW_BYTES = 1024;

  public SocketSettings {
    if (debugPerSecond < 1) {
      throw new IllegalArgumentException("debugPerSecond=" + debugPerSecond + " must be >= 1");
    }
    if (previewBytes < 16 || previewBytes > 4096) {
      throw new IllegalArgumentException("previewBytes=" + previewBytes + " must be 16..4096");
    }
    if (batchIntervalMs < 1) {
      throw new IllegalArgumentException("batchIntervalMs=" + batchIntervalMs + " must be >= 1");
    }
  }

  /** The documented defaults, with {@code maxRequestBytes} from the HTTP API's body limit. */
  public static SocketSettings defaults(int maxRequestBytes) {
    return new SocketSettings(
        DEFAULT_DEBUG_PER_SECOND,
        DEFAULT_PREVIEW_BYTES,
        50,
        10_000,
        10_000,
        60_000,
        100,
        maxRequestBytes,
        4096);
  }

  public SocketSettings withDebugPerSecond(int value) {
    return new SocketSettings(
        value,
        previewBytes,
        batchIntervalMs,
        authTimeoutMs,
        slowConsumerMs,
        idleTimeoutMs,
        requestsPerSecond,
        maxRequestBytes,
        maxEventsPerBatch);
  }

  public SocketSettings withPreviewBytes(int value) {
    return new SocketSettings(
        debugPerSecond,
        value,
        batchIntervalMs,
        authTimeoutMs,
        slowConsumerMs,
        idleTimeoutMs,
        requestsPerSecond,
        maxRequestBytes,
        maxEventsPerBatch);
  }

  public SocketSettings withBatchIntervalMs(long value) {
    return new SocketSettings(
        debugPerSecond,
        previewBytes,
        value,
        authTimeoutMs,
        slowConsumerMs,
        idleTimeoutMs,
        requestsPerSecond,
        maxRequestBytes,
        maxEventsPerBatch);
  }

  /** Shorter timeouts, for tests of the timeouts themselves. */
  public SocketSettings withTimeouts(long authMs, long slowConsumerMs, long idleMs) {
    return new SocketSettings(
        debugPerSecond,
        previewBytes,
        batchIntervalMs,
        authMs,
        slowConsumerMs,
        idleMs,
        requestsPerSecond,
        maxRequestBytes,
        maxEventsPerBatch);
  }
}
