package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.testkit.Poll;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 4 MiB webhook body crosses a flow by reference (far above an inbox's eighth) and reaches the
 * {@code http-out} node intact: as binary bytes, and as a JSON string patched on the way by a
 * Change node and by a Function node.
 */
class LargeBodyHookTest {
  private static final int FOUR_MIB = 4 * 1024 * 1024;

  private static final String FLOW =
      """
      {"id":"big","name":"big","nodes":[
        {"id":"bin","type":"http-in","config":{"method":"POST","path":"/bin","mode":"node-red"}},
        {"id":"j1","type":"junction"},{"id":"j2","type":"junction"},{"id":"j3","type":"junction"},
        {"id":"text","type":"http-in","config":{"method":"POST","path":"/text","mode":"node-red"}},
        {"id":"mark","type":"change","config":{"rules":[
          {"t":"set","p":"hop","pt":"msg","to":"1","tot":"num"}]}},
        {"id":"fntext","type":"http-in","config":{"method":"POST","path":"/fn","mode":"node-red"}},
        {"id":"fn","type":"function","config":{"func":"msg.hop = 1;\\nreturn msg;"}},
        {"id":"out","type":"http-out"}],
       "wires":[{"from":"bin","to":"j1"},{"from":"j1","to":"j2"},{"from":"j2","to":"j3"},
                {"from":"j3","to":"out"},
                {"from":"text","to":"mark"},{"from":"mark","to":"out"},
                {"from":"fntext","to":"fn"},{"from":"fn","to":"out"}]}
      """;

  private Engine engine;
  private WebServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    engine = new Engine(EngineConfig.builder().workers(2).build(), BuiltinNodes.registry());
    // the server's defaults: a 4 MiB body is within them (Node-RED's http in takes 5 MiB)
    HookService hooks = new HookService(engine, HookSettings.defaults());
    engine.registerService(Replies.class, hooks);
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(routing -> Main.routing(routing, "test", hooks))
            .build()
            .start();
    client = HttpClient.newHttpClient();
    engine.deploy(FlowCodec.read(FLOW));
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
    engine.close();
  }

  private HttpResponse<byte[]> post(String path, String type, byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void shouldAnswerWithTheFourMibBinaryBodyIntact() throws Exception {
    byte[] body = new byte[FOUR_MIB];
    new Random(16).nextBytes(body);
    HttpResponse<byte[]> response = post("/hook/big/bin", "application/octet-stream", body);
    assertEquals(200, response.statusCode());
    assertEquals(FOUR_MIB, response.body().length);
    assertArrayEquals(body, response.body());
    Poll.eventually("blocks released").until(() -> engine.bodyBlocks().liveBlocks() == 0);
  }

  @Test
  void shouldAnswerWithTheFourMibTextBodyIntactAfterAPatch() throws Exception {
    assertTextIntact("/hook/big/text");
  }

  @Test
  void shouldAnswerWithTheFourMibTextBodyIntactThroughAFunctionSettingAField() throws Exception {
    assertTextIntact("/hook/big/fn");
  }

  private void assertTextIntact(String path) throws Exception {
    char[] letters = new char[FOUR_MIB];
    Random random = new Random(4);
    for (int i = 0; i < letters.length; i++) {
      letters[i] = (char) ('a' + random.nextInt(26));
    }
    String text = new String(letters);
    HttpResponse<byte[]> response = post(path, "text/plain", text.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, response.statusCode());
    String answered = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(text.length(), answered.length());
    assertEquals(
        text, answered, "first difference at " + Arrays.mismatch(letters, answered.toCharArray()));
    Poll.eventually("blocks released").until(() -> engine.bodyBlocks().liveBlocks() == 0);
  }
}
