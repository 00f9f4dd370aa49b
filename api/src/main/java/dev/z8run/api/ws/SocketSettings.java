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
    return builder(maxRequestBytes).build();
  }

  /** A builder holding the defaults, with {@code maxRequestBytes}. */
  public static Builder builder(int maxRequestBytes) {
    Builder builder = new Builder();
    builder.maxRequestBytes = maxRequestBytes;
    return builder;
  }

  /** Builds {@link SocketSettings}; each setter is the record component of the same name. */
  public static final class Builder {
    private int debugPerSecond = DEFAULT_DEBUG_PER_SECOND;
    private int previewBytes = DEFAULT_PREVIEW_BYTES;
    private long batchIntervalMs = 50;
    private long authTimeoutMs = 10_000;
    private long slowConsumerMs = 10_000;
    private long idleTimeoutMs = 60_000;
    private int requestsPerSecond = 100;
    private int maxRequestBytes;
    private int maxEventsPerBatch = 4096;

    private Builder() {}

    public Builder debugPerSecond(int value) {
      debugPerSecond = value;
      return this;
    }

    public Builder previewBytes(int value) {
      previewBytes = value;
      return this;
    }

    public Builder batchIntervalMs(long value) {
      batchIntervalMs = value;
      return this;
    }

    public Builder authTimeoutMs(long value) {
      authTimeoutMs = value;
      return this;
    }

    public Builder slowConsumerMs(long value) {
      slowConsumerMs = value;
      return this;
    }

    public Builder idleTimeoutMs(long value) {
      idleTimeoutMs = value;
      return this;
    }

    public Builder requestsPerSecond(int value) {
      requestsPerSecond = value;
      return this;
    }

    public Builder maxEventsPerBatch(int value) {
      maxEventsPerBatch = value;
      return this;
    }

    public SocketSettings build() {
      return new SocketSettings(
          debugPerSecond,
          previewBytes,
          batchIntervalMs,
          authTimeoutMs,
          slowConsumerMs,
          idleTimeoutMs,
          requestsPerSecond,
          maxRequestBytes,
          maxEventsPerBatch);
    }
  }
}
