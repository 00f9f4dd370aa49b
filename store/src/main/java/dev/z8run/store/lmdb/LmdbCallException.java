package dev.z8run.store.lmdb;

/**
 * An LMDB call returned an error code: the message names the call and gives LMDB's text and code.
 * {@link LmdbEnvironment} catches {@code MDB_MAP_FULL} to grow the map; every other code reaches
 * the caller as the store's own failure.
 */
final class LmdbCallException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final int code;

  LmdbCallException(int code, String call) {
    super("LMDB " + call + " failed: " + LmdbLibrary.strerror(code) + " (" + code + ")");
    this.code = code;
  }

  /** LMDB's code ({@code MDB_MAP_FULL} = -30792...) or an {@code errno}. */
  int code() {
    return code;
  }
}
