package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.Engine;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.store.Store;
import dev.z8run.wasm.Plugins;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout is the architecture (docs/architecture.md): this test reads the compiled
 * classes of every module with {@code jdeps} and checks that the dependencies between the packages
 * of io, core, nodes, wasm, store and api form no cycle, that node families stay independent of one
 * another, and that the node SPI depends on no other package of the engine.
 */
class PackageDependenciesTest {
  private static final Pattern EDGE =
      Pattern.compile("^\\s+(dev\\.z8run\\.[\\w.]+)\\s+->\\s+(dev\\.z8run\\.[\\w.]+)\\s");
  private static final String NODES = "dev.z8run.nodes.";

  private static Map<String, TreeSet<String>> graph;

  @BeforeAll
  static void readDependencies() throws URISyntaxException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-verbose:package",
                "-filter:none",
                "--multi-release",
                "21",
                "-e",
                "dev\\.z8run\\..*"));
    for (Class<?> module :
        List.of(
            MessageFlyweight.class,
            Engine.class,
            BuiltinNodes.class,
            Plugins.class,
            Store.class,
            Main.class)) {
      args.add(
          Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
    assertEquals(0, status, out::toString);
    graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      Matcher edge = EDGE.matcher(line);
      if (edge.find() && !edge.group(1).equals(edge.group(2))) {
        graph.computeIfAbsent(edge.group(1), k -> new TreeSet<>()).add(edge.group(2));
      }
    }
    assertTrue(graph.containsKey("dev.z8run.core.runtime"), out::toString);
  }

  @Test
  void shouldHaveNoCycleBetweenPackages() {
    assertEquals(List.of(), stronglyConnected(), "package cycles");
  }

  @Test
  void shouldKeepNodeFamiliesIndependentOfEachOther() {
    List<String> crossings = new ArrayList<>();
    graph.forEach(
        (from, targets) -> {
          if (from.startsWith(NODES)) {
            for (String to : targets) {
              if (to.startsWith(NODES)
                  && !family(to).equals("support")
                  && !family(to).equals(family(from))) {
                crossings.add(from + " -> " + to);
              }
            }
          }
        });
    assertEquals(List.of(), crossings, "node families may use only dev.z8run.nodes.support");
  }

  /**
   * The family of a package under dev.z8run.nodes: its first segment ({@code ai} for ai.vector).
   */
  private static String family(String nodesPackage) {
    String rest = nodesPackage.substring(NODES.length());
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  @Test
  void shouldKeepTheNodeSpiFreeOfTheEngine() {
    List<String> uses = new ArrayList<>();
    for (String to : graph.getOrDefault("dev.z8run.core.node", new TreeSet<>())) {
      if (to.startsWith("dev.z8run.core.")) {
        uses.add(to);
      }
    }
    assertEquals(List.of(), uses, "dev.z8run.core.node must depend on no other core package");
  }

  /** Tarjan's algorithm: the components of more than one package are the cycles. */
  private static List<List<String>> stronglyConnected() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    List<List<String>> components = new ArrayList<>();
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, index, low, stack, components);
      }
    }
    return components;
  }

  private static void connect(
      String node,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      List<List<String>> components) {
    index.put(node, index.size());
    low.put(node, index.get(node));
    stack.push(node);
    for (String next : graph.getOrDefault(node, new TreeSet<>())) {
      if (!index.containsKey(next)) {
        connect(next, index, low, stack, components);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      List<String> component = new ArrayList<>();
      String member;
      do {
        member = stack.pop();
        component.add(member);
      } while (!member.equals(node));
      if (component.size() > 1) {
        component.sort(null);
        components.add(component);
      }
    }
  }
}
