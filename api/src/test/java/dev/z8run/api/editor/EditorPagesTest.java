package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The editor's pages in headless Chromium against a real server: first-run sign-up and sign-in, the
 * flow list (create, rename, duplicate, export, delete, import of a Node-RED and a z8run export),
 * the vault page, the local draft and the question before closing, and the executions panel. Each
 * test has its own server and browser.
 */
@Tag("browser")
class EditorPagesTest {
  @TempDir Path dataDir;

  @Test
  void shouldCreateTheFirstUserThenSignOutAndIn() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      session.driver.get(session.base + "/");
      session.find("username").sendKeys(EditorSession.USER);
      session.find("password").sendKeys(EditorSession.PASSWORD);
      session.find("register").click();
      session.find("new-flow");
      session.find("sign-out").click();

      session.find("username").sendKeys(EditorSession.USER);
      session.find("password").sendKeys("not the password");
      session.find("sign-in").click();
      assertEquals("invalid username or password", session.find("signin-error").getText());
      WebElement password = session.find("password");
      password.clear();
      password.sendKeys(EditorSession.PASSWORD + Keys.ENTER);
      session.find("new-flow");
      assertTrue(session.find("no-flows").isDisplayed());
    }
  }

  @Test
  void shouldCreateRenameDuplicateExportAndDeleteFlows() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.openSignedIn(token, "#/flows");
      session.find("new-flow").click();
      session.find("editor");
      session.find("back").click();
      WebElement row = session.find("flow-row");
      assertEquals(
          "New flow", row.findElement(By.cssSelector("[data-testid='flow-name']")).getText());

      row.findElement(By.cssSelector("[data-testid='rename']")).click();
      WebElement input = session.find("rename-input");
      input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Orders" + Keys.ENTER);
      session.await(d -> names(session).equals(List.of("Orders")));

      session.find("flow-row").findElement(By.cssSelector("[data-testid='duplicate']")).click();
      session.await(d -> names(session).equals(List.of("Orders", "Orders (copy)")));

      row(session, "Orders").findElement(By.cssSelector("[data-testid='export']")).click();
      Map<?, ?> exported =
          (Map<?, ?>) JsonCodec.parse(session.find("export-text").getAttribute("value"));
      assertEquals(1L, exported.get("export_format"));
      assertEquals("Orders", ((Map<?, ?>) exported.get("flow")).get("name"));
      session.find("export-close").click();

      row(session, "Orders (copy)").findElement(By.cssSelector("[data-testid='delete']")).click();
      session.find("delete-confirm").click();
      session.await(d -> names(session).equals(List.of("Orders")));
      Map<?, ?> listed =
          (Map<?, ?>) JsonCodec.parse(session.request("GET", "/api/v1/flows", token, null, 200));
      assertEquals(1L, listed.get("total"));
    }
  }

  @Test
  void shouldImportANodeRedExportAndAZ8runExport() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.openSignedIn(token, "#/flows");

      String nodeRed;
      try (InputStream in =
          EditorPagesTest.class.getResourceAsStream("/dev/z8run/api/flows/node-red-export.json")) {
        nodeRed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      // plus a dashboard button, which has no equivalent
      nodeRed =
          nodeRed.replaceFirst(
              "\\[",
              "[{\"id\":\"b4\",\"type\":\"ui_button\",\"z\":\"b0\",\"name\":\"press\","
                  + "\"x\":100,\"y\":200,\"wires\":[]},");
      session.find("import-open").click();
      paste(session, nodeRed);
      session.find("import-submit").click();
      // refused, naming the node without an equivalent
      assertTrue(
          session.find("import-error").getText().contains("b4"),
          session.find("import-error").getText());
      session.find("import-disable").click();
      session.find("import-submit").click();
      WebElement result = session.find("import-result");
      assertTrue(result.getText().contains("Greeter"), result.getText());
      assertTrue(result.getText().contains("Ticker"), result.getText());
      session.find("import-close").click();
      session.await(d -> names(session).containsAll(List.of("Greeter", "Ticker")));

      // export Greeter through the API and import it back through the page: a third flow
      Map<?, ?> listed =
          (Map<?, ?>) JsonCodec.parse(session.request("GET", "/api/v1/flows", token, null, 200));
      String greeter =
          ((List<?>) listed.get("flows"))
              .stream()
                  .map(f -> (Map<?, ?>) f)
                  .filter(f -> "Greeter".equals(f.get("name")))
                  .map(f -> (String) f.get("id"))
                  .findFirst()
                  .orElseThrow();
      String export =
          session.request("GET", "/api/v1/flows/" + greeter + "/export", token, null, 200);
      session.find("import-open").click();
      paste(session, export);
      session.find("import-submit").click();
      session.find("import-result");
      session.find("import-close").click();
      session.await(d -> names(session).stream().filter("Greeter"::equals).count() == 2);

      // the imported flow opens in the editor with its nodes and wires
      session
          .all("flow-row")
          .getFirst()
          .findElement(By.cssSelector("[data-testid='flow-name']"))
          .click();
      session.find("editor");
      session.await(d -> !session.docNodes().isEmpty());
    }
  }

  @Test
  void shouldStoreListAndDeleteVaultEntriesWithoutShowingValues() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.openSignedIn(token, "#/vault");
      session.find("vault-empty");
      session.find("vault-key").sendKeys("github_token");
      session.find("vault-value").sendKeys("ghp_the_secret_value");
      session.find("vault-add").click();
      WebElement item = session.find("vault-item");
      assertEquals("github_token", item.getAttribute("data-key"));
      assertEquals("", session.find("vault-value").getAttribute("value"));
      assertFalse(session.driver.getPageSource().contains("ghp_the_secret_value"));

      session.find("vault-key").sendKeys("bad name");
      session.find("vault-value").sendKeys("x");
      session.find("vault-add").click();
      assertTrue(session.find("vault-error").getText().contains("key"));

      session.find("vault-delete").click();
      session.find("vault-empty");
      Map<?, ?> keys =
          (Map<?, ?>) JsonCodec.parse(session.request("GET", "/api/v1/vault", token, null, 200));
      assertEquals(0L, keys.get("total"));
    }
  }

  @Test
  void shouldKeepUnsavedEditsAcrossAReloadAndAskBeforeClosing() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow("{\"id\":\"draft\",\"name\":\"Draft\",\"nodes\":[],\"wires\":[]}");
      session.openSignedIn(token, "#/flow/draft");
      session.find("editor");
      assertEquals(Boolean.TRUE, beforeUnloadAllowed(session), "nothing to lose yet");

      String id = session.dragFromPalette("inject", 500, 300);
      session.find("unsaved");
      assertEquals(Boolean.FALSE, beforeUnloadAllowed(session), "unsaved edits: the tab asks");

      session.driver.navigate().refresh();
      session.find("draft-banner");
      session.await(d -> session.docNodes().size() == 1);
      assertEquals(id, session.docNodes().getFirst().get("id"));

      // saving clears the draft; a deployed flow edited afterwards asks again
      session.ctrl("s");
      session.await(d -> session.all("unsaved").isEmpty());
      assertEquals(Boolean.TRUE, beforeUnloadAllowed(session));
      session.find("deploy").click();
      session.await(d -> "running".equals(session.find("flow-status").getText()));
      session.find("flow-title").sendKeys(" v2");
      session.find("unsaved");
      assertEquals(Boolean.FALSE, beforeUnloadAllowed(session));
      session.driver.navigate().refresh();
      session.find("draft-banner");
      assertEquals("Draft v2", session.find("flow-title").getAttribute("value"));
      session.find("discard-draft").click();
      session.await(d -> "Draft".equals(session.find("flow-title").getAttribute("value")));
    }
  }

  @Test
  void shouldListExecutionsWithPerNodeTimingAndSamples() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      String flow =
          """
          {"id":"hello","name":"Hello","nodes":[
            {"id":"in","type":"http-in","config":{"method":"GET","path":"/hi"}},
            {"id":"set","type":"change","config":{"rules":[{"t":"set","p":"payload","pt":"msg","to":"hi","tot":"str"}]}},
            {"id":"out","type":"http-out","config":{}}],
           "wires":[{"from":"in","fromPort":0,"to":"set","toPort":0},{"from":"set","fromPort":0,"to":"out","toPort":0}]}
          """;
      session.createFlow(flow);
      session.request("POST", "/api/v1/flows/hello/start", token, null, 200);
      session.request("GET", "/hook/hello/hi", null, null, 200);
      session.openSignedIn(token, "#/flow/hello");
      session.find("tab-executions").click();
      WebElement row =
          session.await(
              d -> {
                session.find("executions-refresh").click();
                return session.all("execution-row").stream().findFirst().orElse(null);
              });
      assertTrue(row.getText().contains("completed"), row.getText());
      row.click();
      WebElement nodes = session.find("execution-nodes");
      assertTrue(nodes.getText().contains("set"), nodes.getText());
      assertTrue(nodes.getText().contains("µs"), nodes.getText());
    }
  }

  private static Object beforeUnloadAllowed(EditorSession session) {
    return session.js(
        "return window.dispatchEvent(new Event('beforeunload', {cancelable: true}));");
  }

  private static void paste(EditorSession session, String text) {
    WebElement area = session.find("import-text");
    // sendKeys of a long document is slow; set the value as a paste would, through React's setter
    session.js(
        "const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
            + "setter.call(arguments[0], arguments[1]);"
            + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        area,
        text);
  }

  private static WebElement row(EditorSession session, String name) {
    return session.all("flow-row").stream()
        .filter(
            r -> r.findElement(By.cssSelector("[data-testid='flow-name']")).getText().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> names(EditorSession session) {
    return session.all("flow-name").stream().map(WebElement::getText).sorted().toList();
  }
}
