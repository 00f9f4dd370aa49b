package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Function whose body never keeps {@code msg} ({@link MessageEscape}) reuses one view for every
 * message: nothing of one message (members read, written, added or deleted, a binary payload)
 * reaches the next, and a view something took during a call (a timer) is copied out as before.
 */
class FunctionViewReuseTest {
  private final FlowHarness harness = new FlowHarness();

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<String> run(String func, String... messages) {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", config(func)),
            node("out", "capture")));
    for (String message : messages) {
      harness.inject("f", "src", message);
    }
    List<String> texts = new ArrayList<>();
    for (Captured captured : harness.awaitCaptured("out", messages.length)) {
      texts.add(captured.json());
    }
    assertEquals(List.of(), harness.errors("fn"));
    assertEquals(List.of(), harness.errors("out"), "the capture checks the field index");
    return texts;
  }

  @Test
  void shouldStartEveryMessageAfreshWhenTheViewIsReused() {
    String func =
        "if (msg.payload === 1) { msg.added = 'one'; delete msg.topic; msg.x = msg.x + 1; }\n"
            + "else if (msg.payload === 2) { msg.topic = msg.topic + '!'; }\n"
            + "msg.seen = ('added' in msg) + ',' + ('topic' in msg) + ',' + msg.x;\n"
            + "return msg;";

    assertEquals(
        List.of(
            "{\"payload\":1,\"x\":2,\"added\":\"one\",\"seen\":\"true,false,2\"}",
            "{\"payload\":2,\"topic\":\"b!\",\"x\":10,\"seen\":\"false,true,10\"}",
            "{\"payload\":3,\"other\":[1],\"seen\":\"false,false,undefined\"}",
            "{\"payload\":1,\"x\":6,\"z\":[],\"added\":\"one\",\"seen\":\"true,false,6\"}"),
        run(
            func,
            "{\"payload\":1,\"topic\":\"a\",\"x\":1}",
            "{\"payload\":2,\"topic\":\"b\",\"x\":10}",
            "{\"payload\":3,\"other\":[1]}",
            "{\"payload\":1,\"topic\":\"a\",\"x\":5,\"z\":[]}"));
  }

  @Test
  void shouldFindEachNameWhereverTheNextMessageHasIt() {
    // five names (more than the view remembers), keys of the same length as a name but another
    // text, keys longer than eight bytes, members moved, missing, and last in the JSON
    String func =
        "msg.seen = [msg.topic, msg.ab, msg.payload, msg.longer_key, msg.x].join('|');\n"
            + "msg.topic = 'x';\nreturn msg;";

    assertEquals(
        List.of(
            "{\"topic\":\"x\",\"ab\":1,\"payload\":2,\"longer_key\":3,\"x\":4,"
                + "\"seen\":\"t|1|2|3|4\"}",
            "{\"x\":5,\"longer_kez\":0,\"payload\":6,\"ab\":7,\"topic\":\"x\","
                + "\"seen\":\"u|7|6||5\"}",
            "{\"topiq\":1,\"ac\":2,\"longer_key\":8,\"seen\":\"|||8|\",\"topic\":\"x\"}",
            "{\"x\":9,\"topic\":\"x\",\"seen\":\"v||||9\"}"),
        run(
            func,
            "{\"topic\":\"t\",\"ab\":1,\"payload\":2,\"longer_key\":3,\"x\":4}",
            "{\"x\":5,\"longer_kez\":0,\"payload\":6,\"ab\":7,\"topic\":\"u\"}",
            "{\"topiq\":1,\"ac\":2,\"longer_key\":8}",
            "{\"x\":9,\"topic\":\"v\"}"));
  }

  @Test
  void shouldCopyOutAViewATimerTookAndKeepReusingAfterwards() {
    String func =
        "if (msg.payload === 1) { setTimeout(function () { node.send({payload: 'later'}); }, 5); }\n"
            + "msg.topic = 'x' + msg.payload;\nreturn msg;";

    run(func, "{\"payload\":1}", "{\"payload\":2}", "{\"payload\":3}");
    // the timer's message may come before, between or after the three (awaitCaptured returns all
    // that arrived, so taking the three and then the fourth counted one twice when it came early)
    List<String> received =
        new ArrayList<>(harness.awaitCaptured("out", 4).stream().map(Captured::json).toList());
    received.sort(null);

    assertEquals(
        List.of(
            "{\"payload\":\"later\"}",
            "{\"payload\":1,\"topic\":\"x1\"}",
            "{\"payload\":2,\"topic\":\"x2\"}",
            "{\"payload\":3,\"topic\":\"x3\"}"),
        received);
  }

  @Test
  void shouldNotCarryABinaryPayloadIntoTheNextMessage() {
    byte[] binary = {1, 2, 3};
    String withBinary = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    harness.engine.deploy(
        new Flow(
            "b",
            "b",
            "",
            List.of(
                node("plain", "source"),
                node("binary", "source", withBinary),
                node("fn", "function", config("msg.topic = typeof msg.payload;\nreturn msg;")),
                node("out", "capture")),
            List.of(
                new Wire("plain", 0, "fn", 0),
                new Wire("binary", 0, "fn", 0),
                new Wire("fn", 0, "out", 0))));

    harness.inject("b", "plain", "{\"payload\":1}");
    harness.awaitCaptured("out", 1);
    harness.inject("b", "binary", "{\"payload\":1}");
    harness.awaitCaptured("out", 2);
    harness.inject("b", "plain", "{\"payload\":\"s\"}");
    List<Captured> received = harness.awaitCaptured("out", 3);

    assertEquals("{\"payload\":1,\"topic\":\"number\"}", received.get(0).json());
    assertEquals("{\"payload\":null,\"topic\":\"object\"}", received.get(1).json());
    assertArrayEquals(binary, received.get(1).binary());
    assertEquals("{\"payload\":\"s\",\"topic\":\"string\"}", received.get(2).json());
    assertEquals(0, received.get(2).binary().length);
    assertEquals(List.of(), harness.errors("fn"));
  }
}
