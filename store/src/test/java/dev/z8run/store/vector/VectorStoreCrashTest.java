package dev.z8run.store.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process stores and searches vectors and is killed with SIGKILL; every acknowledged entry
 * is then found by a search, although the index's last commit is older than the kill.
 */
class VectorStoreCrashTest {
  private static final int ACKS_BEFORE_KILL = 300;

  @TempDir Path tempDir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldFindEveryAcknowledgedEntryAfterAKill() throws Exception {
    Path dataDir = tempDir.resolve("data");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(VectorCrashWriter.class.getName());
    command.add(dataDir.toString());
    Process child =
        new ProcessBuilder(command).redirectError(tempDir.resolve("writer.err").toFile()).start();
    int acked = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked + 1 < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acked = Integer.parseInt(line.substring(4));
        }
      }
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "writer did not die");
    }
    assertEquals(
        ACKS_BEFORE_KILL - 1,
        acked,
        "writer ended early: " + Files.readString(tempDir.resolve("writer.err")));

    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      assertTrue(store.vectors().count("owner", "crash") >= ACKS_BEFORE_KILL);
      for (int i = 0; i <= acked; i += 7) {
        List<VectorHit> hits =
            store.vectors().search("owner", "crash", VectorCrashWriter.vector(i), 1, -1, Map.of());
        assertEquals("e" + i, hits.get(0).id(), "entry " + i + " after the kill");
      }
    }
  }
}
