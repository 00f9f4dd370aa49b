package dev.z8run.nodes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a SQLite database may live: under the data directory, or under a root the operator named.
 */
class SqliteFilesTest {
  @TempDir Path data;
  @TempDir Path allowed;

  @Test
  void shouldPutRelativeNamesUnderTheDataDirectory() {
    SqliteFiles files = new SqliteFiles(data, List.of());
    assertEquals(data.resolve("a/b.db").toAbsolutePath(), files.resolve("a/b.db"));
    assertEquals(data.resolve("c.db").toAbsolutePath(), files.resolve("x/../c.db"));
  }

  @Test
  void shouldTakeMemoryAndBlankAsAnInMemoryDatabase() {
    SqliteFiles files = new SqliteFiles(data, List.of());
    assertNull(files.resolve(":memory:"));
    assertNull(files.resolve(" "));
  }

  @Test
  void shouldAllowAbsolutePathsOnlyUnderTheDataDirectoryOrANamedRoot() {
    SqliteFiles files = new SqliteFiles(data, List.of(allowed));
    assertEquals(
        allowed.resolve("plant.db").toAbsolutePath(),
        files.resolve(allowed.resolve("plant.db").toString()));
    assertEquals(
        data.resolve("own.db").toAbsolutePath(), files.resolve(data.resolve("own.db").toString()));
    for (String outside :
        List.of("/etc/passwd", "../escape.db", allowed.resolve("../sibling.db").toString())) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> files.resolve(outside));
      assertTrue(refused.getMessage().contains("outside the data directory"), outside);
    }
  }

  @Test
  void shouldNotTakeAPrefixOfTheRootForTheRoot() {
    SqliteFiles files = new SqliteFiles(data, List.of());
    String sibling = data.toAbsolutePath() + "-other/x.db";
    assertThrows(IllegalArgumentException.class, () -> files.resolve(sibling));
  }
}
