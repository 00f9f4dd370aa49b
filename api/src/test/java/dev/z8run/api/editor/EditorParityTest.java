package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The rest of what a Node-RED user looks for, end to end in headless Chromium against a real
 * server: the right-click menu, inject's "interval between times", a vault entry in a typed input,
 * quick-add on a wire dropped on empty canvas, debug rows named after their node with its warnings
 * and errors, export in Node-RED's format that Node-RED's importer (ours) reads back, and the
 * revisions: two compared on the canvas, a roll back.
 */
@Tag("browser")
class EditorParityTest extends EditorSession.Shared {
  private static void rightClick(WebElement element) {
    new Actions(session.driver).contextClick(element).perform();
  }

  /** Right-clicks the empty canvas: the middle of its top edge, in the fitted view's margin. */
  private static void rightClickCanvas() {
    List<?> at =
        (List<?>)
            session.js(
                "const r = document.querySelector('.react-flow__pane').getBoundingClientRect();"
                    + " return [Math.round(r.left + r.width / 2), Math.round(r.top + 12)];");
    new Actions(session.driver)
        .moveToLocation(((Number) at.get(0)).intValue(), ((Number) at.get(1)).intValue())
        .contextClick()
        .perform();
  }

  private static List<String> menuItems() {
    return session.find("context-menu").findElements(By.cssSelector("button")).stream()
        .map(b -> b.getAttribute("data-testid"))
        .toList();
  }

  @Test
  void shouldCutCopyPasteGroupAndDeleteFromTheRightClickMenu() throws Exception {
    String flowId =
        session.newFlow(
            "Menu",
            "[{\"id\":\"src\",\"type\":\"inject\",\"x\":300,\"y\":250,\"config\":{}},"
                + "{\"id\":\"out\",\"type\":\"debug\",\"x\":550,\"y\":250,\"config\":{}}]",
            "[{\"from\":\"src\",\"fromPort\":0,\"to\":\"out\",\"toPort\":0}]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");

    // on a node: what applies to a selection; it selects the node it opened on
    rightClick(session.node("src"));
    assertEquals(
        List.of("menu-cut", "menu-copy", "menu-delete", "menu-group", "menu-export"), menuItems());
    session.await(d -> session.node("src").getAttribute("class").contains("selected"));
    session.find("menu-copy").click();
    session.await(d -> session.all("context-menu").isEmpty());

    // on the canvas: paste (the node just copied), add, select all, fit
    rightClickCanvas();
    assertEquals(List.of("menu-paste", "menu-add", "menu-select-all", "menu-fit"), menuItems());
    session.find("menu-paste").click();
    session.await(d -> session.docNodes().size() == 3);
    assertEquals(
        2, session.docNodes().stream().filter(n -> "inject".equals(n.get("type"))).count());

    // Escape closes the menu and does nothing else
    rightClickCanvas();
    session.find("context-menu");
    new Actions(session.driver).sendKeys(Keys.ESCAPE).perform();
    session.await(d -> session.all("context-menu").isEmpty());
    assertEquals(3, session.docNodes().size());

    // delete from the menu takes the node's wires with it (a click selects only that node)
    session.node("out").click();
    session.await(
        d -> session.driver.findElements(By.cssSelector(".react-flow__node.selected")).size() == 1);
    rightClick(session.node("out"));
    session.find("menu-delete").click();
    session.await(d -> session.docNodes().size() == 2);
    assertTrue(session.docWires().isEmpty(), session.docWires().toString());

    // cut: gone here, on the clipboard for the next paste
    session.node("src").click();
    rightClick(session.node("src"));
    session.find("menu-cut").click();
    session.await(d -> session.docNodes().size() == 1);
    rightClickCanvas();
    session.find("menu-paste").click();
    session.await(d -> session.docNodes().size() == 2);

    // group: select all, then the menu on one of them (a node already in the selection keeps the
    // whole selection)
    rightClickCanvas();
    session.find("menu-select-all").click();
    rightClick(session.driver.findElement(By.cssSelector(".react-flow__node")));
    session.find("menu-group").click();
    session.await(d -> groups().size() == 1);
    assertEquals(2, ((List<?>) groups().getFirst().get("nodes")).size());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> groups() {
    Object groups = session.doc().get("groups");
    return groups == null ? List.of() : (List<Map<String, Object>>) groups;
  }

  @Test
  void shouldSetInjectsIntervalBetweenTimesAsNodeRedWritesIt() throws Exception {
    String flowId =
        session.newFlow(
            "Between",
            "[{\"id\":\"tick\",\"type\":\"inject\",\"x\":300,\"y\":250,\"config\":{}},"
                + "{\"id\":\"out\",\"type\":\"debug\",\"x\":550,\"y\":250,\"config\":{}}]",
            "[{\"from\":\"tick\",\"fromPort\":0,\"to\":\"out\",\"toPort\":0}]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.node("tick").click();
    new Select(session.find("inject-repeat")).selectByValue("between");
    session.await(d -> "*/5 9-16 * * 1,2,3,4,5".equals(crontab("tick")));

    new Select(session.find("between-every")).selectByValue("15");
    session.await(d -> "*/15 9-16 * * 1,2,3,4,5".equals(crontab("tick")));
    new Select(session.find("between-from")).selectByValue("8");
    new Select(session.find("between-to")).selectByValue("18");
    session.await(d -> "*/15 8-17 * * 1,2,3,4,5".equals(crontab("tick")));
    session.all("between-day").get(1).click(); // Monday off
    session.all("between-day").get(6).click(); // Saturday on
    session.await(d -> "*/15 8-17 * * 2,3,4,5,6".equals(crontab("tick")));

    // saved and deployed: the engine takes the expression
    session.ctrl("s");
    session.await(d -> session.all("unsaved").isEmpty());
    session.request("POST", "/api/v1/flows/" + flowId + "/start", token, null, 200);
    session.request("POST", "/api/v1/flows/" + flowId + "/stop", token, null, 200);

    // read back into the same controls
    session.driver.navigate().refresh();
    session.node("tick").click();
    assertEquals(
        "between",
        new Select(session.find("inject-repeat")).getFirstSelectedOption().getAttribute("value"));
    assertEquals(
        "15",
        new Select(session.find("between-every")).getFirstSelectedOption().getAttribute("value"));
    assertEquals(
        "8",
        new Select(session.find("between-from")).getFirstSelectedOption().getAttribute("value"));
    assertEquals(
        "18",
        new Select(session.find("between-to")).getFirstSelectedOption().getAttribute("value"));
    List<WebElement> days = session.all("between-day");
    assertFalse(days.get(1).isSelected());
    assertTrue(days.get(6).isSelected());
  }

  @SuppressWarnings("unchecked")
  private static String crontab(String nodeId) {
    for (Map<String, Object> n : session.docNodes()) {
      if (nodeId.equals(n.get("id"))) {
        return (String) ((Map<String, Object>) n.get("config")).get("crontab");
      }
    }
    return null;
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldExportTheFlowInNodeRedsFormatThatImportsBack() throws Exception {
    String flowId =
        session.newFlow(
            "Exported",
            "[{\"id\":\"go\",\"type\":\"inject\",\"x\":200,\"y\":250,\"config\":{}},"
                + "{\"id\":\"route\",\"type\":\"switch\",\"x\":400,\"y\":250,\"config\":{"
                + "\"property\":\"payload\",\"rules\":[{\"t\":\"eq\",\"v\":\"a\",\"vt\":\"str\"},"
                + "{\"t\":\"eq\",\"v\":\"b\",\"vt\":\"str\"}]}},"
                + "{\"id\":\"da\",\"type\":\"debug\",\"x\":650,\"y\":150,\"config\":{}},"
                + "{\"id\":\"db\",\"type\":\"debug\",\"x\":650,\"y\":250,\"config\":{}},"
                + "{\"id\":\"dc\",\"type\":\"debug\",\"x\":650,\"y\":350,\"config\":{}}]",
            "[{\"from\":\"go\",\"fromPort\":0,\"to\":\"route\",\"toPort\":0},"
                + "{\"from\":\"route\",\"fromPort\":0,\"to\":\"da\",\"toPort\":0},"
                + "{\"from\":\"route\",\"fromPort\":1,\"to\":\"db\",\"toPort\":0},"
                + "{\"from\":\"route\",\"fromPort\":2,\"to\":\"dc\",\"toPort\":0}]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.node("route");
    // the download is caught where the page makes it: the Blob handed to URL.createObjectURL
    session.js(
        "window.exported = null; const made = URL.createObjectURL;"
            + " URL.createObjectURL = (blob) => { window.exported = blob; return made(blob); };");
    session.find("export-node-red").click();
    String text =
        (String)
            ((org.openqa.selenium.JavascriptExecutor) session.driver)
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + " const wait = () => window.exported ? window.exported.text().then(done)"
                        + " : setTimeout(wait, 50); wait();");
    List<Map<String, Object>> list = (List<Map<String, Object>>) JsonCodec.parse(text);
    Map<String, Object> tab = list.getFirst();
    assertEquals("tab", tab.get("type"));
    assertEquals("Exported", tab.get("label"));
    Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
    for (Map<String, Object> n : list.subList(1, list.size())) {
      byId.put((String) n.get("id"), n);
      assertEquals(tab.get("id"), n.get("z"), n.toString());
    }
    Map<String, Object> route = byId.get("route");
    assertEquals("switch", route.get("type"));
    assertEquals(List.of(List.of("da"), List.of("db"), List.of("dc")), route.get("wires"));
    assertEquals(List.of(List.of("route")), byId.get("go").get("wires"));
    assertEquals(400, ((Number) route.get("x")).intValue());

    // Node-RED's importer here reads it back: same nodes, same wires
    Map<?, ?> imported =
        (Map<?, ?>)
            JsonCodec.parse(session.request("POST", "/api/v1/flows/import", token, text, 201));
    Map<?, ?> flow = imported.containsKey("flows") ? firstFlow(imported) : imported;
    String importedId = (String) flow.get("id");
    Map<?, ?> stored =
        (Map<?, ?>)
            JsonCodec.parse(
                session.request("GET", "/api/v1/flows/" + importedId, token, null, 200));
    assertEquals(5, ((List<?>) stored.get("nodes")).size());
    assertEquals(4, ((List<?>) stored.get("wires")).size());
  }

  private static Map<?, ?> firstFlow(Map<?, ?> imported) {
    return (Map<?, ?>) ((List<?>) imported.get("flows")).getFirst();
  }

  @Test
  void shouldCompareTwoRevisionsOnTheCanvasAndRollBack() throws Exception {
    String first =
        "[{\"id\":\"a\",\"type\":\"function\",\"x\":250,\"y\":250,\"config\":{\"func\":\"return msg;\"}},"
            + "{\"id\":\"b\",\"type\":\"debug\",\"x\":500,\"y\":180,\"config\":{}},"
            + "{\"id\":\"k\",\"type\":\"debug\",\"x\":250,\"y\":400,\"config\":{}}]";
    String flowId =
        session.newFlow(
            "History", first, "[{\"from\":\"a\",\"fromPort\":0,\"to\":\"b\",\"toPort\":0}]");
    // revision 2: b removed, a's code changed, c added and wired, k moved
    session.request(
        "PUT",
        "/api/v1/flows/" + flowId,
        token,
        EditorSession.flowDocument(
            flowId,
            "History",
            "[{\"id\":\"a\",\"type\":\"function\",\"x\":250,\"y\":250,"
                + "\"config\":{\"func\":\"msg.payload = 2; return msg;\"}},"
                + "{\"id\":\"c\",\"type\":\"debug\",\"x\":500,\"y\":320,\"config\":{}},"
                + "{\"id\":\"k\",\"type\":\"debug\",\"x\":300,\"y\":420,\"config\":{}}]",
            "[{\"from\":\"a\",\"fromPort\":0,\"to\":\"c\",\"toPort\":0}]"),
        200);
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.find("history").click();
    session.await(d -> session.all("revision-row").size() == 2);
    assertEquals("2", session.all("revision-row").get(0).getAttribute("data-revision"));

    // from #1 to #2 (the defaults: the previous and the newest)
    session.find("diff-show").click();
    String banner = session.find("diff-banner").getText();
    assertTrue(
        banner.contains("1 added, 1 removed, 1 changed, 1 moved nodes; 1 wires added, 1 removed"),
        banner);
    assertTrue(session.node("c").getAttribute("class").contains("diff-added"));
    assertTrue(session.node("b").getAttribute("class").contains("diff-removed"));
    assertTrue(session.node("a").getAttribute("class").contains("diff-changed"));
    assertTrue(session.node("k").getAttribute("class").contains("diff-moved"));
    assertTrue(edgeClass("a:0>c:0").contains("diff-added"));
    assertTrue(edgeClass("removed:a:0>b:0").contains("diff-removed"));

    // back to editing: the canvas is the flow again (no b)
    session.find("diff-close").click();
    session.await(d -> session.all("diff-banner").isEmpty());
    session.await(
        d ->
            session
                .driver
                .findElements(By.cssSelector(".react-flow__node[data-id='b']"))
                .isEmpty());

    // roll back to #1: written as #3, and the canvas shows it
    session
        .find("revisions")
        .findElement(
            By.cssSelector(
                "[data-testid='revision-row'][data-revision='1'] [data-testid='revision-rollback']"))
        .click();
    session.await(d -> session.find("hint").getText().contains("Rolled back to revision #1"));
    session.node("b");
    session.await(d -> session.docWires().size() == 1);
    assertEquals("b", session.docWires().getFirst().get("to"));
    Map<?, ?> stored =
        (Map<?, ?>)
            JsonCodec.parse(session.request("GET", "/api/v1/flows/" + flowId, token, null, 200));
    assertEquals(3, ((Number) stored.get("revision")).intValue());
    assertEquals(3, ((List<?>) stored.get("nodes")).size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldSetAChangeRuleFromAVaultEntryThatTheServerFillsIn() throws Exception {
    session.request(
        "POST",
        "/api/v1/vault",
        token,
        "{\"key\":\"api-key\",\"value\":\"s3cret-value-123\"}",
        201);
    String flowId =
        session.newFlow(
            "Vault",
            "[{\"id\":\"go\",\"type\":\"inject\",\"x\":200,\"y\":250,\"config\":{}},"
                + "{\"id\":\"ch\",\"type\":\"change\",\"x\":400,\"y\":250,\"config\":{\"rules\":"
                + "[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\",\"to\":\"plain\",\"tot\":\"str\"}]}},"
                + "{\"id\":\"show\",\"type\":\"debug\",\"x\":600,\"y\":250,\"config\":{}}]",
            "[{\"from\":\"go\",\"fromPort\":0,\"to\":\"ch\",\"toPort\":0},"
                + "{\"from\":\"ch\",\"fromPort\":0,\"to\":\"show\",\"toPort\":0}]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.node("ch").click();
    new Select(session.find("rule-to-type")).selectByValue("vault");
    WebElement entry = session.find("rule-to-vault");
    session.await(
        d ->
            new Select(entry)
                .getOptions().stream().anyMatch(o -> "api-key".equals(o.getAttribute("value"))));
    new Select(entry).selectByValue("api-key");
    session.await(
        d -> {
          Map<String, Object> rule = changeRule("ch");
          return "vault:api-key".equals(rule.get("to")) && "str".equals(rule.get("tot"));
        });

    // deployed: the engine gets the secret (the debug panel masks it), not the reference
    session.ctrl("d");
    session.await(d -> "running".equals(session.find("flow-status").getText()));
    session.await(
        d ->
            session.node("go").findElements(By.cssSelector("[data-testid='inject-button']")).size()
                == 1);
    session.node("go").findElement(By.cssSelector("[data-testid='inject-button']")).click();
    String row =
        session.await(
            d ->
                session.all("debug-row").isEmpty()
                    ? null
                    : session.all("debug-row").getFirst().getText());
    assertTrue(row.contains("[vault value]"), row);
    assertFalse(row.contains("vault:api-key"), row);
    session.request("POST", "/api/v1/flows/" + flowId + "/stop", token, null, 200);

    // read back as a vault entry
    session.driver.navigate().refresh();
    session.node("ch").click();
    assertEquals("vault", session.find("rule-to").getAttribute("data-type"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> changeRule(String nodeId) {
    for (Map<String, Object> n : session.docNodes()) {
      if (nodeId.equals(n.get("id"))) {
        return ((List<Map<String, Object>>) ((Map<String, Object>) n.get("config")).get("rules"))
            .getFirst();
      }
    }
    return Map.of();
  }

  @Test
  void shouldOfferQuickAddWhereAWireIsDroppedOnEmptyCanvasAndWireTheNewNode() throws Exception {
    String flowId =
        session.newFlow(
            "Drop",
            "[{\"id\":\"src\",\"type\":\"inject\",\"x\":300,\"y\":250,\"config\":{}}]",
            "[]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    WebElement out =
        session
            .node("src")
            .findElement(By.cssSelector(".react-flow__handle[data-handleid='out-0']"));
    new Actions(session.driver)
        .moveToElement(out)
        .clickAndHold()
        .pause(java.time.Duration.ofMillis(50))
        .moveByOffset(60, 20)
        .pause(java.time.Duration.ofMillis(50))
        .moveByOffset(200, 120)
        .pause(java.time.Duration.ofMillis(50))
        .release()
        .perform();
    WebElement input = session.find("quick-add-input");
    input.sendKeys("debug");
    input.sendKeys(Keys.ENTER);
    session.await(d -> session.docNodes().size() == 2 && session.docWires().size() == 1);
    Map<String, Object> wire = session.docWires().getFirst();
    assertEquals("src", wire.get("from"));
    String added =
        session.docNodes().stream()
            .filter(n -> "debug".equals(n.get("type")))
            .map(n -> (String) n.get("id"))
            .findFirst()
            .orElseThrow();
    assertEquals(added, wire.get("to"));
    // placed where the wire was dropped: right of and below the inject
    Map<String, Object> node =
        session.docNodes().stream()
            .filter(n -> added.equals(n.get("id")))
            .findFirst()
            .orElseThrow();
    assertTrue(((Number) node.get("x")).intValue() > 400, node.toString());
    assertTrue(((Number) node.get("y")).intValue() > 280, node.toString());
  }

  @Test
  void shouldNameTheNodeInDebugRowsAndShowItsWarningsAndErrors() throws Exception {
    String flowId =
        session.newFlow(
            "Debugging",
            "[{\"id\":\"go\",\"type\":\"inject\",\"x\":200,\"y\":250,\"config\":{}},"
                + "{\"id\":\"bad\",\"type\":\"inject\",\"x\":200,\"y\":350,\"config\":"
                + "{\"props\":[{\"p\":\"payload\",\"v\":\"boom\",\"vt\":\"str\"}]}},"
                + "{\"id\":\"w\",\"type\":\"function\",\"name\":\"Worker\",\"x\":400,\"y\":250,"
                + "\"config\":{\"func\":\"node.warn('careful'); if (msg.payload === 'boom') throw new Error('it broke'); return msg;\"}},"
                + "{\"id\":\"p\",\"type\":\"debug\",\"name\":\"Printer\",\"x\":600,\"y\":250,\"config\":{}}]",
            "[{\"from\":\"go\",\"fromPort\":0,\"to\":\"w\",\"toPort\":0},"
                + "{\"from\":\"bad\",\"fromPort\":0,\"to\":\"w\",\"toPort\":0},"
                + "{\"from\":\"w\",\"fromPort\":0,\"to\":\"p\",\"toPort\":0}]");
    session.request("POST", "/api/v1/flows/" + flowId + "/start", token, null, 200);
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.await(d -> "live".equals(session.find("live-state").getText()));
    session.node("go").findElement(By.cssSelector("[data-testid='inject-button']")).click();
    session.await(d -> session.all("debug-row").size() >= 2);
    List<String> rows = session.all("debug-row").stream().map(WebElement::getText).toList();
    assertTrue(
        rows.stream().anyMatch(r -> r.contains("Worker") && r.contains("⚠ careful")),
        rows.toString());
    assertTrue(rows.stream().anyMatch(r -> r.contains("Printer")), rows.toString());

    // a node error joins the stream, named, and marks the node
    session.node("bad").findElement(By.cssSelector("[data-testid='inject-button']")).click();
    session.await(
        d ->
            session.all("debug-row").stream()
                .anyMatch(
                    r ->
                        r.getText().contains("Worker")
                            && r.getText().contains("✖")
                            && r.getText().contains("it broke")));
    session.request("POST", "/api/v1/flows/" + flowId + "/stop", token, null, 200);
  }

  private static String edgeClass(String edgeId) {
    return session
        .await(d -> d.findElement(By.cssSelector("[data-testid='rf__edge-" + edgeId + "']")))
        .getAttribute("class");
  }
}
