package dev.z8run.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * The real servers integration tests talk to, each at its standard local port unless an environment
 * variable gives another address ({@code bin/services} reads the same variables, starts what is
 * missing and waits until each answers).
 *
 * <pre>
 * service     variable            default
 * PostgreSQL  Z8_TEST_PG_URL      jdbc:postgresql://127.0.0.1:5432/test?user=postgres
 * MariaDB     Z8_TEST_MYSQL_URL   jdbc:mariadb://127.0.0.1:3306/test?user=root
 * Mosquitto   Z8_TEST_MQTT_URL    tcp://127.0.0.1:1883
 * NATS        Z8_TEST_NATS_URL    nats://127.0.0.1:4222   (with JetStream)
 * </pre>
 *
 * <p>A test calls {@link #require(Service)} first: it answers the address when something accepts a
 * connection there, and otherwise fails under {@code CI=true} or is skipped elsewhere, naming the
 * service, the address and {@code bin/services}.
 */
public final class TestServices {
  private static final int CONNECT_TIMEOUT_MS = 2_000;

  private TestServices() {}

  /** A server the tests use. */
  public enum Service {
    POSTGRES("PostgreSQL", "Z8_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
    MYSQL("MariaDB", "Z8_TEST_MYSQL_URL", "jdbc:mariadb://127.0.0.1:3306/test?user=root"),
    MQTT("Mosquitto", "Z8_TEST_MQTT_URL", "tcp://127.0.0.1:1883"),
    NATS("NATS", "Z8_TEST_NATS_URL", "nats://127.0.0.1:4222");

    private final String label;
    private final String variable;
    private final String defaultUrl;

    Service(String label, String variable, String defaultUrl) {
      this.label = label;
      this.variable = variable;
      this.defaultUrl = defaultUrl;
    }

    /** The service's address: its variable when set, else the standard local one. */
    public String url() {
      String value = System.getenv(variable);
      return value == null || value.isBlank() ? defaultUrl : value.trim();
    }

    /** The host of {@link #url()}. */
    public String host() {
      return endpoint().getHost();
    }

    /** The port of {@link #url()}. */
    public int port() {
      return endpoint().getPort();
    }

    private URI endpoint() {
      String url = url();
      URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new IllegalArgumentException(
            variable + "=" + url + " names no host and port (for example " + defaultUrl + ")");
      }
      return uri;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * The address of {@code service}, once something accepts a connection there.
   *
   * @return {@link Service#url()}
   */
  public static String require(Service service) {
    if (!reachable(service)) {
      Requirement.unmet(
          service
              + " is not reachable at "
              + service.host()
              + ":"
              + service.port()
              + " ("
              + service.variable
              + "); start it with bin/services");
    }
    return service.url();
  }

  /** Whether something accepts a TCP connection at the service's address. */
  public static boolean reachable(Service service) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(service.host(), service.port()), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
