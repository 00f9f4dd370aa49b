package dev.z8run.api.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.cluster.Members.Member;
import dev.z8run.testkit.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar without {@code Z8_CLUSTER_NATS} is a single process as before: it needs no NATS,
 * knows no cluster node types, runs its timers itself and keeps its flows across a restart.
 */
class SingleProcessIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldRunAsASingleProcessWithoutClusterNats() throws Exception {
    try (Members members = new Members(null, null, dir, Map.of())) {
      Member single = members.start("solo");
      String clusterFlow =
          """
          {"id":"w","nodes":[{"id":"o","type":"work-out","config":{"queue":"q"}}],"wires":[]}
          """;
      assertEquals(201, single.call("POST", "/api/v1/flows", clusterFlow).statusCode());
      assertEquals(422, single.call("POST", "/api/v1/flows/w/start", null).statusCode());

      String timerFlow =
          """
          {"id":"t","nodes":[
            {"id":"tick","type":"timer","config":{"interval":100,"unit":"ms"}},
            {"id":"n","type":"counter","config":{}}],
           "wires":[{"from":"tick","to":"n"}]}
          """;
      assertEquals(201, single.call("POST", "/api/v1/flows", timerFlow).statusCode());
      assertEquals(200, single.call("POST", "/api/v1/flows/t/start", null).statusCode());
      Poll.eventually("the timer ticks", Duration.ofSeconds(10))
          .until(() -> completed(single, "t") >= 3);
      assertFalse(single.log().contains("cluster"), single.log());
      assertTrue(single.process.isAlive());
    }
  }

  /** The flow's completed executions, from the Prometheus text of {@code /metrics}. */
  private static long completed(Member member, String flowId) throws Exception {
    String prefix = "z8_flow_executions_completed_total{flow=\"" + flowId + "\"} ";
    for (String line : member.call("GET", "/metrics", null).body().split("\n")) {
      if (line.startsWith(prefix)) {
        return (long) Double.parseDouble(line.substring(prefix.length()).trim());
      }
    }
    return 0;
  }
}
