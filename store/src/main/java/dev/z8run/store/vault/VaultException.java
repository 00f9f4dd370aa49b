package dev.z8run.store.vault;

import dev.z8run.store.lmdb.StorageException;

/** The vault cannot be opened or an entry cannot be trusted. Messages never contain secrets. */
public class VaultException extends StorageException {
  private static final long serialVersionUID = 1L;

  public VaultException(String message) {
    super(message);
  }

  public VaultException(String message, Throwable cause) {
    super(message, cause);
  }
}
