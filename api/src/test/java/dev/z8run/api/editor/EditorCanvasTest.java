package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.support.ui.Select;

/**
 * The flow editor in headless Chromium against a real server: building a flow by dragging from the
 * palette and wiring ports, the properties panel and the server's validation, undo/redo, loop and
 * refused wires, deploy, and the canvas mechanics (lasso, copy/paste, quick-add, grid snap, zoom,
 * fit, minimap).
 */
@Tag("browser")
class EditorCanvasTest extends EditorSession.Shared {
  private String flowId;

  @BeforeEach
  void newFlow() throws Exception {
    flowId = session.newFlow("Editor test", "[]", "[]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
  }

  @Test
  void shouldBuildWireValidateEditUndoAndDeployAFlow() throws Exception {
    // Inject -> Function -> Debug, dragged from the palette
    String inject = session.dragFromPalette("inject", 450, 250);
    String change = session.dragFromPalette("function", 700, 250);
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

    // the server's validation marks the Function node (its required 'func' is missing) and the
    // field
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
            d -> d.findElement(By.cssSelector("[data-testid='field'][data-field='func']")));
    WebElement problem =
        session.await(d -> rules.findElement(By.cssSelector("[data-testid='field-problem']")));
    assertTrue(problem.getText().contains("func"), problem.getText());

    // a wire that is already there is refused with a hint
    session.wire(change, 0, debug, 0);
    session.await(d -> session.find("hint").getText().contains("already wired"));
    assertEquals(2, session.docWires().size());

    // edit the function in the panel's code editor: the problem goes away on the node and field
    // (CodeMirror, loaded on first use: it closes the quote and steps over the one typed)
    WebElement editor =
        session.await(d -> rules.findElement(By.cssSelector("[data-ready='true'] .cm-content")));
    editor.click();
    editor.sendKeys("msg.payload = \"hello\";\nreturn msg;");
    session.await(d -> "msg.payload = \"hello\";\nreturn msg;".equals(config(change).get("func")));
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
    session.ctrl("z"); // the function body
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

    // send a message from the inject node: the debug panel shows what the change node set, and
    // the nodes' counters arrive over /ws/engine
    session.await(d -> "live".equals(session.find("live-state").getText()));
    session.node(inject).findElement(By.cssSelector("[data-testid='inject-button']")).click();
    WebElement row = session.find("debug-row");
    assertTrue(row.getText().contains("\"hello\""), row.getText());
    session.await(
        d -> {
          List<WebElement> status =
              session.node(debug).findElements(By.cssSelector("[data-testid='node-status']"));
          return !status.isEmpty() && status.getFirst().getText().contains("1→");
        });

    // the screenshot shown in the README: bin/screenshot runs this test with
    // z8.screenshot.dir=docs/img;
    // otherwise it goes to target/, so that a test run never rewrites a tracked file
    Path image = Path.of(System.getProperty("z8.screenshot.dir", "target"), "editor.png");
    Files.createDirectories(image.getParent());
    session.node(change).click();
    Files.write(image, session.driver.getScreenshotAs(OutputType.BYTES));

    // stop, start again
    session.find("stop").click();
    session.await(d -> "idle".equals(session.find("flow-status").getText()));
    session.find("start").click();
    session.await(d -> "running".equals(session.find("flow-status").getText()));
    assertEquals(
        true,
        ((Map<?, ?>)
                JsonCodec.parse(
                    session.request("GET", "/api/v1/flows/" + flowId, token, null, 200)))
            .get("running"));
  }

  @Test
  void shouldSelectByLassoAndShiftClickCopyPasteDeleteAndQuickAdd() {
    String a = session.dragFromPalette("inject", 420, 200);
    String b = session.dragFromPalette("debug", 620, 200);
    String c = session.dragFromPalette("counter", 620, 420);
    session.wire(a, 0, b, 0);
    session.await(d -> session.docWires().size() == 1);

    // move a node by dragging it (snapped to the grid), and undo the move
    Map<String, Object> before = session.docNodes().get(2);
    new Actions(session.driver)
        .moveToElement(session.node(c))
        .clickAndHold()
        .moveByOffset(30, 10)
        .moveByOffset(70, 30)
        .release()
        .perform();
    session.await(d -> !session.docNodes().get(2).get("x").equals(before.get("x")));
    session.ctrl("z");
    session.await(d -> session.docNodes().get(2).equals(before));

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
        d -> {
          List<String> shown =
              session.all("palette-item").stream().map(i -> i.getAttribute("data-type")).toList();
          return shown.containsAll(List.of("http-in", "http-out")) && !shown.contains("inject");
        });

    // pan with the wheel, zoom with the controls, fit to view, and the minimap is drawn
    String unpanned = viewport();
    new Actions(session.driver)
        .scrollFromOrigin(WheelInput.ScrollOrigin.fromViewport(700, 400), 120, 80)
        .perform();
    session.await(d -> !viewport().equals(unpanned));
    String panned = viewport();
    session.driver.findElement(By.cssSelector(".react-flow__controls-zoomin")).click();
    session.await(d -> !viewport().equals(panned));
    session.find("fit").click();
    assertFalse(session.driver.findElements(By.cssSelector(".react-flow__minimap svg")).isEmpty());
    assertEquals(
        7,
        session.driver.findElements(By.cssSelector(".react-flow__minimap-node")).size(),
        "one minimap shape per node");
  }

  @Test
  void shouldEditEveryKindOfFieldTheSchemaDescribes() throws Exception {
    session.request(
        "POST", "/api/v1/vault", token, "{\"key\":\"github\",\"value\":\"s3cret\"}", 201);
    session.driver.navigate().refresh(); // the secret picker reads the vault when shown
    // a wire back to an earlier node closes a loop: allowed, as in Node-RED
    String first = session.dragFromPalette("change", 400, 120);
    String second = session.dragFromPalette("change", 680, 120);
    session.wire(first, 0, second, 0);
    session.await(d -> session.docWires().size() == 1);
    session.clickCanvas(600, 300);
    session.wire(second, 0, first, 0);
    session.await(d -> session.docWires().size() == 2);
    assertTrue(
        session
            .docWires()
            .contains(Map.of("from", second, "fromPort", 0L, "to", first, "toPort", 0L)),
        session.docWires().toString());

    String hook = session.dragFromPalette("webhook", 500, 250);
    String debug = session.dragFromPalette("debug", 850, 250);
    // the ports come from the schema: the webhook has three outputs
    assertEquals(
        3, session.node(hook).findElements(By.cssSelector(".react-flow__handle.source")).size());

    session.node(hook).click();
    field("path").findElement(By.cssSelector("input")).sendKeys("/github");
    new Select(field("method").findElement(By.cssSelector("select"))).selectByValue("PUT");
    new Select(field("secret").findElement(By.cssSelector("[data-testid='secret-select']")))
        .selectByValue("github");
    field("events")
        .findElement(By.cssSelector("textarea"))
        .sendKeys(Keys.chord(Keys.CONTROL, "a"), "[\"push\"]");
    session.await(
        d -> {
          Map<?, ?> config = config(hook);
          return "/github".equals(config.get("path"))
              && "PUT".equals(config.get("method"))
              && "vault:github".equals(config.get("secret"))
              && List.of("push").equals(config.get("events"));
        });

    session.node(debug).click();
    field("complete").findElement(By.cssSelector("input[type='checkbox']")).click();
    WebElement max = field("maxPreviewBytes").findElement(By.cssSelector("input"));
    max.sendKeys(Keys.chord(Keys.CONTROL, "a"), "256");
    field("property")
        .findElement(By.cssSelector("input"))
        .sendKeys(Keys.chord(Keys.CONTROL, "a"), "payload.user");
    session.await(
        d -> {
          Map<?, ?> config = config(debug);
          return Boolean.TRUE.equals(config.get("complete"))
              && Long.valueOf(256).equals(config.get("maxPreviewBytes"))
              && "payload.user".equals(config.get("property"));
        });
    // key-value rows for an object of strings: http-out's headers
    String out = session.dragFromPalette("http-out", 700, 400);
    session.node(out).click();
    field("headers").findElement(By.cssSelector("[data-testid='kv-add']")).click();
    List<WebElement> cells = field("headers").findElements(By.cssSelector(".kv .row input"));
    cells.get(0).sendKeys("x-flow");
    field("headers").findElements(By.cssSelector(".kv .row input")).get(1).sendKeys("editor");
    session.await(d -> Map.of("x-flow", "editor").equals(config(out).get("headers")));

    // edits are undone field by field: the headers, then the debug node's property
    session.clickCanvas(650, 330);
    session.ctrl("z");
    session.await(d -> !Map.of("x-flow", "editor").equals(config(out).get("headers")));
    session.ctrl("z"); // adding the http-out node
    session.ctrl("z");
    session.await(d -> !"payload.user".equals(config(debug).get("property")));
    assertEquals(256L, config(debug).get("maxPreviewBytes"));
  }

  private static WebElement field(String name) {
    return session.await(
        d ->
            d.findElement(
                By.cssSelector(
                    "[data-testid='properties'] [data-testid='field'][data-field='"
                        + name
                        + "']")));
  }

  private static Map<?, ?> config(String nodeId) {
    return session.docNodes().stream()
        .filter(n -> nodeId.equals(n.get("id")))
        .map(n -> (Map<?, ?>) n.get("config"))
        .findFirst()
        .orElseThrow();
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
