package dev.z8run.store;

import dev.z8run.store.lmdb.StorageException;
import java.nio.file.Path;

/** The data directory was written by a newer z8run whose layout this build does not know. */
public final class SchemaVersionException extends StorageException {
  private static final long serialVersionUID = 1L;

  public SchemaVersionException(Path dataDir, int found, int supported) {
    super(
        "the store in "
            + dataDir
            + " has schema version "
            + found
            + ", newer than this z8run understands ("
            + supported
            + "): run the z8run that wrote it, or a newer one");
  }
}
