package dev.z8run.nodes.ai.provider;

/**
 * A provider call that failed for good: refused by the outbound policy, timed out, or answered with
 * an error after the retries. The message says what happened in words a flow author can act on and
 * never holds the API key.
 */
public final class ProviderException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The HTTP status of the last answer, or 0 when there was none. */
  private final int status;

  public ProviderException(String message, int status) {
    super(message);
    this.status = status;
  }

  public ProviderException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status of the provider's last answer, 0 when it never answered. */
  public int status() {
    return status;
  }
}
