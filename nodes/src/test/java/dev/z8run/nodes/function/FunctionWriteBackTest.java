package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Function that changes a few members of {@code msg} writes it back by patching those members:
 * the message that arrives is the one {@code JSON.stringify} of the whole {@code msg} gives (the
 * same script run with {@code Object.keys(msg)} first, which parses msg whole), and the field index
 * it carries is the one its JSON gives (the capture node checks it).
 */
class FunctionWriteBackTest {
  private static final String MSG = "{\"payload\":{\"n\":123456},\"topic\":\"t\"}";

  private final FlowHarness harness = new FlowHarness();
  private int flows;

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** Runs {@code func} on {@code input} patched and whole; returns the patched JSON. */
  private String patchedAsWhole(String func, String input) {
    String patched = run(func, input);
    String whole = run("Object.keys(msg);\n" + func, input);
    assertEquals(JsonCodec.parse(whole), JsonCodec.parse(patched), func + " on " + input);
    return patched;
  }

  private String run(String func, String input) {
    String id = "f" + ++flows;
    harness.engine.deploy(
        chain(
            id,
            node("src" + id, "source"),
            node("fn" + id, "function", config(func)),
            node("out" + id, "capture")));
    harness.inject(id, "src" + id, input);
    FlowHarness.await(
        "a message or an error",
        () -> harness.captured("out" + id).size() == 1 || !harness.errors("fn" + id).isEmpty());
    assertEquals(List.of(), harness.errors("fn" + id));
    String json = harness.awaitCaptured("out" + id, 1).get(0).json();
    assertEquals(List.of(), harness.errors("out" + id), "the capture checks the field index");
    return json;
  }

  @Test
  void shouldPatchTheOneMemberASetWrites() {
    assertEquals(
        "{\"payload\":5,\"topic\":\"t\"}", patchedAsWhole("msg.payload = 5;\nreturn msg;", MSG));
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"x\"}",
        patchedAsWhole("msg.topic = \"x\";\nreturn msg;", MSG));
  }

  @Test
  void shouldKeepTheBytesOfMembersTheScriptDidNotChange() {
    String input = "{ \"payload\" : {\"n\": 1.50, \"u\":\"\\u00e9\"} , \"topic\":\"t\" }";

    assertEquals(
        "{\"payload\" : {\"n\": 1.50, \"u\":\"\\u00e9\"},\"topic\":7}",
        patchedAsWhole("msg.topic = 7;\nreturn msg;", input));
  }

  @Test
  void shouldWriteBackNestedChangesToObjectsAndArraysItRead() {
    assertEquals(
        "{\"payload\":{\"n\":7,\"list\":[1,{\"a\":\"b\"}]},\"topic\":\"t\"}",
        patchedAsWhole("msg.payload.n = 7;\nmsg.payload.list = [1, {a: 'b'}];\nreturn msg;", MSG));
    assertEquals(
        "{\"arr\":[1,2,3,4],\"more\":[1,\"2\"]}",
        patchedAsWhole("msg.arr.push(4);\nmsg.more = [1, '2'];\nreturn msg;", "{\"arr\":[1,2,3]}"));
    assertEquals(
        "{\"payload\":{\"deep\":{\"er\":{\"x\":2}}}}",
        patchedAsWhole(
            "msg.payload.deep.er.x++;\nreturn msg;",
            "{\"payload\":{\"deep\":{\"er\":{\"x\":1}}}}"));
  }

  @Test
  void shouldLeaveOutDeletedMembersAndAppendNewOnesInOrder() {
    assertEquals(
        "{\"payload\":{\"n\":123456}}", patchedAsWhole("delete msg.topic;\nreturn msg;", MSG));
    assertEquals(
        "{\"topic\":\"t\",\"payload\":1}",
        patchedAsWhole("delete msg.payload;\nmsg.payload = 1;\nreturn msg;", MSG));
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"a\":1,\"b\":{\"c\":[true,null]}}",
        patchedAsWhole(
            "msg.a = 1;\nmsg.b = {c: [true, null]};\nmsg.c = undefined;\n"
                + "msg.f = function () {};\nmsg.d = 2;\ndelete msg.d;\nreturn msg;",
            MSG));
    assertEquals(
        "{\"payload\":{\"n\":123456}}", patchedAsWhole("msg.topic = undefined;\nreturn msg;", MSG));
    assertEquals("{}", patchedAsWhole("delete msg.payload;\ndelete msg.topic;\nreturn msg;", MSG));
  }

  @Test
  void shouldEscapeStringsAsJsonStringifyDoes() {
    patchedAsWhole(
        "msg.s = 'quote \" back \\\\ nl \\n tab \\t ctl \\u0001 \\u007f é € 😀 lone \\ud800 end';\n"
            + "msg.t = msg.payload;\nmsg.k = msg.key;\nreturn msg;",
        "{\"payload\":\"a\\\"b\\u00e9\\n\",\"key\":\"plain\"}");
    String patched =
        patchedAsWhole("msg.s = '\\u0001\\b\\f\\n\\r\\t\"\\\\\\ud83d';\nreturn msg;", "{}");
    assertEquals("{\"s\":\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\\ud83d\"}", patched);
  }

  @Test
  void shouldWriteNumbersAsJsonStringifyDoes() {
    assertEquals(
        "{\"a\":1.5,\"b\":0,\"c\":null,\"d\":1e+21,\"e\":123456789012345680,\"f\":-42,"
            + "\"g\":0.1}",
        patchedAsWhole(
            "msg.a = 1.5; msg.b = -0; msg.c = NaN; msg.d = 1e21; msg.e = 123456789012345678;\n"
                + "msg.f = -42; msg.g = 0.1;\nreturn msg;",
            "{}"));
  }

  @Test
  void shouldReadWhatTheScriptWroteInTheSameCall() {
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"x\",\"r\":\"x123456true false\"}",
        patchedAsWhole(
            "msg.topic = 'x';\nmsg.r = msg.topic + msg.payload.n + ('topic' in msg) + ' '"
                + " + ('gone' in msg);\nreturn msg;",
            MSG));
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"keys\":\"payload,topic,x\"}",
        patchedAsWhole(
            "msg.x = 1;\nmsg.keys = Object.keys(msg).join(',');\ndelete msg.x;\nreturn msg;", MSG));
  }

  @Test
  void shouldForwardAMessageTheScriptOnlyReadScalarsOf() {
    String input = "{ \"payload\" : 3, \"topic\" : \"t\" }";

    assertEquals(input, run("if (msg.payload > 2 && msg.topic) { return msg; }", input));
  }

  @Test
  void shouldSerializeANewObjectAsBefore() {
    assertEquals(
        "{\"payload\":{\"n\":123456},\"copy\":\"t\"}",
        patchedAsWhole("return {payload: msg.payload, copy: msg.topic};", MSG));
  }

  @Test
  void shouldFallBackToTheWholeMessageForKeysItCannotPatch() {
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i < 20; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    many.append('}');
    patchedAsWhole("msg.k3 = 'x';\nreturn msg;", many.toString());
    patchedAsWhole("msg.a = 2;\nreturn msg;", "{\"a\":1,\"a\":3}");
    patchedAsWhole("msg['é'] = 2;\nmsg.b = msg['é'];\nreturn msg;", "{\"é\":1,\"b\":0}");
    patchedAsWhole("msg[0] = 'zero';\nreturn msg;", "{\"0\":1}");
    assertEquals("{\"payload\":[1,2]}", run("msg.payload = [1, 2];\nreturn msg;", "[5]"));
  }

  @Test
  void shouldSendASnapshotAtEachSendOnEachOutput() {
    Flow flow =
        new Flow(
            "multi",
            "multi",
            "",
            List.of(
                node("src", "source"),
                node(
                    "fn",
                    "function",
                    config(
                        "msg.x = 1;\nnode.send([msg, null]);\nmsg.x = 2;\n"
                            + "return [[msg, {payload: 'new'}], msg];",
                        "outputs",
                        2)),
                node("o0", "capture"),
                node("o1", "capture")),
            List.of(
                new Wire("src", 0, "fn", 0),
                new Wire("fn", 0, "o0", 0),
                new Wire("fn", 1, "o1", 0)));
    harness.engine.deploy(flow);

    harness.inject("multi", "src", MSG);

    List<String> first =
        harness.awaitCaptured("o0", 3).stream().map(FlowHarness.Captured::json).toList();
    assertEquals(
        List.of(
            "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"x\":1}",
            "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"x\":2}",
            "{\"payload\":\"new\"}"),
        first);
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"x\":2}",
        harness.awaitCaptured("o1", 1).get(0).json());
    assertEquals(List.of(), harness.errors("o0"));
  }

  @Test
  void shouldLetALaterCallReadAndSendAMessageKeptAfterItWasChanged() {
    harness.engine.deploy(
        chain(
            "kept",
            node("src", "source"),
            node(
                "fn",
                "function",
                config(
                    "if (msg.topic === 'keep') { msg.topic = 'kept'; kept = msg; return null; }\n"
                        + "msg.payload = kept.topic + kept.payload.n;\nreturn [[msg, kept]];")),
            node("out", "capture")));
    harness.inject("kept", "src", "{\"payload\":{\"n\":1},\"topic\":\"keep\"}");
    harness.inject("kept", "src", "{\"payload\":0}");

    FlowHarness.await(
        "two messages or an error",
        () -> harness.captured("out").size() == 2 || !harness.errors("fn").isEmpty());
    assertEquals(List.of(), harness.errors("fn"));
    List<FlowHarness.Captured> received = harness.awaitCaptured("out", 2);

    assertEquals("{\"payload\":\"kept1\"}", received.get(0).json());
    assertEquals("{\"payload\":{\"n\":1},\"topic\":\"kept\"}", received.get(1).json());
  }

  @Test
  void shouldCarryAnIndexTheNextNodesReadThrough() {
    FlowNode[] nodes = {
      node("src", "source"),
      node("a", "function", config("msg.topic = 'longer topic';\nmsg.hop = 1;\nreturn msg;")),
      node(
          "b",
          "change",
          "{\"rules\":[{\"t\":\"set\",\"p\":\"hop\",\"pt\":\"msg\",\"to\":\"22\",\"tot\":\"num\"}]}"),
      node("c", "function", config("msg.seen = [msg.topic, msg.hop, msg.payload.n];\nreturn msg;")),
      node("out", "capture")
    };
    harness.engine.deploy(chain("idx", nodes));

    harness.inject("idx", "src", MSG);

    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"longer topic\",\"hop\":22,"
            + "\"seen\":[\"longer topic\",22,123456]}",
        harness.awaitCaptured("out", 1).get(0).json());
    assertEquals(List.of(), harness.errors("out"));
  }

  @Test
  void shouldStillRefuseAMessageThatHoldsItself() {
    String id = "cyclic";
    harness.engine.deploy(
        chain(
            id,
            node("src", "source"),
            node("fn", "function", config("msg.self = msg;\nreturn msg;")),
            node("out", "capture")));
    harness.inject(id, "src", MSG);

    List<String> errors = harness.awaitErrors("fn", 1);
    assertTrue(errors.get(0).contains("TypeError"), errors.toString());
  }

  @Test
  void shouldWriteBackAsTheWholeWhateverTheKeysLengthsEscapesAndRepeats() {
    // keys short and long, escaped (the unescaped key equals a name the script uses), with an
    // escaped quote, non-ASCII, repeated, and the last key near the JSON's end: each written back
    // as JSON.stringify of the whole msg gives
    for (String input :
        List.of(
            "{\"\\u0074opic\":\"a\",\"payload\":1}",
            "{\"payload\":1,\"a_rather_long_key_of_words\":2,\"to\\u0070ic\":3}",
            "{\"a_rather_long_key_\\\"quoted\":1,\"topic\":2}",
            "{\"cl\u00e9\":1,\"topic\":2}",
            "{\"topic\":1,\"topic\":2}",
            "{\"abcdefgh\":1,\"abcdefghi\":2,\"t\":3}",
            "{\"t\":3}")) {
      patchedAsWhole("msg.topic = 'x';\nreturn msg;", input);
    }
  }

  /** A Change node before the function: the message arrives with an index the change wrote. */
  private static final String SET_HOP =
      "{\"rules\":[{\"t\":\"set\",\"p\":\"hop\",\"pt\":\"msg\",\"to\":\"7\",\"tot\":\"num\"}]}";

  /** Runs {@code func} after a change node (so the input carries an index); returns its JSON. */
  private String runIndexed(String func, String input) {
    String id = "i" + ++flows;
    harness.engine.deploy(
        chain(
            id,
            node("src" + id, "source"),
            node("ch" + id, "change", SET_HOP),
            node("fn" + id, "function", config(func)),
            node("out" + id, "capture")));
    harness.inject(id, "src" + id, input);
    FlowHarness.await(
        "a message or an error",
        () -> harness.captured("out" + id).size() == 1 || !harness.errors("fn" + id).isEmpty());
    assertEquals(List.of(), harness.errors("fn" + id));
    String json = harness.awaitCaptured("out" + id, 1).get(0).json();
    assertEquals(List.of(), harness.errors("out" + id), "the capture checks the field index");
    return json;
  }

  @Test
  void shouldReadACarriedIndexWithRepeatedOrEscapedKeysAsJsonParseDoes() {
    // the index arrives with the message (a change node wrote it): keys that repeat or are not
    // plain still make the view parse msg whole, the last of repeated keys winning
    for (String input :
        List.of(
            "{\"topic\":1,\"topic\":2}",
            "{\"\\u0074opic\":\"a\",\"payload\":1}",
            "{\"cl\u00e9\":1,\"topic\":2}",
            "{\"payload\":1,\"topic\":\"t\"}")) {
      String func = "msg.seen = msg.topic;\nmsg.topic = 'x';\nreturn msg;";
      assertEquals(
          JsonCodec.parse(runIndexed("Object.keys(msg);\n" + func, input)),
          JsonCodec.parse(runIndexed(func, input)),
          input);
    }
    assertEquals(
        "{\"topic\":\"x\",\"hop\":7,\"seen\":2}",
        runIndexed(
            "msg.seen = msg.topic;\nmsg.topic = 'x';\nreturn msg;", "{\"topic\":1,\"topic\":2}"));
  }

  @Test
  void shouldWriteValuesOfTheSameLengthOverTheInput() {
    // after the change node the message carries its index: each function writes values as long as
    // the old ones over them (in place on a fused hop)
    String func = "msg.topic = msg.topic === 'x' ? 'y' : 'x';\nmsg.hop = msg.hop + 1;\nreturn msg;";
    harness.engine.deploy(
        chain(
            "same",
            node("src", "source"),
            node("ch", "change", SET_HOP),
            node("f1", "function", config(func)),
            node("f2", "function", config(func)),
            node("f3", "function", config(func + "\n")),
            node("out", "capture")));

    harness.inject("same", "src", MSG);

    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"x\",\"hop\":10}",
        harness.awaitCaptured("out", 1).get(0).json());
    assertEquals(List.of(), harness.errors("out"), "the capture checks the field index");
  }

  @Test
  void shouldWriteObjectsItReadAndMembersItDeletedBesideValuesOfTheSameLength() {
    // the input carries a compact index: a same-length value beside a change the patch must make
    assertEquals(
        "{\"payload\":{\"n\":7},\"topic\":\"x\",\"hop\":7}",
        runIndexed("msg.payload.n = 7;\nmsg.topic = 'x';\nreturn msg;", MSG));
    assertEquals(
        "{\"topic\":\"x\",\"hop\":7}",
        runIndexed("delete msg.payload;\nmsg.topic = 'x';\nreturn msg;", MSG));
    assertEquals(
        "{\"payload\":{\"n\":123456},\"topic\":\"x\",\"hop\":7,\"a\":1}",
        runIndexed("msg.a = 1;\nmsg.topic = 'x';\nreturn msg;", MSG));
    assertEquals(
        "{\"payload\":[1],\"topic\":\"t\",\"hop\":7}",
        runIndexed("msg.payload = [1];\nreturn msg;", "{\"payload\":\"abc\",\"topic\":\"t\"}"));
    // spaces between the members: written back without them, as the patch writes
    assertEquals(
        "{\"payload\": 1,\"topic\": \"x\",\"hop\":7}",
        runIndexed("msg.topic = 'x';\nreturn msg;", "{\"payload\": 1, \"topic\": \"t\"}"));
  }

  @Test
  void shouldWriteValuesOfTheSameLengthIntoEveryTargetAndEverySend() {
    // two targets, and a send before the return: no hop in place, each message a copy
    Flow flow =
        new Flow(
            "fan",
            "fan",
            "",
            List.of(
                node("src", "source"),
                node("ch", "change", SET_HOP),
                node(
                    "fn",
                    "function",
                    config("msg.hop = 8;\nnode.send(msg);\nmsg.hop = 9;\nreturn msg;")),
                node("o1", "capture"),
                node("o2", "capture")),
            List.of(
                new Wire("src", 0, "ch", 0),
                new Wire("ch", 0, "fn", 0),
                new Wire("fn", 0, "o1", 0),
                new Wire("fn", 0, "o2", 0)));
    harness.engine.deploy(flow);

    harness.inject("fan", "src", MSG);

    for (String out : List.of("o1", "o2")) {
      assertEquals(
          List.of(
              "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"hop\":8}",
              "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"hop\":9}"),
          harness.awaitCaptured(out, 2).stream().map(FlowHarness.Captured::json).toList(),
          out);
      assertEquals(List.of(), harness.errors(out));
    }
  }

  @Test
  void shouldSendTheChangedValueAndThenTheNextOneFromOneFusedInput() {
    // the first send may be written over the input itself; the second reads the input after it
    harness.engine.deploy(
        chain(
            "twice",
            node("src", "source"),
            node("ch", "change", SET_HOP),
            node(
                "fn",
                "function",
                config("msg.hop = 8;\nnode.send(msg);\nmsg.hop = 9;\nreturn msg;")),
            node("out", "capture")));

    harness.inject("twice", "src", MSG);

    assertEquals(
        List.of(
            "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"hop\":8}",
            "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"hop\":9}"),
        harness.awaitCaptured("out", 2).stream().map(FlowHarness.Captured::json).toList());
    assertEquals(List.of(), harness.errors("out"));
  }
}
