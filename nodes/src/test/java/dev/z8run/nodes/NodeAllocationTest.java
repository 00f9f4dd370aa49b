package dev.z8run.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.routing.FilterNode;
import dev.z8run.nodes.routing.SwitchNode;
import dev.z8run.nodes.transform.RangeNode;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Guards the worker-side nodes that read properties in place (switch, filter, range) against
 * allocating per message, measured with the thread's allocated-bytes counter around direct calls of
 * {@link Node#onMessage} (the engine hop itself is guarded in core).
 */
@Isolated // allocation once the JIT has compiled: other classes' compiles would delay that
class NodeAllocationTest {
  private static final int WARM_UP = 100_000;
  private static final int MEASURED = 200_000;

  private final UnsafeBuffer record = new UnsafeBuffer(new byte[512]);
  private final MessageFlyweight msg = new MessageFlyweight();
  private final CountingOutput out = new CountingOutput();

  @Test
  void shouldTestAndForwardWithoutAllocating() throws Exception {
    message(
        "{\"payload\":{\"temperature\":21.5,\"state\":\"on\",\"name\":\"sensor one\"},"
            + "\"topic\":\"sensor/1\"}");
    Node switchNode =
        create(
            SwitchNode.TYPE,
            "{\"property\":\"payload.temperature\",\"rules\":[{\"t\":\"lt\",\"v\":\"0\",\"vt\":\"num\"},"
                + "{\"t\":\"btwn\",\"v\":\"0\",\"vt\":\"num\",\"v2\":\"25\",\"v2t\":\"num\"},"
                + "{\"t\":\"eq\",\"v\":\"21.5\",\"vt\":\"num\"},{\"t\":\"istype\",\"v\":\"number\"},"
                + "{\"t\":\"else\"}]}");
    Node filterNode =
        create(
            FilterNode.TYPE,
            "{\"rules\":[{\"t\":\"eq\",\"p\":\"payload.state\",\"v\":\"on\"},"
                + "{\"t\":\"regex\",\"p\":\"topic\",\"v\":\"^sensor/\\\\d+$\"},"
                + "{\"t\":\"cont\",\"p\":\"payload.name\",\"v\":\"one\"},{\"t\":\"nempty\"}]}");
    Node rangeNode =
        create(
            RangeNode.TYPE,
            "{\"property\":\"payload.temperature\",\"minin\":0,\"maxin\":50,\"minout\":0,"
                + "\"maxout\":100,\"round\":true}");

    assertAllocationFree("switch", switchNode);
    assertEquals(3, out.forwardsPerCall, "switch: rules 1, 2 and 3 match");
    assertAllocationFree("filter", filterNode);
    assertEquals(1, out.forwardsPerCall, "filter passes");
    assertAllocationFree("range", rangeNode);
    assertEquals(1, out.commitsPerCall, "range sends one message");
    assertEquals(
        "{\"payload\":{\"temperature\":43,\"state\":\"on\",\"name\":\"sensor one\"},"
            + "\"topic\":\"sensor/1\"}",
        out.claimed.jsonString());
  }

  private void assertAllocationFree(String name, Node node) throws Exception {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    run(node, WARM_UP);
    long threadId = Thread.currentThread().threadId();
    long before = threads.getThreadAllocatedBytes(threadId);
    run(node, MEASURED);
    long allocated = threads.getThreadAllocatedBytes(threadId) - before;
    double perMessage = (double) allocated / MEASURED;
    System.out.printf(
        "%s: %d bytes for %d messages: %.4f B/message%n", name, allocated, MEASURED, perMessage);
    assertTrue(perMessage < 0.5, name + " allocates " + perMessage + " bytes per message");
  }

  private void run(Node node, int messages) throws Exception {
    for (int i = 0; i < messages; i++) {
      out.reset();
      node.onMessage(msg, out);
    }
  }

  private void message(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    msg.wrap(record, 0, MessageDescriptor.HEADER_LENGTH + body.length);
    msg.executionId(1)
        .messageId(2)
        .credit(1)
        .timestampNs(0)
        .execSlot(0)
        .source(0, 0, 0)
        .flags(0)
        .body(body.length, false)
        .ref(0);
    record.putBytes(msg.jsonOffset(), body);
  }

  @SuppressWarnings("unchecked")
  private static Node create(NodeType type, String config) throws Exception {
    Map<String, Object> values = (Map<String, Object>) JsonCodec.parse(config);
    for (var field : type.config()) {
      if (!values.containsKey(field.name()) && field.defaultValue() != null) {
        values.put(field.name(), field.defaultValue());
      }
    }
    return type.factory().create(new StubContext(type, values));
  }

  /** Counts what a node emits; a claim writes into its own buffer. */
  private static final class CountingOutput implements Output {
    private final UnsafeBuffer claimBuffer = new UnsafeBuffer(new byte[1024]);
    final MessageFlyweight claimed = new MessageFlyweight();
    int forwardsPerCall;
    int commitsPerCall;

    void reset() {
      forwardsPerCall = 0;
      commitsPerCall = 0;
    }

    @Override
    public int portCount() {
      return 8;
    }

    @Override
    public boolean isWired(int port) {
      return true;
    }

    @Override
    public void forward(int port, MessageFlyweight msg) {
      forwardsPerCall++;
    }

    @Override
    public void send(int port, DirectBuffer json, int offset, int length) {
      throw new AssertionError("unexpected send");
    }

    @Override
    public void send(int port, MessageBody body) {
      throw new AssertionError("unexpected send");
    }

    @Override
    public MessageFlyweight claim(int port, int jsonLength, int binaryLength, int indexLength) {
      claimed.wrap(
          claimBuffer,
          0,
          MessageDescriptor.HEADER_LENGTH + jsonLength + binaryLength + indexLength);
      claimed
          .executionId(1)
          .messageId(3)
          .credit(1)
          .timestampNs(0)
          .execSlot(0)
          .source(0, port, 0)
          .flags(0)
          .body(jsonLength, binaryLength > 0, indexLength)
          .ref(0);
      return claimed;
    }

    @Override
    public void commit() {
      commitsPerCall++;
    }

    @Override
    public dev.z8run.core.node.Cancellable defer(MessageFlyweight msg, long delayMs, int tag) {
      throw new UnsupportedOperationException("the nodes measured here do not defer");
    }
  }

  private record StubContext(NodeType type, Map<String, Object> config) implements NodeContext {
    @Override
    public String flowId() {
      return "f";
    }

    @Override
    public String nodeId() {
      return "n";
    }

    @Override
    public int index() {
      return 0;
    }

    @Override
    public String name() {
      return "";
    }

    @Override
    public int outputCount() {
      return type.outputCount(config);
    }

    @Override
    public EpochClock epochClock() {
      return SystemEpochClock.INSTANCE;
    }

    @Override
    public NanoClock nanoClock() {
      return new SystemNanoClock();
    }

    @Override
    public void status(String text) {}

    @Override
    public void debug(long executionId, DirectBuffer json, int offset, int length, int maxBytes) {}

    @Override
    public void warn(String message) {}

    @Override
    public void error(String message, Throwable cause) {}

    @Override
    public boolean tryTrigger(byte[] json) {
      return false;
    }

    @Override
    public <T> T service(Class<T> serviceType) {
      return null;
    }

    @Override
    public dev.z8run.core.node.ContextStore flowContext() {
      return new dev.z8run.core.node.ContextStore();
    }

    @Override
    public dev.z8run.core.node.ContextStore globalContext() {
      return new dev.z8run.core.node.ContextStore();
    }

    @Override
    public dev.z8run.core.node.InjectResult triggerAt(
        String nodeId, dev.z8run.io.message.MessageBody body) {
      return dev.z8run.core.node.InjectResult.NOT_RUNNING;
    }

    @Override
    public dev.z8run.core.node.InjectResult triggerAt(
        String flowId, String nodeId, dev.z8run.io.message.MessageBody body) {
      return dev.z8run.core.node.InjectResult.NOT_RUNNING;
    }

    @Override
    public dev.z8run.core.node.Cancellable schedule(Runnable task, long delayMs) {
      throw new UnsupportedOperationException("the nodes measured here do not schedule");
    }

    @Override
    public void observe(dev.z8run.core.node.Observed what, java.util.Collection<String> ids) {}
  }
}
