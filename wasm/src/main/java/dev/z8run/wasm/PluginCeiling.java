package dev.z8run.wasm;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's ceiling on what plugins may reach: a manifest only <em>asks</em> for capabilities,
 * and what a plugin gets is the intersection with this ceiling ({@link #grant}).
 *
 * <ul>
 *   <li>files: only under {@code filesRoot}. A manifest's relative {@code files} path is taken
 *       inside it, an absolute one must lie inside it; anything else (such as {@code "/"}) is not
 *       granted, and neither is any path when the operator set no root;
 *   <li>environment: only the names in {@code env}, and never a name starting with {@code Z8_} (the
 *       server's own settings and secrets), whatever either list says;
 *   <li>HTTP: only the hosts the manifest names, and only when {@code http} (the server's outbound
 *       policy, the same that HTTP Request nodes obey) allows the addresses the host resolves to.
 * </ul>
 *
 * Immutable and thread-safe.
 *
 * @param filesRoot the directory plugins' files must lie under, or null for no file access
 * @param env the environment names a plugin may be granted (a {@code Z8_} name never is)
 * @param http the outbound policy applied to every {@code z8.http_request}
 * @param httpPolicy how the policy reads, for the catalogue
 */
public record PluginCeiling(Path filesRoot, List<String> env, HostGate http, String httpPolicy) {
  /** The prefix of environment names a plugin is never granted. */
  public static final String SERVER_PREFIX = "Z8_";

  public PluginCeiling {
    filesRoot = filesRoot == null ? null : filesRoot.toAbsolutePath().normalize();
    env = List.copyOf(env);
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(httpPolicy, "httpPolicy");
  }

  /**
   * Decides whether a plugin may connect to {@code host}, on the addresses it resolves to.
   * Implementations are thread-safe.
   */
  @FunctionalInterface
  public interface HostGate {
    /**
     * Resolves and checks {@code host}; while the answer is open, a connection to the name goes to
     * an address this check saw (the server's gate pins them in the JVM's resolver).
     *
     * @throws UnknownHostException when the name does not resolve
     */
    Admission admit(String host) throws UnknownHostException;
  }

  /**
   * A gate's answer: {@code refusal} is null when the call may go on; {@link #close} when the call
   * is done.
   */
  public record Admission(String refusal, Runnable release) implements AutoCloseable {
    /** An allowed call that holds nothing. */
    public static Admission allowed() {
      return new Admission(null, () -> {});
    }

    @Override
    public void close() {
      release.run();
    }
  }

  /**
   * A ceiling that grants what manifests ask, but for {@code Z8_} names: for embedding and the
   * sandbox's own tests, never for a server that other people sign in to.
   */
  public static PluginCeiling asAsked() {
    return new PluginCeiling(Path.of("/"), List.of("*"), host -> Admission.allowed(), "*");
  }

  /** What a manifest asking for {@code asked} is granted under this ceiling. */
  public PluginManifest.Capabilities grant(PluginManifest.Capabilities asked) {
    return new PluginManifest.Capabilities(
        asked.log(),
        asked.httpHosts(),
        grantRoot(asked.fileRoot()),
        grantEnv(asked.env()),
        asked.context());
  }

  private String grantRoot(String asked) {
    if (asked == null || filesRoot == null) {
      return null;
    }
    Path path = Path.of(asked);
    Path resolved = (path.isAbsolute() ? path : filesRoot.resolve(path)).normalize();
    return resolved.startsWith(filesRoot) ? resolved.toString() : null;
  }

  private List<String> grantEnv(List<String> asked) {
    List<String> granted = new ArrayList<>();
    for (String name : asked) {
      if (!name.toUpperCase(Locale.ROOT).startsWith(SERVER_PREFIX)
          && (env.contains("*") || env.contains(name))) {
        granted.add(name);
      }
    }
    return granted;
  }

  /** The ceiling as the catalogue shows it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("files_root", filesRoot == null ? null : filesRoot.toString());
    map.put("env", env);
    map.put("http_policy", httpPolicy);
    return map;
  }
}
