package dev.z8run.api.hook;

/**
 * Limits of the {@code /hook} routes.
 *
 * @param maxBodyBytes largest request body accepted (413 beyond)
 * @param timeoutMs how long a request waits for an {@code http-out} node (504 beyond)
 * @param maxInFlightPerFlow requests one flow may hold open at once (503 + Retry-After beyond)
 * @param bodyTimeoutMs how long a request's body may take to arrive (408 beyond); it is read before
 *     the request takes one of its flow's slots
 * @param maxPerClient requests one client address (an IPv6 /64) may have open on all hooks at once,
 *     reading its body included (429 beyond)
 * @param sandbox whether every answer is sandboxed ({@link HookSandbox}): off only on a server
 *     whose one user is trusted with the editor's origin
 */
public record HookSettings(
    int maxBodyBytes,
    long timeoutMs,
    int maxInFlightPerFlow,
    long bodyTimeoutMs,
    int maxPerClient,
    boolean sandbox) {
  public static final long DEFAULT_BODY_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_MAX_PER_CLIENT = 256;

  /** Sandboxed. */
  public HookSettings(
      int maxBodyBytes,
      long timeoutMs,
      int maxInFlightPerFlow,
      long bodyTimeoutMs,
      int maxPerClient) {
    this(maxBodyBytes, timeoutMs, maxInFlightPerFlow, bodyTimeoutMs, maxPerClient, true);
  }

  /** With the default body deadline and per-client limit, sandboxed. */
  public HookSettings(int maxBodyBytes, long timeoutMs, int maxInFlightPerFlow) {
    this(
        maxBodyBytes,
        timeoutMs,
        maxInFlightPerFlow,
        DEFAULT_BODY_TIMEOUT_MS,
        DEFAULT_MAX_PER_CLIENT);
  }

  public HookSettings {
    if (maxBodyBytes < 0
        || timeoutMs <= 0
        || maxInFlightPerFlow <= 0
        || bodyTimeoutMs <= 0
        || maxPerClient <= 0) {
      throw new IllegalArgumentException(
          "hook limits must be positive: maxBodyBytes="
              + maxBodyBytes
              + " timeoutMs="
              + timeoutMs
              + " maxInFlightPerFlow="
              + maxInFlightPerFlow
              + " bodyTimeoutMs="
              + bodyTimeoutMs
              + " maxPerClient="
              + maxPerClient);
    }
  }

  /**
   * A body of up to 5 MiB, as Node-RED's http in takes by default ({@code apiMaxLength}: a flow
   * that takes file uploads there takes them here; 1 MiB before); the bodies of all requests
   * together are bounded by the server's body budget ({@code Z8_BODY_BUDGET_MB}).
   */
  public static HookSettings defaults() {
    return new HookSettings(5 << 20, 30_000, 1_024);
  }
}
