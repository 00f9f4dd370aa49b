package dev.z8run.nodes;

import dev.z8run.core.registry.NodeType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TmpDocRowsTest {
  @Test
  void print() throws Exception {
    List<String> out = new ArrayList<>();
    for (String name : List.of("database", "mqtt-in", "mqtt-out", "mqtt")) {
      NodeType type = BuiltinNodes.registry().find(name);
      out.add("=== " + name);
      out.add(type.description());
      for (int i = 0; i < type.inputs().size(); i++) {
        out.add(NodeReferenceDocsTest.portRow("input", i, type.inputs().get(i)));
      }
      for (int i = 0; i < type.outputs().size(); i++) {
        out.add(NodeReferenceDocsTest.portRow("output", i, type.outputs().get(i)));
      }
      type.config().forEach(field -> out.add(NodeReferenceDocsTest.configRow(field)));
    }
    Files.write(Path.of("/tmp/h15-docrows.txt"), out);
  }
}
