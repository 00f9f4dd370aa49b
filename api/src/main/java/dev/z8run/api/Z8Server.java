package dev.z8run.api;

import dev.z8run.api.hook.HookService;
import dev.z8run.api.hook.HookSettings;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.EngineConfig;
import dev.z8run.nodes.BuiltinNodes;
import io.helidon.webserver.WebServer;

/**
 * A running z8run server: the engine with the built-in node types, and the Helidon web server whose
 * routes reach it. Closing stops the web server first (no new requests), then the engine.
 */
public final class Z8Server implements AutoCloseable {
  private final Engine engine;
  private final HookService hooks;
  private final WebServer web;

  private Z8Server(Engine engine, HookService hooks, WebServer web) {
    this.engine = engine;
    this.hooks = hooks;
    this.web = web;
  }

  /**
   * Starts the engine and listens on the settings' address.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  static Z8Server start(ServerSettings settings, String version) {
    Engine engine = new Engine(engineConfig(System.getenv("Z8_WORKERS")), BuiltinNodes.registry());
    HookService hooks = new HookService(engine, HookSettings.defaults());
    engine.registerService(Replies.class, hooks);
    WebServer web;
    try {
      web =
          WebServer.builder()
              .host(settings.bind())
              .port(settings.port())
              .shutdownHook(false) // Main's hook stops the server and says so
              .routing(routing -> Main.routing(routing, version, hooks))
              .build()
              .start();
    } catch (RuntimeException failed) {
      engine.close();
      throw failed;
    }
    if (!web.isRunning()) {
      engine.close();
      // Helidon logs a failed bind and returns a stopped server rather than throwing
      throw new IllegalStateException(
          "cannot listen on " + settings.baseUrl(settings.port()) + " (see the error above)");
    }
    return new Z8Server(engine, hooks, web);
  }

  /** The engine's settings: {@code Z8_WORKERS} worker threads, one per core when unset. */
  static EngineConfig engineConfig(String workers) {
    EngineConfig defaults = EngineConfig.defaults();
    if (workers == null || workers.isBlank()) {
      return defaults;
    }
    try {
      int count = Integer.parseInt(workers.strip());
      if (count >= 1 && count <= 256) {
        return defaults.withWorkers(count);
      }
    } catch (NumberFormatException notNumber) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "Z8_WORKERS must be a number of worker threads from 1 to 256, got '" + workers + "'");
  }

  /** The port actually bound. */
  public int port() {
    return web.port();
  }

  public Engine engine() {
    return engine;
  }

  public HookService hooks() {
    return hooks;
  }

  @Override
  public void close() {
    web.stop();
    engine.close();
  }
}
