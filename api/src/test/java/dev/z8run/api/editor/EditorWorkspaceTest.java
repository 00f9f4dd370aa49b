package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;

/**
 * What a Node-RED user switching to this editor needs, end to end in headless Chromium against a
 * real server: a switch built from its rule form, wired on its three ports, deployed and routing; a
 * Node-RED export with a group, a config node and link nodes imported and drawn where Node-RED drew
 * it; copy in one tab, paste in another; per-node latency figures while a flow runs.
 */
@Tag("browser")
class EditorWorkspaceTest extends EditorSession.Shared {
  @Test
  void shouldBuildASwitchFromItsRulesWireItsThreePortsDeployAndRoute() throws Exception {
    String flowId = session.newFlow("Switch", "[]", "[]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    String sw = session.dragFromPalette("switch", 450, 300);
    String a = session.dragFromPalette("debug", 800, 180);
    String b = session.dragFromPalette("debug", 800, 300);
    String other = session.dragFromPalette("debug", 800, 420);

    // a new switch has its default port; each rule added in the form adds a port before it
    session.node(sw).click();
    assertEquals(1, ports(sw));
    WebElement rules = session.find("switch-rules");
    rules.findElement(By.cssSelector("[data-testid='rule-add']")).click();
    session.await(d -> ports(sw) == 2);
    ruleValue(0).sendKeys("a");
    session.find("switch-rules").findElement(By.cssSelector("[data-testid='rule-add']")).click();
    session.await(d -> ports(sw) == 3);
    ruleValue(1).sendKeys("b");
    session.await(d -> rulesOf(sw).size() == 2 && "b".equals(rulesOf(sw).get(1).get("v")));
    assertEquals(Map.of("t", "eq", "v", "a", "vt", "str"), rulesOf(sw).get(0));

    session.wire(sw, 0, a, 0);
    session.await(d -> session.docWires().size() == 1);
    session.wire(sw, 1, b, 0);
    session.await(d -> session.docWires().size() == 2);
    session.wire(sw, 2, other, 0);
    session.await(d -> session.docWires().size() == 3);
    assertEquals(List.of(a, b, other), targetsByPort(sw));

    // reordering the rules takes their wires along; the default port stays last
    session.node(sw).click();
    session
        .find("switch-rules")
        .findElements(By.cssSelector("[data-testid='rule-down']"))
        .get(0)
        .click();
    session.await(d -> "b".equals(rulesOf(sw).get(0).get("v")));
    assertEquals(List.of(b, a, other), targetsByPort(sw));
    session
        .find("switch-rules")
        .findElements(By.cssSelector("[data-testid='rule-up']"))
        .get(1)
        .click();
    session.await(d -> "a".equals(rulesOf(sw).get(0).get("v")));
    assertEquals(List.of(a, b, other), targetsByPort(sw));

    session.find("deploy").click();
    session.await(d -> "running".equals(session.find("flow-status").getText()));
    session.await(d -> "live".equals(session.find("live-state").getText()));
    for (String payload : List.of("a", "b", "c")) {
      Object answer =
          session.js(
              "return window.__z8Engine.inject(arguments[0], arguments[1], {payload: arguments[2]})"
                  + ".then(() => 'ok', e => e.message);",
              flowId,
              sw,
              payload);
      assertEquals("ok", answer);
    }
    session.await(d -> debugSamples().size() >= 3);
    List<String> samples = debugSamples();
    assertEquals(3, samples.size(), samples.toString());
    for (var expected : Map.of(a, "\"a\"", b, "\"b\"", other, "\"c\"").entrySet()) {
      assertTrue(
          samples.stream()
              .anyMatch(
                  s -> s.startsWith(expected.getKey() + " ") && s.contains(expected.getValue())),
          expected + " not in " + samples);
    }
  }

  private static final String NODE_RED_EXPORT =
      """
      [{"id":"t1","type":"tab","label":"From Node-RED"},
       {"id":"g1","type":"group","z":"t1","name":"Inputs","nodes":["h1","f1"],"x":94,"y":39,"w":352,"h":82,
        "style":{"stroke":"#ff0000","fill":"#ffefbf","fill-opacity":"0.5","label":true,"color":"#a4a4a4"}},
       {"id":"h1","type":"http in","z":"t1","g":"g1","name":"","url":"/hello","method":"get","upload":false,
        "swaggerDoc":"","x":180,"y":80,"wires":[["f1"]]},
       {"id":"f1","type":"function","z":"t1","g":"g1","name":"greet","func":"msg.payload = 'hi';\\nreturn msg;",
        "outputs":1,"x":360,"y":80,"wires":[["lo1"]]},
       {"id":"lo1","type":"link out","z":"t1","name":"","mode":"link","links":["li1"],"x":515,"y":80,"wires":[]},
       {"id":"li1","type":"link in","z":"t1","name":"","links":["lo1"],"x":155,"y":200,"wires":[["d1"]]},
       {"id":"d1","type":"debug","z":"t1","name":"","active":true,"complete":"false","console":false,
        "x":360,"y":200,"wires":[]},
       {"id":"m1","type":"mqtt out","z":"t1","name":"","topic":"a/b","broker":"c1","x":360,"y":280,"wires":[]},
       {"id":"c1","type":"mqtt-broker","name":"local broker","broker":"localhost","port":"1883"}]
      """;

  @Test
  void shouldImportANodeRedExportWithGroupConfigNodeAndLinksAndDrawItAsNodeRedDid()
      throws Exception {
    session.openSignedIn(token, "#/flows");
    session.find("import-open").click();
    session.find("import-text").sendKeys(NODE_RED_EXPORT);
    session
        .find("import-disable")
        .click(); // nodes without a counterpart would be kept switched off (none here)
    session.find("import-submit").click();
    // the per-node report: every Node-RED node has a line; mqtt out and its broker map to ours
    session.await(d -> session.all("import-report-row").size() >= 8);
    List<String> outcomes =
        session.all("import-report-row").stream().map(r -> r.getAttribute("data-outcome")).toList();
    assertTrue(
        outcomes.containsAll(List.of("imported", "group", "config"))
            && !outcomes.contains("disabled"),
        outcomes.toString());
    session.find("import-result").findElement(By.cssSelector("a")).click();
    session.find("editor");
    session.await(d -> session.all("node").size() == 6);

    // positions are Node-RED's (node centres), and the nodes are drawn there
    Map<String, String> idByLabel = new java.util.HashMap<>();
    for (WebElement n : session.all("node")) {
      idByLabel.put(
          n.findElement(By.cssSelector("[data-testid='node-label']")).getText(),
          n.getAttribute("data-node-id"));
    }
    assertTrue(
        idByLabel
            .keySet()
            .containsAll(List.of("[get] /hello", "greet", "link out", "link in", "msg.payload")),
        idByLabel.toString());
    Map<String, long[]> expected =
        Map.of(
            "[get] /hello", new long[] {180, 80},
            "greet", new long[] {360, 80},
            "link out", new long[] {515, 80},
            "link in", new long[] {155, 200},
            "msg.payload", new long[] {360, 200});
    List<Rectangle> rects = new ArrayList<>();
    for (var e : expected.entrySet()) {
      String id = idByLabel.get(e.getKey());
      Map<?, ?> node =
          session.docNodes().stream().filter(n -> id.equals(n.get("id"))).findFirst().orElseThrow();
      assertEquals(e.getValue()[0], ((Number) node.get("x")).longValue(), e.getKey());
      assertEquals(e.getValue()[1], ((Number) node.get("y")).longValue(), e.getKey());
      // the node's centre on screen and where the flow's (x, y) is on screen, read at one moment
      List<?> at =
          (List<?>)
              session.js(
                  "const r = document.querySelector(`.react-flow__node[data-id='${arguments[0]}']`)"
                      + ".getBoundingClientRect();"
                      + " const c = window.__z8Editor.flow.flowToScreenPosition({x: arguments[1], y: arguments[2]});"
                      + " return [r.x + r.width / 2, r.y + r.height / 2, c.x, c.y];",
                  id,
                  e.getValue()[0],
                  e.getValue()[1]);
      assertEquals(
          ((Number) at.get(2)).doubleValue(), ((Number) at.get(0)).doubleValue(), 2, e.getKey());
      assertEquals(
          ((Number) at.get(3)).doubleValue(), ((Number) at.get(1)).doubleValue(), 2, e.getKey());
      Rectangle r = session.node(id).getRect();
      rects.add(r);
    }
    for (int i = 0; i < rects.size(); i++) {
      for (int j = i + 1; j < rects.size(); j++) {
        Rectangle p = rects.get(i);
        Rectangle q = rects.get(j);
        boolean overlap =
            p.x < q.x + q.width
                && q.x < p.x + p.width
                && p.y < q.y + q.height
                && q.y < p.y + p.height;
        assertTrue(!overlap, "nodes overlap: " + p + " " + q);
      }
    }

    // the group: a box in its stroke colour around its two members, with its name
    WebElement group = session.find("group");
    assertTrue(
        group.getCssValue("border-top-color").matches("rgba?\\(255, 0, 0(, 1)?\\)"),
        group.getCssValue("border-top-color"));
    assertEquals("Inputs", group.findElement(By.cssSelector("input")).getAttribute("value"));
    screenshot("editor-node-red-import.png");
    // [left, top, right, bottom] of the group and of each node, read at one moment
    Map<?, ?> boxes =
        (Map<?, ?>)
            session.js(
                "const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };"
                    + " const out = {group: box(document.querySelector(\"[data-testid='group']\"))};"
                    + " for (const n of document.querySelectorAll('.react-flow__node')) out[n.dataset.id] = box(n);"
                    + " return out;");
    List<?> box = (List<?>) boxes.get("group");
    for (String member : List.of("[get] /hello", "greet")) {
      List<?> r = (List<?>) boxes.get(idByLabel.get(member));
      assertTrue(
          num(box, 0) <= num(r, 0)
              && num(box, 1) <= num(r, 1)
              && num(r, 2) <= num(box, 2)
              && num(r, 3) <= num(box, 3),
          member + " " + r + " outside the group " + box);
    }
    List<?> debug = (List<?>) boxes.get(idByLabel.get("msg.payload"));
    assertTrue(num(debug, 1) > num(box, 3), "the debug node is not in the group");

    // the config node in its panel, with the node that uses it
    WebElement config = session.find("config-node");
    assertTrue(config.getText().contains("local broker"), config.getText());
    assertTrue(config.getText().contains("mqtt-broker"), config.getText());
    assertTrue(config.getText().contains("used by"), config.getText());

    // three wires, and the link drawn as a dashed virtual wire that is not part of the flow
    session.await(
        d -> d.findElements(By.cssSelector(".react-flow__edge:not(.link-wire)")).size() == 3);
    WebElement link =
        session.await(d -> d.findElement(By.cssSelector(".react-flow__edge.link-wire path")));
    assertTrue(
        !"none".equals(link.getCssValue("stroke-dasharray")), link.getCssValue("stroke-dasharray"));
    assertEquals(3, session.docWires().size());
  }

  private static double num(List<?> list, int i) {
    return ((Number) list.get(i)).doubleValue();
  }

  /**
   * A picture for the README: bin/screenshot sets z8.screenshot.dir=docs/img; otherwise it goes
   * under api/target, so that no test run rewrites a tracked file.
   */
  private static void screenshot(String name) throws java.io.IOException {
    Path image = Path.of(System.getProperty("z8.screenshot.dir", "target"), name);
    java.nio.file.Files.createDirectories(image.getParent());
    java.nio.file.Files.write(
        image, session.driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
  }

  @Test
  void shouldCopyInOneTabAndPasteInAnother() throws Exception {
    String from =
        session.newFlow(
            "Source",
            "[{\"id\":\"i1\",\"type\":\"inject\",\"x\":300,\"y\":200,\"config\":{\"topic\":\"copied\"}},"
                + "{\"id\":\"d1\",\"type\":\"debug\",\"x\":520,\"y\":200,\"config\":{}}]",
            "[{\"from\":\"i1\",\"fromPort\":0,\"to\":\"d1\",\"toPort\":0}]");
    String to = session.newFlow("Target", "[]", "[]");
    session.openSignedIn(token, "#/flow/" + from);
    session.find("editor");
    session.js("location.hash = arguments[0];", "#/flow/" + to);
    session.await(d -> tabIds().containsAll(List.of(from, to)));

    session
        .await(
            d -> d.findElement(By.cssSelector("[data-testid='tab'][data-flow-id='" + from + "']")))
        .click();
    session.node("i1");
    session.clickCanvas(700, 500);
    session.ctrl("a");
    session.ctrl("c");
    session.await(d -> session.find("hint").getText().contains("copied"));

    session
        .await(d -> d.findElement(By.cssSelector("[data-testid='tab'][data-flow-id='" + to + "']")))
        .click();
    // one read: the document is null for a moment while the tab switches
    session.await(
        d -> {
          Map<String, Object> doc = session.doc();
          return doc != null && to.equals(doc.get("id"));
        });
    session.clickCanvas(700, 500);
    session.ctrl("v");
    session.await(d -> session.docNodes().size() == 2);
    List<Map<String, Object>> nodes = session.docNodes();
    assertEquals(
        List.of("inject", "debug"), nodes.stream().map(n -> (String) n.get("type")).toList());
    assertEquals("copied", ((Map<?, ?>) nodes.get(0).get("config")).get("topic"));
    assertEquals(1, session.docWires().size());
    assertEquals(nodes.get(0).get("id"), session.docWires().get(0).get("from"));

    session.ctrl("s");
    session.await(
        d -> {
          try {
            Map<?, ?> stored =
                (Map<?, ?>)
                    JsonCodec.parse(
                        session.request("GET", "/api/v1/flows/" + to, token, null, 200));
            return ((List<?>) stored.get("nodes")).size() == 2;
          } catch (Exception e) {
            return false;
          }
        });
  }

  @Test
  void shouldShowEachNodesLatencyAndThroughputWhileTheFlowRuns() throws Exception {
    String flowId =
        session.newFlow(
            "Latency",
            "[{\"id\":\"tick\",\"type\":\"inject\",\"x\":200,\"y\":200,"
                + "\"config\":{\"props\":[{\"p\":\"payload\",\"v\":\"x\",\"vt\":\"str\"}],\"repeat\":\"0.1\",\"once\":true}},"
                + "{\"id\":\"work\",\"type\":\"function\",\"x\":400,\"y\":200,"
                + "\"config\":{\"func\":\"msg.payload = msg.payload + '!'; return msg;\"}},"
                + "{\"id\":\"show\",\"type\":\"debug\",\"x\":600,\"y\":200,\"config\":{}}]",
            "[{\"from\":\"tick\",\"fromPort\":0,\"to\":\"work\",\"toPort\":0},"
                + "{\"from\":\"work\",\"fromPort\":0,\"to\":\"show\",\"toPort\":0}]");
    session.request("POST", "/api/v1/flows/" + flowId + "/start", token, null, 200);
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    WebElement figures =
        session.await(
            d -> {
              List<WebElement> found =
                  session.node("work").findElements(By.cssSelector("[data-testid='node-latency']"));
              boolean rate =
                  !session
                      .node("work")
                      .findElements(By.cssSelector("[data-testid='node-rate']"))
                      .isEmpty();
              return !found.isEmpty() && rate ? found.getFirst() : null;
            });
    String text = figures.getText();
    assertTrue(text.matches("p50 [0-9.]+ p99 [0-9.]+ ms"), text);
    String rate =
        session.node("work").findElement(By.cssSelector("[data-testid='node-rate']")).getText();
    assertTrue(rate.matches("· [0-9.]+/s"), rate);
    screenshot("editor-latency.png");
    session.request("POST", "/api/v1/flows/" + flowId + "/stop", token, null, 200);
  }

  @Test
  void shouldFindNodesQuickAddTheTypeAskedForAndCollapsePanels() throws Exception {
    String flowId =
        session.newFlow(
            "Find",
            "[{\"id\":\"a\",\"type\":\"inject\",\"x\":200,\"y\":200,\"config\":{}},"
                + "{\"id\":\"b\",\"type\":\"function\",\"name\":\"greet\",\"x\":400,\"y\":200,"
                + "\"config\":{\"func\":\"return msg;\"}}]",
            "[]");
    session.openSignedIn(token, "#/flow/" + flowId);
    session.find("editor");
    session.node("b");
    assertEquals("Find · z8run", session.driver.getTitle());

    // Ctrl-F: the node named greet is found, selected and its properties shown
    session.clickCanvas(700, 450);
    session.ctrl("f");
    session.find("find-input").sendKeys("gree");
    session.await(d -> "1 / 1".equals(session.find("find-count").getText()));
    session.find("find-input").sendKeys(org.openqa.selenium.Keys.ENTER);
    session.await(d -> "b".equals(session.find("properties").getAttribute("data-node-id")));
    session.find("find-input").sendKeys(org.openqa.selenium.Keys.ESCAPE);

    // quick-add ranks the type typed first: "change" adds a change node, "split" a split node
    for (String type : List.of("change", "split")) {
      session.clickCanvas(700, 450);
      int before = session.docNodes().size();
      new org.openqa.selenium.interactions.Actions(session.driver).sendKeys("/").perform();
      session.find("quick-add-input").sendKeys(type + org.openqa.selenium.Keys.ENTER);
      session.await(d -> session.docNodes().size() == before + 1);
      assertEquals(type, session.docNodes().get(before).get("type"));
    }

    // zoomed out below 0.4 the nodes are drawn on one canvas instead of mounted; Ctrl-0 is zoom 1
    session.js("window.__z8Editor.flow.zoomTo(0.3);");
    session.await(
        d ->
            session.all("overview").size() == 1
                && "4".equals(session.find("overview").getAttribute("data-drawn"))
                && d.findElements(By.cssSelector(".react-flow__node")).isEmpty());
    session.clickCanvas(700, 450);
    session.ctrl("0");
    session.await(
        d ->
            session.all("overview").isEmpty()
                && d.findElements(By.cssSelector(".react-flow__node")).size() == 4);
    session.await(
        d ->
            ((Number) session.js("return window.__z8Editor.flow.getZoom();")).doubleValue() == 1.0);

    // the palette and the properties panel fold away, and come back
    session.find("toggle-palette").click();
    session.find("toggle-properties").click();
    session.await(d -> session.all("palette").isEmpty() && session.all("properties").isEmpty());
    session.find("toggle-palette").click();
    session.find("toggle-properties").click();
    session.find("palette");
    session.find("properties");
  }

  private static int ports(String nodeId) {
    return session
        .node(nodeId)
        .findElements(By.cssSelector(".react-flow__handle[data-handleid^='out-']"))
        .size();
  }

  private static WebElement ruleValue(int index) {
    return session.await(
        d ->
            d.findElements(By.cssSelector("[data-testid='switch-rules'] [data-testid='rule']"))
                .get(index)
                .findElement(By.cssSelector("[data-testid='rule-value-value']")));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rulesOf(String nodeId) {
    return session.docNodes().stream()
        .filter(n -> nodeId.equals(n.get("id")))
        .map(n -> (List<Map<String, Object>>) ((Map<?, ?>) n.get("config")).get("rules"))
        .findFirst()
        .orElseThrow();
  }

  /** The node each output port of {@code nodeId} is wired to, by port number. */
  private static List<String> targetsByPort(String nodeId) {
    String[] targets = new String[3];
    for (Map<String, Object> w : session.docWires()) {
      if (nodeId.equals(w.get("from"))) {
        targets[((Number) w.get("fromPort")).intValue()] = (String) w.get("to");
      }
    }
    return java.util.Arrays.asList(targets);
  }

  @SuppressWarnings("unchecked")
  private static List<String> debugSamples() {
    return (List<String>)
        session.js(
            "const d = window.__z8Editor.debug; const out = [];"
                + "for (let i = 0; i < d.size; i++) {"
                + "  const e = d.ring[(d.start + i) % d.capacity];"
                + "  out.push(e.nodeId + ' ' + e.preview);"
                + "} return out;");
  }

  private static List<String> tabIds() {
    return session.all("tab").stream().map(t -> t.getAttribute("data-flow-id")).toList();
  }
}
