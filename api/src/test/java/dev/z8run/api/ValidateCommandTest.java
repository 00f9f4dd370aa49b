package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(String json) throws Exception {
    Path file = dir.resolve("flow.json");
    Files.writeString(file, json);
    return Main.run(
        new String[] {"validate", file.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String text(ByteArrayOutputStream stream) {
    return stream.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldAcceptValidFlow() throws Exception {
    int code =
        validate(
            """
            {"id":"f1","name":"ok","nodes":[
              {"id":"a","type":"inject","config":{"payload":1}},
              {"id":"b","type":"counter"}],
             "wires":[{"from":"a","fromPort":0,"to":"b","toPort":0}]}
            """);
    assertEquals(0, code, text(err));
    assertTrue(text(out).contains("valid (2 nodes, 1 wires)"), text(out));
  }

  @Test
  void shouldListEveryProblemAndExitOne() throws Exception {
    int code =
        validate(
            """
            {"id":"f1","nodes":[
              {"id":"a","type":"junction"},
              {"id":"b","type":"junction"},
              {"id":"c","type":"no-such-type"},
              {"id":"d","type":"change","config":{}}],
             "wires":[{"from":"a","to":"b"},{"from":"b","to":"a"},{"from":"a","to":"zz"}]}
            """);
    assertEquals(1, code);
    String report = text(out);
    assertTrue(report.contains("UNKNOWN_NODE_TYPE"), report);
    assertTrue(report.contains("'no-such-type'"), report);
    assertFalse(report.contains("CYCLE"), report);
    assertTrue(report.contains("CONFIG_MISSING"), report);
    assertTrue(report.contains("'zz'"), report);
  }

  @Test
  void shouldRefuseMalformedJsonWithItsPosition() throws Exception {
    int code = validate("{\"id\":\"f1\",\"nodes\":[}");
    assertEquals(2, code);
    assertTrue(text(err).contains("line 1"), text(err));
  }

  @Test
  void shouldSayWhenFileIsMissing() {
    int code =
        Main.run(
            new String[] {"validate", dir.resolve("absent.json").toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(text(err).contains("no such file"), text(err));
  }

  @Test
  void shouldRequireTheFileArgument() {
    int code =
        Main.run(
            new String[] {"validate"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(text(err).contains("takes one argument"), text(err));
  }
}
