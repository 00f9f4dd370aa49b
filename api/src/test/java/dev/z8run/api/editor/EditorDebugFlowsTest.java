package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The debug panel follows every running flow of the user, as Node-RED's debug sidebar does, each
 * row naming its flow; "current flow only" shows the open flow's messages alone.
 */
@Tag("browser")
class EditorDebugFlowsTest {
  @TempDir Path dataDir;

  @Test
  void shouldShowEveryRunningFlowsDebugMessagesUnlessCurrentFlowOnly() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow(
          """
          {"id":"ticker","name":"Ticker","nodes":[
            {"id":"tick","type":"inject","config":{"payload":"tock","repeat":"0.3"}},
            {"id":"ticks","type":"debug","config":{}}],
           "wires":[{"from":"tick","fromPort":0,"to":"ticks","toPort":0}]}
          """);
      session.request("POST", "/api/v1/flows/ticker/start", token, null, 200);
      session.createFlow(
          """
          {"id":"here","name":"Here","nodes":[
            {"id":"go","type":"inject","x":200,"y":200,"config":{"payload":"mine"}},
            {"id":"seen","type":"debug","x":450,"y":200,"config":{}}],
           "wires":[{"from":"go","fromPort":0,"to":"seen","toPort":0}]}
          """);
      session.openSignedIn(token, "#/flow/here");
      session.await(d -> "live".equals(session.find("live-state").getText()));

      // by default (Node-RED's): the other running flow's messages, named by their flow
      assertFalse(session.find("debug-current-flow").isSelected());
      session.await(d -> rows(session, "ticker") > 0);
      assertTrue(
          session.all("debug-row").getFirst().getText().contains("Ticker › ticks"),
          session.all("debug-row").getFirst().getText());

      session.find("deploy").click();
      session.await(d -> "running".equals(session.find("flow-status").getText()));
      session.node("go").findElement(By.cssSelector("[data-testid='inject-button']")).click();
      session.await(d -> rows(session, "here") == 1);

      // current flow only: the open flow's message alone, the ticker's hidden (and kept)
      session.find("debug-current-flow").click();
      session.await(d -> rows(session, "ticker") == 0 && rows(session, "here") == 1);
      Thread.sleep(800); // the ticker keeps running: still nothing of it listed
      assertTrue(rows(session, "ticker") == 0 && rows(session, "here") == 1);

      // off again: the other flow's messages are back
      session.find("debug-current-flow").click();
      session.await(d -> rows(session, "ticker") > 0);
    }
  }

  private static long rows(EditorSession session, String flowId) {
    return session.all("debug-row").stream()
        .filter(r -> flowId.equals(r.getAttribute("data-flow-id")))
        .count();
  }
}
