package dev.z8run.store.vault;

/**
 * The vault's key cannot be had or is not the one the vault was created with: a wrong {@code
 * Z8_VAULT_SECRET}, a missing, damaged or over-permissive key file. Thrown when the store opens, so
 * the server refuses to start instead of failing on the first secret it needs.
 */
public final class VaultKeyException extends VaultException {
  private static final long serialVersionUID = 1L;

  public VaultKeyException(String message) {
    super(message);
  }

  public VaultKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
