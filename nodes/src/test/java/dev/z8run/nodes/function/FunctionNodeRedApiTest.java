package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Node-RED function bodies use besides msg and context: timers with node.send and node.done,
 * RED.util, Buffer, console, the start code's Promise, and error texts as Node-RED's Catch nodes
 * see them. The bodies are those of Node-RED's own examples ({@code
 * packages/node_modules/@node-red/nodes/examples/function/function/}) and of its function node
 * tests ({@code test/nodes/core/function/10-function_spec.js}).
 */
class FunctionNodeRedApiTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String functionConfig) {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", functionConfig),
            node("out", "capture")));
  }

  private Map<?, ?> first(String functionConfig, String message) {
    deploy(functionConfig);
    harness.inject("f", "src", message);
    return (Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed();
  }

  /**
   * {@code msg._msgid}: the execution's id as 16 hex digits, the same for each node of the
   * execution, read by name or on the parsed message, never written into the message's JSON; a
   * message's own {@code _msgid} wins.
   */
  @Test
  void shouldGiveEachExecutionAMsgidThatItsNodesShare() {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("one", "function", config("msg.first = msg._msgid; return msg;")),
            node(
                "two",
                "function",
                config(
                    "msg.payload = [msg.first === msg._msgid, '_msgid' in msg,"
                        + " Object.keys(msg).includes('_msgid'), {...msg}._msgid,"
                        + " JSON.stringify(msg).includes('_msgid'), typeof msg._msgid,"
                        + " msg._msgid.length];"
                        + " delete msg.first; return msg;")),
            node("out", "capture")));
    harness.inject("f", "src", "{\"payload\":1}");
    harness.inject("f", "src", "{\"payload\":2,\"_msgid\":\"mine\"}");
    List<Captured> out = harness.awaitCaptured("out", 2);

    Map<?, ?> first = (Map<?, ?>) out.get(0).parsed();
    assertEquals(
        java.util.Arrays.asList(true, true, false, null, false, "string", 16L),
        first.get("payload"));
    assertEquals(List.of("payload"), List.copyOf(first.keySet()), out.get(0).json());
    Map<?, ?> own = (Map<?, ?>) out.get(1).parsed();
    assertEquals(List.of(true, true, true, "mine", true, "string", 4L), own.get("payload"));
  }

  @Test
  void shouldSendLaterFromSetTimeoutInTheSameExecution() {
    // examples/function/function/03 - Send messages asynchronously.json
    deploy(config("setTimeout(function () {\n    node.send(msg);\n}, 300);\n"));
    long startNs = System.nanoTime();
    harness.inject("f", "src", "{\"payload\":\"Hello, World!\"}");
    List<Captured> out = harness.awaitCaptured("out", 1);
    long tookMs = (System.nanoTime() - startNs) / 1_000_000;
    assertTrue(tookMs >= 290, "sent after the timeout, not at once: " + tookMs + " ms");
    assertEquals("{\"payload\":\"Hello, World!\"}", out.get(0).json(), "msg as received");
    FlowHarness.await(
        "the execution ends once the timer has run",
        () -> harness.engine.metrics("f").completed() == 1);
  }

  @Test
  void shouldRepeatSetIntervalUntilClearedAndPassExtraArguments() {
    deploy(
        config(
            "var n = 0;\n"
                + "var id = setInterval(function (step) {\n"
                + "  n += step;\n"
                + "  node.send({payload: n});\n"
                + "  if (n >= 3) { clearInterval(id); node.done(); }\n"
                + "}, 20, 1);\n"
                + "var never = setTimeout(function () { node.send({payload: 'never'}); }, 50);\n"
                + "clearTimeout(never);"));
    harness.inject("f", "src", "{}");
    List<Captured> out = harness.awaitCaptured("out", 3);
    assertEquals(
        List.of("{\"payload\":1}", "{\"payload\":2}", "{\"payload\":3}"),
        out.stream().map(Captured::json).toList());
    FlowHarness.await("done", () -> harness.engine.metrics("f").completed() == 1);
    assertEquals(3, harness.captured("out").size(), "a cleared timeout never sends");
  }

  @Test
  void shouldFailTheMessageWithNodeDoneAndAnError() {
    deploy(config("setTimeout(function () { node.done('gave up'); }, 10);"));
    harness.inject("f", "src", "{}");
    assertEquals("gave up", harness.awaitErrors("fn", 1).get(0));
  }

  @Test
  void shouldCloneGetAndSetMessagePropertiesWithRedUtil() {
    Map<?, ?> out =
        first(
            config(
                "var copy = RED.util.cloneMessage(msg);\n"
                    + "copy.payload.a.b = 99;\n"
                    + "RED.util.setMessageProperty(msg, 'payload.list[1].x', 'set');\n"
                    + "RED.util.setMessageProperty(msg, 'msg.deep[\"k y\"].z', true);\n"
                    + "msg.got = RED.util.getMessageProperty(msg, 'payload.a.b');\n"
                    + "msg.missing = RED.util.getMessageProperty(msg, 'nope.x.y') === undefined;\n"
                    + "msg.created = RED.util.setMessageProperty(msg, 'q.r', 1, false);\n"
                    + "msg.id = typeof RED.util.generateId();\n"
                    + "return msg;"),
            "{\"payload\":{\"a\":{\"b\":1},\"list\":[{},{}]}}");
    assertEquals(1L, out.get("got"), "the clone is deep");
    assertEquals(
        Map.of("a", Map.of("b", 1L), "list", List.of(Map.of(), Map.of("x", "set"))),
        out.get("payload"));
    assertEquals(Map.of("k y", Map.of("z", true)), out.get("deep"));
    assertEquals(true, out.get("missing"));
    assertEquals(false, out.get("created"));
    assertEquals("string", out.get("id"));
  }

  @Test
  void shouldOfferNodesBuffer() {
    Map<?, ?> out =
        first(
            config(
                "var b = Buffer.from('héllo');\n"
                    + "msg.hex = b.toString('hex');\n"
                    + "msg.b64 = Buffer.from('aGk=', 'base64').toString();\n"
                    + "msg.len = b.length;\n"
                    + "msg.isBuffer = Buffer.isBuffer(b) && !Buffer.isBuffer('x');\n"
                    + "msg.json = JSON.stringify(Buffer.from([1, 2]));\n"
                    + "msg.concat = Buffer.concat([Buffer.from('a'), Buffer.from('bc')]).toString();\n"
                    + "msg.slice = b.slice(1, 3).toString('hex');\n"
                    + "msg.u16 = Buffer.from([1, 2]).readUInt16BE(0);\n"
                    + "msg.eq = Buffer.from('x').equals(Buffer.from('x'));\n"
                    + "return msg;"),
            "{}");
    assertEquals("68c3a96c6c6f", out.get("hex"));
    assertEquals("hi", out.get("b64"));
    assertEquals(6L, out.get("len"));
    assertEquals(true, out.get("isBuffer"));
    assertEquals("{\"type\":\"Buffer\",\"data\":[1,2]}", out.get("json"));
    assertEquals("abc", out.get("concat"));
    assertEquals("c3a9", out.get("slice"));
    assertEquals(258L, out.get("u16"));
    assertEquals(true, out.get("eq"));
  }

  @Test
  void shouldSeeABinaryPayloadAsABufferAndSendABufferAsABinaryPayload() {
    byte[] bytes = {(byte) 0xCA, (byte) 0xFE, 0, 1};
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}";
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source", source),
            node(
                "fn",
                "function",
                config(
                    "node.send({payload: msg.payload.toString('hex'), isBuffer:"
                        + " Buffer.isBuffer(msg.payload)});\n"
                        + "return {payload: Buffer.from('bytes out')};")),
            node("out", "capture")));
    harness.inject("f", "src", "{\"payload\":null}");
    List<Captured> out = harness.awaitCaptured("out", 2);
    assertEquals("{\"payload\":\"cafe0001\",\"isBuffer\":true}", out.get(0).json());
    assertEquals("{\"payload\":null}", out.get(1).json());
    assertArrayEquals("bytes out".getBytes(StandardCharsets.UTF_8), out.get(1).binary());
  }

  @Test
  void shouldLogWithConsoleWithoutFailing() {
    // examples/function/function/09 - Setup and close.json: console.log in the stop code
    Map<?, ?> out =
        first(
            config("console.log('count:', 1, {a: 1});\nconsole.warn('careful');\nreturn msg;"),
            "{\"payload\":1}");
    assertEquals(1L, out.get("payload"));
    FlowHarness.await("the warning", () -> harness.warnings("fn").contains("careful"));
  }

  @Test
  void shouldHoldMessagesUntilTheStartCodesPromiseSettles() {
    // examples/function/function/10 - Asynchronous setup.json
    String initialize =
        "global.set(\"message\", \"Initializing, World!\");\n"
            + "var promise = new Promise((resolve, reject) => {\n"
            + "    setTimeout(() => {\n"
            + "        global.set(\"message\", \"Hello, World!\");\n"
            + "        resolve();\n"
            + "    }, 300);\n"
            + "});\n"
            + "return promise;";
    deploy(config("msg.payload = global.get('message');\nreturn msg;", "initialize", initialize));
    harness.inject("f", "src", "{}");
    List<Captured> out = harness.awaitCaptured("out", 1);
    assertEquals("{\"payload\":\"Hello, World!\"}", out.get(0).json());
  }

  @Test
  void shouldSendWhatTheStartCodeSendsOnceTheFlowRuns() {
    deploy(config("return msg;", "initialize", "node.send({payload: 'started'});"));
    assertEquals("{\"payload\":\"started\"}", harness.awaitCaptured("out", 1).get(0).json());
  }

  @Test
  void shouldGiveCatchNodesTheErrorAsNodeRedDoes() {
    // examples/common/catch/01 and function/05: node.error("...", msg) reaches catch as is
    harness.engine.deploy(
        new Flow(
            "f",
            "f",
            "",
            List.of(
                node("src", "source"),
                node(
                    "fn",
                    "function",
                    config(
                        "if (msg.payload === 1) { node.error(\"Oh no, something bad happened\","
                            + " msg); return; }\nundefinedFunction();")),
                node("catch", "catch"),
                node("out", "capture")),
            List.of(new Wire("src", 0, "fn", 0), new Wire("catch", 0, "out", 0))));
    harness.inject("f", "src", "{\"payload\":1}");
    harness.inject("f", "src", "{\"payload\":2}");
    List<Captured> caught = harness.awaitCaptured("out", 2);
    Map<?, ?> first = (Map<?, ?>) ((Map<?, ?>) caught.get(0).parsed()).get("error");
    assertEquals("Oh no, something bad happened", first.get("message"));
    assertEquals("fn", ((Map<?, ?>) first.get("source")).get("id"));
    Map<?, ?> second = (Map<?, ?>) ((Map<?, ?>) caught.get(1).parsed()).get("error");
    assertEquals(
        "ReferenceError: \"undefinedFunction\" is not defined (line 2)", second.get("message"));
  }

  /**
   * Node-RED's Flow.handleError copies a thrown error's {@code stack} and {@code code} to {@code
   * msg.error} (its function node passes the Error on): here the stack is the script's, in V8's
   * shape, with the body's own lines, and nothing of the server (no Java frame, class or path).
   */
  @Test
  void shouldGiveCatchNodesTheScriptsStackAndCode() {
    String body =
        """
        function check(v) {
          if (v === 1) {
            const e = new Error('boom'); e.code = 'E_BOOM'; throw e;
          }
          if (v === 2) { undefinedFunction(); }
          if (v === 3) { throw 'plain'; }
          if (v === 4) { node.error(new TypeError('bad'), msg); return; }
        }
        check(msg.payload);
        return msg;""";
    harness.engine.deploy(
        new Flow(
            "f",
            "f",
            "",
            List.of(
                node("src", "source"),
                node("fn", "function", config(body)),
                node("afn", "function", config("await null;\nthrow new Error('later');")),
                node("catch", "catch"),
                node("out", "capture")),
            List.of(
                new Wire("src", 0, "fn", 0),
                new Wire("src", 0, "afn", 0),
                new Wire("catch", 0, "out", 0))));
    Map<Object, Map<?, ?>> errors = new java.util.LinkedHashMap<>();
    for (int payload = 1; payload <= 4; payload++) {
      harness.inject("f", "src", "{\"payload\":" + payload + "}");
    }
    for (Captured caught : harness.awaitCaptured("out", 8)) {
      Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) caught.parsed()).get("error");
      Object key =
          ((Map<?, ?>) error.get("source")).get("id").equals("afn")
              ? "afn"
              : ((Map<?, ?>) caught.parsed()).get("payload");
      errors.put(key, error);
    }
    Map<?, ?> thrown = errors.get(1L);
    assertEquals("Error: boom", thrown.get("message"));
    assertEquals(
        Map.of("id", "fn", "type", "function", "name", "", "count", 1L), thrown.get("source"));
    assertEquals("E_BOOM", thrown.get("code"));
    assertEquals(
        "Error: boom\n    at check (function 'fn':3)\n    at function 'fn':9", thrown.get("stack"));
    assertEquals(
        "ReferenceError: \"undefinedFunction\" is not defined (line 5)\n"
            + "    at check (function 'fn':5)\n    at function 'fn':9",
        errors.get(2L).get("stack"));
    assertEquals(false, errors.get(2L).containsKey("code"));
    assertEquals("plain", errors.get(3L).get("message"));
    assertEquals(false, errors.get(3L).containsKey("stack"), "a thrown string has no stack");
    assertEquals(
        "TypeError: bad\n    at check (function 'fn':7)\n    at function 'fn':9",
        errors.get(4L).get("stack"),
        "node.error(err, msg): the error's stack, from where it was created");
    assertEquals("Error: later\n    at function 'afn':2", errors.get("afn").get("stack"));
    for (Map<?, ?> error : errors.values()) {
      String stack = String.valueOf(error.get("stack"));
      for (String internal : List.of("java", "z8run", "prelude", "Exception", "/")) {
        assertTrue(!stack.contains(internal), internal + " in " + stack);
      }
    }
  }
}
