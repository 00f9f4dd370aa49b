package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line, without {@code serve} (which {@code RunnableJarIT} runs in a real process). */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void shouldPrintTheProjectVersion() {
    assertEquals(0, run("version"));
    assertEquals("z8run " + System.getProperty("z8.expected.version"), text(out).strip());
    assertEquals("", text(err));
  }

  @Test
  void shouldPrintUsageOnHelp() {
    assertEquals(0, run("help"));
    assertTrue(text(out).startsWith("usage: z8run"), text(out));
  }

  @Test
  void shouldRejectUnknownCommandWithUsageOnStderrAndExitCode2() {
    assertEquals(2, run("frobnicate"));
    assertTrue(text(err).startsWith("z8run: unknown command 'frobnicate'"), text(err));
    assertTrue(text(err).contains("usage: z8run"), text(err));
    assertEquals("", text(out));
  }

  @Test
  void shouldRejectExtraArgumentsWithExitCode2() {
    assertEquals(2, run("version", "now"));
    assertTrue(text(err).startsWith("z8run: 'version' takes no arguments"), text(err));
  }

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
