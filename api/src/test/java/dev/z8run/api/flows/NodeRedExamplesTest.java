package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.timer.ManualClock;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.Poll;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node-RED's own example flows for its core nodes (test resources {@code node-red-examples/},
 * copied from {@code packages/node_modules/@node-red/nodes/examples/}): every one imports (none is
 * refused; nodes without a counterpart here are kept switched off and reported), and every one that
 * needs nothing outside this server runs: its inject nodes are fired in the order the file lists
 * them, and its debug nodes show what Node-RED's show for the same flow (expected values below,
 * from the examples' own descriptions and Node-RED's node tests under {@code test/nodes/core/}).
 *
 * <p>The engine's time is a {@link ManualClock}: where Node-RED waits (a delay, a trigger's
 * timeout, an inject's repeat, a rate limit, a join's timeout) the test moves the clock to the next
 * timer's due time once the engine has handled everything before it, so the examples' seconds of
 * waiting take no real time and happen in the same order.
 */
class NodeRedExamplesTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final Path EXAMPLES =
      Path.of(System.getProperty("user.dir"), "src", "test", "resources", "node-red-examples");

  /** Stands for a value that is a time in ms (an inject's date): any number. */
  private static final Object DATE = new Object();

  /** JavaScript's undefined, as a debug node shows it. */
  private static final Object UNDEFINED = "<undefined>";

  /** Examples whose outputs come from several branches at once: their order is not fixed. */
  private static final List<String> UNORDERED =
      List.of(
          "function/switch/02 - Check all rules.json",
          "function/switch/07 - Recreate message sequence.json",
          // a 2 s join timeout racing a 1 msg/s rate limit: its last group may come late
          "sequence/join/02 - Manual join mode.json");

  /**
   * A value that depends on timing in Node-RED too (a join's timeout racing a rate limit): any of
   * the options.
   */
  private record OneOf(List<Object> options) {}

  /**
   * Examples that need what this server cannot offer: an outside program, a TCP/UDP/WebSocket peer,
   * the file system, a module in settings.js, or node types still missing here (the importer keeps
   * those nodes switched off). Each is imported all the same.
   */
  private static final Map<String, String> NOT_RUNNABLE_HERE = notRunnable();

  /** What the debug nodes show, in order, for examples with a fixed result. */
  private static final Map<String, List<Object>> EXPECTED = expected();

  /**
   * How long a flow is given after each inject to finish what it started, in the engine's time: as
   * long as Node-RED's examples wait at most between two clicks.
   */
  private static final long WINDOW_NS = Duration.ofSeconds(5).toNanos();

  /** How long the debug nodes are given to show what an example expects, in the engine's time. */
  private static final long EXPECTED_WITHIN_NS = Duration.ofSeconds(10).toNanos();

  @TempDir Path dataDir;
  private final ManualClock clock = new ManualClock();
  private Z8Server server;
  private HttpClient client;
  private String token;
  private final Queue<String[]> debug = new ConcurrentLinkedQueue<>();
  private final Queue<String[]> errors = new ConcurrentLinkedQueue<>();

  /** The flows of the example running now: a late event of an earlier example is not counted. */
  private volatile Set<String> watched = Set.of();

  @BeforeEach
  void start() {
    var settings =
        TestSettings.ephemeral(
            Map.of(
                "Z8_DATA_DIR",
                dataDir.toString(),
                "Z8_JWT_SECRET",
                SECRET,
                // function/function/08's settings.js: functionGlobalContext {os: require("os")}
                "Z8_FUNCTION_GLOBAL_MODULES",
                "os",
                // an example's flows are stopped once its outputs are compared: what they still
                // hold (a delay's minute, a repeating trigger) is dropped at once, as Node-RED's
                // stop does, rather than after a drain the manual clock would never end
                "Z8_STOP_DRAIN_MS",
                "0"));
    server = Main.start(settings, settings.engineConfig().toBuilder().manualClock(clock).build());
    client = HttpClient.newHttpClient();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal("examples", "examples"));
    server
        .engine()
        .addListener(
            new EngineListener() {
              @Override
              public void onNodeDebug(
                  String flowId, String nodeId, long executionId, String preview, long length) {
                if (watched.contains(flowId)) {
                  debug.add(new String[] {flowId, nodeId, preview});
                }
              }

              @Override
              public void onNodeError(
                  String flowId, String nodeId, long executionId, String message) {
                if (watched.contains(flowId)) {
                  errors.add(new String[] {flowId, nodeId, message});
                }
              }
            });
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      return files
          .filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().equals("README.md"))
          .sorted()
          .toList();
    }
  }

  private static String name(Path example) {
    return EXAMPLES.relativize(example).toString();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldImportEveryExampleAndRefuseNone() throws Exception {
    List<Path> examples = examples();
    assertEquals(114, examples.size(), "Node-RED's core examples");
    Map<String, Integer> switchedOff = new TreeMap<>();
    int nodes = 0;
    for (Path example : examples) {
      String export = Files.readString(example);
      HttpResponse<String> imported = call("POST", "/api/v1/flows/import", export);
      assertEquals(201, imported.statusCode(), name(example) + ": " + imported.body());
      Map<?, ?> answer = (Map<?, ?>) JsonCodec.parse(imported.body());
      int reported = 0;
      for (Object flow : (List<?>) answer.get("flows")) {
        for (Object line : (List<?>) ((Map<?, ?>) flow).get("report")) {
          Map<?, ?> entry = (Map<?, ?>) line;
          reported++;
          assertTrue(
              List.of("imported", "changed", "disabled", "group", "config", "subflow")
                  .contains(entry.get("outcome")),
              entry.toString());
          if (!entry.get("outcome").equals("imported") && !entry.get("outcome").equals("group")) {
            assertTrue(!((String) entry.get("note")).isBlank(), "a reason: " + entry);
          }
          if (entry.get("outcome").equals("disabled")) {
            switchedOff.merge((String) entry.get("node_red_type"), 1, Integer::sum);
          }
        }
      }
      List<?> source = (List<?>) JsonCodec.parse(export);
      long expectedLines =
          source.stream().filter(n -> !"tab".equals(((Map<?, ?>) n).get("type"))).count();
      assertEquals(expectedLines, reported, name(example) + ": a report line for every node");
      nodes += reported;
    }
    System.out.println(
        "Node-RED examples: "
            + examples.size()
            + " imported, none refused; "
            + nodes
            + " nodes reported; kept switched off by type: "
            + switchedOff);
    assertTrue(
        switchedOff.keySet().stream()
            .allMatch(
                type ->
                    List.of(
                            "exec",
                            "tcp in",
                            "tcp out",
                            "tcp request",
                            "udp in",
                            "udp out",
                            "websocket in",
                            "websocket out",
                            "file",
                            "file in",
                            "watch",
                            "link call")
                        .contains(type)),
        "only nodes of missing types or modes are switched off: " + switchedOff);
  }

  @Test
  void shouldRunEveryExampleThatNeedsNothingOutsideAndShowWhatNodeRedShows() throws Exception {
    int ran = 0;
    int checked = 0;
    List<String> failures = new ArrayList<>();
    for (Path example : examples()) {
      String name = name(example);
      if (NOT_RUNNABLE_HERE.containsKey(name)) {
        continue;
      }
      String failure = run(example);
      if (failure != null) {
        failures.add(name + ": " + failure);
      }
      ran++;
      if (EXPECTED.containsKey(name)) {
        checked++;
      }
    }
    System.out.println(
        "Node-RED examples run here: "
            + ran
            + " (outputs compared with Node-RED's for "
            + checked
            + "); not runnable here: "
            + NOT_RUNNABLE_HERE.size());
    assertEquals(List.of(), failures);
  }

  /** Imports, starts and fires one example; null when it behaved as in Node-RED. */
  private String run(Path example) throws Exception {
    String name = name(example);
    String export = Files.readString(example);
    Map<?, ?> answer =
        (Map<?, ?>) JsonCodec.parse(call("POST", "/api/v1/flows/import", export).body());
    List<String> flowIds = new ArrayList<>();
    Map<String, String> flowOfTab = new LinkedHashMap<>();
    for (Object raw : (List<?>) answer.get("flows")) {
      Map<?, ?> flow = (Map<?, ?>) raw;
      flowIds.add((String) flow.get("id"));
      flowOfTab.put((String) flow.get("node_red_tab"), (String) flow.get("id"));
      if (!((List<?>) flow.get("problems")).isEmpty()) {
        return "problems " + flow.get("problems");
      }
    }
    watched = Set.copyOf(flowIds);
    debug.clear();
    errors.clear();
    try {
      return runStarted(name, export, flowIds, flowOfTab);
    } finally {
      for (String id : flowIds) {
        call("POST", "/api/v1/flows/" + id + "/stop", null);
      }
      watched = Set.of();
    }
  }

  private String runStarted(
      String name, String export, List<String> flowIds, Map<String, String> flowOfTab)
      throws Exception {
    for (String id : flowIds) {
      HttpResponse<String> started = call("POST", "/api/v1/flows/" + id + "/start", null);
      if (started.statusCode() != 200) {
        return "start " + started.body();
      }
    }
    List<?> nodes = (List<?>) JsonCodec.parse(export);
    for (Object raw : nodes) {
      Map<?, ?> node = (Map<?, ?>) raw;
      String flow = flowOfTab.get((String) node.get("z"));
      if ("inject".equals(node.get("type"))
          && Boolean.TRUE.equals(node.get("once"))
          && flow != null) {
        String id = (String) node.get("id");
        runClock(
            nodes,
            flowOfTab,
            WINDOW_NS,
            () -> {
              var counters = server.engine().metrics(flow).node(id);
              return counters != null && counters.messagesOut() > 0;
            });
        awaitQuiet(flow, nodes, flowOfTab);
      }
    }
    for (Object raw : nodes) {
      Map<?, ?> node = (Map<?, ?>) raw;
      if ("inject".equals(node.get("type")) && !Boolean.TRUE.equals(node.get("d"))) {
        String flow = flowOfTab.get((String) node.get("z"));
        if (flow != null && !Boolean.TRUE.equals(node.get("once"))) {
          server.engine().inject(flow, (String) node.get("id"), "{}".getBytes());
          awaitQuiet(flow, nodes, flowOfTab);
        }
      }
    }
    for (String id : flowIds) {
      awaitQuiet(id, nodes, flowOfTab);
    }
    if (Boolean.getBoolean("z8.examples.print")) {
      System.out.println("EXAMPLE " + name);
      debug.forEach(event -> System.out.println("  DEBUG " + event[2]));
      errors.forEach(event -> System.out.println("  ERROR " + event[1] + ": " + event[2]));
    }
    List<Object> expected = EXPECTED.get(name);
    if (expected != null) {
      runClock(nodes, flowOfTab, EXPECTED_WITHIN_NS, () -> debug.size() >= expected.size());
      List<Object> shown = new ArrayList<>();
      for (String[] event : debug) {
        shown.add(payloadOf(event[2]));
      }
      if (!matches(expected, shown, UNORDERED.contains(name))) {
        return "debug showed "
            + shown
            + ", Node-RED shows "
            + expected
            + "; errors "
            + texts(errors);
      }
    } else if (!errors.isEmpty()
        && !name.contains("catch")
        && !name.contains("rror")
        && !name.contains("Logging")) {
      return "errors " + texts(errors);
    }
    return null;
  }

  private static List<String> texts(Queue<String[]> events) {
    List<String> texts = new ArrayList<>();
    events.forEach(event -> texts.add(event[1] + ": " + event[2]));
    return texts;
  }

  /** What a debug node shows, parsed; {@code undefined} as {@link #UNDEFINED}. */
  private static Object payloadOf(String preview) {
    return preview.equals("undefined") ? UNDEFINED : JsonCodec.parse(preview);
  }

  /**
   * Whether the debug nodes showed what was expected: the expected values first (more may follow: a
   * repeating inject or trigger goes on), a Map matching when the shown object has its entries
   * (Node-RED adds _msgid and the like), {@link #DATE} matching a number.
   */
  private static boolean matches(List<Object> expected, List<Object> shown, boolean unordered) {
    if (shown.size() < expected.size()) {
      return false;
    }
    List<Object> candidates = new ArrayList<>(shown.subList(0, expected.size()));
    for (int i = 0; i < expected.size(); i++) {
      if (unordered) {
        Object want = expected.get(i);
        if (!candidates.removeIf(
            new java.util.function.Predicate<Object>() {
              boolean done;

              @Override
              public boolean test(Object got) {
                if (!done && same(want, got)) {
                  done = true;
                  return true;
                }
                return false;
              }
            })) {
          return false;
        }
      } else if (!same(expected.get(i), shown.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean same(Object want, Object got) {
    if (want instanceof OneOf oneOf) {
      return oneOf.options().stream().anyMatch(option -> same(option, got));
    }
    if (want == DATE) {
      return got instanceof Number;
    }
    if (want instanceof Map<?, ?> map) {
      if (!(got instanceof Map<?, ?> actual)) {
        return false;
      }
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!actual.containsKey(entry.getKey())
            || !same(entry.getValue(), actual.get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (want instanceof Number a && got instanceof Number b) {
      return a.doubleValue() == b.doubleValue();
    }
    return java.util.Objects.equals(want, got);
  }

  /**
   * Lets the engine finish what it can do without time moving on: no worker has a message waiting
   * or in hand, no blocking call is in flight, and the debug events of every message that reached
   * an active debug node have arrived (events travel on the engine's event thread, after the
   * execution).
   */
  private void settle(List<?> nodes, Map<String, String> flowOfTab) {
    Poll.eventually("the engine idle and its debug events delivered")
        .during(Duration.ofMillis(3))
        .until(() -> server.engine().idle() && debug.size() >= debugReached(nodes, flowOfTab));
  }

  /** Messages that reached the example's active debug nodes. */
  private long debugReached(List<?> nodes, Map<String, String> flowOfTab) {
    long reached = 0;
    for (Object raw : nodes) {
      Map<?, ?> node = (Map<?, ?>) raw;
      String flow = flowOfTab.get((String) node.get("z"));
      if ("debug".equals(node.get("type"))
          && !Boolean.FALSE.equals(node.get("active"))
          && !Boolean.TRUE.equals(node.get("d"))
          && flow != null) {
        var metrics = server.engine().metrics(flow);
        var counters = metrics == null ? null : metrics.node((String) node.get("id"));
        reached += counters == null ? 0 : counters.messagesIn();
      }
    }
    return reached;
  }

  /**
   * Moves the engine's clock from timer to timer, letting the engine settle after each, until
   * {@code done} holds or no timer is due within {@code windowNs} of the engine's time (the clock
   * then stands at the window's end, as real time would have moved on).
   */
  private void runClock(
      List<?> nodes,
      Map<String, String> flowOfTab,
      long windowNs,
      java.util.function.BooleanSupplier done) {
    long limit = clock.nanoTime() + windowNs;
    settle(nodes, flowOfTab);
    while (!done.getAsBoolean()) {
      if (!clock.runNext(limit)) {
        clock.advance(Duration.ofNanos(Math.max(0, limit - clock.nanoTime())));
        settle(nodes, flowOfTab);
        return;
      }
      settle(nodes, flowOfTab);
    }
  }

  /** Gives {@code flowId} a window to end its executions (a delay holds one until it sends). */
  private void awaitQuiet(String flowId, List<?> nodes, Map<String, String> flowOfTab) {
    runClock(
        nodes,
        flowOfTab,
        WINDOW_NS,
        () -> {
          var metrics = server.engine().metrics(flowId);
          return metrics == null || metrics.live() == 0;
        });
  }

  private static Map<String, String> notRunnable() {
    Map<String, String> map = new LinkedHashMap<>();
    String[][] entries = {
      {"function/exec/", "runs programs of the host (exec node)"},
      {"network/tcp/", "TCP peers"},
      {"network/udp/", "UDP peers"},
      {"network/websocket/", "WebSocket peers"},
      {"storage/", "the file system (file, file in, watch)"},
      {"network/http/", "an HTTP client calling Node-RED's own port; see NodeRedHttpInTest"},
    };
    try {
      for (Path example : examples()) {
        String name = name(example);
        for (String[] entry : entries) {
          if (name.startsWith(entry[0])) {
            map.put(name, entry[1]);
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return map;
  }

  /** What uname says of this host (Node.js's os module reads the same). */
  private static String uname(String option) {
    try {
      Process uname = new ProcessBuilder("uname", option).start();
      String text = new String(uname.getInputStream().readAllBytes()).strip();
      uname.waitFor();
      return text;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, List<Object>> expected() {
    Map<String, List<Object>> map = new LinkedHashMap<>();
    String hello = "Hello, World!";
    map.put(
        "common/catch/01 - Catch error.json",
        List.of(
            Map.of(
                "payload",
                hello,
                "error",
                Map.of(
                    "message",
                    "Error: Error Occured!",
                    "source",
                    Map.of("id", "7bab9134.35ad", "type", "function")))));
    map.put("common/complete/01 - Handle completion of node execution.json", List.of(hello, hello));
    map.put("common/debug/01 - Output payload value.json", List.of(hello));
    map.put(
        "common/debug/02 - Output complete message.json",
        List.of(Map.of("payload", hello, "topic", "Sample")));
    map.put("common/debug/03 - Output to console.json", List.of(hello));
    map.put("common/debug/04 - Output to node status.json", List.of(hello));
    map.put("common/debug/05 - Formatting output using JSONata.json", List.of("[Sample] " + hello));
    map.put("common/inject/01 - Trigger a flow at startup.json", List.of("Started!"));
    map.put("common/inject/02 - Trigger a flow at regular intervals.json", List.of(DATE));
    map.put(
        "common/inject/03 - Trigger a flow at a specific time.json",
        List.of("It is 4pm on a weekday!"));
    map.put("common/link/01 - Link within a tab.json", List.of(hello));
    map.put("common/link/02 - Link across tabs.json", List.of(hello));
    // a fixed link call, a dynamic one (msg.target) and a function's await node.linkcall
    map.put(
        "common/link/03 - Link call.json",
        List.of(
            "Hello, from subroutine-1", "Hello, from subroutine-1", "Hello, from subroutine-1"));
    map.put("function/change/01 - Set payload value.json", List.of("Hello World!"));
    map.put(
        "function/change/02 - Set any property value.json",
        List.of(Map.of("payload", hello, "topic", "Title")));
    map.put("function/change/03 - Set value using JSONata.json", List.of(hello));
    map.put("function/change/05 - Set flow context.json", List.of(UNDEFINED, 0L));
    map.put("function/change/06 - Delete message property.json", List.of(UNDEFINED));
    map.put("function/change/07 - Move message property.json", List.of("Hello"));
    map.put("function/delay/01 - Delay message.json", List.of(hello, "Goodbye, World!"));
    // the reset drops the held "Hello"; the flush message, held in its turn, is flushed itself
    map.put(
        "function/delay/03 - Reset or flush pending message.json",
        List.of(hello, "Goodbye, World!"));
    map.put(
        "function/delay/02 - Delay message by message property.json",
        List.of("delay 1s", "Goodbye, World!", "delay 10s", "Goodbye, World!"));
    // the latest message of each topic, all released on the first 2 s tick
    map.put("function/delay/05 - Limit message rate for each topic.json", List.of(3L, 3L, 3L));
    // a loop: the function's output comes back to the delay as a flush; IN at once, OUT 3-6 s later
    map.put("function/delay/06 - Simple Queue with release", List.of(DATE, DATE));
    map.put(
        "function/delay/04 - Limit message rate.json",
        List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L));
    map.put("function/function/01 - Send message to output port.json", List.of(hello));
    map.put(
        "function/function/02 - Send multiple messages.json",
        List.of(
            "first out of output 1",
            "second out of output 1",
            "third out of output 1",
            "only message from output 2"));
    map.put("function/function/03 - Send messages asynchronously.json", List.of(hello));
    map.put("function/function/04 - Logging events.json", List.of(DATE));
    map.put(
        "function/function/05 - Handling errors.json",
        List.of(
            Map.of(
                "error",
                Map.of(
                    "message",
                    "Oh no, something bad happened",
                    "source",
                    Map.of("id", "1bcca7af.619428", "type", "function", "name", "report error")))));
    map.put("function/function/06 - Storing data in context.json", List.of(1L));
    map.put("function/function/09 - Setup and close.json", List.of(1L));
    map.put(
        "function/function/08 - Using external modules.json",
        List.of(
            Map.of(
                "hostname",
                uname("-n"),
                "arch",
                uname("-m").equals("x86_64") ? "x64" : "arm64",
                "platform",
                "linux",
                "release",
                uname("-r"),
                "free",
                DATE)));
    map.put("function/function/10 - Asynchronous setup.json", List.of(hello));
    map.put("function/range/01 - Scale input value.json", List.of(0L, 2.5024437927663734, 5L));
    map.put("function/range/02 - Scale input and round to integer.json", List.of(0L, 142L, 1408L));
    map.put("function/range/03 - Limit input.json", List.of(0L, 9L, 90L));
    map.put("function/range/04 - Scale and wrap input.json", List.of(0L, 10L, 10L));
    map.put(
        "function/switch/01 - Select output port.json", List.of("negative", "zero", "positive"));
    map.put("function/switch/02 - Check all rules.json", List.of("<10", ">-10", "<10", ">-10"));
    map.put("function/switch/03 - Stop after first match.json", List.of("<10", ">-10", "<10"));
    map.put("function/switch/04 - Select output port by type.json", List.of("number", "string"));
    map.put("function/switch/05 - Use JSONata for switch rule.json", List.of("odd", "even"));
    map.put("function/switch/06 - Use JSONata for switch value.json", List.of("odd", "even"));
    map.put(
        "function/switch/08 - Route message based on properties.json", List.of(27L, 45L, 1001L));
    map.put(
        "function/template/01 - Use mustache syntax.json",
        List.of("# Price List of Fruits\n\n- apple: 100\n- orange: 80\n- banana: 210\n"));
    map.put(
        "function/template/02 - Parse result as JSON.json",
        List.of(Map.of("key", "message", "value", hello)));
    map.put("function/trigger/01 - Outputs two value with interval.json", List.of("1", "0"));
    map.put(
        "function/trigger/02 - Trigger a flow if message is not received after defined time.json",
        List.of(DATE, "timeout"));
    map.put(
        "function/trigger/03 - Send placeholder message when a stream stops sending.json",
        List.of(DATE, 0L));
    map.put(
        "parser/json/01 - Convert JSON string to JavaScript object.json",
        List.of(Map.of("kind", "Apple", "price", 100L, "origin", "Canada")));
    map.put(
        "parser/json/02 - Convert JavaScript object to JSON string.json",
        List.of("{\"kind\":\"Apple\",\"price\":100,\"origin\":\"Canada\"}"));
    map.put(
        "sequence/split/01 - Split message payload.json",
        List.of(
            "Apple",
            "Orange",
            "Banana",
            "Appl",
            "e\nOr",
            "ange",
            "\nBan",
            "ana",
            "Apple",
            "Orange",
            "Banana",
            Map.of(
                "payload",
                80L,
                "topic",
                "Apple",
                "parts",
                Map.of("index", 0L, "count", 3L, "type", "object", "key", "Apple")),
            Map.of(
                "payload",
                100L,
                "topic",
                "Orange",
                "parts",
                Map.of("index", 1L, "count", 3L, "type", "object", "key", "Orange")),
            Map.of(
                "payload",
                50L,
                "topic",
                "Banana",
                "parts",
                Map.of("index", 2L, "count", 3L, "type", "object", "key", "Banana"))));
    csvAndYaml(map);
    sequences(map);
    map.put(
        "parser/json/03 - Validate input JSON string.json",
        // the second message (price "100") fails validation: an error, nothing shown
        List.of(Map.of("kind", "Apple", "price", 100L, "origin", "Canada")));
    return map;
  }

  /**
   * The parser examples: csv (Node-RED's legacy parser), xml (xml2js), html (cheerio), yaml
   * (js-yaml), template's YAML.
   */
  private static void csvAndYaml(Map<String, List<Object>> map) {
    Map<String, Object> apple = Map.of("kind", "Apple", "price", 100L, "origin", "Canada");
    Map<String, Object> orange = Map.of("kind", "Orange", "price", 120L, "origin", "USA");
    Map<String, Object> banana = Map.of("kind", "Banana", "price", 80L, "origin", "Philippines");
    Map<String, Object> apple1 = Map.of("col1", "Apple", "col2", 100L, "col3", "Canada");
    Map<String, Object> orange1 = Map.of("col1", "Orange", "col2", 120L, "col3", "USA");
    Map<String, Object> banana1 = Map.of("col1", "Banana", "col2", 80L, "col3", "Philippines");
    String csv = "Apple,100\nOrange,120\nBanana,80\n";
    String dir = "parser/csv/";
    map.put(
        dir + "01 - Parse CSV with default column name as message sequence.json",
        List.of(apple1, orange1, banana1));
    map.put(
        dir + "02 - Parse CSV with default column name as array.json",
        List.of(List.of(apple1, orange1, banana1)));
    map.put(
        dir + "03 - Parse CSV with specified column name as message sequence.json",
        List.of(apple, orange, banana));
    map.put(
        dir + "04 - Parse CSV with column name in first row as message sequence.json",
        List.of(apple, orange, banana));
    map.put(dir + "05 - Convert JavaScript object to CSV.json", List.of("Apple,100\n"));
    map.put(dir + "06 - Convert JavaScript object to CSV.json", List.of(csv));
    map.put(
        dir + "07 - Convert array of JavaScript objects to CSV with column name header.json",
        List.of("kind,price\n" + csv));
    map.put(dir + "08 - Specify column names in input message.json", List.of("kind,price\n" + csv));
    map.put(
        dir + "09 - Send column name when reset property set.json",
        List.of("kind,price\nApple,100\n", "Orange,120\n", "kind,price\nBanana,80\n"));
    map.put(dir + "10 - Join parsed CSV message sequence using join node.json", List.of(csv));
    map.put(
        "parser/yaml/01 - Convert JavaScript object to YAML.json",
        List.of("fruits:\n  kind: Apple\n  price: 100\n  origin: Canada\n"));
    map.put(
        "parser/yaml/02 - Convert YAML to JavaScript object.json",
        List.of(Map.of("fruits", apple)));
    map.put(
        "parser/xml/01 - Convert JavaScript object to XML.json",
        List.of(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><root><kind>Apple</kind>"
                + "<price>100</price><origin>Canada</origin></root>"));
    map.put(
        "parser/xml/02 - Convert XML to JavaScript object.json",
        List.of(
            Map.of(
                "fruit",
                Map.of(
                    "$",
                    Map.of("id", "100"),
                    "kind",
                    List.of("Apple"),
                    "price",
                    List.of("100"),
                    "origin",
                    List.of("Canada")))));
    map.put(
        "parser/xml/03 - Control conversion using options property.json",
        List.of(
            Map.of(
                "fruit",
                Map.of(
                    "$",
                    Map.of("id", "100"),
                    "kind",
                    "Apple",
                    "price",
                    "100",
                    "origin",
                    "Canada"))));
    List<Object> items = List.of("Apple", "Orange", "Banana");
    map.put("parser/html/01 - Extract array of HTML element by CSS selector.json", List.of(items));
    map.put("parser/html/02 - Extract sequence of HTML element by CSS selector.json", items);
    map.put(
        "parser/html/03 - Extract array of HTML element by CSS selector specified in message.json",
        List.of(items));
    map.put(
        "parser/html/04 - Join extracted sequence of HTML element using join node.json",
        List.of("Apple,Orange,Banana"));
    map.put(
        "function/template/03 - Parse result as YAML.json",
        List.of(Map.of("key", "message", "value", "Hello, World!")));
  }

  /** The sequence examples: sort, batch, join (all modes) and switch's sequence repair. */
  private static void sequences(Map<String, List<Object>> map) {
    List<Object> fruits = List.of("apple", "banana", "kiwi", "orange", "pear");
    List<Object> asText = List.of("100", "1024", "256", "86", "9");
    List<Object> asNumbers = List.of("9", "86", "100", "256", "1024");
    List<Object> byPrice =
        List.of(
            Map.of("name", "orange", "price", 80L),
            Map.of("name", "apple", "price", 100L),
            Map.of("name", "pear", "price", 150L),
            Map.of("name", "banana", "price", 250L),
            Map.of("name", "kiwi", "price", 320L));
    List<Object> descending = List.of("pear", "orange", "kiwi", "banana", "apple");
    List<Object> byPriceAndName =
        List.of(
            Map.of("name", "apple", "price", 100L),
            Map.of("name", "orange", "price", 100L),
            Map.of("name", "banana", "price", 200L),
            Map.of("name", "kiwi", "price", 200L),
            Map.of("name", "pear", "price", 200L));
    map.put(
        "sequence/sort/01 - Sort array payload.json",
        List.of(fruits, asText, asNumbers, byPrice, descending, byPriceAndName));
    List<Object> sequence = new ArrayList<>();
    for (List<Object> sorted :
        List.of(fruits, asText, asNumbers, byPrice, descending, byPriceAndName)) {
      sequence.addAll(sorted);
    }
    map.put("sequence/sort/02 - Sort message sequence.json", sequence);
    List<Object> batches = new ArrayList<>();
    for (int first = 0; first < 30; first += 5) {
      batches.add(List.of((long) first, first + 1L, first + 2L, first + 3L, first + 4L));
    }
    for (int first = 0; first + 4 < 30; first += 4) {
      batches.add(List.of((long) first, first + 1L, first + 2L, first + 3L, first + 4L));
    }
    map.put("sequence/batch/01 - Number-based group mode.json", batches);
    map.put(
        "sequence/batch/03 - Concatenate mode.json",
        List.of(
            List.of(1L, 2L, 3L, 4L, 5L, 1L, 2L, 3L, 4L, 5L), List.of(-6L, -8L, -3L, 1L, 7L, 2L)));
    map.put(
        "function/switch/07 - Recreate message sequence.json",
        List.of(List.of(3L, 1L, 2L), List.of(-2L, -1L, -3L)));
    Map<String, Object> apple = Map.of("name", "Apple", "price", 100L);
    map.put(
        "sequence/join/01 - Automatic join mode.json",
        List.of(
            "Apple\nOrange\nBanana\nKiwi",
            List.of(
                apple,
                Map.of("name", "Orange", "price", 80L),
                Map.of("name", "Banana", "price", 120L),
                Map.of("name", "Kiwi", "price", 50L)),
            List.of(apple, Map.of("name", "Banana", "price", 120L))));
    map.put(
        "sequence/join/02 - Manual join mode.json",
        List.of(
            "Apple,Orange",
            "Banana,Kiwi",
            // a 2 s timeout over messages rate-limited to 1/s: the third arrives at the 2 s mark
            new OneOf(List.of("Apple,Orange", "Apple,Orange,Banana")),
            new OneOf(List.of("Banana,Kiwi", "Kiwi")),
            "Apple,Orange,Banana",
            "Kiwi",
            List.of("Apple", "Orange"),
            List.of("Banana", "Kiwi"),
            Map.of("Apple", 100L, "Orange", 20L),
            Map.of("Banana", 80L, "Kiwi", 120L),
            apple,
            Map.of("name", "Orange", "price", 20L),
            Map.of("name", "Banana", "price", 80L),
            Map.of("name", "Kiwi", "price", 120L),
            Map.of("name", "Apple", "price", 100L, "order", 5L),
            Map.of("name", "Apple", "price", 100L, "order", 1L),
            Map.of("name", "Apple", "price", 100L, "order", 20L)));
    map.put(
        "sequence/join/03 - Reduce sequence mode.json",
        List.of(
            5.5,
            List.of("Apple", "Orange", "Banana", "Kiwi"),
            List.of("Kiwi", "Banana", "Orange", "Apple"),
            List.of(
                Map.of("name", "Apple", "index", 0L),
                Map.of("name", "Orange", "index", 1L),
                Map.of("name", "Banana", "index", 2L),
                Map.of("name", "Kiwi", "index", 3L))));
  }
}
