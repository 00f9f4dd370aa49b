package dev.z8run.api;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.auth.PasswordHasher;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.cluster.ClusterMember;
import dev.z8run.api.flows.ExecutionRecorder;
import dev.z8run.api.flows.FlowManager;
import dev.z8run.api.flows.FlowService;
import dev.z8run.api.flows.SecretRedactor;
import dev.z8run.api.flows.StoreVectorCollections;
import dev.z8run.api.hook.HookService;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.api.http.BodyDeadline;
import dev.z8run.api.http.ClientConnections;
import dev.z8run.api.http.HeadRequests;
import dev.z8run.api.http.MalformedRequests;
import dev.z8run.api.rest.AuthService;
import dev.z8run.api.rest.ConnectionService;
import dev.z8run.api.rest.EditorService;
import dev.z8run.api.rest.InfoService;
import dev.z8run.api.rest.MetricsService;
import dev.z8run.api.rest.NodeCatalogService;
import dev.z8run.api.rest.OpenApiService;
import dev.z8run.api.rest.PluginService;
import dev.z8run.api.rest.UserService;
import dev.z8run.api.rest.VaultService;
import dev.z8run.api.ws.EngineSockets;
import dev.z8run.cluster.ClusterConfig;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.ContextMeters;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.GlobalContexts;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.core.node.Replies;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.LazyZeroedMemory;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.provider.AiUsage;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.data.SqliteFiles;
import dev.z8run.nodes.support.FlowOwners;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import dev.z8run.wasm.ExecutionMode;
import dev.z8run.wasm.PluginCeiling;
import dev.z8run.wasm.PluginContextStore;
import dev.z8run.wasm.Plugins;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A running z8run server, wired from its {@link Settings}: the store (LMDB under {@code
 * Z8_DATA_DIR}), the engine with the built-in node types and the installed plugins, and the Helidon
 * web server whose routes reach them. Stored plugins are installed and flows that were running when
 * the server last stopped are deployed again at start. Closing stops the web server first (no new
 * requests), then the engine, then the store.
 *
 * <p>Security defaults: bound to a loopback address the server may sign tokens with a random
 * per-process secret; bound to any other address it refuses to start without {@code Z8_JWT_SECRET}.
 */
public final class Z8Server implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Z8Server.class.getName());

  private final Store store;
  private final Engine engine;
  private final HookService hooks;
  private final EngineSockets sockets;
  private final WebServer web;
  private final Consumer<HttpRouting.Builder> routes;
  private final LocalEmbedder embedder;
  private final ClusterMember member;

  /** How long a joining member may take to apply the cluster's state log before it gives up. */
  private static final Duration CLUSTER_CATCH_UP = Duration.ofSeconds(60);

  private Z8Server(
      Store store,
      Engine engine,
      HookService hooks,
      EngineSockets sockets,
      WebServer web,
      Consumer<HttpRouting.Builder> routes,
      LocalEmbedder embedder,
      ClusterMember member) {
    this.member = member;
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
   * @throws IllegalArgumentException when the configuration is refused (named in the message)
   * @throws IllegalStateException when the address cannot be bound
   */
  static Z8Server start(Settings settings, String version) {
    return start(settings, version, settings.engineConfig());
  }

  /** {@link #start(Settings, String)} with the engine built from {@code engineConfig}. */
  static Z8Server start(Settings settings, String version, EngineConfig engineConfig) {
    StartTrace.mark("wiring");
    BodyBudget.configure(settings.bodyBudget());
    BodyDeadline.configure(
        settings.get(Settings.BODY_TIMEOUT_MS), settings.get(Settings.BODY_MIN_BYTES_PER_S));
    // the store (LMDB's library loaded, the vault's key and first cipher) opens on its own thread
    // while this one builds the engine
    FutureTask<Store> opening =
        new FutureTask<>(
            () -> {
              Store opened =
                  Store.open(
                      StoreConfig.builder(settings.get(Settings.DATA_DIR))
                          .vaultSecret(settings.get(Settings.VAULT_SECRET))
                          .vectorLimits(settings.vectorLimits())
                          .build());
              StartTrace.mark("store opened");
              return opened;
            });
    Thread.ofPlatform().name("z8-store-open").start(opening);
    // and the class initialisations the main thread meets later (Jackson's parser, the engine's
    // native allocator, Helidon's registry and server builder) run on a third thread meanwhile
    // (begun already when serve began it, before the settings were read)
    FutureTask<Void> warming = EARLY_WARM_UP.getAndSet(null);
    if (warming == null) {
      warming = startWarmUp(settings.bind());
    }
    Tokens tokens;
    Engine engine;
    try {
      tokens = tokens(settings);
      StartTrace.mark("tokens");
      NodeTypeRegistry nodeTypes = BuiltinNodes.registry();
      StartTrace.mark("node types");
      engine = new Engine(engineConfig, nodeTypes);
      StartTrace.mark("engine");
    } catch (RuntimeException | Error failed) {
      closeWhenOpened(opening);
      throw failed;
    }
    Store store;
    try {
      store = opened(opening);
    } catch (RuntimeException | Error failed) {
      engine.close();
      throw failed;
    }
    StartTrace.mark("store");
    // a token of a deleted user is refused at once, not when it expires
    Tokens userTokens = tokens.withUsers(id -> store.users().find(id).isPresent());
    LocalEmbedder embedder = new LocalEmbedder();
    ClusterMember member = null;
    try {
      HookService hooks = new HookService(engine, settings.hookSettings());
      engine.registerService(Replies.class, hooks);
      engine.registerService(OutboundPolicy.class, settings.get(Settings.HTTP_ALLOW));
      engine.registerService(NodeEnvironment.class, settings.nodeEnvironment());
      engine.registerService(
          dev.z8run.nodes.function.FunctionModules.class,
          new dev.z8run.nodes.function.FunctionModules(
              java.util.Set.copyOf(settings.get(Settings.FUNCTION_GLOBAL_MODULES))));
      AiUsage aiUsage = new AiUsage();
      engine.registerService(AiUsage.class, aiUsage);
      // constructed now, loaded at its first use: the server's start time does not change
      engine.registerService(LocalEmbedder.class, embedder);
      SecretRedactor redactor = new SecretRedactor();
      engine.addListener(new ExecutionRecorder(store, System::currentTimeMillis, 10, redactor));
      OutboundPolicy outbound = settings.get(Settings.HTTP_ALLOW);
      Plugins plugins =
          new Plugins(
              engine.registry(),
              ExecutionMode.COMPILED,
              contexts(store),
              new PluginCeiling(
                  settings.get(Settings.PLUGIN_FILES_ROOT),
                  settings.get(Settings.PLUGIN_ENV),
                  host -> {
                    OutboundPolicy.Admission admitted = outbound.admit(host);
                    return new PluginCeiling.Admission(admitted.refusal(), admitted::close);
                  },
                  outbound.toString()));
      StartTrace.mark("services");
      int pluginCount = PluginService.restore(plugins, store.plugins());
      StartTrace.mark("plugins");
      if (pluginCount > 0) {
        LOG.log(Level.INFO, "installed " + pluginCount + " stored plugin(s)");
      }
      FlowManager flows =
          new FlowManager(
              store,
              engine,
              version,
              settings.get(Settings.MAX_FLOW_NODES),
              redactor,
              settings.get(Settings.STOP_DRAIN_MS));
      // the data nodes: one live client per connection and owner, SQLite files under the data dir
      // or a directory of Z8_SQLITE_ALLOW
      LiveConnections liveConnections = new LiveConnections();
      engine.registerService(LiveConnections.class, liveConnections);
      engine.registerService(FlowOwners.class, flows::ownerOf);
      // the heap of messages held in nodes and of context values: a budget for the server, a
      // share of it per user
      HeldMemory held =
          new HeldMemory(
              settings.heldBudgetBytes(),
              settings.get(Settings.MEMORY_SHARE_PERCENT),
              flows::exemptFromMemoryShare);
      engine.registerService(HeldMemory.class, held);
      engine.registerService(ContextMeters.class, held.flowMeters(flows::ownerOf));
      // Node-RED's global context, one per user: another user's flows never see it
      Map<String, ContextStore> globals = new ConcurrentHashMap<>();
      engine.registerService(
          GlobalContexts.class,
          flowId -> {
            String owner = flows.ownerOf(flowId);
            return owner == null
                ? null
                : globals.computeIfAbsent(
                    owner, any -> new ContextStore(held.contextMeter(owner, "global")));
          });
      List<Path> sqliteAllowed = settings.get(Settings.SQLITE_ALLOW);
      SqliteFiles sqliteFiles =
          new SqliteFiles(store.dataDir(), sqliteAllowed == null ? List.of() : sqliteAllowed);
      engine.registerService(SqliteFiles.class, sqliteFiles);
      engine.registerService(
          VectorCollections.class, new StoreVectorCollections(store.vectors(), flows::ownerOf));
      ClusterConfig clusterConfig = settings.clusterConfig();
      if (clusterConfig != null) {
        member =
            ClusterMember.join(
                clusterConfig, engine, flows, store.users(), hooks, CLUSTER_CATCH_UP);
      }
      StartTrace.mark("flow manager");
      int restored = flows.restoreRunning();
      StartTrace.mark("flows restored");
      if (restored > 0) {
        LOG.log(Level.INFO, "restored " + restored + " running flow(s)");
      }
      int maxBodyBytes = settings.get(Settings.MAX_BODY_BYTES);
      FlowService flowService = new FlowService(flows, maxBodyBytes);
      boolean openRegistration = settings.get(Settings.OPEN_REGISTRATION);
      EngineSockets sockets = new EngineSockets(userTokens, flows, settings.socketSettings());
      AtomicInteger listening = new AtomicInteger();
      Consumer<HttpRouting.Builder> routes =
          routing -> {
            routing.addFilter(HeadRequests.filter()); // first: HEAD is routed as GET
            routing.addFilter(new Authenticator(userTokens));
            // first: Helidon tries routes in order, and hooks carry the traffic
            hooks.register(routing);
            routing.register(
                "/auth",
                new AuthService(
                    store.users(),
                    new PasswordHasher(),
                    userTokens,
                    new LoginRateLimiter(System::nanoTime),
                    openRegistration,
                    64 * 1024,
                    InstantSource.system()));
            routing.register("/api/v1/flows", flowService);
            routing.register("/api/v1/vault", new VaultService(store.vault(), 256 * 1024));
            routing.register("/api/v1/users", new UserService(store.users()));
            routing.register(
                "/api/v1/connections",
                new ConnectionService(
                    store.connections(),
                    store.vault(),
                    liveConnections,
                    settings.get(Settings.HTTP_ALLOW),
                    sqliteFiles,
                    ConnectionService.defaultTestLimit(),
                    64 * 1024));
            routing.register("/api/v1/nodes", new NodeCatalogService(engine.registry()));
            routing.register(
                "/api/v1/plugins",
                new PluginService(
                    store.users(),
                    plugins,
                    store.plugins(),
                    engine.registry(),
                    InstantSource.system(),
                    maxBodyBytes));
            routing.register(
                "/api/v1/info",
                new InfoService(
                    version, engine, store.dataDir(), listening::get, InstantSource.system()));
            routing.register("/api/v1/openapi.json", new OpenApiService(version));
            routing.register("/metrics", new MetricsService(engine, aiUsage, store.users()));
            EditorService.register(routing);
            Main.routing(routing, version, null);
            StartTrace.mark("routes");
          };
      StartTrace.mark("sockets");
      awaitWarmUp(warming);
      StartTrace.mark("warmed");
      WebServer web =
          WebServer.builder()
              .host(settings.bind())
              .port(settings.port())
              .shutdownHook(false) // Main's hook stops the server and says so
              .directHandlers(MalformedRequests.handlers())
              .maxTcpConnections(settings.get(Settings.MAX_CONNECTIONS))
              // Nagle's algorithm off, as Node.js's http server has it: with it on (Helidon's
              // default), an answer or WebSocket frame written while the one before is still
              // unacknowledged waits for the client's delayed acknowledgement (40 ms on Linux)
              .connectionOptions(options -> options.tcpNoDelay(true))
              .addConnectionSelector(
                  new ClientConnections(
                      settings.get(Settings.MAX_CONNECTIONS_PER_CLIENT),
                      settings.get(Settings.HEADERS_TIMEOUT_MS),
                      settings.get(Settings.IDLE_TIMEOUT_MS),
                      java.util.List.of(EngineSockets.protocolConfig())))
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
      StartTrace.mark("web server");
      Thread.ofPlatform().daemon().name("z8-warm-json").start(Z8Server::warmJson);
      listening.set(web.port());
      return new Z8Server(store, engine, hooks, sockets, web, routes, embedder, member);
    } catch (IOException unreachable) {
      engine.close();
      embedder.close();
      store.close();
      throw new IllegalStateException("cannot join the cluster: " + unreachable.getMessage());
    } catch (RuntimeException failed) {
      if (member != null) {
        member.close();
      }
      engine.close();
      embedder.close();
      store.close();
      throw failed;
    }
  }

  /** The warm-up {@link #beginWarmUp} began, until a {@link #start} takes it. */
  private static final AtomicReference<FutureTask<Void>> EARLY_WARM_UP = new AtomicReference<>();

  /**
   * Begins {@link #warmUp} now, on its own thread, for the next {@link #start} of this process,
   * which takes it instead of beginning its own: {@code serve} calls it first thing, so that it
   * runs while the main thread reads the settings (40-60 ms) instead of after them; the main thread
   * waited for it before it built the web server. The settings are not read yet, so its web server
   * is built on the loopback address: only the classes and Helidon's once-per-process state matter,
   * not the address. Once per process; a later call does nothing.
   */
  static void beginWarmUp() {
    FutureTask<Void> warming = new FutureTask<>(() -> warmUp("127.0.0.1"), null);
    if (EARLY_WARM_UP.compareAndSet(null, warming)) {
      Thread.ofPlatform().daemon().name("z8-warm").start(warming);
    }
  }

  /** Whether a warm-up {@link #beginWarmUp} began waits for a {@link #start} to take it. */
  static boolean warmUpPending() {
    return EARLY_WARM_UP.get() != null;
  }

  /** Begins {@link #warmUp} with a web server on {@code host}; returns it. */
  private static FutureTask<Void> startWarmUp(String host) {
    FutureTask<Void> warming = new FutureTask<>(() -> warmUp(host), null);
    Thread.ofPlatform().daemon().name("z8-warm").start(warming);
    return warming;
  }

  /**
   * Runs, on its own thread, what the main thread would otherwise do first-time later in {@link
   * #start}: the engine's native allocator ({@link LazyZeroedMemory}: the foreign-function API's
   * first downcall handles, generated classes; first, as the engine is built next), and a web
   * server like the real one, built and never started: Helidon's service registry, configuration
   * and media support initialise once per process, so the real server is built in a fraction of the
   * time afterwards. Only a head start: a failure here is ignored, and meets the main thread again
   * where it matters. The main thread waits for it before it builds the real server.
   */
  private static void warmUp(String host) {
    try {
      // the engine's constructor, next on the main thread, needs the allocator
      LazyZeroedMemory.reserved();
      StartTrace.mark("warm: native memory");
    } catch (RuntimeException | LinkageError ignored) {
      // the main thread meets it again
    }
    warmWebServer(host);
    StartTrace.mark("warmed up");
  }

  /**
   * Jackson's parser classes, on a thread of their own once the server listens: a fresh server
   * parses no JSON before it listens (the node registry's defaults are built, not parsed), so this
   * is a head start for the first flow deployed or body parsed, off the start's path. A restart
   * that restores stored flows has met them on the main thread already. ({@link
   * java.math.BigDecimal}, which their initialisation needs and which costs the most, is begun at
   * the start: {@link Main#loadLmdbBindingInBackground}.)
   */
  private static void warmJson() {
    try {
      JsonCodec.parse("{\"warm\":[1,2.5,\"x\",true,null]}");
      StartTrace.mark("warm: json");
    } catch (RuntimeException | LinkageError ignored) {
      // the first parse meets it again
    }
  }

  /**
   * Waits for {@link #warmUp} before the real web server is built (no two Helidon builds at once).
   */
  private static void awaitWarmUp(FutureTask<Void> warming) {
    try {
      warming.get();
    } catch (ExecutionException ignored) {
      // only a head start
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds (never starts) a web server like the real one, on {@code host}: see {@link #warmUp}. */
  private static void warmWebServer(String host) {
    try {
      WebServer.builder()
          .host(host)
          .port(0)
          .shutdownHook(false)
          .routing(routing -> routing.get("/", (request, response) -> response.send()))
          .addProtocol(EngineSockets.protocolConfig())
          .build();
      // Helidon's global service registry, made when the router first asks for the global mapper
      // manager: otherwise the first request waits for it (0.1-0.2 s of CPU)
      GlobalServiceRegistry.registry();
    } catch (RuntimeException ignored) {
      // only a head start: the real server is built and its errors reported below
    }
  }

  /** The store {@code opening} opened, or what it threw, unwrapped. */
  private static Store opened(FutureTask<Store> opening) {
    try {
      return opening.get();
    } catch (InterruptedException interrupted) {
      closeWhenOpened(opening);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the store opened", interrupted);
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("cannot open the store: " + cause, cause);
    }
  }

  /** Waits for the store {@code opening} opens and closes it (a failed start's). */
  private static void closeWhenOpened(FutureTask<Store> opening) {
    boolean interrupted = false;
    while (true) {
      try {
        opening.get().close();
        break;
      } catch (InterruptedException again) {
        interrupted = true;
      } catch (ExecutionException | RuntimeException nothingOpened) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
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

  private static Tokens tokens(Settings settings) {
    String secret = settings.get(Settings.JWT_SECRET);
    if (secret != null) {
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

  /** This server's cluster membership, or null for a single process. */
  public ClusterMember cluster() {
    return member;
  }

  public HookService hooks() {
    return hooks;
  }

  @Override
  public void close() {
    sockets.close();
    web.stop();
    if (member != null) {
      member.close(); // gives the leases up first: other members take the sources over at once
    }
    hooks.close();
    engine.close();
    embedder.close();
    store.close();
  }
}
