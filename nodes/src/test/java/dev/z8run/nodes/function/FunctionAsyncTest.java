package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.FlowNode;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Function bodies that use {@code async} and {@code await}, which Node-RED allows because it runs
 * every body inside an {@code async function} ({@code 10-function.js}), and {@code node.linkcall}
 * (Node-RED's example {@code common/link/03 - Link call.json}). Rhino has generators and Promises
 * but no async functions: {@link AsyncTransform} rewrites them.
 */
class FunctionAsyncTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<Object> payloads(String functionConfig, String message, int count) {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", functionConfig),
            node("out", "capture")));
    harness.inject("f", "src", message);
    FlowHarness.await(
        count + " messages, or an error",
        () -> harness.captured("out").size() >= count || !harness.errors("fn").isEmpty());
    assertEquals(List.of(), harness.errors("fn"), "errors of the function");
    return harness.awaitCaptured("out", count).stream()
        .map(c -> (Object) ((Map<?, ?>) c.parsed()).get("payload"))
        .toList();
  }

  @Test
  void shouldAwaitAPromiseThatATimerResolvesThenSendWhatTheBodyReturns() {
    long startNs = System.nanoTime();
    List<Object> out =
        payloads(
            config(
                "await new Promise(resolve => setTimeout(resolve, 200));\n"
                    + "msg.payload = 'later ' + msg.payload;\n"
                    + "return msg;"),
            "{\"payload\":\"hi\"}",
            1);
    assertEquals(List.of("later hi"), out);
    assertTrue((System.nanoTime() - startNs) / 1_000_000 >= 190, "sent after the timer");
    FlowHarness.await(
        "the execution ends once the Promise settled",
        () -> harness.engine.metrics("f").completed() == 1);
  }

  @Test
  void shouldAwaitPlainValuesThenablesAndExpressionsWithAwaitsInside() {
    List<Object> out =
        payloads(
            config(
                "// await in a comment, and \"await\" in a string, stay as they are\n"
                    + "var s = 'await me';\n"
                    + "var p = function (v) { return new Promise(function (r) { setTimeout("
                    + "function () { r(v); }, 5); }); };\n"
                    + "var sum = await p(1) + await p(2) * 10;\n"
                    + "var plain = await 4;\n"
                    + "var thenable = await {then: function (resolve) { resolve(5); }};\n"
                    + "var chained = (await Promise.resolve({a: [6]})).a[0];\n"
                    + "var re = /await/.test(s) ? 7 : 0;\n"
                    + "msg.payload = [sum, plain, thenable, chained, re, `t${1 + 1}`];\n"
                    + "return msg;"),
            "{}",
            1);
    assertEquals(List.of(List.of(21L, 4L, 5L, 6L, 7L, "t2")), out);
  }

  @Test
  void shouldRunNestedAsyncFunctionsAndAsyncArrows() {
    List<Object> out =
        payloads(
            config(
                "async function twice(x) { await null; return x * 2; }\n"
                    + "const inc = async y => (await twice(y)) + 1;\n"
                    + "const all = await Promise.all([1, 2, 3].map(async (v) => { return await"
                    + " inc(v); }));\n"
                    + "msg.payload = all;\n"
                    + "return msg;"),
            "{}",
            1);
    assertEquals(List.of(List.of(3L, 5L, 7L)), out);
  }

  @Test
  void shouldCatchARejectionWithTryAndFailTheMessageWhenNothingCatchesIt() {
    assertEquals(
        List.of("caught no"),
        payloads(
            config(
                "try { await Promise.reject(new Error('no')); }\n"
                    + "catch (e) { msg.payload = 'caught ' + e.message; }\n"
                    + "return msg;"),
            "{}",
            1));
    harness.engine.deploy(
        chain(
            "g",
            node("src2", "source"),
            node(
                "fn2",
                "function",
                config(
                    "await new Promise(r => setTimeout(r, 10));\n" + "throw new Error('boom');")),
            node("out2", "capture")));
    harness.inject("g", "src2", "{}");
    assertEquals("Error: boom", harness.awaitErrors("fn2", 1).get(0));
  }

  @Test
  void shouldSendInOrderWhenTheBodyAwaitsNodeSend() {
    assertEquals(
        List.of(1L, 2L, 3L),
        payloads(
            config(
                "await node.send({payload: 1});\n"
                    + "await new Promise(r => setTimeout(r, 20));\n"
                    + "node.send({payload: 2});\n"
                    + "return {payload: 3};"),
            "{}",
            3));
    FlowHarness.await("one execution, ended", () -> harness.engine.metrics("f").completed() == 1);
  }

  @Test
  void shouldLeavePropertiesNamedAwaitOrAsyncAlone() {
    assertEquals(
        List.of(List.of(1L, 2L, 3L)),
        payloads(
            config(
                "var o = {await: 1, async: 2};\n"
                    + "msg.await = o.await; msg.async = o.async;\n"
                    + "msg.payload = [msg.await, msg.async, (await Promise.resolve(3))];\n"
                    + "return msg;"),
            "{}",
            1));
    assertTrue(!AsyncTransform.needed("msg.await = 1; var x = {async: true}; return msg;"));
  }

  @Test
  void shouldAwaitInTheStartCode() {
    List<Object> out =
        payloads(
            config(
                "msg.payload = context.get('ready'); return msg;",
                "initialize",
                "await new Promise(r => setTimeout(r, 50));\ncontext.set('ready', 'yes');"),
            "{}",
            1);
    assertEquals(List.of("yes"), out);
  }

  @Test
  void shouldKeepTheLineNumbersOfTheBodyInErrors() {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", config("await null;\n\nnotDefined();")),
            node("out", "capture")));
    harness.inject("f", "src", "{}");
    String error = harness.awaitErrors("fn", 1).get(0);
    assertTrue(error.contains("notDefined") && error.contains("line 3"), error);
  }

  /** Node-RED's example common/link/03: {@code await node.linkcall('subroutine-1', msg)}. */
  @Test
  void shouldCallALinkInByNameAndGetWhatItsFlowReturns() {
    harness.engine.deploy(
        chain(
            "service",
            new FlowNode("entry", "link-in", "subroutine-1", 0, 0, false, Map.of()),
            node(
                "set",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\","
                    + "\"to\":\"Hello, from subroutine-1\",\"tot\":\"str\"}]}"),
            node("back", "link-out", "{\"mode\":\"return\"}")));
    List<Object> out =
        payloads(
            config(
                "const m = await node.linkcall('subroutine-1', msg, { timeout: 1000 });\n"
                    + "m.topic = msg.topic;\n"
                    + "return m;"),
            "{\"payload\":1,\"topic\":\"t\"}",
            1);
    assertEquals(List.of("Hello, from subroutine-1"), out);
    Captured returned = harness.captured("out").get(0);
    assertEquals(
        Map.of("payload", "Hello, from subroutine-1", "topic", "t"),
        returned.parsed(),
        "the returned message, without _linkSource");
  }

  @Test
  void shouldRejectALinkCallWithTimeoutWhenNothingReturnsAndRefuseUnknownTargets() {
    harness.engine.deploy(
        chain(
            "service",
            new FlowNode("entry", "link-in", "silent", 0, 0, false, Map.of()),
            node("sink", "capture")));
    List<Object> out =
        payloads(
            config(
                "try { await node.linkcall('nowhere', msg); }\n"
                    + "catch (e) { msg.payload = e.message; }\n"
                    + "try { await node.linkcall('silent', msg, {timeout: 100}); }\n"
                    + "catch (e) { msg.payload = e.message + ' / ' + msg.payload; }\n"
                    + "return msg;"),
            "{}",
            1);
    assertEquals(List.of("timeout / linkcall: target link-in node 'nowhere' not found"), out);
    FlowHarness.await("the execution ended", () -> harness.engine.metrics("f").completed() == 1);
    assertEquals(1, harness.awaitCaptured("sink", 1).size(), "the call reached the link");
  }
}
