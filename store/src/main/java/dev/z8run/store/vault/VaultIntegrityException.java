package dev.z8run.store.vault;

/**
 * A stored vault entry failed authentication: its bytes were changed after they were written, or
 * they were copied from another entry or owner. The entry's value is not returned.
 */
public final class VaultIntegrityException extends VaultException {
  private static final long serialVersionUID = 1L;

  public VaultIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
