package dev.z8run.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The node reference pages under {@code docs/nodes/} agree with the code: one page per built-in
 * type, indexed by the README, with its ports and config fields exactly as the {@link NodeType}
 * declares them, and examples that deploy.
 */
class NodeReferenceDocsTest {
  private static final Path DOCS =
      Path.of(System.getProperty("user.dir")).getParent().resolve("docs").resolve("nodes");

  private static final List<NodeType> TYPES = BuiltinNodes.registry().all();

  private static List<String> page(String name) throws IOException {
    Path page = DOCS.resolve(name);
    assertTrue(Files.isRegularFile(page), "missing page " + page);
    return Files.readAllLines(page);
  }

  /** The lines of section {@code ## heading}, up to the next {@code ## } heading. */
  private static List<String> section(List<String> page, String heading) {
    int start = page.indexOf("## " + heading);
    assertTrue(start >= 0, "no section '## " + heading + "'");
    List<String> lines = new ArrayList<>();
    for (int i = start + 1; i < page.size() && !page.get(i).startsWith("## "); i++) {
      lines.add(page.get(i));
    }
    return lines;
  }

  private static List<String> rowsStartingWith(List<String> lines, String prefix) {
    return lines.stream().filter(line -> line.startsWith(prefix)).toList();
  }

  /**
   * The config table row a field must have, e.g. {@code | `topic` | string | `""` | no | ... |}; a
   * bounded number's type says its bounds: {@code integer, 1 to 600000}.
   */
  static String configRow(ConfigField field) {
    String defaultValue =
        field.defaultValue() == null
            ? "—"
            : "`" + JsonCodec.writeString(field.defaultValue()) + "`";
    return "| `"
        + field.name()
        + "` | "
        + field.type().jsonName()
        + (field.bounded() ? ", " + field.range() : "")
        + " | "
        + defaultValue
        + " | "
        + (field.required() ? "yes" : "no")
        + " | "
        + field.description().replace("|", "\\|")
        + " |";
  }

  /** The ports table row a port must have, e.g. {@code | output 0 | `output` | any |}. */
  static String portRow(String direction, int index, PortSpec port) {
    return "| "
        + direction
        + " "
        + index
        + " | `"
        + port.name()
        + "` | "
        + port.type().jsonName()
        + " |";
  }

  @Test
  void shouldDocumentEveryConfigFieldExactlyAsTheNodeTypeDeclaresIt() throws IOException {
    for (NodeType type : TYPES) {
      List<String> configuration = section(page(type.name() + ".md"), "Configuration");
      List<String> expected = type.config().stream().map(NodeReferenceDocsTest::configRow).toList();

      assertEquals(expected, rowsStartingWith(configuration, "| `"), type.name());
    }
  }

  @Test
  void shouldDocumentEveryPortOfEveryType() throws IOException {
    for (NodeType type : TYPES) {
      List<String> ports = section(page(type.name() + ".md"), "Ports");
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < type.inputs().size(); i++) {
        expected.add(portRow("input", i, type.inputs().get(i)));
      }
      for (int i = 0; i < type.outputs().size(); i++) {
        expected.add(portRow("output", i, type.outputs().get(i)));
      }

      List<String> documented = new ArrayList<>(rowsStartingWith(ports, "| input "));
      documented.addAll(rowsStartingWith(ports, "| output "));
      assertEquals(expected, documented, type.name());
    }
  }

  @Test
  void shouldStateEachTypesDescriptionAndCategory() throws IOException {
    for (NodeType type : TYPES) {
      List<String> page = page(type.name() + ".md");

      assertTrue(page.contains(type.description()), type.name() + ": description");
      String category = "Category: `" + type.category() + "`.";
      assertTrue(
          page.stream().anyMatch(line -> line.startsWith(category)), type.name() + ": category");
    }
  }

  @Test
  void shouldIndexExactlyTheBuiltinTypesInTheReadme() throws IOException {
    String readme = String.join("\n", page("README.md"));
    TreeSet<String> pages = new TreeSet<>();
    try (Stream<Path> files = Files.list(DOCS)) {
      files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".md") && !name.equals("README.md"))
          .forEach(name -> pages.add(name.substring(0, name.length() - 3)));
    }
    TreeSet<String> types = new TreeSet<>();
    TYPES.forEach(type -> types.add(type.name()));

    assertEquals(types, pages);
    for (String name : types) {
      assertTrue(readme.contains("](" + name + ".md)"), "README links " + name);
    }
  }

  /**
   * Every {@code ```json} block that is a node or a flow document deploys on a real engine; each
   * page has at least one. Blocks that are neither (example messages) are skipped.
   */
  @Test
  void shouldDeployEveryExampleNodeAndFlow() throws IOException {
    int flows = 0;
    try (FlowHarness harness = new FlowHarness()) {
      // the data nodes' examples name servers on this machine, which the default policy refuses
      harness.engine.registerService(
          dev.z8run.nodes.support.OutboundPolicy.class,
          dev.z8run.nodes.support.OutboundPolicy.parse("127.0.0.1"));
      for (NodeType type : TYPES) {
        int examples = 0;
        for (String block : jsonBlocks(page(type.name() + ".md"))) {
          if (!(JsonCodec.parse(block) instanceof Map<?, ?> document)
              || !(document.containsKey("type") || document.containsKey("nodes"))) {
            continue;
          }
          Flow flow =
              document.containsKey("nodes")
                  ? FlowCodec.read(block)
                  : FlowCodec.read(
                      "{\"id\":\"example-" + ++flows + "\",\"nodes\":[" + block + "]}");
          harness.engine.deploy(flow);
          assertTrue(harness.engine.isRunning(flow.id()), type.name() + ": " + flow.id());
          examples++;
        }
        assertTrue(examples > 0, type.name() + ": no example node");
      }
    }
  }

  private static List<String> jsonBlocks(List<String> page) {
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    for (String line : page) {
      if (block == null && line.equals("```json")) {
        block = new StringBuilder();
      } else if (block != null && line.equals("```")) {
        blocks.add(block.toString());
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return blocks;
  }
}
