package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The editor's live parts over {@code /ws/engine} (docs/protocol.md): the inject button, the debug
 * panel (arrival, expandable JSON, filter by node, pause, clear) and the status badges from
 * COUNTERS.
 */
@Tag("browser")
class EditorLiveTest {
  @TempDir Path dataDir;

  @Test
  void shouldShowDebugMessagesAndNodeCountersFromTheEventStream() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      String flow =
          """
          {"id":"live","name":"Live","nodes":[
            {"id":"go","type":"inject","config":{"payload":{"n":1,"deep":{"a":[1,2,3]}},"topic":"t"}},
            {"id":"first","type":"debug","config":{"complete":true}},
            {"id":"second","type":"debug","config":{}}],
           "wires":[{"from":"go","fromPort":0,"to":"first","toPort":0},
                    {"from":"go","fromPort":0,"to":"second","toPort":0}]}
          """;
      session.createFlow(flow);
      session.openSignedIn(token, "#/flow/live");
      session.find("deploy").click();
      session.await(d -> "running".equals(session.find("flow-status").getText()));
      session.await(d -> "live".equals(session.find("live-state").getText()));

      WebElement inject =
          session.node("go").findElement(By.cssSelector("[data-testid='inject-button']"));
      inject.click();
      session.await(d -> session.all("debug-row").size() == 2);
      WebElement row =
          session.all("debug-row").stream()
              .filter(r -> r.getText().contains("first"))
              .findFirst()
              .orElseThrow();
      assertTrue(row.getText().contains("\"deep\""), row.getText());
      row.click();
      assertTrue(session.find("debug-detail").getText().contains("\n"), "pretty-printed JSON");

      // filter by node
      new Select(session.find("debug-filter")).selectByValue("second");
      session.await(d -> session.all("debug-row").size() == 1);
      new Select(session.find("debug-filter")).selectByValue("");

      // pause: nothing new is listed; resume and clear
      session.find("debug-pause").click();
      inject.click();
      session.await(d -> session.find("debug-count").getText().contains("while paused"));
      assertEquals(2, session.all("debug-row").size());
      session.find("debug-pause").click();
      session.find("debug-clear").click();
      session.await(d -> session.all("debug-row").isEmpty());

      // counters on the nodes (COUNTERS about once a second)
      session.await(
          d -> {
            List<WebElement> status =
                session.node("first").findElements(By.cssSelector("[data-testid='node-status']"));
            return !status.isEmpty() && status.getFirst().getText().contains("2→");
          });
    }
  }
}
