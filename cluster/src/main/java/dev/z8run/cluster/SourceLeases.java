package dev.z8run.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which member runs each flow's sources, decided by leases in the key-value bucket {@code
 * <prefix>_LEASES}. A member that wants a lease creates its key (only one create wins while the key
 * lives) and renews it every third of {@link ClusterConfig#leaseMs()} by an update that names the
 * revision it last wrote, so a member that lost the key can never renew it. An entry not renewed
 * expires after {@code leaseMs} (the bucket's age limit) and the next member to try takes it: a
 * killed member's sources are silent for at most {@code leaseMs} plus one try interval.
 *
 * <p>A member that cannot reach NATS gives its leases up itself once {@code leaseMs} minus one try
 * interval passed since its last renewal, before another member can have taken them: a lease is
 * held by at most one member at any time, as far as the members' clocks run at the same rate.
 *
 * <p>Thread-safe. {@link Listener} calls come one at a time on a thread of their own.
 */
public final class SourceLeases implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SourceLeases.class.getName());
  private static final Base64.Encoder KEYS = Base64.getUrlEncoder().withoutPadding();

  /** Told when this member starts or stops holding a lease. */
  public interface Listener {
    void onLeaseChanged(String name, boolean held);
  }

  private record Held(long revision, long renewedNs) {}

  private final KeyValue bucket;
  private final byte[] member;
  private final long leaseNs;
  private final long tryMs;
  private final Listener listener;
  private final Set<String> wanted = ConcurrentHashMap.newKeySet();
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker;
  private final ExecutorService notifier;

  SourceLeases(Cluster cluster, Listener listener) {
    this.bucket = cluster.leaseBucket();
    this.member = cluster.memberId().getBytes(StandardCharsets.UTF_8);
    this.leaseNs = TimeUnit.MILLISECONDS.toNanos(cluster.config().leaseMs());
    this.tryMs = Math.max(100, cluster.config().leaseMs() / 3);
    this.listener = listener;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("z8-leases").factory());
    this.notifier =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("z8-lease-changes").factory());
    ticker.scheduleWithFixedDelay(this::tick, 0, tryMs, TimeUnit.MILLISECONDS);
  }

  /** Starts competing for the lease {@code name}. */
  public void want(String name) {
    if (wanted.add(name)) {
      ticker.execute(this::tick);
    }
  }

  /** Stops competing for {@code name} and gives it up when held. */
  public void release(String name) {
    wanted.remove(name);
    Held was = held.remove(name);
    if (was != null) {
      try {
        bucket.delete(key(name), was.revision());
      } catch (IOException | JetStreamApiException | RuntimeException lost) {
        LOG.log(Level.DEBUG, "lease '" + name + "' not released: " + lost);
      }
      notify(name, false);
    }
  }

  /** Whether this member holds {@code name} now. */
  public boolean holds(String name) {
    return held.containsKey(name);
  }

  private void tick() {
    for (String name : wanted) {
      try {
        renewOrTake(name);
      } catch (RuntimeException failed) {
        LOG.log(Level.WARNING, "lease '" + name + "': " + failed);
      }
    }
    long nowNs = System.nanoTime();
    long giveUpNs = leaseNs - TimeUnit.MILLISECONDS.toNanos(tryMs);
    for (Map.Entry<String, Held> entry : held.entrySet()) {
      if (nowNs - entry.getValue().renewedNs() > giveUpNs) {
        if (held.remove(entry.getKey(), entry.getValue())) {
          LOG.log(Level.WARNING, "lease '" + entry.getKey() + "' not renewed in time: given up");
          notify(entry.getKey(), false);
        }
      }
    }
  }

  private void renewOrTake(String name) {
    Held current = held.get(name);
    long nowNs = System.nanoTime();
    if (current != null) {
      try {
        long revision = bucket.update(key(name), member, current.revision());
        held.replace(name, current, new Held(revision, nowNs));
      } catch (JetStreamApiException taken) {
        if (held.remove(name, current)) {
          LOG.log(Level.WARNING, "lease '" + name + "' was taken by another member");
          notify(name, false);
        }
      } catch (IOException unreachable) {
        LOG.log(Level.DEBUG, "lease '" + name + "' not renewed: " + unreachable);
      }
      return;
    }
    try {
      long revision = bucket.create(key(name), member);
      held.put(name, new Held(revision, nowNs));
      notify(name, true);
    } catch (JetStreamApiException heldElsewhere) {
      logHolder(name);
    } catch (IOException unreachable) {
      LOG.log(Level.DEBUG, "lease '" + name + "' not taken: " + unreachable);
    }
  }

  private void logHolder(String name) {
    if (LOG.isLoggable(Level.TRACE)) {
      try {
        KeyValueEntry entry = bucket.get(key(name));
        LOG.log(Level.TRACE, "lease '" + name + "' held by " + (entry == null ? "?" : entry));
      } catch (IOException | JetStreamApiException ignored) {
        LOG.log(Level.TRACE, "lease '" + name + "' holder unknown");
      }
    }
  }

  private void notify(String name, boolean nowHeld) {
    LOG.log(Level.INFO, (nowHeld ? "took" : "gave up") + " lease '" + name + "'");
    notifier.execute(
        () -> {
          try {
            // the state now: a later notification may have overtaken this one
            listener.onLeaseChanged(name, holds(name));
          } catch (RuntimeException failed) {
            LOG.log(Level.WARNING, "lease listener failed for '" + name + "': " + failed);
          }
        });
  }

  private static String key(String name) {
    return KEYS.encodeToString(name.getBytes(StandardCharsets.UTF_8));
  }

  /** Gives every held lease up (another member takes them at its next try) and stops. */
  @Override
  public void close() {
    ticker.shutdownNow();
    for (String name : Set.copyOf(held.keySet())) {
      release(name);
    }
    notifier.shutdown();
    try {
      notifier.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
