package dev.z8run.store.lmdb;

/**
 * The store cannot do what was asked because of its own state, not because of the request: the
 * environment failed to open, the map reached its configured maximum, a stored record is damaged,
 * or the schema is newer than this build. The message names the directory, table or record.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
