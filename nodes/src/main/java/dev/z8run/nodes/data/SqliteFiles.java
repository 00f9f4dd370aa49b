package dev.z8run.nodes.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Where SQLite databases may live: relative paths are files under {@code root} (the server's data
 * directory), absolute ones must lie under {@code root} or one of {@code allowed} (roots the
 * operator named); {@code :memory:} is always allowed. The server installs it as a service; without
 * one, {@code ./data} is the root.
 */
public record SqliteFiles(Path root, List<Path> allowed) {
  public SqliteFiles {
    root = root.toAbsolutePath().normalize();
    allowed = allowed.stream().map(path -> path.toAbsolutePath().normalize()).toList();
  }

  /** The default: {@code ./data}, nothing else. */
  public static SqliteFiles defaults() {
    return new SqliteFiles(Path.of("data"), List.of());
  }

  /**
   * The file for {@code name}, or null for an in-memory database.
   *
   * @throws IllegalArgumentException when the path leaves the allowed roots
   */
  public Path resolve(String name) {
    if (name.isBlank() || name.equals(":memory:")) {
      return null;
    }
    Path path = root.resolve(name).toAbsolutePath().normalize();
    if (path.startsWith(root)) {
      return path;
    }
    for (Path other : allowed) {
      if (path.startsWith(other)) {
        return path;
      }
    }
    throw new IllegalArgumentException(
        "SQLite file '" + name + "' lies outside the data directory and the allowed paths");
  }
}
