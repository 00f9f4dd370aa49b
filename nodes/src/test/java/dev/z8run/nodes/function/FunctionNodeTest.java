package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The function node runs Node-RED function bodies unchanged, inside a deployed flow. */
class FunctionNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** A function node's config: {@code func} plus key/value pairs. */
  public static String config(String func, Object... more) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("func", func);
    for (int i = 0; i < more.length; i += 2) {
      config.put((String) more[i], more[i + 1]);
    }
    return JsonCodec.writeString(config);
  }

  /** source -> function "fn" -> capture "out". */
  private void deploy(String functionConfig) {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", functionConfig),
            node("out", "capture")));
  }

  private List<Captured> run(String functionConfig, String... messages) {
    deploy(functionConfig);
    for (String message : messages) {
      harness.inject("f", "src", message);
    }
    return harness.awaitCaptured("out", messages.length);
  }

  @Test
  void shouldForwardTheOriginalBytesWhenTheFunctionReturnsMsgUntouched() {
    String body = "{\"payload\":{\"n\":1.50},\"topic\":\"t\",  \"_msgid\":\"m1\"}";

    List<Captured> received = run(config("return msg;"), body);

    assertEquals(body, received.get(0).json());
  }

  @Test
  void shouldSerializeTheMessageOnceTheFunctionLooksInside() {
    List<Captured> received =
        run(
            config("msg.payload.n += 1;\nmsg.extra = 'x';\ndelete msg.topic;\nreturn msg;"),
            "{\"payload\":{\"n\":1},\"topic\":\"t\"}");

    assertEquals("{\"payload\":{\"n\":2},\"extra\":\"x\"}", received.get(0).json());
  }

  @Test
  void shouldSupportTheCommonWaysOfReadingAndCopyingMsg() {
    String func =
        "var copy = {...msg, spread: true};\n"
            + "var assigned = Object.assign({}, msg);\n"
            + "var keys = Object.keys(msg).join(',');\n"
            + "var names = []; for (var k in msg) names.push(k);\n"
            + "var {payload} = msg;\n"
            + "return {payload: {copy: copy, assigned: assigned, keys: keys, names: names,"
            + " has: 'topic' in msg, own: msg.hasOwnProperty('payload'), text: JSON.stringify(msg),"
            + " n: payload.n}};";

    Object out = run(config(func), "{\"payload\":{\"n\":1},\"topic\":\"t\"}").get(0).parsed();

    assertEquals(
        json(
            "{\"payload\":{\"copy\":{\"payload\":{\"n\":1},\"topic\":\"t\",\"spread\":true},"
                + "\"assigned\":{\"payload\":{\"n\":1},\"topic\":\"t\"},\"keys\":\"payload,topic\","
                + "\"names\":[\"payload\",\"topic\"],\"has\":true,\"own\":true,"
                + "\"text\":\"{\\\"payload\\\":{\\\"n\\\":1},\\\"topic\\\":\\\"t\\\"}\",\"n\":1}}"),
        out);
  }

  @Test
  void shouldSendNothingWhenTheFunctionReturnsNullOrNothing() {
    deploy(
        config(
            "if (msg.payload === 1) { return null; }\nif (msg.payload === 2) { return; }\nreturn msg;"));

    harness.inject("f", "src", "{\"payload\":1}");
    harness.inject("f", "src", "{\"payload\":2}");
    harness.inject("f", "src", "{\"payload\":3}");

    assertEquals(List.of("{\"payload\":3}"), texts(harness.awaitCaptured("out", 1)));
    FlowHarness.await("3 executions", () -> harness.engine.metrics("f").completed() == 3);
    assertEquals(1, harness.captured("out").size());
  }

  private static List<String> texts(List<Captured> captured) {
    List<String> texts = new ArrayList<>();
    for (Captured message : captured) {
      texts.add(message.json());
    }
    return texts;
  }

  /** source -> fn (3 outputs) -> o0, o1, o2. */
  private void deployThreeOutputs(String func) {
    List<FlowNode> nodes =
        List.of(
            node("src", "source"),
            node("fn", "function", config(func, "outputs", 3)),
            node("o0", "capture"),
            node("o1", "capture"),
            node("o2", "capture"));
    List<Wire> wires =
        List.of(
            new Wire("src", 0, "fn", 0),
            new Wire("fn", 0, "o0", 0),
            new Wire("fn", 1, "o1", 0),
            new Wire("fn", 2, "o2", 0));
    harness.engine.deploy(new Flow("f", "f", "", nodes, wires));
  }

  @Test
  void shouldRouteAnArrayEntryPerOutputWithNestedArraysAsSeveralMessages() {
    deployThreeOutputs(
        "return [msg, null, [{payload: 'a'}, null, {payload: 'b'}], {payload: 'ignored'}];");

    harness.inject("f", "src", "{\"payload\":0}");

    assertEquals(List.of("{\"payload\":0}"), texts(harness.awaitCaptured("o0", 1)));
    assertEquals(
        List.of("{\"payload\":\"a\"}", "{\"payload\":\"b\"}"),
        texts(harness.awaitCaptured("o2", 2)));
    FlowHarness.await("execution", () -> harness.engine.metrics("f").completed() == 1);
    assertTrue(harness.captured("o1").isEmpty());
  }

  @Test
  void shouldSendWithNodeSendAsWellAsByReturning() {
    deployThreeOutputs(
        "node.send({payload: 'first'});\n"
            + "node.send([null, {payload: 'second'}]);\n"
            + "msg.payload = 'changed after send';\n"
            + "node.send([[msg, msg]]);\n"
            + "node.done();\n"
            + "return [null, null, msg];");

    harness.inject("f", "src", "{\"payload\":0}");

    assertEquals(
        List.of(
            "{\"payload\":\"first\"}",
            "{\"payload\":\"changed after send\"}",
            "{\"payload\":\"changed after send\"}"),
        texts(harness.awaitCaptured("o0", 3)));
    assertEquals(List.of("{\"payload\":\"second\"}"), texts(harness.awaitCaptured("o1", 1)));
    assertEquals(
        List.of("{\"payload\":\"changed after send\"}"), texts(harness.awaitCaptured("o2", 1)));
  }

  @Test
  void shouldSnapshotAMessageWhenItIsSentSoLaterChangesDoNotReachIt() {
    List<Captured> received =
        run(
            config("node.send(msg);\nmsg.payload.n = 99;\nreturn null;"),
            "{\"payload\":{\"n\":1}}");

    assertEquals("{\"payload\":{\"n\":1}}", received.get(0).json());
  }

  @Test
  void shouldCarryTheBinaryPayloadWithTheInputMessageOnly() {
    byte[] binary = {1, 2, 3, 0, (byte) 0xff};
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    List<FlowNode> nodes =
        List.of(
            node("src", "source", source),
            node(
                "fn",
                "function",
                config("msg.topic = 'x';\nnode.send({payload: 'other'});\nreturn msg;")),
            node("out", "capture"));
    harness.engine.deploy(chain("f", nodes.toArray(FlowNode[]::new)));

    harness.inject("f", "src", "{\"payload\":1}");

    List<Captured> received = harness.awaitCaptured("out", 2);
    assertEquals("{\"payload\":\"other\"}", received.get(0).json());
    assertEquals(0, received.get(0).binary().length);
    assertEquals(
        "{\"payload\":null,\"topic\":\"x\"}",
        received.get(1).json(),
        "the binary payload is msg.payload, a Buffer; it travels beside the JSON");
    assertArrayEquals(binary, received.get(1).binary());
  }

  @Test
  void shouldKeepNodeAndFlowContextPerDeployAndGlobalContextAcrossFlows() {
    String counting =
        "context.set('n', (context.get('n') || 0) + 1);\n"
            + "flow.set('n', (flow.get('n') || 0) + 1);\n"
            + "global.set('last', {from: node.id, at: context.get('n')});\n"
            + "msg.payload = {node: context.get('n'), flow: flow.get('n'), keys: context.keys(),"
            + " sameFlow: context.flow.get('n')};\n"
            + "return msg;";
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("a", "function", config(counting)),
            node("b", "function", config(counting)),
            node("out", "capture")));
    harness.engine.deploy(
        chain(
            "g",
            node("src2", "source"),
            node("reader", "function", config("msg.payload = global.get('last'); return msg;")),
            node("out2", "capture")));

    harness.inject("f", "src", "{\"payload\":1}");
    harness.awaitCaptured("out", 1); // a and b may run on different workers: one at a time
    harness.inject("f", "src", "{\"payload\":2}");
    List<Captured> received = harness.awaitCaptured("out", 2);
    harness.inject("g", "src2", "{}");

    assertEquals(
        json("{\"payload\":{\"node\":1,\"flow\":2,\"keys\":[\"n\"],\"sameFlow\":2}}"),
        received.get(0).parsed());
    assertEquals(
        json("{\"payload\":{\"node\":2,\"flow\":4,\"keys\":[\"n\"],\"sameFlow\":4}}"),
        received.get(1).parsed());
    assertEquals(
        json("{\"payload\":{\"from\":\"b\",\"at\":2}}"),
        harness.awaitCaptured("out2", 1).get(0).parsed());
  }

  @Test
  void shouldStartNodeAndFlowContextAfreshOnRedeployButKeepGlobalContext() {
    String func =
        "context.set('n', (context.get('n') || 0) + 1);\n"
            + "flow.set('n', (flow.get('n') || 0) + 1);\n"
            + "global.set('n', (global.get('n') || 0) + 1);\n"
            + "msg.payload = [context.get('n'), flow.get('n'), global.get('n')];\nreturn msg;";
    run(config(func), "{}", "{}");

    deploy(config(func));
    harness.inject("f", "src", "{}");

    List<Captured> received = harness.awaitCaptured("out", 3);
    assertEquals("{\"payload\":[2,2,2]}", received.get(1).json());
    assertEquals("{\"payload\":[1,1,3]}", received.get(2).json());
  }

  @Test
  void shouldKeepTheScriptsGlobalsFromMessageToMessageAsNodeRedDoes() {
    List<Captured> received =
        run(
            config(
                "if (typeof calls === 'undefined') { calls = 0; }\ncalls++;\n"
                    + "msg.payload = calls;\nreturn msg;"),
            "{}",
            "{}",
            "{}");

    assertEquals("{\"payload\":3}", received.get(2).json());
  }

  @Test
  void shouldLetAMessageKeptUntouchedInAGlobalBeReadByALaterCall() {
    deploy(
        config(
            "if (msg.payload === 'first') { kept = msg; return null; }\n"
                + "msg.payload = {now: msg.payload, before: kept.payload, topic: kept.topic};\n"
                + "return msg;"));
    harness.inject("f", "src", "{\"payload\":\"first\",\"topic\":\"kept\"}");
    harness.inject("f", "src", "{\"payload\":\"second\"}");

    List<Captured> received = harness.awaitCaptured("out", 1);

    assertEquals(
        "{\"payload\":{\"now\":\"second\",\"before\":\"first\",\"topic\":\"kept\"}}",
        received.get(0).json());
  }

  @Test
  void shouldStoreCopiesInContextNotReferences() {
    List<Captured> received =
        run(
            config(
                "var o = {n: 1};\ncontext.set('o', o);\no.n = 2;\nvar back = context.get('o');\n"
                    + "back.n = 3;\nmsg.payload = context.get('o');\nreturn msg;"),
            "{}");

    assertEquals("{\"payload\":{\"n\":1}}", received.get(0).json());
  }

  @Test
  void shouldReadOnlyAllowlistedEnvironmentVariables() {
    // the harness's environment: Z8_ENV_GREETING=hello, PATH, and Z8_JWT_SECRET (left out)
    List<Captured> received =
        run(
            config(
                "msg.payload = {short: env.get('GREETING'), full: env.get('Z8_ENV_GREETING'),"
                    + " secret: env.get('Z8_JWT_SECRET') === undefined,"
                    + " path: env.get('PATH') === undefined, id: env.get('NR_NODE_ID'),"
                    + " flow: env.get('NR_FLOW_ID')};\nreturn msg;"),
            "{}");

    assertEquals(
        json(
            "{\"payload\":{\"short\":\"hello\",\"full\":\"hello\",\"secret\":true,\"path\":true,"
                + "\"id\":\"fn\",\"flow\":\"f\"}}"),
        received.get(0).parsed());
  }

  @Test
  void shouldReportAnExceptionAsAnErrorOfThatNodeWithLineAndKeepRunning() {
    deploy(config("var x = 1;\nif (msg.payload === 1) { foo(); }\nreturn msg;"));

    harness.inject("f", "src", "{\"payload\":1}");
    harness.inject("f", "src", "{\"payload\":2}");

    assertEquals(List.of("{\"payload\":2}"), texts(harness.awaitCaptured("out", 1)));
    String error = harness.awaitErrors("fn", 1).get(0);
    assertEquals("ReferenceError: \"foo\" is not defined (line 2)", error);
    assertEquals(1, harness.engine.metrics("f").node("fn").errors());
  }

  @Test
  void shouldReportThrownErrorsAndNodeErrorWithAMessageAsErrorsOfTheMessage() {
    deploy(
        config(
            "if (msg.payload === 1) {\n  throw new Error('bad payload');\n}\n"
                + "node.error('flagged ' + msg.payload, msg);\nreturn msg;"));

    harness.inject("f", "src", "{\"payload\":1}");
    harness.inject("f", "src", "{\"payload\":2}");

    List<String> errors = harness.awaitErrors("fn", 2);
    assertEquals("Error: bad payload", errors.get(0), "as Node-RED says it");
    assertEquals("flagged 2", errors.get(1), "node.error's text as it is");
    assertEquals(List.of("{\"payload\":2}"), texts(harness.awaitCaptured("out", 1)));
  }

  @Test
  void shouldPublishStatusAndWarnings() {
    run(
        config(
            "node.status({fill: 'green', shape: 'dot', text: 'seen ' + msg.payload});\n"
                + "node.warn('careful');\nnode.warn({a: 1});\nnode.log('logged');\nreturn msg;"),
        "{\"payload\":7}");

    FlowHarness.await("status", () -> harness.statuses("fn").contains("seen 7"));
    FlowHarness.await("warnings", () -> harness.warnings("fn").size() == 2);
    assertEquals(List.of("careful", "{\"a\":1}"), harness.warnings("fn"));
  }

  @Test
  void shouldRunInitializeAtDeployAndFinalizeAtStop() {
    List<Captured> received =
        run(
            config(
                "msg.payload = context.get('start'); return msg;",
                "initialize",
                "context.set('start', 42);",
                "finalize",
                "node.warn('stopping with ' + context.get('start'));"),
            "{}");
    assertEquals("{\"payload\":42}", received.get(0).json());

    harness.engine.stop("f", 5_000);

    FlowHarness.await("finalize", () -> harness.warnings("fn").contains("stopping with 42"));
  }

  /** The validator's message for a config it refuses before the node is built. */
  private String invalid(String functionConfig) {
    ValidationException refused =
        assertThrows(ValidationException.class, () -> deploy(functionConfig));
    assertFalse(harness.engine.isRunning("f"));
    return refused.getMessage();
  }

  private DeployException refused(String functionConfig) {
    DeployException refused = assertThrows(DeployException.class, () -> deploy(functionConfig));
    assertEquals("fn", refused.nodeId());
    assertFalse(harness.engine.isRunning("f"));
    return refused;
  }

  @Test
  void shouldRefuseASyntaxErrorAtDeployNamingFieldAndLine() {
    String message = refused(config("var a = 1;\nretur msg;")).getMessage();

    assertTrue(message.startsWith("node 'fn' (function): func: line 2: SyntaxError: "), message);
  }

  @Test
  void shouldRefuseAFailingInitializeAndBadNumbersAtDeploy() {
    assertEquals(
        "node 'fn' (function): initialize: Error: no start",
        refused(config("return msg;", "initialize", "throw new Error('no start');")).getMessage());
    assertEquals(
        "node 'fn': field 'outputs' must be 0 to 64, got 65",
        invalid(config("return msg;", "outputs", 65)));
    assertEquals(
        "node 'fn': field 'timeoutMs' must be 1 or more, got 0",
        invalid(config("return msg;", "timeoutMs", 0)));
    assertEquals(
        "node 'fn': field 'memoryLimitMb' must be 1 to 256, got 4096",
        invalid(config("return msg;", "memoryLimitMb", 4096)));
    assertEquals(
        "node 'fn' (function): func: the function body is empty (give func, or z8run's code,"
            + " template or outputValue)",
        refused(config(" ")).getMessage());
  }
}
