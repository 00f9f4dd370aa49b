package dev.z8run.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real process writes, is killed with SIGKILL mid-stream, and every acknowledged write stays. */
class StoreCrashTest {
  private static final int ACKS_BEFORE_KILL = 200;

  /** The second round starts from a store whose last writer was killed. */
  private static final int ROUNDS = 2;

  @TempDir Path tempDir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldKeepEveryAcknowledgedWriteWhenTheProcessIsKilled() throws Exception {
    Path dataDir = tempDir.resolve("data");
    for (int round = 0; round < ROUNDS; round++) {
      Map<String, Integer> acknowledged = runAndKill(dataDir, round);

      try (Store store = Store.open(StoreConfig.of(dataDir))) {
        for (Map.Entry<String, Integer> ack : acknowledged.entrySet()) {
          FlowRecord found = store.flows().get("owner", ack.getKey()).orElse(null);
          assertNotNull(found, "acknowledged flow " + ack.getKey() + " is missing");
          assertTrue(
              found.revision() >= ack.getValue(),
              ack.getKey() + " at revision " + found.revision() + ", acked " + ack.getValue());
          assertEquals(found.revision(), store.flows().revisions("owner", ack.getKey()).size());
        }
        assertTrue(store.flows().list("owner").size() >= acknowledged.size());
      }
    }
  }

  /** Starts the writer on {@code dataDir}, reads acks, kills it with SIGKILL, returns the acks. */
  private Map<String, Integer> runAndKill(Path dataDir, int round) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StoreCrashWriter.class.getName());
    command.add(dataDir.toString());
    command.add("r" + round + "-");
    Process child =
        new ProcessBuilder(command)
            .redirectError(tempDir.resolve("writer-" + round + ".err").toFile())
            .start();
    Map<String, Integer> acknowledged = new LinkedHashMap<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int acks = 0;
      String line;
      while (acks < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length == 3 && parts[0].equals("ack")) {
          acknowledged.merge(parts[1], Integer.parseInt(parts[2]), Math::max);
          acks++;
        }
      }
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "writer did not die");
      assertEquals(
          ACKS_BEFORE_KILL,
          acks,
          "writer ended early: " + Files.readString(tempDir.resolve("writer-" + round + ".err")));
    }
    return acknowledged;
  }
}
