package dev.z8run.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  @Test
  void shouldNameStreamsBucketAndSubjectsAfterThePrefix() {
    ClusterConfig config = ClusterConfig.of("nats://127.0.0.1:4222", "m1").withPrefix("blue");

    assertEquals("blue_STATE", config.stateStream());
    assertEquals("blue.state.>", config.stateSubjects());
    assertEquals("blue_WORK", config.workStream());
    assertEquals("blue.work.jobs", config.workSubject("jobs"));
    assertEquals("blue_LEASES", config.leaseBucket());
  }

  @Test
  void shouldRefuseAPrefixThatIsNotAName() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterConfig.of("nats://x", "m1").withPrefix("a.b"));
    assertTrue(refused.getMessage().contains("'a.b'"), refused.getMessage());
  }

  @Test
  void shouldRefuseLeasesAndAckWaitsTooShortToRenew() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterConfig.of("nats://x", "m").withTimes(299, 30_000));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterConfig.of("nats://x", "m").withTimes(3_000, 999));
  }

  @Test
  void shouldRefuseQueueNamesThatAreNotNames() {
    assertEquals("jobs-1", WorkQueues.checkQueue("jobs-1"));
    assertThrows(IllegalArgumentException.class, () -> WorkQueues.checkQueue("jobs.>"));
    assertThrows(IllegalArgumentException.class, () -> WorkQueues.checkQueue(null));
  }
}
