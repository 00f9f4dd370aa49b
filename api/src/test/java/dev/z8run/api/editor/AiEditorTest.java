package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The AI nodes in the editor: the RAG example flow as shipped ({@code
 * docs/examples/rag-handbook.json}) imports through the editor's import dialog, with nothing
 * refused, and opens on the canvas with every node and wire; a classifier shows one output per
 * category.
 */
@Tag("browser")
class AiEditorTest {
  private static final Path EXAMPLE =
      Path.of(System.getProperty("user.dir"))
          .getParent()
          .resolve("docs/examples/rag-handbook.json");

  @TempDir Path dataDir;

  @Test
  void shouldImportTheRagExampleThroughTheEditorAndOpenIt() throws Exception {
    String document = Files.readString(EXAMPLE);
    Map<?, ?> shipped = (Map<?, ?>) ((Map<?, ?>) JsonCodec.parse(document)).get("flow");
    String name = (String) shipped.get("name");
    List<?> nodes = (List<?>) shipped.get("canvas_nodes");
    List<?> edges = (List<?>) shipped.get("canvas_edges");
    Set<String> types = new TreeSet<>();
    for (Object node : nodes) {
      types.add((String) ((Map<?, ?>) ((Map<?, ?>) node).get("data")).get("type"));
    }
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.openSignedIn(token, "#/flows");
      session.find("import-open").click();
      WebElement area = session.find("import-text");
      session.js(
          "const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype,"
              + " 'value').set;setter.call(arguments[0], arguments[1]);"
              + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
          area,
          document);
      session.find("import-submit").click();
      WebElement result = session.find("import-result");
      assertTrue(result.getText().contains(name), result.getText());
      session.find("import-close").click();
      session.await(
          d -> session.all("flow-name").stream().map(WebElement::getText).toList().contains(name));

      session.all("flow-row").stream()
          .map(r -> r.findElement(By.cssSelector("[data-testid='flow-name']")))
          .filter(n -> n.getText().equals(name))
          .findFirst()
          .orElseThrow()
          .click();
      session.find("editor");
      session.await(d -> session.docNodes().size() == nodes.size());
      assertEquals(edges.size(), session.docWires().size());
      Set<String> shown = new TreeSet<>();
      for (Map<String, Object> node : session.docNodes()) {
        shown.add((String) node.get("type"));
      }
      assertEquals(types, shown);
    }
  }

  @Test
  void shouldShowOneClassifierOutputPerCategory() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow(
          "{\"id\":\"cls\",\"name\":\"Classes\",\"nodes\":[{\"id\":\"c\",\"type\":\"classifier\","
              + "\"config\":{\"mode\":\"embedding\",\"categories\":[\"billing\",{\"name\":\"bug\","
              + "\"description\":\"something broken\"},\"praise\",\"other\"]}}],\"wires\":[]}");
      session.openSignedIn(token, "#/flow/cls");
      session.find("editor");
      session.await(d -> !session.docNodes().isEmpty());
      // result, error, then billing, bug, praise, other
      session.await(
          d ->
              session.node("c").findElements(By.cssSelector(".react-flow__handle.source")).size()
                  == 6);
      // a classifier dropped from the palette has the default three categories
      String dropped = session.dragFromPalette("classifier", 500, 300);
      assertEquals(
          5,
          session.node(dropped).findElements(By.cssSelector(".react-flow__handle.source")).size());
    }
  }
}
