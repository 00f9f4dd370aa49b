package dev.z8run.cluster;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a process joins a cluster.
 *
 * @param natsUrl the NATS servers, comma-separated ({@code nats://...}; {@code tls://...} for TLS
 *     with the JVM's trust store)
 * @param credentials a NATS credentials file (JWT + nkey), or null
 * @param prefix names this cluster's streams, bucket and subjects, so several clusters can share a
 *     NATS server: letters, digits, {@code _} and {@code -}
 * @param memberId this process's name in the cluster (leases and logs show it)
 * @param leaseMs how long a source lease lives without renewal: the longest a dead member's sources
 *     stay silent before another member takes them over
 * @param ackWaitMs how long a distributed message may stay unacknowledged before NATS redelivers it
 *     to another member: longer than the slowest execution it starts
 * @param stateHistory the revisions of each flow the state log keeps (a member that joins later
 *     gets these)
 */
public record ClusterConfig(
    String natsUrl,
    Path credentials,
    String prefix,
    String memberId,
    long leaseMs,
    long ackWaitMs,
    int stateHistory) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public ClusterConfig {
    Objects.requireNonNull(natsUrl, "natsUrl");
    Objects.requireNonNull(memberId, "memberId");
    if (!NAME.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "prefix '" + prefix + "' must be 1 to 32 letters, digits, '_' or '-'");
    }
    if (leaseMs < 300) {
      throw new IllegalArgumentException("leaseMs=" + leaseMs + " is below 300");
    }
    if (ackWaitMs < 1000) {
      throw new IllegalArgumentException("ackWaitMs=" + ackWaitMs + " is below 1000");
    }
    if (stateHistory < 1) {
      throw new IllegalArgumentException("stateHistory=" + stateHistory + " is below 1");
    }
  }

  /** A config with the defaults: prefix {@code z8}, 3 s leases, 30 s ack wait, 64 revisions. */
  public static ClusterConfig of(String natsUrl, String memberId) {
    return new ClusterConfig(natsUrl, null, "z8", memberId, 3_000, 30_000, 64);
  }

  public ClusterConfig withPrefix(String otherPrefix) {
    return new ClusterConfig(
        natsUrl, credentials, otherPrefix, memberId, leaseMs, ackWaitMs, stateHistory);
  }

  public ClusterConfig withTimes(long otherLeaseMs, long otherAckWaitMs) {
    return new ClusterConfig(
        natsUrl, credentials, prefix, memberId, otherLeaseMs, otherAckWaitMs, stateHistory);
  }

  String stateStream() {
    return prefix + "_STATE";
  }

  String stateSubjects() {
    return prefix + ".state.>";
  }

  String workStream() {
    return prefix + "_WORK";
  }

  String workSubject(String queue) {
    return prefix + ".work." + queue;
  }

  String leaseBucket() {
    return prefix + "_LEASES";
  }
}
