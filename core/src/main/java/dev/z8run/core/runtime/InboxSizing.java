package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.BY_REFERENCE_BYTES;
import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Sizes each node's inbox from its flow's plan, and counts the off-heap bytes a flow reserves (its
 * inboxes and its execution table) for the engine's memory budget.
 *
 * <p>A node gets the engine's full inbox ({@link EngineConfig#inboxBytes}) when messages arrive
 * through its ring as a rule:
 *
 * <ul>
 *   <li>it has no wire in: a trigger or an ingress source (HTTP In, MQTT In, inject), whose ring
 *       takes what arrives from outside in bursts;
 *   <li>it has two or more wires in (a fan-in), or its wire comes from a port wired to several
 *       nodes (a fan-out): only a single wire's target runs as its producer's continuation;
 *   <li>its wire comes from a node on another worker, from a blocking node (which emits from a
 *       virtual thread), or is a back wire (a loop);
 *   <li>it is blocking itself: its ring is where messages wait for one of its virtual threads.
 * </ul>
 *
 * <p>Every other node, the interior of a chain on one worker, is reached as the continuation of its
 * one producer ({@link Emitter}: a fused hop never touches the target's ring); its ring only holds
 * what arrives while it has a backlog, and gets {@link #SMALL_INBOX_BYTES} (or the full size, when
 * that is smaller). A small ring still takes the largest record that travels inline, a body of
 * {@link dev.z8run.io.message.MessageDescriptor#BY_REFERENCE_BYTES} (an Agrona ring takes records
 * up to an eighth of its capacity); larger bodies travel by reference whatever the ring.
 *
 * <p>The memory counted is what {@link dev.z8run.io.message.LazyZeroedMemory} reserves for each
 * block (capacity, ring trailer, alignment): reserved, not resident, since pages become resident
 * only where messages are written.
 */
public final class InboxSizing {
  /** The inbox of a node reached only as its producer's continuation: 256 KiB. */
  public static final int SMALL_INBOX_BYTES =
      BitUtil.findNextPositivePowerOfTwo(8 * (HEADER_LENGTH + BY_REFERENCE_BYTES));

  /** The alignment of an inbox block (a cache line). */
  static final int ALIGNMENT = 64;

  private InboxSizing() {}

  /** Each node's inbox capacity in bytes (a power of two), by plan index. */
  public static int[] inboxBytes(ExecutionPlan plan, int fullInboxBytes) {
    int full = BitUtil.findNextPositivePowerOfTwo(fullInboxBytes);
    int small = Math.min(SMALL_INBOX_BYTES, full);
    int count = plan.nodes().size();
    int[] wiresIn = new int[count];
    boolean[] throughRing = new boolean[count];
    for (PlannedNode producer : plan.nodes()) {
      int[][] ports = plan.targets()[producer.index()];
      for (int port = 0; port < ports.length; port++) {
        int[] targets = ports[port];
        for (int k = 0; k < targets.length; k++) {
          int target = targets[k];
          wiresIn[target]++;
          if (targets.length > 1
              || plan.loopBack()[producer.index()][port][k]
              || producer.type().blocking()
              || producer.worker() != plan.nodes().get(target).worker()) {
            throughRing[target] = true;
          }
        }
      }
    }
    int[] bytes = new int[count];
    for (PlannedNode node : plan.nodes()) {
      int i = node.index();
      boolean continuation = wiresIn[i] == 1 && !throughRing[i] && !node.type().blocking();
      bytes[i] = continuation ? small : full;
    }
    return bytes;
  }

  /** Off-heap bytes reserved for an inbox of {@code capacity} bytes. */
  static long ringReservedBytes(int capacity) {
    return (long) capacity + RingBufferDescriptor.TRAILER_LENGTH + ALIGNMENT;
  }

  /**
   * Off-heap bytes a flow planned as {@code plan} reserves under {@code config}: its inboxes and
   * its execution table.
   */
  public static long flowReservedBytes(ExecutionPlan plan, EngineConfig config) {
    return flowReservedBytes(inboxBytes(plan, config.inboxBytes()), config);
  }

  /** As {@link #flowReservedBytes(ExecutionPlan, EngineConfig)}, with the inboxes sized already. */
  static long flowReservedBytes(int[] inboxBytes, EngineConfig config) {
    long sum = ExecutionTable.reservedBytes(config.maxExecutionsPerFlow());
    for (int capacity : inboxBytes) {
      sum += ringReservedBytes(capacity);
    }
    return sum;
  }
}
