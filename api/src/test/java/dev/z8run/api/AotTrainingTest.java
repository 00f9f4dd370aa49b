package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AOT cache's training run: a whole start and its requests, and nothing left behind. */
class AotTrainingTest {
  @Test
  void shouldStartAnswerStopAndDeleteItsDataDirectory(@TempDir Path tempRoot) throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = AotTraining.run(new PrintStream(err, true, StandardCharsets.UTF_8), tempRoot);

    assertEquals(Main.EXIT_OK, exit, err.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    try (Stream<Path> left = Files.list(tempRoot)) {
      assertEquals(0, left.count(), "the training's data directory is deleted");
    }
  }
}
