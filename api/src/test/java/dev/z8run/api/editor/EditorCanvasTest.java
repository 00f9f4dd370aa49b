package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The flow editor in headless Chromium against a real server: building a flow by dragging from the
 * palette and wiring ports, the properties panel and the server's validation, undo/redo, refused
 * wires, deploy, and the canvas mechanics (lasso, copy/paste, quick-add, grid snap, zoom, fit,
 * minimap).
 */
class EditorCanvasTest {
  @TempDir static Path dataDir;
  private static EditorSession session;
  private static String token;
  private String flowId;

  @BeforeAll
  static void start() throws Exception {
    session = new EditorSession(dataDir);
    token = session.registerByApi();
  }

  @AfterAll
  static void stop() throws Exception {
    if (session != null) {
      session.close();
    }
  }

  @BeforeEach
  void newFlow() throws Exception {
    flowId = "f" + Long.toHexString(System.nanoTime());
    session.request(
        "POST",
        "/api/v1/flows",
        token,
        "{\"id\":\"" + flowId + "\",\"name\":\"Editor test\",\"nodes\":[],\"wires\":[]}",
        201);
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
  }

  @Test
  void shouldBuildWireValidateEditUndoAndDeployAFlow() throws Exception {
    // Inject -> Change -> Debug, dragged from the palette (the Function node is not in the
    // catalogue yet: Change stands in for it, edited in the same generated properties panel)
    String inject = session.dragFromPalette("inject", 450, 250);
    String change = session.dragFromPalette("change", 700, 250);
    String debug = session.dragFromPalette("debug", 950, 250);
    session.wire(inject, 0, change, 0);
    session.await(d -> session.docWires().size() == 1);
    session.wire(change, 0, debug, 0);
    session.await(d -> session.docWires().size() == 2);
    assertEquals(
        List.of(
            Map.of("from", inject, "fromPort", 0L, "to", change, "toPort", 0L),
            Map.of("from", change, "fromPort", 0L, "to", debug, "toPort", 0L)),
        session.docWires());

    // the server's validation marks the Change node (its required 'rules' is missing) and the field
    WebElement badge =
        session.await(
            d -> session.node(change).findElement(By.cssSelector("[data-testid='node-problem']")));
    assertEquals("1", badge.getText());
    assertTrue(
        session
            .node(inject)
            .findElements(By.cssSelector("[data-testid='node-problem']"))
            .isEmpty());
    session.node(change).click();
    WebElement rules =
        session.await(
            d -> d.findElement(By.cssSelector("[data-testid='field'][data-field='rules']")));
    WebElement problem =
        session.await(d -> rules.findElement(By.cssSelector("[data-testid='field-problem']")));
    assertTrue(problem.getText().contains("rules"), problem.getText());

    // an invalid wire is refused with a hint: the change node into itself
    session.wire(change, 0, change, 0);
    assertTrue(session.find("hint").getText().contains("itself"), session.find("hint").getText());
    assertEquals(2, session.docWires().size());

    // edit the config in the panel: the problem goes away on the node and on the field
    WebElement editor = rules.findElement(By.cssSelector("textarea"));
    editor.sendKeys(
        "[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\",\"to\":\"hello\",\"tot\":\"str\"}]");
    session.await(
        d ->
            session
                .node(change)
                .findElements(By.cssSelector("[data-testid='node-problem']"))
                .isEmpty());
    assertTrue(rules.findElements(By.cssSelector("[data-testid='field-problem']")).isEmpty());
    WebElement name =
        session.find("properties").findElement(By.cssSelector("[data-testid='field-name']"));
    name.sendKeys("greet");
    session.await(d -> session.node(change).getText().contains("greet"));

    // undo and redo every edit, with the keyboard
    session.clickCanvas(600, 500);
    Map<String, Object> built = session.doc();
    session.ctrl("z"); // the name
    session.await(d -> !session.node(change).getText().contains("greet"));
    session.ctrl("z"); // the rules
    session.await(
        d ->
            !session
                .node(change)
                .findElements(By.cssSelector("[data-testid='node-problem']"))
                .isEmpty());
    session.ctrl("z"); // the second wire
    session.await(d -> session.docWires().size() == 1);
    session.ctrl("z"); // the first wire
    session.ctrl("z"); // the debug node
    session.await(d -> session.docNodes().size() == 2 && session.docWires().isEmpty());
    for (int i = 0; i < 5; i++) {
      session.ctrlShift("z");
    }
    session.await(d -> session.doc().equals(built));

    // deploy with Ctrl-D: stored and running on the server
    session.ctrl("d");
    session.await(d -> "running".equals(session.find("flow-status").getText()));
    Map<?, ?> stored =
        (Map<?, ?>)
            JsonCodec.parse(session.request("GET", "/api/v1/flows/" + flowId, token, null, 200));
    assertEquals(true, stored.get("running"));
    assertEquals(3, ((List<?>) stored.get("nodes")).size());
    assertEquals(2, ((List<?>) stored.get("wires")).size());
    assertTrue(session.all("unsaved").isEmpty());

    // the screenshot shown in the README
    Path root = Path.of(System.getProperty("z8.repo.root", ".."));
    Path image = root.resolve("docs/img/editor.png");
    Files.createDirectories(image.getParent());
    session.node(change).click();
    Files.write(image, session.driver.getScreenshotAs(OutputType.BYTES));

    // stop
    session.find("stop").click();
    session.await(d -> "idle".equals(session.find("flow-status").getText()));
  }

  @Test
  void shouldSelectByLassoAndShiftClickCopyPasteDeleteAndQuickAdd() {
    String a = session.dragFromPalette("inject", 420, 200);
    String b = session.dragFromPalette("debug", 620, 200);
    String c = session.dragFromPalette("counter", 620, 420);
    session.wire(a, 0, b, 0);
    session.await(d -> session.docWires().size() == 1);

    // grid snap: every position is a multiple of 20
    for (Map<String, Object> n : session.docNodes()) {
      assertEquals(0, ((Number) n.get("x")).longValue() % 20, n.toString());
      assertEquals(0, ((Number) n.get("y")).longValue() % 20, n.toString());
    }

    // lasso around a and b (drag on the empty canvas)
    new Actions(session.driver)
        .moveToLocation(360, 140)
        .clickAndHold()
        .moveToLocation(500, 200)
        .moveToLocation(880, 330)
        .release()
        .perform();
    session.await(d -> selected().equals(List.of(a, b)));

    // shift-click adds c
    new Actions(session.driver)
        .keyDown(Keys.SHIFT)
        .click(session.node(c))
        .keyUp(Keys.SHIFT)
        .perform();
    session.await(d -> selected().size() == 3);

    // copy, paste: three new nodes and the copied wire between them
    session.ctrl("c");
    session.ctrl("v");
    session.await(d -> session.docNodes().size() == 6 && session.docWires().size() == 2);

    // delete the pasted selection, then undo the delete
    new Actions(session.driver).sendKeys(Keys.DELETE).perform();
    session.await(d -> session.docNodes().size() == 3 && session.docWires().size() == 1);
    session.ctrl("z");
    session.await(d -> session.docNodes().size() == 6);

    // keyboard quick-add
    session.clickCanvas(700, 600);
    new Actions(session.driver).sendKeys("/").perform();
    WebElement quick = session.find("quick-add-input");
    quick.sendKeys("junction");
    quick.sendKeys(Keys.ENTER);
    session.await(d -> session.docNodes().stream().anyMatch(n -> "junction".equals(n.get("type"))));

    // the palette's search box filters the catalogue
    session.find("palette-search").sendKeys("http-");
    session.await(
        d ->
            session.all("palette-item").stream()
                .map(i -> i.getAttribute("data-type"))
                .toList()
                .equals(List.of("http-in", "http-out")));

    // zoom with the controls, fit to view, and the minimap is drawn
    String before = viewport();
    session.driver.findElement(By.cssSelector(".react-flow__controls-zoomin")).click();
    session.await(d -> !viewport().equals(before));
    session.find("fit").click();
    assertFalse(session.driver.findElements(By.cssSelector(".react-flow__minimap svg")).isEmpty());
    assertEquals(
        7,
        session.driver.findElements(By.cssSelector(".react-flow__minimap-node")).size(),
        "one minimap shape per node");
  }

  private List<String> selected() {
    return session.driver.findElements(By.cssSelector(".react-flow__node.selected")).stream()
        .map(e -> e.getAttribute("data-id"))
        .sorted((x, y) -> Integer.compare(indexOf(x), indexOf(y)))
        .toList();
  }

  private int indexOf(String id) {
    List<Map<String, Object>> nodes = session.docNodes();
    for (int i = 0; i < nodes.size(); i++) {
      if (id.equals(nodes.get(i).get("id"))) {
        return i;
      }
    }
    return -1;
  }

  private String viewport() {
    return session
        .driver
        .findElement(By.cssSelector(".react-flow__viewport"))
        .getAttribute("style");
  }
}
