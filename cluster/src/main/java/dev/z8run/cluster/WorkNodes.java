package dev.z8run.cluster;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.io.message.MessageFlyweight;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The two ends of a distributed wire: {@code work-out} puts each message it receives on a work
 * queue; {@code work-in} nodes of the same queue, on whichever member has capacity, start an
 * execution with it (see {@link WorkQueues}). They exist only on cluster members.
 */
public final class WorkNodes {
  private WorkNodes() {}

  private static ConfigField queueField() {
    return ConfigField.required(
        "queue", FieldType.STRING, "The work queue: letters, digits, '_' or '-'.");
  }

  public static final NodeType WORK_OUT =
      NodeType.builder("work-out")
          .category("cluster")
          .description(
              "Sends each message to the cluster's work queue, to whichever member has capacity;"
                  + " its execution ends once the queue stored it.")
          .outputs()
          .blocking(true)
          .field(queueField())
          .factory(WorkOut::new)
          .build();

  public static final NodeType WORK_IN =
      NodeType.builder("work-in")
          .category("cluster")
          .description(
              "Starts an execution with each message of the work queue; the message is"
                  + " acknowledged once that execution ended.")
          .inputs()
          .field(queueField())
          .factory(WorkIn::new)
          .build();

  /** Adds both node types to {@code registry}. */
  public static void register(NodeTypeRegistry registry) {
    registry.register(WORK_OUT);
    registry.register(WORK_IN);
  }

  private static WorkQueues queues(NodeContext context) {
    WorkQueues queues = context.service(WorkQueues.class);
    if (queues == null) {
      throw new IllegalStateException(
          "node '" + context.nodeId() + "' needs a cluster member (Z8_CLUSTER_NATS)");
    }
    return queues;
  }

  private static final class WorkOut implements Node {
    private final WorkQueues queues;
    private final String queue;

    WorkOut(NodeContext context) {
      this.queues = queues(context);
      this.queue = WorkQueues.checkQueue(context.configString("queue", null));
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) throws IOException {
      byte[] json = new byte[msg.jsonLength()];
      msg.buffer().getBytes(msg.jsonOffset(), json);
      queues.publish(queue, json, msg.ref());
    }
  }

  private static final class WorkIn implements Node {
    private final NodeContext context;
    private final WorkQueues queues;
    private final String queue;

    WorkIn(NodeContext context) {
      this.context = context;
      this.queues = queues(context);
      this.queue = WorkQueues.checkQueue(context.configString("queue", null));
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      out.forward(0, msg);
    }

    @Override
    public void onStart() {
      try {
        queues.attach(queue, context.flowId(), context.nodeId());
      } catch (IOException failed) {
        throw new UncheckedIOException(failed);
      }
    }

    @Override
    public void onStop() {
      queues.detach(context.flowId(), context.nodeId());
    }
  }
}
