package dev.z8run.api.hook;

/**
 * Limits of the {@code /hook} routes.
 *
 * @param maxBodyBytes largest request body accepted (413 beyond)
 * @param timeoutMs how long a request waits for an {@code http-out} node (504 beyond)
 * @param maxInFlightPerFlow requests one flow may hold open at once (503 + Retry-After beyond)
 */
public record HookSettings(int maxBodyBytes, long timeoutMs, int maxInFlightPerFlow) {
  public HookSettings {
    if (maxBodyBytes < 0 || timeoutMs <= 0 || maxInFlightPerFlow <= 0) {
      throw new IllegalArgumentException(
          "hook limits must be positive: maxBodyBytes="
              + maxBodyBytes
              + " timeoutMs="
              + timeoutMs
              + " maxInFlightPerFlow="
              + maxInFlightPerFlow);
    }
  }

  public static HookSettings defaults() {
    return new HookSettings(1 << 20, 30_000, 1_024);
  }
}
