package dev.z8run.api;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.auth.PasswordHasher;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.flows.ExecutionRecorder;
import dev.z8run.api.flows.FlowDocuments;
import dev.z8run.api.flows.FlowManager;
import dev.z8run.api.flows.FlowService;
import dev.z8run.api.flows.StoreVectorCollections;
import dev.z8run.api.hook.HookService;
import dev.z8run.api.hook.HookSettings;
import dev.z8run.api.rest.AuthService;
import dev.z8run.api.rest.EditorService;
import dev.z8run.api.rest.InfoService;
import dev.z8run.api.rest.MetricsService;
import dev.z8run.api.rest.NodeCatalogService;
import dev.z8run.api.rest.OpenApiService;
import dev.z8run.api.rest.PluginService;
import dev.z8run.api.rest.VaultService;
import dev.z8run.api.ws.EngineSockets;
import dev.z8run.api.ws.SocketSettings;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.provider.AiUsage;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import dev.z8run.wasm.ExecutionMode;
import dev.z8run.wasm.PluginContextStore;
import dev.z8run.wasm.Plugins;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A running z8run server: the store (LMDB under {@code Z8_DATA_DIR}), the engine with the built-in
 * node types and the installed plugins, and the Helidon web server whose routes reach them. Stored
 * plugins are installed and flows that were running when the server last stopped are deployed again
 * at start. Closing stops the web server first (no new requests), then the engine, then the store.
 *
 * <p>Security defaults: bound to a loopback address the server may sign tokens with a random
 * per-process secret; bound to any other address it refuses to start without {@code Z8_JWT_SECRET}.
 */
public final class Z8Server implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Z8Server.class.getName());

  /** Largest request body of the REST API (flows can be large; hooks have their own limit). */
  static final int MAX_BODY_BYTES = 8 << 20;

  private final Store store;
  private final Engine engine;
  private final HookService hooks;
  private final EngineSockets sockets;
  private final WebServer web;
  private final Consumer<HttpRouting.Builder> routes;
  private final LocalEmbedder embedder;

  private Z8Server(
      Store store,
      Engine engine,
      HookService hooks,
      EngineSockets sockets,
      WebServer web,
      Consumer<HttpRouting.Builder> routes,
      LocalEmbedder embedder) {
    this.embedder = embedder;
    this.store = store;
    this.engine = engine;
    this.hooks = hooks;
    this.sockets = sockets;
    this.web = web;
    this.routes = routes;
  }

  /** Registers this server's routes on {@code routing} again (the OpenAPI check records them). */
  void routes(HttpRouting.Builder routing) {
    routes.accept(routing);
  }

  /**
   * Opens the store, starts the engine, restores running flows and listens on the settings'
   * address.
   *
   * @param env the environment ({@code Z8_DATA_DIR}, {@code Z8_JWT_SECRET}, {@code
   *     Z8_VAULT_SECRET}, {@code Z8_WORKERS})
   * @throws IllegalArgumentException when the configuration is refused (named in the message)
   * @throws IllegalStateException when the address cannot be bound
   */
  static Z8Server start(ServerSettings settings, Map<String, String> env, String version) {
    Tokens tokens = tokens(settings, env.get("Z8_JWT_SECRET"));
    EngineConfig engineConfig = engineConfig(env.get("Z8_WORKERS"));
    Path dataDir = Path.of(env.getOrDefault("Z8_DATA_DIR", "data"));
    Store store =
        Store.open(
            StoreConfig.of(dataDir).withVaultSecret(blankToNull(env.get("Z8_VAULT_SECRET"))));
    Engine engine = new Engine(engineConfig, BuiltinNodes.registry());
    LocalEmbedder embedder = new LocalEmbedder();
    try {
      HookSettings hookDefaults = HookSettings.defaults();
      HookService hooks =
          new HookService(
              engine,
              new HookSettings(
                  (int)
                      number(
                          "Z8_HOOK_MAX_BODY_BYTES",
                          env.get("Z8_HOOK_MAX_BODY_BYTES"),
                          hookDefaults.maxBodyBytes(),
                          0,
                          Integer.MAX_VALUE - 1),
                  number(
                      "Z8_HOOK_TIMEOUT_MS",
                      env.get("Z8_HOOK_TIMEOUT_MS"),
                      hookDefaults.timeoutMs(),
                      1,
                      3_600_000),
                  (int)
                      number(
                          "Z8_HOOK_MAX_IN_FLIGHT",
                          env.get("Z8_HOOK_MAX_IN_FLIGHT"),
                          hookDefaults.maxInFlightPerFlow(),
                          1,
                          1_000_000)));
      engine.registerService(Replies.class, hooks);
      engine.registerService(OutboundPolicy.class, OutboundPolicy.fromEnvironment(env));
      AiUsage aiUsage = new AiUsage();
      engine.registerService(AiUsage.class, aiUsage);
      // constructed now, loaded at its first use: the server's start time does not change
      engine.registerService(LocalEmbedder.class, embedder);
      engine.addListener(new ExecutionRecorder(store, System::currentTimeMillis, 10));
      Plugins plugins = new Plugins(engine.registry(), ExecutionMode.COMPILED, contexts(store));
      int pluginCount = PluginService.restore(plugins, store.plugins());
      if (pluginCount > 0) {
        LOG.log(Level.INFO, "installed " + pluginCount + " stored plugin(s)");
      }
      FlowManager flows = new FlowManager(store, engine);
      engine.registerService(
          VectorCollections.class, new StoreVectorCollections(store.vectors(), flows::ownerOf));
      int restored = flows.restoreRunning();
      if (restored > 0) {
        LOG.log(Level.INFO, "restored " + restored + " running flow(s)");
      }
      int maxBodyBytes =
          (int)
              number(
                  "Z8_MAX_BODY_BYTES",
                  env.get("Z8_MAX_BODY_BYTES"),
                  MAX_BODY_BYTES,
                  1024,
                  Integer.MAX_VALUE - 1);
      FlowService flowService =
          new FlowService(flows, new FlowDocuments(engine.registry(), version), maxBodyBytes);
      boolean openRegistration = "true".equalsIgnoreCase(env.get("Z8_OPEN_REGISTRATION"));
      EngineSockets sockets = new EngineSockets(tokens, flows, socketSettings(env, maxBodyBytes));
      Consumer<HttpRouting.Builder> routes =
          routing -> {
            routing.addFilter(new Authenticator(tokens));
            // first: Helidon tries routes in order, and hooks carry the traffic
            hooks.register(routing);
            routing.register(
                "/auth",
                new AuthService(
                    store.users(),
                    new PasswordHasher(),
                    tokens,
                    new LoginRateLimiter(System::nanoTime),
                    openRegistration,
                    64 * 1024,
                    InstantSource.system()));
            routing.register("/api/v1/flows", flowService);
            routing.register("/api/v1/vault", new VaultService(store.vault(), 256 * 1024));
            routing.register("/api/v1/nodes", new NodeCatalogService(engine.registry()));
            routing.register(
                "/api/v1/plugins",
                new PluginService(
                    plugins,
                    store.plugins(),
                    engine.registry(),
                    InstantSource.system(),
                    maxBodyBytes));
            routing.register(
                "/api/v1/info",
                new InfoService(version, engine, store.dataDir(), InstantSource.system()));
            routing.register("/api/v1/openapi.json", new OpenApiService(version));
            routing.register("/metrics", new MetricsService(engine, aiUsage));
            EditorService.register(routing);
            Main.routing(routing, version, null);
          };
      WebServer web =
          WebServer.builder()
              .host(settings.bind())
              .port(settings.port())
              .shutdownHook(false) // Main's hook stops the server and says so
              .routing(routes::accept)
              .addProtocol(EngineSockets.protocolConfig())
              .addRouting(sockets.routing())
              .build()
              .start();
      if (!web.isRunning()) {
        // Helidon logs a failed bind and returns a stopped server rather than throwing
        throw new IllegalStateException(
            "cannot listen on " + settings.baseUrl(settings.port()) + " (see the error above)");
      }
      return new Z8Server(store, engine, hooks, sockets, web, routes, embedder);
    } catch (RuntimeException failed) {
      engine.close();
      embedder.close();
      store.close();
      throw failed;
    }
  }

  /** Plugin nodes' persistent context, in the store. */
  private static PluginContextStore contexts(Store store) {
    return new PluginContextStore() {
      @Override
      public byte[] get(String flowId, String nodeId, String key) {
        return store.plugins().contextGet(flowId, nodeId, key);
      }

      @Override
      public void put(String flowId, String nodeId, String key, byte[] json) {
        store.plugins().contextPut(flowId, nodeId, key, json);
      }
    };
  }

  private static Tokens tokens(ServerSettings settings, String secret) {
    if (secret != null && !secret.isBlank()) {
      return Tokens.withSecret(secret);
    }
    if (!isLoopback(settings.bind())) {
      throw new IllegalArgumentException(
          "binding to "
              + settings.bind()
              + " needs Z8_JWT_SECRET (at least 32 bytes) so that API tokens are signed with a"
              + " secret you control; bind to 127.0.0.1 or set the variable");
    }
    LOG.log(
        Level.INFO,
        "no Z8_JWT_SECRET: signing tokens with a random secret; sign in again after a restart");
    return Tokens.withRandomSecret();
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException unknown) {
      return false;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * The whole number in the environment variable {@code name} (its {@code value}), or {@code
   * fallback} when unset.
   *
   * @throws IllegalArgumentException naming the variable when it is not a number in range
   */
  static long number(String name, String value, long fallback, long min, long max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long number = Long.parseLong(value.strip());
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException notNumber) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
  }

  /** The engine's settings: {@code Z8_WORKERS} worker threads, one per core when unset. */
  static EngineConfig engineConfig(String workers) {
    EngineConfig defaults = EngineConfig.defaults();
    return defaults.withWorkers((int) number("Z8_WORKERS", workers, defaults.workers(), 1, 256));
  }

  /**
   * The editor socket's settings: {@code Z8_WS_DEBUG_RATE}, {@code Z8_WS_PREVIEW_BYTES} and the
   * {@code Z8_WS_*_MS} timeouts.
   */
  static SocketSettings socketSettings(Map<String, String> env, int maxRequestBytes) {
    SocketSettings defaults = SocketSettings.defaults(maxRequestBytes);
    return defaults
        .withDebugPerSecond(
            (int)
                number(
                    "Z8_WS_DEBUG_RATE",
                    env.get("Z8_WS_DEBUG_RATE"),
                    defaults.debugPerSecond(),
                    1,
                    100_000))
        .withPreviewBytes(
            (int)
                number(
                    "Z8_WS_PREVIEW_BYTES",
                    env.get("Z8_WS_PREVIEW_BYTES"),
                    defaults.previewBytes(),
                    16,
                    4096))
        .withBatchIntervalMs(
            number(
                "Z8_WS_BATCH_MS", env.get("Z8_WS_BATCH_MS"), defaults.batchIntervalMs(), 1, 1_000))
        .withTimeouts(
            number(
                "Z8_WS_AUTH_TIMEOUT_MS",
                env.get("Z8_WS_AUTH_TIMEOUT_MS"),
                defaults.authTimeoutMs(),
                100,
                3_600_000),
            number(
                "Z8_WS_SLOW_CONSUMER_MS",
                env.get("Z8_WS_SLOW_CONSUMER_MS"),
                defaults.slowConsumerMs(),
                100,
                3_600_000),
            number(
                "Z8_WS_IDLE_TIMEOUT_MS",
                env.get("Z8_WS_IDLE_TIMEOUT_MS"),
                defaults.idleTimeoutMs(),
                100,
                86_400_000));
  }

  /** The editor socket endpoint. */
  public EngineSockets sockets() {
    return sockets;
  }

  /** The port actually bound. */
  public int port() {
    return web.port();
  }

  public Engine engine() {
    return engine;
  }

  public Store store() {
    return store;
  }

  public HookService hooks() {
    return hooks;
  }

  @Override
  public void close() {
    sockets.close();
    web.stop();
    hooks.close();
    engine.close();
    embedder.close();
    store.close();
  }
}
