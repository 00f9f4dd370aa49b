package dev.z8run.api;

import dev.z8run.api.hook.HookSettings;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.api.http.BodyDeadline;
import dev.z8run.api.http.RequestDeadlines;
import dev.z8run.api.ws.SocketSettings;
import dev.z8run.cluster.ClusterConfig;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.vector.VectorLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;

/**
 * Every setting of the server, declared once (name, default, accepted values, description), and one
 * resolved set of them. {@link #resolve} is the only code that reads environment variables and
 * system properties: it reads every setting, collects every problem and refuses the start naming
 * them all, as Aeron's {@code Context.conclude()} does. Wiring code takes a {@link Settings}; the
 * README's configuration table is {@link #markdownTable()} (a test keeps them equal).
 *
 * <p>A system property, where a setting has one, wins over its environment variable ({@code
 * -Dz8.port=0}, handy in tests). Immutable and thread-safe.
 */
public final class Settings {
  private static final HookSettings HOOK_DEFAULTS = HookSettings.defaults();
  private static final SocketSettings SOCKET_DEFAULTS = SocketSettings.defaults(0);

  public static final Setting<Integer> PORT =
      Setting.integer(
          "Z8_PORT",
          "z8.port",
          7700,
          0,
          65_535,
          "The HTTP port; `0` picks any free port (the log line `z8run listening on ...` names it).");

  public static final Setting<String> BIND =
      Setting.text(
          "Z8_BIND",
          "z8.bind",
          "127.0.0.1",
          "a host name or address",
          "The address to listen on; `0.0.0.0` for every interface. Any address but a loopback one"
              + " needs `Z8_JWT_SECRET`.");

  public static final Setting<Level> LOG_LEVEL =
      Setting.parsed(
          "Z8_LOG_LEVEL",
          "z8.log.level",
          "info",
          "trace, debug, info, warn, error, off",
          "The log level; logs go to stderr, one line a record.",
          Settings::logLevel);

  public static final Setting<Integer> WORKERS =
      Setting.integer(
          "Z8_WORKERS",
          null,
          EngineConfig.defaultWorkers(),
          "cores",
          1,
          256,
          "The engine's worker threads, each running the nodes planned onto it.");

  public static final Setting<Path> DATA_DIR =
      Setting.parsed(
          "Z8_DATA_DIR",
          null,
          "data",
          "a directory",
          "The LMDB store: flows and revisions, users, vault, executions, plugins.",
          Path::of);

  public static final Setting<String> JWT_SECRET =
      Setting.secret(
          "Z8_JWT_SECRET",
          32,
          "a secret of 32 bytes or more",
          "Signs API tokens; required when `Z8_BIND` is not a loopback address. Without it tokens"
              + " are signed with a random secret and die with the process.");

  public static final Setting<String> VAULT_SECRET =
      Setting.secret(
          "Z8_VAULT_SECRET",
          1,
          "a secret",
          "The vault key is derived from it (PBKDF2); without it a key file `vault.key` (mode 600)"
              + " is created in the data directory.");

  public static final Setting<Boolean> OPEN_REGISTRATION =
      Setting.flag(
          "Z8_OPEN_REGISTRATION",
          null,
          false,
          "`true` lets anyone sign up; otherwise only the first user may.");

  public static final Setting<Integer> MAX_BODY_BYTES =
      Setting.integer(
          "Z8_MAX_BODY_BYTES",
          null,
          8 << 20,
          1024,
          Integer.MAX_VALUE - 1,
          "The largest request body of the flows and plugins API (413 beyond), and of a request"
              + " on the editor socket.");

  public static final Setting<Integer> BODY_BUDGET_MB =
      Setting.integer(
          "Z8_BODY_BUDGET_MB",
          null,
          0,
          0,
          1 << 20,
          "Heap (MiB) that request bodies may take together, every route and client, while they are"
              + " read (and a JSON body of the API four times its size once parsed, until its request"
              + " ends) (503 + `Retry-After` beyond); one client address (an IPv6 /64) at most half"
              + " of it (429 + `Retry-After` beyond). `0`: an eighth of the maximum heap (64 MiB with"
              + " the launcher's `-Xmx512m`).");

  public static final Setting<Integer> HELD_BUDGET_MB =
      Setting.integer(
          "Z8_HELD_BUDGET_MB",
          null,
          0,
          0,
          1 << 20,
          "Heap (MiB) that the messages nodes hold (join, batch, sort, delay, trigger, rbe, a"
              + " function's timers) and the values of the context stores (flow, global, a"
              + " function's context) may take together;"
              + " a user who is not an admin holds at most `Z8_MEMORY_SHARE_PERCENT` of it with the"
              + " flows they own. A message past it is an error on the node that would hold it, and"
              + " is dropped; a context value past it is not stored (a function's `set` throws)."
              + " `0`: a quarter of the maximum heap (128 MiB with the launcher's `-Xmx512m`).");

  public static final Setting<Integer> HOOK_MAX_BODY_BYTES =
      Setting.integer(
          "Z8_HOOK_MAX_BODY_BYTES",
          null,
          HOOK_DEFAULTS.maxBodyBytes(),
          0,
          Integer.MAX_VALUE - 1,
          "The largest body a `/hook` request may carry (413 beyond).");

  public static final Setting<Long> HOOK_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_HOOK_TIMEOUT_MS",
          null,
          HOOK_DEFAULTS.timeoutMs(),
          1,
          3_600_000,
          "How long an `http-in` request waits for its `http-out` (504 beyond).");

  public static final Setting<Integer> HOOK_MAX_IN_FLIGHT =
      Setting.integer(
          "Z8_HOOK_MAX_IN_FLIGHT",
          null,
          HOOK_DEFAULTS.maxInFlightPerFlow(),
          1,
          1_000_000,
          "Requests one flow may hold open at once (503 + `Retry-After` beyond).");

  public static final Setting<Long> HOOK_BODY_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_HOOK_BODY_TIMEOUT_MS",
          null,
          HookSettings.DEFAULT_BODY_TIMEOUT_MS,
          1,
          3_600_000,
          "How long a `/hook` request's body may take to arrive (408 and the connection closed"
              + " beyond); it is read before the request takes a slot of its flow.");

  public static final Setting<Long> IDLE_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_IDLE_TIMEOUT_MS",
          null,
          RequestDeadlines.DEFAULT_IDLE_TIMEOUT_MS,
          1_000,
          86_400_000,
          "How long a kept-alive connection may wait for its next request before the server closes"
              + " it (no answer is written; clients open a new one); the editor's socket, once"
              + " upgraded, is not closed by it.");

  public static final Setting<Long> HEADERS_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_HEADERS_TIMEOUT_MS",
          null,
          RequestDeadlines.DEFAULT_HEADERS_TIMEOUT_MS,
          1_000,
          3_600_000,
          "How long a request's line and headers may take to arrive from its first byte, however"
              + " the client paces them (408 and the connection closed beyond); a connection"
              + " waiting between requests or upgraded to the editor's socket has no such limit.");

  public static final Setting<Long> BODY_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_BODY_TIMEOUT_MS",
          null,
          BodyDeadline.DEFAULT_TIMEOUT_MS,
          1_000,
          3_600_000,
          "How long a request body may take to arrive outside `/hook`, plus a second for each"
              + " `Z8_BODY_MIN_BYTES_PER_S` of its announced length (of the route's limit when"
              + " chunked); 408 and the connection closed beyond.");

  public static final Setting<Integer> BODY_MIN_BYTES_PER_S =
      Setting.integer(
          "Z8_BODY_MIN_BYTES_PER_S",
          null,
          BodyDeadline.DEFAULT_MIN_BYTES_PER_S,
          1,
          1 << 30,
          "The slowest upload a request body's deadline allows for (see `Z8_BODY_TIMEOUT_MS`).");

  public static final Setting<Integer> HOOK_MAX_PER_CLIENT =
      Setting.integer(
          "Z8_HOOK_MAX_PER_CLIENT",
          null,
          HookSettings.DEFAULT_MAX_PER_CLIENT,
          1,
          1_000_000,
          "`/hook` requests one client address (an IPv6 /64) may have open at once, reading"
              + " bodies included (429 + `Retry-After` beyond).");

  public static final Setting<Boolean> HOOK_SANDBOX =
      Setting.flag(
          "Z8_HOOK_SANDBOX",
          null,
          true,
          "Every `/hook` answer carries `Content-Security-Policy: sandbox ...` (no"
              + " `allow-same-origin`) and `X-Content-Type-Options: nosniff`, so that a page a flow"
              + " serves cannot read the editor's token; `false` only on a server whose users are"
              + " all trusted (see [docs/security.md](docs/security.md#hook-pages)).");

  public static final Setting<Integer> MAX_CONNECTIONS =
      Setting.integer(
          "Z8_MAX_CONNECTIONS",
          null,
          10_000,
          16,
          1_000_000,
          "TCP connections the server holds open at once, every client together (a further one"
              + " waits to be accepted); keep it below the process's file-descriptor limit.");

  public static final Setting<Integer> MAX_CONNECTIONS_PER_CLIENT =
      Setting.integer(
          "Z8_MAX_CONNECTIONS_PER_CLIENT",
          null,
          1_024,
          1,
          1_000_000,
          "Connections one client address (an IPv6 /64) may hold open at once, counted from"
              + " their first bytes (503 and closed beyond), so that one client cannot hold all"
              + " of `Z8_MAX_CONNECTIONS`.");

  public static final Setting<Integer> WS_DEBUG_RATE =
      Setting.integer(
          "Z8_WS_DEBUG_RATE",
          null,
          SOCKET_DEFAULTS.debugPerSecond(),
          1,
          100_000,
          "Debug samples per second one editor-socket client receives; the rest are counted as"
              + " skipped.");

  public static final Setting<Integer> WS_PREVIEW_BYTES =
      Setting.integer(
          "Z8_WS_PREVIEW_BYTES",
          null,
          SOCKET_DEFAULTS.previewBytes(),
          16,
          4096,
          "The longest debug preview sent to an editor-socket client; longer ones are cut.");

  public static final Setting<Long> WS_BATCH_MS =
      Setting.longInteger(
          "Z8_WS_BATCH_MS",
          null,
          SOCKET_DEFAULTS.batchIntervalMs(),
          1,
          1_000,
          "How often an editor socket sends a client's pending events, as one message.");

  public static final Setting<Long> WS_AUTH_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_WS_AUTH_TIMEOUT_MS",
          null,
          SOCKET_DEFAULTS.authTimeoutMs(),
          100,
          3_600_000,
          "How long an editor-socket connection may stay unauthenticated"
              + " ([docs/protocol.md](docs/protocol.md)).");

  public static final Setting<Long> WS_IDLE_TIMEOUT_MS =
      Setting.longInteger(
          "Z8_WS_IDLE_TIMEOUT_MS",
          null,
          SOCKET_DEFAULTS.idleTimeoutMs(),
          100,
          86_400_000,
          "How long an editor-socket client may stay silent (not even a PING) before it is"
              + " closed.");

  public static final Setting<Long> WS_SLOW_CONSUMER_MS =
      Setting.longInteger(
          "Z8_WS_SLOW_CONSUMER_MS",
          null,
          SOCKET_DEFAULTS.slowConsumerMs(),
          100,
          3_600_000,
          "How long one send to an editor-socket client may block before the client is dropped.");

  public static final Setting<OutboundPolicy> HTTP_ALLOW =
      Setting.parsed(
          OutboundPolicy.ENV,
          null,
          OutboundPolicy.DEFAULT,
          "`public`, `*`, host names, `*.domain`, addresses, networks; comma-separated",
          "Hosts the `http-request` node, the AI nodes' providers (a local Ollama or LM Studio"
              + " too: allow `127.0.0.1`), the database and MQTT nodes' servers (a local"
              + " PostgreSQL or Mosquitto too) and plugins may call: `public` (globally routable"
              + " addresses only: no"
              + " loopback, private, link-local or metadata addresses), `*` (anything), host"
              + " names, `*.domain`, IP addresses and networks (`192.168.1.0/24`); see"
              + " [docs/nodes/http-request.md](docs/nodes/http-request.md).",
          OutboundPolicy::parse);

  public static final Setting<List<Path>> SQLITE_ALLOW =
      Setting.parsed(
          "Z8_SQLITE_ALLOW",
          null,
          null,
          "absolute directories, comma-separated",
          "Directories besides the data directory where the `database` node may open SQLite files"
              + " given by an absolute path; unset, only files under the data directory (see"
              + " [docs/nodes/database.md](docs/nodes/database.md)).",
          Settings::directories);

  public static final Setting<Path> PLUGIN_FILES_ROOT =
      Setting.parsed(
          "Z8_PLUGIN_FILES_ROOT",
          null,
          null,
          "a directory",
          "The directory a plugin's `files` capability must lie under (a relative manifest path"
              + " is taken inside it); unset, no plugin reads or writes files.",
          Path::of);

  public static final Setting<List<String>> PLUGIN_ENV =
      Setting.parsed(
          "Z8_PLUGIN_ENV",
          null,
          "",
          "variable names, comma-separated",
          "Environment variables a plugin's `env` capability may be granted; a `Z8_` name never"
              + " is. Unset, none.",
          Settings::names);

  public static final Setting<List<String>> FUNCTION_GLOBAL_MODULES =
      Setting.parsed(
          "Z8_FUNCTION_GLOBAL_MODULES",
          null,
          "",
          "module names, comma-separated",
          "Node.js modules function nodes find with `global.get(name)`, as Node-RED's"
              + " `functionGlobalContext` in settings.js; only `os` can be listed (it tells flow"
              + " authors the host's name, kernel and memory). Unset, none.",
          Settings::modules);

  public static final Setting<Integer> MAX_FLOW_NODES =
      Setting.integer(
          "Z8_MAX_FLOW_NODES",
          null,
          dev.z8run.api.flows.FlowManager.DEFAULT_MAX_FLOW_NODES,
          1,
          1_000_000,
          "The most nodes one flow may have (a create, update or import beyond is refused with"
              + " 422).");
  public static final Setting<Long> STOP_DRAIN_MS =
      Setting.longInteger(
          "Z8_STOP_DRAIN_MS",
          null,
          dev.z8run.api.flows.FlowManager.DRAIN_MS,
          0,
          3_600_000,
          "How long stopping, deleting or redeploying a flow lets its in-flight executions finish"
              + " (a message a delay node holds keeps its execution in flight); those still running"
              + " then are abandoned.");

  public static final Setting<Integer> MEMORY_BUDGET_MB =
      Setting.integer(
          "Z8_MEMORY_BUDGET_MB",
          null,
          0,
          0,
          1 << 20,
          "Off-heap memory (MiB) the inboxes and execution tables of all deployed flows and the"
              + " large message bodies in flight may reserve together; a deploy beyond it is refused"
              + " with 507 naming this setting, a body beyond it is an error on the node that sends"
              + " it (a trigger answers 503). `0`: the JVM's direct-memory limit"
              + " (`-XX:MaxDirectMemorySize`, by default the maximum heap).");

  public static final Setting<Integer> MEMORY_SHARE_PERCENT =
      Setting.integer(
          "Z8_MEMORY_SHARE_PERCENT",
          null,
          50,
          1,
          100,
          "The part of `Z8_MEMORY_BUDGET_MB` one user who is not an admin may hold with the flows"
              + " they own (inboxes, execution tables and large message bodies in flight), so that"
              + " one user cannot take the memory the others need; a deploy beyond it is refused"
              + " with 507 naming the user's use and limit. Admins (the first user, and a server"
              + " without users) are limited by the whole budget only. `100`: no share.");

  public static final Setting<Integer> VECTOR_MAX_COLLECTIONS =
      Setting.integer(
          "Z8_VECTOR_MAX_COLLECTIONS",
          null,
          VectorLimits.DEFAULTS.maxCollections(),
          1,
          1_000_000,
          "Vector collections one user may keep (the `vector-store` node); a store into one more"
              + " goes to the node's `error` output.");

  public static final Setting<Long> VECTOR_MAX_ENTRIES =
      Setting.longInteger(
          "Z8_VECTOR_MAX_ENTRIES",
          null,
          VectorLimits.DEFAULTS.maxEntries(),
          1,
          Long.MAX_VALUE,
          "Vector entries one user may keep across their collections; a store past it is refused"
              + " whole (`error` output).");

  public static final Setting<Long> VECTOR_MAX_BYTES =
      Setting.longInteger(
          "Z8_VECTOR_MAX_BYTES",
          null,
          VectorLimits.DEFAULTS.maxBytes(),
          1,
          Long.MAX_VALUE,
          "Bytes of vectors, texts and metadata one user may keep in the vector store (the search"
              + " index on disk takes about as much again); a store past it is refused whole.");
  public static final Setting<String> CLUSTER_NATS =
      Setting.text(
          "Z8_CLUSTER_NATS",
          "z8.cluster.nats",
          null,
          "`nats://` or `tls://` URLs, comma-separated",
          "Makes this process a cluster member on NATS JetStream: flows, sources and"
              + " distributed work shared with every process given the same servers and"
              + " `Z8_CLUSTER_PREFIX` ([docs/cluster.md](docs/cluster.md)). Unset: a single"
              + " process, no NATS.");

  public static final Setting<Path> CLUSTER_CREDENTIALS =
      Setting.parsed(
          "Z8_CLUSTER_CREDENTIALS",
          null,
          null,
          "a NATS `.creds` file",
          "The credentials (JWT and nkey) the member connects to NATS with.",
          Path::of);

  public static final Setting<String> CLUSTER_PREFIX =
      Setting.text(
          "Z8_CLUSTER_PREFIX",
          "z8.cluster.prefix",
          "z8",
          "letters, digits, `_`, `-`",
          "Names the cluster's streams, bucket and subjects (`<prefix>_STATE`, `<prefix>_WORK`,"
              + " `<prefix>_LEASES`): clusters with different prefixes share a NATS server"
              + " without meeting.");

  public static final Setting<String> CLUSTER_MEMBER =
      Setting.text(
          "Z8_CLUSTER_MEMBER",
          null,
          null,
          "a name",
          "This member's name in leases and logs; unset: the host name, process id and a random"
              + " suffix.");

  public static final Setting<Long> CLUSTER_LEASE_MS =
      Setting.longInteger(
          "Z8_CLUSTER_LEASE_MS",
          "z8.cluster.lease.ms",
          3_000,
          300,
          600_000,
          "How long a flow's source lease lives unrenewed: when the member running a flow's"
              + " timers dies, another takes them over within about this time.");

  public static final Setting<Long> CLUSTER_ACK_WAIT_MS =
      Setting.longInteger(
          "Z8_CLUSTER_ACK_WAIT_MS",
          "z8.cluster.ack.wait.ms",
          30_000,
          1_000,
          86_400_000,
          "How long a distributed message may stay unacknowledged (its execution unfinished)"
              + " before NATS redelivers it to another member.");

  public static final Setting<String> URL =
      Setting.text(
          "Z8_URL",
          null,
          null,
          "an http(s) URL",
          "The server the `plugin` command talks to; `http://127.0.0.1:$Z8_PORT` when unset.");

  public static final Setting<String> TOKEN =
      Setting.secret(
          "Z8_TOKEN",
          1,
          "a token from `/auth/login`",
          "The bearer token the `plugin` command sends.");

  public static final Setting<Boolean> AGRONA_BOUNDS_CHECKS_DISABLED =
      Setting.flag(
          null,
          "agrona.disable.bounds.checks",
          true,
          "Agrona's buffer bounds checks, off in the server (every offset comes from validated"
              + " lengths); `z8run` sets the property at start unless given. The build's tests"
              + " run with `false`.");

  public static final Setting<String> LOG_MANAGER =
      Setting.text(
          null,
          "java.util.logging.manager",
          "dev.z8run.api.ShutdownSafeLogManager",
          "a LogManager class",
          "The log manager; `z8run` sets it at start unless given, so that what is logged while"
              + " the server stops still reaches stderr.");

  /** Every setting, in the README's order. */
  public static final List<Setting<?>> ALL =
      List.of(
          PORT,
          BIND,
          LOG_LEVEL,
          WORKERS,
          DATA_DIR,
          JWT_SECRET,
          VAULT_SECRET,
          OPEN_REGISTRATION,
          MAX_BODY_BYTES,
          BODY_BUDGET_MB,
          HELD_BUDGET_MB,
          HOOK_MAX_BODY_BYTES,
          HOOK_TIMEOUT_MS,
          HOOK_MAX_IN_FLIGHT,
          HOOK_BODY_TIMEOUT_MS,
          HOOK_MAX_PER_CLIENT,
          HOOK_SANDBOX,
          HEADERS_TIMEOUT_MS,
          IDLE_TIMEOUT_MS,
          BODY_TIMEOUT_MS,
          BODY_MIN_BYTES_PER_S,
          MAX_CONNECTIONS,
          MAX_CONNECTIONS_PER_CLIENT,
          WS_DEBUG_RATE,
          WS_PREVIEW_BYTES,
          WS_BATCH_MS,
          WS_AUTH_TIMEOUT_MS,
          WS_IDLE_TIMEOUT_MS,
          WS_SLOW_CONSUMER_MS,
          HTTP_ALLOW,
          SQLITE_ALLOW,
          PLUGIN_FILES_ROOT,
          PLUGIN_ENV,
          FUNCTION_GLOBAL_MODULES,
          MAX_FLOW_NODES,
          STOP_DRAIN_MS,
          MEMORY_BUDGET_MB,
          MEMORY_SHARE_PERCENT,
          VECTOR_MAX_COLLECTIONS,
          VECTOR_MAX_ENTRIES,
          VECTOR_MAX_BYTES,
          CLUSTER_NATS,
          CLUSTER_CREDENTIALS,
          CLUSTER_PREFIX,
          CLUSTER_MEMBER,
          CLUSTER_LEASE_MS,
          CLUSTER_ACK_WAIT_MS,
          URL,
          TOKEN,
          AGRONA_BOUNDS_CHECKS_DISABLED,
          LOG_MANAGER);

  private static List<String> modules(String text) {
    List<String> modules = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        modules.add(part.strip());
      }
    }
    new dev.z8run.nodes.function.FunctionModules(java.util.Set.copyOf(modules)); // refuses others
    return List.copyOf(modules);
  }

  private static List<String> names(String text) {
    List<String> names = new ArrayList<>();
    for (String part : text.split(",")) {
      String name = part.strip();
      if (!name.isEmpty()) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new IllegalArgumentException("'" + name + "' is not a variable name");
        }
        names.add(name);
      }
    }
    return List.copyOf(names);
  }

  private final Map<Setting<?>, Object> values;
  private final Map<String, String> environment;

  private Settings(Map<Setting<?>, Object> values, Map<String, String> environment) {
    this.values = values;
    this.environment = environment;
  }

  /**
   * Reads every setting: its system property if it has one and it is set, else its environment
   * variable, else its default.
   *
   * @param env the process environment ({@link System#getenv()} in {@link Main}, a map in tests);
   *     flows see it through {@link #nodeEnvironment()}, without the server's settings
   * @param properties the system properties; they win over {@code env}
   * @throws IllegalArgumentException listing every value that is refused, each with its name
   */
  public static Settings resolve(Map<String, String> env, Properties properties) {
    Map<Setting<?>, Object> values = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Setting<?> setting : ALL) {
      String text = setting.property() == null ? null : properties.getProperty(setting.property());
      if ((text == null || text.isBlank()) && setting.variable() != null) {
        text = env.get(setting.variable());
      }
      try {
        values.put(setting, setting.read(text));
      } catch (IllegalArgumentException refused) {
        problems.add(refused.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new Settings(values, Map.copyOf(env));
  }

  /** The settings {@code env} makes, without system properties: for tests and tools. */
  public static Settings of(Map<String, String> env) {
    return resolve(env, new Properties());
  }

  /**
   * Sets the JVM-wide properties the server needs ({@link #AGRONA_BOUNDS_CHECKS_DISABLED}, {@link
   * #LOG_MANAGER}) where {@code properties} does not have them. {@link Main#main} calls it first,
   * before any Agrona buffer class loads, anything logs or LMDB's binding loads: each reads its
   * property once.
   */
  public static void applyJvmDefaults(Properties properties) {
    for (Setting<?> setting : List.of(AGRONA_BOUNDS_CHECKS_DISABLED, LOG_MANAGER)) {
      if (properties.getProperty(setting.property()) == null) {
        properties.setProperty(setting.property(), setting.defaultText());
      }
    }
  }

  /** What each user may keep in the vector store. */
  public VectorLimits vectorLimits() {
    return new VectorLimits(
        get(VECTOR_MAX_COLLECTIONS), get(VECTOR_MAX_ENTRIES), get(VECTOR_MAX_BYTES));
  }

  /** The value of {@code setting}: its default when unset (null for a setting without one). */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!values.containsKey(setting)) {
      throw new IllegalArgumentException(setting + " is not one of Settings.ALL");
    }
    return (T) values.get(setting);
  }

  public String bind() {
    return get(BIND);
  }

  public int port() {
    return get(PORT);
  }

  public Level logLevel() {
    return get(LOG_LEVEL);
  }

  /** The base URL clients use, with IPv6 literals in brackets. */
  public String baseUrl(int boundPort) {
    String host = bind().indexOf(':') >= 0 ? "[" + bind() + "]" : bind();
    return "http://" + host + ":" + boundPort;
  }

  /**
   * The engine's settings: the defaults, with {@link #WORKERS}, {@link #MEMORY_BUDGET_MB} and
   * {@link #MEMORY_SHARE_PERCENT}.
   */
  public EngineConfig engineConfig() {
    return EngineConfig.builder()
        .workers(get(WORKERS))
        .memoryBudgetBytes((long) get(MEMORY_BUDGET_MB) << 20)
        .memorySharePercent(get(MEMORY_SHARE_PERCENT))
        .build();
  }

  /** The heap messages held in nodes may take together, in MiB ({@link #HELD_BUDGET_MB}). */
  public long heldBudgetBytes() {
    int mb = get(HELD_BUDGET_MB);
    return mb == 0 ? HeldMemory.defaultBudgetBytes() : (long) mb << 20;
  }

  /** The heap request bodies being read may take together ({@link #BODY_BUDGET_MB}). */
  public BodyBudget bodyBudget() {
    int mb = get(BODY_BUDGET_MB);
    return new BodyBudget(mb == 0 ? BodyBudget.defaultBytes() : (long) mb << 20);
  }

  /** The {@code /hook} limits. */
  public HookSettings hookSettings() {
    return new HookSettings(
        get(HOOK_MAX_BODY_BYTES),
        get(HOOK_TIMEOUT_MS),
        get(HOOK_MAX_IN_FLIGHT),
        get(HOOK_BODY_TIMEOUT_MS),
        get(HOOK_MAX_PER_CLIENT),
        get(HOOK_SANDBOX));
  }

  /** The editor socket's limits and pacing; its largest request is {@link #MAX_BODY_BYTES}. */
  public SocketSettings socketSettings() {
    return SocketSettings.builder(get(MAX_BODY_BYTES))
        .debugPerSecond(get(WS_DEBUG_RATE))
        .previewBytes(get(WS_PREVIEW_BYTES))
        .batchIntervalMs(get(WS_BATCH_MS))
        .authTimeoutMs(get(WS_AUTH_TIMEOUT_MS))
        .idleTimeoutMs(get(WS_IDLE_TIMEOUT_MS))
        .slowConsumerMs(get(WS_SLOW_CONSUMER_MS))
        .build();
  }

  /**
   * How this process joins a cluster, or null without {@link #CLUSTER_NATS}.
   *
   * @throws IllegalArgumentException when the prefix is not a name
   */
  public ClusterConfig clusterConfig() {
    String nats = get(CLUSTER_NATS);
    if (nats == null || nats.isBlank()) {
      return null;
    }
    String member = get(CLUSTER_MEMBER);
    if (member == null || member.isBlank()) {
      member = defaultMemberId();
    }
    return new ClusterConfig(
        nats,
        get(CLUSTER_CREDENTIALS),
        get(CLUSTER_PREFIX),
        member,
        get(CLUSTER_LEASE_MS),
        get(CLUSTER_ACK_WAIT_MS),
        64);
  }

  private static String defaultMemberId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException unknown) {
      host = "host";
    }
    return host
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** The environment variables flows may read: the process environment minus the settings. */
  public NodeEnvironment nodeEnvironment() {
    return NodeEnvironment.of(environment);
  }

  /** The README's configuration table: one row per setting, secrets without a value. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder();
    table.append("| Variable | System property | Default | Accepts | What it does |\n");
    table.append("|---|---|---|---|---|\n");
    for (Setting<?> setting : ALL) {
      table
          .append("| ")
          .append(code(setting.variable()))
          .append(" | ")
          .append(code(setting.property()))
          .append(" | ")
          .append(setting.defaultText() == null ? "none" : code(setting.defaultText()))
          .append(" | ")
          .append(setting.accepts())
          .append(" | ")
          .append(setting.description())
          .append(" |\n");
    }
    return table.toString();
  }

  private static String code(String text) {
    return text == null ? "" : "`" + text + "`";
  }

  /** Comma-separated absolute directories. */
  static List<Path> directories(String text) {
    List<Path> directories = new ArrayList<>();
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      Path directory = Path.of(part.strip());
      if (!directory.isAbsolute()) {
        throw new IllegalArgumentException("'" + part.strip() + "' is not an absolute path");
      }
      directories.add(directory.normalize());
    }
    return List.copyOf(directories);
  }

  static Level logLevel(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.FINEST;
      case "debug" -> Level.FINE;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      case "off" -> Level.OFF;
      default -> throw new IllegalArgumentException("is not a log level");
    };
  }
}
