package dev.z8run.nodes.data;

import dev.z8run.core.node.NodeContext;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.FlowOwners;
import dev.z8run.nodes.support.OutboundPolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a data node finds its connection: the map in its {@code connection} field (a shared
 * connection the server put there at deploy), else its own inline fields, renamed as z8run and
 * Node-RED name them; and the checks every connection passes before it is opened (the server's
 * {@link OutboundPolicy} on its host). Control plane only.
 */
final class NodeConnections {
  private NodeConnections() {}

  /**
   * The node's connection settings.
   *
   * @param inline the node's own fields as connection fields (for nodes without {@code connection})
   * @throws IllegalArgumentException when {@code connection} names a connection the server did not
   *     resolve (no such connection) or is not a connection
   */
  static ConnectionSettings of(NodeContext context, Map<String, Object> inline) {
    Object shared = context.config().get("connection");
    if (shared instanceof Map<?, ?> map && !map.isEmpty()) {
      Map<Object, Object> merged = new LinkedHashMap<>(map);
      inline.forEach((name, value) -> merged.putIfAbsent(name, value));
      return ConnectionSettings.fromMap(merged);
    }
    if (shared instanceof String id && !id.isBlank()) {
      throw new IllegalArgumentException(
          "field 'connection': there is no connection '" + id + "' for this flow's owner");
    }
    return ConnectionSettings.fromMap(inline);
  }

  /** The owner of the node's flow, as the server knows it; the empty string without a server. */
  static String owner(NodeContext context) {
    FlowOwners owners = context.service(FlowOwners.class);
    String owner = owners == null ? null : owners.ownerOf(context.flowId());
    return owner == null ? "" : owner;
  }

  /**
   * Checks the connection's host against the server's outbound policy and pins the addresses it
   * checked ({@link OutboundPolicy#admit}): until the returned admission is closed, every lookup of
   * the host's name in this JVM answers those addresses, so a driver that resolves the name again
   * when it (re)connects reaches an address the policy saw, even when the name's DNS answer has
   * changed since (DNS rebinding). Hold it as long as the live client that uses the host.
   *
   * @throws IllegalArgumentException naming the host and the policy when it is refused
   */
  static OutboundPolicy.Admission admitEgress(NodeContext context, ConnectionSettings settings) {
    OutboundPolicy installed = context.service(OutboundPolicy.class);
    return admitEgress(
        installed != null ? installed : OutboundPolicy.parse(OutboundPolicy.DEFAULT), settings);
  }

  static OutboundPolicy.Admission admitEgress(OutboundPolicy policy, ConnectionSettings settings) {
    String host = settings.host().isEmpty() ? "127.0.0.1" : settings.host();
    OutboundPolicy.Admission admission;
    try {
      admission = policy.admit(host);
    } catch (UnknownHostException unknown) {
      throw new IllegalArgumentException("host '" + host + "' is unknown", unknown);
    }
    String refused = admission.refusal();
    if (refused != null) {
      admission.close();
      throw new IllegalArgumentException(refused);
    }
    return admission;
  }

  /**
   * z8run's {@code connectionString} ({@code postgres://user:pass@host:port/db}) as connection
   * fields put into {@code fields}.
   */
  static void parseConnectionString(String text, Map<String, Object> fields) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("connectionString is not a URL", bad);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    fields.put(
        "kind", scheme.startsWith("jdbc") ? scheme : scheme.replace("postgresql", "postgres"));
    fields.put("host", uri.getHost() == null ? "" : uri.getHost());
    if (uri.getPort() > 0) {
      fields.put("port", uri.getPort());
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    fields.put("database", path.startsWith("/") ? path.substring(1) : path);
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      fields.put("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        fields.put("password", decode(userInfo.substring(colon + 1)));
      }
    }
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
