package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.TestServices;
import dev.z8run.testkit.TestServices.Service;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The connection picker of the database and MQTT forms (connections.jsx): the user's connections of
 * the node's kind and the flow's config nodes of it, "new connection…" storing one with a vault
 * password, and "Test connection" against the real PostgreSQL (ok) and a closed port (the error),
 * while the node's own settings keep working when no connection is picked.
 */
@Tag("browser")
class EditorConnectionsTest {
  @TempDir Path dataDir;

  @Test
  void shouldPickCreateAndTestConnectionsFromTheNodeForms() throws Exception {
    URI pg = URI.create(TestServices.require(Service.POSTGRES).substring("jdbc:".length()));
    String user =
        pg.getQuery() == null ? "postgres" : pg.getQuery().replaceAll(".*user=([^&]*).*", "$1");
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    try (EditorSession session =
        new EditorSession(dataDir, Map.of("Z8_HTTP_ALLOW", "127.0.0.0/8"))) {
      String token = session.registerByApi();
      session.request(
          "POST", "/api/v1/vault", token, "{\"key\":\"pg_pw\",\"value\":\"unused\"}", 201);
      session.request(
          "POST",
          "/api/v1/connections",
          token,
          "{\"id\":\"closed\",\"name\":\"Closed port\",\"kind\":\"postgres\",\"host\":\"127.0.0.1\","
              + "\"port\":"
              + closed
              + ",\"database\":\"test\",\"user\":\"nobody\"}",
          201);
      session.request(
          "POST",
          "/api/v1/connections",
          token,
          "{\"id\":\"broker\",\"kind\":\"mqtt\",\"host\":\"127.0.0.1\",\"port\":1883}",
          201);
      String flow =
          """
          {"id":"conn","name":"Connections","nodes":[
            {"id":"db","type":"database","x":200,"y":200,"config":{"dbType":"postgres","host":"127.0.0.1",
             "database":"test","query":"select 1"}},
            {"id":"sub","type":"mqtt-in","x":200,"y":350,"config":{"topic":"z8/editor/conn","broker":"127.0.0.1"}}],
           "wires":[],
           "config_nodes":[{"id":"c1","type":"mqtt-broker","name":"plant broker",
                            "config":{"broker":"127.0.0.1"}}]}
          """;
      session.createFlow(flow);
      session.openSignedIn(token, "#/flow/conn");

      // the database form: postgres/mysql/sqlite connections only; none picked: own settings
      session.node("db").click();
      Select picker = new Select(session.find("connection-picker"));
      session.await(d -> options(picker).contains("closed"));
      assertFalse(options(picker).contains("broker"), options(picker).toString());
      assertFalse(options(picker).contains("c1"), options(picker).toString());
      assertEquals("", picker.getFirstSelectedOption().getAttribute("value"));
      assertFalse(session.find("connection-test").isEnabled(), "nothing to test yet");
      assertFalse(
          session.all("field").stream()
              .anyMatch(f -> "connection".equals(f.getAttribute("data-field"))),
          "the schema form leaves the connection field to the picker");
      assertTrue(
          session.all("field").stream().anyMatch(f -> "host".equals(f.getAttribute("data-field"))),
          "the node's own settings stay below the picker");

      // new connection…: the real PostgreSQL, password as a vault reference
      picker.selectByValue("+new");
      replace(session, "new-connection-host", "127.0.0.1");
      replace(session, "new-connection-port", String.valueOf(pg.getPort()));
      session.find("new-connection-database").sendKeys(pg.getPath().substring(1));
      session.find("new-connection-user").sendKeys(user);
      session.find("new-connection-name").sendKeys("Local PG");
      new Select(session.find("new-connection-password")).selectByValue("pg_pw");
      session.find("new-connection-save").click();
      session.await(d -> session.all("new-connection").isEmpty());
      String created = (String) config(session, "db").get("connection");
      assertTrue(created != null && !created.isEmpty(), "the node names the new connection");
      String listed = session.request("GET", "/api/v1/connections/" + created, token, null, 200);
      assertTrue(listed.contains("\"password\":\"vault:pg_pw\""), listed);

      session.find("connection-test").click();
      WebElement ok = session.await(d -> session.find("connection-test-result"));
      assertEquals("true", ok.getAttribute("data-ok"), ok.getText());
      assertTrue(ok.getText().contains("PostgreSQL"), ok.getText());

      // the closed port: the error next to the button
      new Select(session.find("connection-picker")).selectByValue("closed");
      assertEquals("closed", config(session, "db").get("connection"));
      session.await(d -> session.all("connection-test-result").isEmpty());
      session.find("connection-test").click();
      session.await(
          d -> {
            List<WebElement> result = session.all("connection-test-result");
            return !result.isEmpty() && "false".equals(result.getFirst().getAttribute("data-ok"));
          });
      String failure = session.find("connection-test-result").getText();
      assertTrue(failure.startsWith("✖ ") && failure.length() > 3, failure);

      // back to the node's own settings
      new Select(session.find("connection-picker")).selectByValue("");
      assertFalse(config(session, "db").containsKey("connection"));

      // the MQTT form: MQTT connections only
      session.node("sub").click();
      Select mqtt = new Select(session.find("connection-picker"));
      session.await(d -> options(mqtt).contains("broker"));
      assertFalse(options(mqtt).contains("closed"), options(mqtt).toString());
      // the flow's Node-RED config node of the kind is offered too (tried by deploying it)
      mqtt.selectByValue("c1");
      assertEquals("c1", config(session, "sub").get("connection"));
      assertTrue(
          new Select(session.find("connection-picker"))
              .getFirstSelectedOption()
              .getText()
              .contains("plant broker"));
      assertFalse(session.find("connection-test").isEnabled());
      mqtt.selectByValue("broker");
      assertEquals("broker", config(session, "sub").get("connection"));
    }
  }

  /** Types {@code text} over the input's value (clear() would not tell React). */
  private static void replace(EditorSession session, String testId, String text) {
    session.find(testId).sendKeys(Keys.chord(Keys.CONTROL, "a"), text);
  }

  private static List<String> options(Select select) {
    return select.getOptions().stream().map(o -> o.getAttribute("value")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> config(EditorSession session, String nodeId) {
    return session.docNodes().stream()
        .filter(n -> nodeId.equals(n.get("id")))
        .findFirst()
        .map(n -> (Map<String, Object>) n.get("config"))
        .orElseThrow();
  }
}
