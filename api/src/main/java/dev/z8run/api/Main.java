package dev.z8run.api;

import dev.z8run.api.hook.HookService;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.api.http.ErrorResponses;
import dev.z8run.api.rest.HealthService;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.store.lmdb.StorageException;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code z8run} command: {@code serve} (the default), {@code validate}, {@code plugin}, {@code
 * version}, {@code help}.
 *
 * <p>Exit codes: 0 success, 1 the server could not start, 2 a usage or configuration error. {@code
 * serve} returns once the server listens; Helidon's listener threads keep the process alive until
 * SIGTERM/SIGINT, when a shutdown hook stops the server.
 */
public final class Main {
  static final String USAGE =
      """
      usage: z8run [command]

      commands:
        serve [--deploy FILE]...
                       start the server (the default): http://$Z8_BIND:$Z8_PORT, 127.0.0.1:7700
                       unless set; each --deploy FILE deploys that flow document at start
        validate FILE  check a flow document (JSON) and print every problem; exit 1 when it has any
        plugin install MANIFEST MODULE.wasm | list | remove NAME
                       manage the plugins of a running server ($Z8_URL or --url, $Z8_TOKEN or
                       --token); see 'z8run plugin'
        version        print the version
        help      print this text

      environment: Z8_BIND, Z8_PORT, Z8_LOG_LEVEL (trace, debug, info, warn, error, off),
                   Z8_WORKERS (engine worker threads, one per core by default)
      """;
  static final int EXIT_OK = 0;
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** Made on first use: the first logger fixes java.util.logging's manager for good. */
  private static final class Log {
    static final System.Logger LOG = System.getLogger(Main.class.getName());
  }

  private Main() {}

  public static void main(String[] args) {
    // first, before any Agrona buffer class loads or anything logs: both read their property once
    StartTrace.mark("main");
    Settings.applyJvmDefaults(System.getProperties());
    Thread.setDefaultUncaughtExceptionHandler(Main::onUncaught);
    int exitCode = run(args, System.out, System.err);
    // the training run ends the process (threads it started may linger): the JVM writes the AOT
    // cache at exit
    if (exitCode != EXIT_OK || (args.length == 1 && AotTraining.COMMAND.equals(args[0]))) {
      System.exit(exitCode);
    }
  }

  /** The exit code of a process that ran out of memory (a supervisor restarts it). */
  static final int EXIT_OUT_OF_MEMORY = 3;

  /**
   * A thread that dies of an {@link OutOfMemoryError} (or another {@link VirtualMachineError}) ends
   * the process: the listener, timer and watchdog threads it may have been leave a server that
   * answers nothing, and a supervisor can only restart a process that exits. {@code halt}, not
   * {@code exit}: the shutdown hooks would need memory and threads that may be gone. Not {@code
   * -XX:+ExitOnOutOfMemoryError}: a Function node's one oversized allocation, refused and caught as
   * that node's error, must not end the server.
   */
  static void onUncaught(Thread thread, Throwable error) {
    if (error instanceof VirtualMachineError) {
      try {
        System.err.println(
            "z8run: " + error + " in thread " + thread.getName() + "; exiting so that it restarts");
      } finally {
        Runtime.getRuntime().halt(EXIT_OUT_OF_MEMORY);
      }
    }
    System.err.println("z8run: uncaught in thread " + thread.getName() + ": " + error);
    error.printStackTrace();
  }

  /** Runs one command; returns its exit code ({@code serve} returns while the server runs). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String command = args.length == 0 ? "serve" : args[0];
    if ("validate".equals(command)) {
      return args.length == 2
          ? ValidateCommand.run(args[1], out, err)
          : usageError(err, "'validate' takes one argument: the flow document's file");
    }
    if ("plugin".equals(command)) {
      Settings settings = processSettings(err);
      return settings == null
          ? EXIT_USAGE
          : PluginCommand.run(List.of(args).subList(1, args.length), settings, out, err);
    }
    if (AotTraining.COMMAND.equals(command) && args.length == 1) {
      return AotTraining.run(err);
    }
    if ("serve".equals(command)) {
      loadLmdbBindingInBackground();
      Z8Server.beginWarmUp();
      List<Path> flows = new ArrayList<>();
      for (int i = 1; i < args.length; i++) {
        if (!args[i].equals("--deploy") || i + 1 == args.length) {
          return usageError(
              err, "'serve' takes only '--deploy FILE' options, got '" + args[i] + "'");
        }
        flows.add(Path.of(args[++i]));
      }
      return serve(flows, err);
    }
    if (args.length > 1) {
      return usageError(err, "'" + command + "' takes no arguments");
    }
    return switch (command) {
      case "version" -> {
        out.println("z8run " + Z8Version.current());
        yield EXIT_OK;
      }
      case "help", "-h", "--help" -> {
        out.print(USAGE);
        yield EXIT_OK;
      }
      default -> usageError(err, "unknown command '" + command + "'");
    };
  }

  /**
   * LMDB's binding loads on a spare core while the calling thread reads the settings and builds the
   * engine (the store opens on yet another thread, {@link Z8Server#start}); then {@link BigDecimal}
   * is initialised on the same thread. {@code serve} and the AOT cache's training run both call it,
   * so that the cache holds what it runs.
   *
   * <p>{@link BigDecimal}'s static initialiser computes 5^65536 by squaring on JDK 25 (30-60 ms of
   * CPU, more while interpreted), and every start needs it before it answers: Helidon's service
   * registry parses its metadata's numbers into it (the web server's warm-up and the first request)
   * and so does Jackson's parser (a stored flow restored). Whoever comes first pays it, on the
   * start's path; begun here, at the start, it is done or under way by then.
   */
  static void loadLmdbBindingInBackground() {
    Thread.ofPlatform()
        .daemon()
        .name("z8-lmdb-load")
        .start(
            () -> {
              dev.z8run.store.lmdb.LmdbEnvironment.loadBinding();
              StartTrace.mark("lmdb binding");
              BigDecimal.ONE.signum(); // initialises the class
              StartTrace.mark("BigDecimal");
            });
  }

  /**
   * Every route of the server, the way tests build it too. Unknown routes and failing handlers
   * answer the API's JSON error shape.
   */
  public static void routing(HttpRouting.Builder routing, String version) {
    routing(routing, version, null);
  }

  /** As {@link #routing(HttpRouting.Builder, String)}, with the {@code /hook} routes when given. */
  public static void routing(HttpRouting.Builder routing, String version, HookService hooks) {
    // what parsed bodies hold in the body budget is given back as each request ends
    routing.addFilter(BodyBudget.requestScope());
    routing.register("/api/v1/health", new HealthService(version));
    if (hooks != null) {
      hooks.register(routing);
    }
    ErrorResponses.finish(routing);
  }

  /**
   * Starts a server with {@code settings} and logs {@code z8run listening on http://host:port} with
   * the port actually bound. The caller owns the server and closes it.
   */
  public static Z8Server start(Settings settings) {
    return start(settings, settings.engineConfig());
  }

  /**
   * {@link #start(Settings)} with the engine built from {@code engineConfig} instead of {@link
   * Settings#engineConfig()} (tests give the engine a {@link dev.z8run.core.timer.ManualClock}).
   */
  public static Z8Server start(Settings settings, EngineConfig engineConfig) {
    Z8Server server = Z8Server.start(settings, Z8Version.current(), engineConfig);
    Log.LOG.log(Level.INFO, "z8run listening on " + settings.baseUrl(server.port()));
    return server;
  }

  /**
   * The settings of this process: its environment and system properties, the one place either is
   * read. Null, with the problems printed, when a value is refused.
   */
  private static Settings processSettings(PrintStream err) {
    try {
      return Settings.resolve(System.getenv(), System.getProperties());
    } catch (IllegalArgumentException refused) {
      err.println("z8run: " + refused.getMessage());
      return null;
    }
  }

  private static int serve(List<Path> flows, PrintStream err) {
    Settings settings = processSettings(err);
    if (settings == null) {
      return EXIT_USAGE;
    }
    StartTrace.mark("settings");
    LogSetup.configure(settings.logLevel());
    StartTrace.mark("logging");
    Z8Server server;
    try {
      server = start(settings);
    } catch (IllegalArgumentException e) {
      err.println("z8run: " + e.getMessage());
      return EXIT_USAGE;
    } catch (StorageException e) {
      // a wrong vault secret, a key file others can read, a newer store: say so and stop
      err.println("z8run: " + e.getMessage());
      return EXIT_USAGE;
    } catch (IllegalStateException e) {
      Log.LOG.log(Level.ERROR, e.getMessage());
      return EXIT_START_FAILED;
    } catch (RuntimeException e) {
      Log.LOG.log(Level.ERROR, "cannot start on " + settings.baseUrl(settings.port()), e);
      return EXIT_START_FAILED;
    }
    for (Path file : flows) {
      try {
        Flow flow = FlowCodec.read(Files.readAllBytes(file));
        server.engine().deploy(flow);
        Log.LOG.log(Level.INFO, "deployed flow '" + flow.id() + "' from " + file);
      } catch (IOException | RuntimeException refused) {
        err.println("z8run: cannot deploy " + file + ": " + refused.getMessage());
        stop(server);
        return EXIT_USAGE;
      }
    }
    StartTrace.mark("deployed");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "z8run-shutdown"));
    MemoryTrim.startInBackground();
    return EXIT_OK;
  }

  private static void stop(Z8Server server) {
    Log.LOG.log(Level.INFO, "z8run stopping");
    server.close();
    Log.LOG.log(Level.INFO, "z8run stopped");
  }

  private static int usageError(PrintStream err, String problem) {
    err.println("z8run: " + problem);
    err.print(USAGE);
    return EXIT_USAGE;
  }
}
