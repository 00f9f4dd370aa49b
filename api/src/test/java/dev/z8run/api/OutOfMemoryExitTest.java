package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A thread that dies of OutOfMemoryError ends the process (so that a supervisor restarts it)
 * instead of leaving one that lives on without its listener: a child JVM with {@link
 * Main#onUncaught} installed, as {@code Main.main} installs it, fills its small heap on a thread
 * that does not catch the error.
 */
class OutOfMemoryExitTest {
  /** The child: installs the handler, exhausts the heap on a thread, then would idle forever. */
  public static void main(String[] args) throws Exception {
    Thread.setDefaultUncaughtExceptionHandler(Main::onUncaught);
    Thread.ofPlatform()
        .name("z8-listener-stand-in")
        .start(
            () -> {
              List<long[]> hoard = new ArrayList<>();
              while (true) {
                hoard.add(new long[1 << 16]);
              }
            });
    Thread.sleep(60_000); // a zombie would still be here
  }

  @Test
  void shouldExitWithCode3WhenAThreadDiesOfOutOfMemory() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx32m",
                "-cp",
                System.getProperty("java.class.path"),
                OutOfMemoryExitTest.class.getName())
            .redirectErrorStream(true)
            .start();
    boolean exited = child.waitFor(45, TimeUnit.SECONDS);
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      child.destroyForcibly();
    }
    assertTrue(exited, "the process lived on: " + output);
    assertEquals(Main.EXIT_OUT_OF_MEMORY, child.exitValue(), output);
    assertTrue(output.contains("OutOfMemoryError"), output);
    assertTrue(output.contains("in thread z8-listener-stand-in; exiting"), output);
  }
}
