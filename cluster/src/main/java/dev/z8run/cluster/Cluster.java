package dev.z8run.cluster;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * One process's membership of a cluster: the NATS connection (reconnecting forever) and the
 * JetStream resources the members share, created when missing: the state stream ({@code
 * <prefix>_STATE}, the last {@link ClusterConfig#stateHistory()} records of each key), the work
 * stream ({@code <prefix>_WORK}, work-queue retention, a two-minute de-duplication window on {@code
 * Nats-Msg-Id}) and the lease bucket ({@code <prefix>_LEASES}, entries live {@link
 * ClusterConfig#leaseMs()}). All are file-backed: a NATS restart loses nothing acknowledged.
 *
 * <p>Thread-safe. Closing closes the connection; the shared resources stay.
 */
public final class Cluster implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Cluster.class.getName());

  private final ClusterConfig config;
  private final Connection connection;
  private final JetStream jetStream;
  private final KeyValue leases;

  private Cluster(ClusterConfig config, Connection connection) throws IOException {
    this.config = config;
    this.connection = connection;
    this.jetStream = connection.jetStream();
    try {
      ensureResources();
    } catch (JetStreamApiException refused) {
      throw new IOException("JetStream refused the cluster's streams: " + refused, refused);
    }
    this.leases = connection.keyValue(config.leaseBucket());
  }

  /**
   * Connects and makes sure the shared streams and bucket exist.
   *
   * @throws IOException when NATS cannot be reached or JetStream is not enabled there
   */
  public static Cluster connect(ClusterConfig config) throws IOException {
    Options.Builder options =
        new Options.Builder()
            .server(config.natsUrl())
            .connectionName("z8run-" + config.memberId())
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(250))
            .connectionTimeout(Duration.ofSeconds(5))
            .connectionListener(Cluster::onConnectionEvent);
    if (config.credentials() != null) {
      options.authHandler(Nats.credentials(config.credentials().toString()));
    }
    try {
      return new Cluster(config, Nats.connect(options.build()));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to " + config.natsUrl(), interrupted);
    }
  }

  private static void onConnectionEvent(Connection connection, ConnectionListener.Events event) {
    LOG.log(Level.INFO, "cluster connection: " + event.getEvent());
  }

  private void ensureResources() throws IOException, JetStreamApiException {
    JetStreamManagement management = connection.jetStreamManagement();
    createOrUpdate(
        management,
        StreamConfiguration.builder()
            .name(config.stateStream())
            .subjects(config.stateSubjects())
            .storageType(StorageType.File)
            .maxMessagesPerSubject(config.stateHistory())
            .build());
    createOrUpdate(
        management,
        StreamConfiguration.builder()
            .name(config.workStream())
            .subjects(config.prefix() + ".work.>")
            .retentionPolicy(RetentionPolicy.WorkQueue)
            .storageType(StorageType.File)
            .duplicateWindow(Duration.ofMinutes(2))
            .build());
    KeyValueManagement buckets = connection.keyValueManagement();
    if (!buckets.getBucketNames().contains(config.leaseBucket())) {
      try {
        buckets.create(
            KeyValueConfiguration.builder()
                .name(config.leaseBucket())
                .maxHistoryPerKey(1)
                .ttl(Duration.ofMillis(config.leaseMs()))
                .storageType(StorageType.File)
                .build());
      } catch (JetStreamApiException raced) {
        if (!buckets.getBucketNames().contains(config.leaseBucket())) {
          throw raced;
        }
      }
    }
  }

  private static void createOrUpdate(JetStreamManagement management, StreamConfiguration stream)
      throws IOException, JetStreamApiException {
    try {
      management.getStreamInfo(stream.getName());
    } catch (JetStreamApiException missing) {
      try {
        management.addStream(stream);
      } catch (JetStreamApiException raced) {
        management.getStreamInfo(stream.getName()); // another member created it first
      }
    }
  }

  public ClusterConfig config() {
    return config;
  }

  public String memberId() {
    return config.memberId();
  }

  public Connection connection() {
    return connection;
  }

  JetStream jetStream() {
    return jetStream;
  }

  KeyValue leaseBucket() {
    return leases;
  }

  /** The state log; {@link StateLog#start} begins applying it. */
  public StateLog stateLog() {
    return new StateLog(this);
  }

  /** Leases of the sources this member wants to run; changes go to {@code listener}. */
  public SourceLeases sourceLeases(SourceLeases.Listener listener) {
    return new SourceLeases(this, listener);
  }

  /** Drops the shared streams and bucket of this cluster's prefix: for tests and benchmarks. */
  public void deleteResources() throws IOException {
    try {
      JetStreamManagement management = connection.jetStreamManagement();
      management.deleteStream(config.stateStream());
      management.deleteStream(config.workStream());
      connection.keyValueManagement().delete(config.leaseBucket());
    } catch (JetStreamApiException gone) {
      LOG.log(Level.DEBUG, "deleting cluster resources: " + gone);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
