package dev.z8run.nodes.network;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Replies;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class HttpNodesTest {
  /** A server stand-in: records replies by ref; refs it does not know are refused. */
  private static final class RecordingReplies implements Replies {
    final Map<Long, Object> replies = new ConcurrentHashMap<>();
    final Map<Long, byte[]> binaries = new ConcurrentHashMap<>();

    @Override
    public boolean reply(
        long ref, int statusCode, Map<String, String> headers, byte[] payload, byte[] binary) {
      if (ref == 99) {
        return false;
      }
      Map<String, Object> reply = new java.util.LinkedHashMap<>();
      reply.put("statusCode", statusCode);
      reply.put("headers", headers);
      reply.put("payload", JsonCodec.parse(payload)); // may be null
      replies.put(ref, reply);
      if (binary != null) {
        binaries.put(ref, binary);
      }
      return true;
    }
  }

  @Test
  void shouldAnswerTheRequestWithPayloadStatusAndHeaders() {
    RecordingReplies replies = new RecordingReplies();
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.registerService(Replies.class, replies);
      harness.engine.deploy(
          chain(
              "web",
              node("in", "http-in", "{\"method\":\"GET\",\"path\":\"/hello\"}"),
              node("out", "http-out", "{\"statusCode\":201,\"headers\":{\"x-a\":\"1\"}}")));
      byte[] request =
          "{\"payload\":{\"hello\":\"world\"},\"statusCode\":202,\"headers\":{\"x-b\":\"2\"}}"
              .getBytes(StandardCharsets.UTF_8);
      assertEquals(InjectResult.ACCEPTED, harness.engine.inject("web", "in", request, 7));
      FlowHarness.await("reply", () -> replies.replies.containsKey(7L));
      assertEquals(
          Map.of(
              "statusCode",
              202,
              "headers",
              Map.of("x-a", "1", "x-b", "2"),
              "payload",
              Map.of("hello", "world")),
          replies.replies.get(7L));
      assertNull(replies.binaries.get(7L));
    }
  }

  @Test
  void shouldWarnWhenThereIsNoRequestToAnswer() {
    RecordingReplies replies = new RecordingReplies();
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.registerService(Replies.class, replies);
      harness.engine.deploy(chain("web", node("in", "inject"), node("out", "http-out")));
      harness.inject("web", "in", "{\"payload\":1}");
      FlowHarness.await("warning", () -> !harness.warnings("out").isEmpty());
      assertTrue(harness.warnings("out").get(0).contains("no HTTP request to answer"));
      assertTrue(replies.replies.isEmpty());

      harness.engine.inject("web", "in", "{\"payload\":2}".getBytes(StandardCharsets.UTF_8), 99);
      FlowHarness.await("second warning", () -> harness.warnings("out").size() == 2);
      assertTrue(harness.warnings("out").get(1).contains("already answered or has timed out"));
    }
  }

  @Test
  void shouldRefuseStatusOutsideTheFinalHttpRange() {
    // 1xx are interim answers: a client answered 101 or 100 as the final answer waits, or switches
    for (int status : new int[] {42, 100, 101, 199, 600}) {
      try (FlowHarness harness = new FlowHarness()) {
        ValidationException refused =
            org.junit.jupiter.api.Assertions.assertThrows(
                ValidationException.class,
                () ->
                    harness.engine.deploy(
                        chain(
                            "web",
                            node("in", "inject"),
                            node("out", "http-out", "{\"statusCode\":" + status + "}"))));
        assertTrue(
            refused.getMessage().contains("field 'statusCode' must be 200 to 599, got " + status),
            refused.getMessage());
      }
    }
  }

  @Test
  void shouldAnswerWithTheConfiguredStatusAndWarnWhenTheMessagesStatusIsNotAFinalOne() {
    RecordingReplies replies = new RecordingReplies();
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.registerService(Replies.class, replies);
      harness.engine.deploy(
          chain(
              "web",
              node("in", "http-in", "{\"method\":\"GET\",\"path\":\"/hello\"}"),
              node("out", "http-out", "{\"statusCode\":201}")));
      byte[] request = "{\"payload\":1,\"statusCode\":101}".getBytes(StandardCharsets.UTF_8);
      assertEquals(InjectResult.ACCEPTED, harness.engine.inject("web", "in", request, 7));
      FlowHarness.await("reply", () -> replies.replies.containsKey(7L));
      assertEquals(201, ((Map<?, ?>) replies.replies.get(7L)).get("statusCode"));
      FlowHarness.await("warning", () -> !harness.warnings("out").isEmpty());
      assertTrue(
          harness
              .warnings("out")
              .get(0)
              .contains("msg.statusCode 101 is not a final HTTP status (200 to 599)"),
          harness.warnings("out").toString());
    }
  }

  @Test
  void shouldPassTheBinaryPayloadAlong() {
    RecordingReplies replies = new RecordingReplies();
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.registerService(Replies.class, replies);
      harness.engine.deploy(
          chain(
              "bin",
              node("in", "source", "{\"binaryBase64\":\"AAECAw==\"}"),
              node("out", "http-out")));
      harness.engine.inject("bin", "in", "{\"payload\":null}".getBytes(StandardCharsets.UTF_8), 5);
      FlowHarness.await("reply", () -> replies.binaries.containsKey(5L));
      assertArrayEquals(new byte[] {0, 1, 2, 3}, replies.binaries.get(5L));
    }
  }
}
