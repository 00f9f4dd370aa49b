package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a function must not do, it cannot: loop forever, allocate without end, or reach Java. Each
 * attempt ends as an error of that node for that message, and the engine goes on: the next message
 * through the same node, and a message through another flow, still arrive.
 */
class FunctionSandboxTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    harness.engine.deploy(
        chain(
            "other",
            node("src2", "source"),
            node("pass", "function", config("return msg;")),
            node("out2", "capture")));
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /**
   * Deploys source -> function(attack when payload is "attack", else pass) -> capture, sends the
   * attack, then a normal message to the same node and one through the other flow; returns the
   * error the attack caused.
   */
  private String attack(String attackCode, Object... config) {
    String func = "if (msg.payload === 'attack') {\n" + attackCode + "\n}\nreturn msg;";
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", config(func, config)),
            node("out", "capture")));
    int errorsBefore = harness.errors("fn").size();
    int capturedBefore = harness.captured("out").size();
    int otherBefore = harness.captured("out2").size();

    harness.inject("f", "src", "{\"payload\":\"attack\"}");
    harness.inject("f", "src", "{\"payload\":\"after\"}");
    harness.inject("other", "src2", "{\"payload\":\"elsewhere\"}");

    List<Captured> after = harness.awaitCaptured("out", capturedBefore + 1);
    assertEquals("{\"payload\":\"after\"}", after.get(after.size() - 1).json());
    List<Captured> other = harness.awaitCaptured("out2", otherBefore + 1);
    assertEquals("{\"payload\":\"elsewhere\"}", other.get(other.size() - 1).json());
    List<String> errors = harness.awaitErrors("fn", errorsBefore + 1);
    assertEquals(capturedBefore + 1, harness.captured("out").size(), "the attack sent nothing");
    return errors.get(errors.size() - 1);
  }

  private static void assertContains(String expected, String actual) {
    assertTrue(actual.contains(expected), () -> "expected '" + expected + "' in: " + actual);
  }

  @Test
  void shouldStopAnInfiniteLoopAtTheCpuTimeLimit() {
    String error = attack("while (true) {}", "timeoutMs", 100);

    assertContains("stopped after ", error);
    assertContains("ms of CPU time (limit 100 ms per message)", error);
  }

  @Test
  void shouldStopALoopThatCatchesEverythingAndLoopsAgainInFinally() {
    String error =
        attack(
            "while (true) { try { while (true) {} } catch (e) {} finally { while (true) {} } }",
            "timeoutMs",
            100);

    assertContains("(limit 100 ms per message)", error);
  }

  @Test
  void shouldStopALoopInsideAFunctionCreatedAtRunTime() {
    String error = attack("new Function('while (true) {}')();", "timeoutMs", 100);

    assertContains("(limit 100 ms per message)", error);
  }

  @Test
  void shouldStopAnAllocationBombAtTheMemoryLimit() {
    String error =
        attack(
            "var hoard = [];\nwhile (true) { hoard.push([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); }",
            "memoryLimitMb",
            16,
            "timeoutMs",
            60_000);

    assertContains("stopped after allocating ", error);
    assertContains("MiB (limit 16 MiB per message)", error);
  }

  @Test
  void shouldStopAStringifyOfASharedReferenceGraphWithinTheLimits() {
    String error =
        attack(
            "var o = {leaf: 'x'};\n"
                + "for (var i = 0; i < 25; i++) { o = {a: o, b: o}; }\n"
                + "JSON.stringify(o);",
            "memoryLimitMb",
            16,
            "timeoutMs",
            1_000);

    assertTrue(
        error.contains("JSON.stringify would make")
            || error.contains("stopped after allocating")
            || error.contains("ms of CPU time"),
        () -> "expected a limit: " + error);
  }

  @Test
  void shouldRefuseARepeatBeyondTheMemoryLimitBeforeMakingIt() {
    assertContains("repeat would make 1073741824 characters", attack("'x'.repeat(1 << 30);"));
    assertContains("padEnd would make", attack("'x'.padEnd(1 << 30);"));
    assertContains("join would make", attack("new Array(1 << 30).join('xx');"));
  }

  @Test
  void shouldKeepJsonStringifyWorkingWithReplacersAndSpaces() {
    String error =
        attack(
            "var a = JSON.stringify({a: 1, b: [1, 2], c: 'x'}, ['a', 'b'], 1);\n"
                + "var b = JSON.stringify({a: 1}, function (k, v) { return k === 'a' ? 2 : v; });\n"
                + "throw new Error(a.replace(/\\s/g, '') + ' ' + b);");

    assertContains("{\"a\":1,\"b\":[1,2]} {\"a\":2}", error);
  }

  @Test
  void shouldStopRunawayRecursion() {
    String error = attack("function down(n) { return down(n + 1) + 1; }\ndown(0);");

    assertTrue(
        error.contains("stack overflow") || error.contains("InternalError"),
        () -> "expected a stack error: " + error);
  }

  @Test
  void shouldNotReachJavaThroughTheLiveConnectGlobals() {
    assertContains("ReferenceError: \"java\" is not defined", attack("java.lang.System.exit(1);"));
    assertContains(
        "ReferenceError: \"Packages\" is not defined",
        attack("Packages.java.lang.System.exit(1);"));
    assertContains(
        "ReferenceError: \"importClass\" is not defined", attack("importClass(java.lang.System);"));
    assertContains(
        "ReferenceError: \"importPackage\" is not defined", attack("importPackage(java.io);"));
    assertContains(
        "ReferenceError: \"JavaImporter\" is not defined", attack("new JavaImporter(java.io);"));
    assertContains(
        "ReferenceError: \"JavaAdapter\" is not defined",
        attack("new JavaAdapter(java.lang.Runnable, {run: function () {}});"));
  }

  @Test
  void shouldNotLoadFilesOrReachTheNetwork() {
    assertContains("ReferenceError: \"load\" is not defined", attack("load('/etc/passwd');"));
    assertContains(
        "ReferenceError: \"readFile\" is not defined", attack("readFile('/etc/passwd');"));
    assertContains("ReferenceError: \"require\" is not defined", attack("require('fs');"));
    assertContains(
        "ReferenceError: \"XMLHttpRequest\" is not defined", attack("new XMLHttpRequest();"));
  }

  @Test
  void shouldNotReachJavaThroughConstructorsOrTheHelpers() {
    assertContains(
        "ReferenceError: \"java\" is not defined",
        attack("this.constructor.constructor('return java')().lang.System.exit(1);"));
    assertContains(
        "ReferenceError: \"Packages\" is not defined",
        attack("node.send.constructor('return Packages')().java.lang.System.exit(1);"));
    assertContains("TypeError", attack("node.send.getClass().forName('java.lang.System');"));
    assertContains("TypeError", attack("msg.getClass().getClassLoader();"));
    assertContains("TypeError", attack("context.get.call.getClass();"));
    assertContains(
        "ReferenceError: \"java\" is not defined",
        attack("Object.getPrototypeOf(env).constructor.constructor('return java.lang')();"));
  }

  @Test
  void shouldNotLetOneMessageChangeTheStandardObjectsForTheNext() {
    String error = attack("Object.prototype.payload = 'polluted';\nArray.prototype.push = null;");

    assertContains("sealed object", error);
    assertContains(" (line ", error);
  }
}
