package dev.z8run.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.Poll;
import dev.z8run.testkit.TestServices;
import dev.z8run.testkit.TestServices.Service;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state log and the source leases against the local NATS JetStream, two members in this JVM
 * under a prefix of the test's own (deleted afterwards).
 */
class ClusterStateIT {
  private static final long LEASE_MS = 1_000;

  private final String prefix =
      "cs" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24, 1 << 28));
  private final List<Cluster> clusters = new ArrayList<>();
  private String url;

  @BeforeEach
  void requireNats() {
    url = TestServices.require(Service.NATS);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try (Cluster cleaner = member("cleaner")) {
      cleaner.deleteResources();
    }
    for (Cluster cluster : clusters) {
      cluster.close();
    }
  }

  private Cluster member(String name) throws Exception {
    return member(name, LEASE_MS);
  }

  private Cluster member(String name, long leaseMs) throws Exception {
    Cluster cluster =
        Cluster.connect(ClusterConfig.of(url, name).withPrefix(prefix).withTimes(leaseMs, 30_000));
    clusters.add(cluster);
    return cluster;
  }

  private record Applied(String kind, String key, String content, String member) {}

  @Test
  void shouldReplayTheLogInOrderToAMemberThatJoinsLater() throws Exception {
    Cluster a = member("a");
    StateLog writer = a.stateLog();
    writer.publish("flow", "f.1", bytes("one"));
    writer.publish("flow", "f.1", bytes("two"));
    writer.publish("flow", "g", bytes("three"));
    writer.delete("flow", "g");

    List<Applied> applied = new CopyOnWriteArrayList<>();
    StateLog reader = member("b").stateLog();
    reader.start(
        (kind, key, content, by) ->
            applied.add(
                new Applied(
                    kind,
                    key,
                    content == null ? null : new String(content, StandardCharsets.UTF_8),
                    by)),
        Duration.ofSeconds(10));

    assertEquals(
        List.of(
            new Applied("flow", "f.1", "one", "a"),
            new Applied("flow", "f.1", "two", "a"),
            new Applied("flow", "g", "three", "a"),
            new Applied("flow", "g", null, "a")),
        applied);
    long next = writer.publish("user", "u", bytes("four"));
    reader.awaitApplied(next, Duration.ofSeconds(5));
    assertEquals("four", applied.get(4).content());
    reader.close();
  }

  @Test
  void shouldGiveALeaseToOneMemberAndHandItOverWhenItsHolderDies() throws Exception {
    List<String> changes = new CopyOnWriteArrayList<>();
    Cluster a = member("a");
    Cluster b = member("b");
    SourceLeases leasesA = a.sourceLeases((name, held) -> changes.add("a:" + name + ":" + held));
    SourceLeases leasesB = b.sourceLeases((name, held) -> changes.add("b:" + name + ":" + held));
    leasesA.want("flow-1");
    leasesB.want("flow-1");
    Poll.eventually("one holder", Duration.ofSeconds(5))
        .until(() -> leasesA.holds("flow-1") || leasesB.holds("flow-1"));
    Thread.sleep(2 * LEASE_MS); // renewals happen in time; nothing to await but the time passing
    assertTrue(leasesA.holds("flow-1") ^ leasesB.holds("flow-1"), changes::toString);

    Cluster holder = leasesA.holds("flow-1") ? a : b;
    SourceLeases other = holder == a ? leasesB : leasesA;
    SourceLeases dying = holder == a ? leasesA : leasesB;
    holder.close(); // its connection is gone: no renewal, no release
    long diedNs = System.nanoTime();
    Poll.eventually("the other member takes over", Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> other.holds("flow-1"));
    long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - diedNs);
    assertTrue(takeoverMs <= LEASE_MS + LEASE_MS / 3 + 500, "took over after " + takeoverMs);
    Poll.eventually("the dead member gives up by itself", Duration.ofSeconds(5))
        .until(() -> !dying.holds("flow-1"));
    other.close();
    dying.close();
  }

  @Test
  void shouldHandALeaseOverAtOnceWhenItsHolderReleasesIt() throws Exception {
    // a long lease: b taking over well before it could expire shows the release handed it over
    long leaseMs = 30_000; // tries every 10 s; the entry would expire on its own after 30 s
    SourceLeases leasesA = member("a", leaseMs).sourceLeases((name, held) -> {});
    leasesA.want("flow-2");
    Poll.eventually("a holds", Duration.ofSeconds(5)).until(() -> leasesA.holds("flow-2"));
    SourceLeases leasesB = member("b", leaseMs).sourceLeases((name, held) -> {});
    leasesB.want("flow-2");
    leasesA.release("flow-2");
    Poll.eventually("b holds", Duration.ofMillis(leaseMs - 5_000))
        .until(() -> leasesB.holds("flow-2"));
    assertFalse(leasesA.holds("flow-2"));
    leasesA.close();
    leasesB.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
