package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.ScriptFailure;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.message.LazyZeroedMemory;
import dev.z8run.io.message.MessageFlyweight;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One deployed node: its inbox ring, its wiring, its pending queue, and the handler its worker
 * drains the inbox with. Worker-run nodes are called here; blocking nodes are dispatched to virtual
 * threads by {@link BlockingDispatch}, a subclass.
 *
 * <p>The pending queue holds messages the node emitted to a full inbox, in emission order (an
 * {@link EntryQueue}).
 *
 * <p>The loop queue holds messages for a <em>back wire</em> (one that closes a loop, see {@link
 * dev.z8run.core.plan.Planner}) whose target inbox was full, in another {@link EntryQueue}. Unlike
 * the pending queue it does not stop the node taking input: the worker retries it at every poll.
 * Its size is bounded by the size of the node's inbox ring; a message that does not fit is dropped
 * with an error on this node ({@link #dropLoopFull}). A loop thus always has a sender that never
 * blocks, so its nodes cannot all wait on each other's full inboxes.
 *
 * <p>Threading: owned by its worker; the control plane reads only counters and the inbox size.
 * Nodes on other workers read its wiring and inbox fields to send it messages, so the fields its
 * worker writes per message live apart ({@link WorkerWritten}), and the object starts with a cache
 * line of padding, away from the last thing the heap put before it (often another node's parts,
 * written by another worker).
 */
class NodeInstance extends CacheLinePadding implements ControlledMessageHandler {
  final FlowRuntime flow;
  final int index;
  final String nodeId;
  final Node node;
  final ManyToOneRingBuffer inbox;
  final int maxRecordLength;
  final int[][] targets;
  final int[][] targetPorts;

  /**
   * Deferred messages of this node whose large bodies wait in blocks ({@link DeferredMessage}): a
   * stop releases those the timers never ran.
   */
  final java.util.Set<DeferredMessage> deferredBlocks =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  final EntryQueue pending = new EntryQueue(Integer.MAX_VALUE, false);

  /** Per port and wire: whether the wire is a back wire ({@code ExecutionPlan.loopBack}). */
  final boolean[][] loopBack;

  /** Its budget: the size of this node's own inbox ring. */
  final EntryQueue loop;

  /** Whether messages for this node may run as a continuation on its worker (not blocking). */
  final boolean fusable;

  /**
   * Per port: the single target a message may be fused into ({@link Emitter}), resolved once at
   * deploy by {@link #resolveFuseTargets()}: the port has one wire, not a back wire, to a fusable
   * node on this node's worker. Null where a message always goes through the target's ring. Whether
   * a message is fused is still decided per message (the target's inbox must be empty, nothing
   * pending, the target not detached).
   */
  NodeInstance[] fuseTargets;

  /** Whether a node observes this one's completions ({@link FlowObservers}); set at deploy. */
  boolean completeObserved;

  /**
   * Whether the node runs what the flow's author wrote ({@link
   * dev.z8run.core.node.NodeContext#declareAuthorTimed}): executions that reach it do not run
   * inline on a caller's thread. Set at deploy, before {@link FlowRuntime#instances}.
   */
  boolean authorTimed;

  /** The trailer of {@link #inbox} (its positions), for {@link #inboxEmpty()}. */
  private final UnsafeBuffer inboxTrailer;

  /** What this node's worker writes per message, on cache lines of its own. */
  private final WorkerWritten written = new WorkerWritten();

  /** This node's line of {@link FlowRuntime#counters}, written by its worker. */
  private final UnsafeBuffer counterLine;

  private final MessageFlyweight input = new MessageFlyweight();

  /** Writes the records of observers' executions started from this node's worker. */
  private final MessageFlyweight observerRecord = new MessageFlyweight();

  WorkerAgent worker;

  /**
   * Whether a call of this node runs detached from its worker's duty cycle ({@link
   * WorkerAgent#detach}): the worker's stand-in skips this node until the call ends.
   */
  volatile boolean detached;

  /** The stand-in running the worker while a call of this node is detached; null otherwise. */
  WorkerAgent.StandIn standIn;

  /** How many calls of this node were detached (the control plane waits on it at a stop). */
  volatile int detaches;

  /**
   * @param planned the node's place in its flow's plan: index, id and wiring
   * @param fusable whether messages for this node may run as a continuation on the worker of the
   *     node that sends them (false for nodes that do not run on their worker)
   */
  NodeInstance(FlowRuntime flow, PlannedNode planned, Node node, int inboxBytes, boolean fusable) {
    this.flow = flow;
    this.index = planned.index();
    this.nodeId = planned.node().id();
    this.node = node;
    int capacity = BitUtil.findNextPositivePowerOfTwo(inboxBytes);
    this.inbox =
        new ManyToOneRingBuffer(
            // zero without being written: an inbox no message goes through stays a few pages
            LazyZeroedMemory.allocate(
                capacity + RingBufferDescriptor.TRAILER_LENGTH, InboxSizing.ALIGNMENT));
    this.maxRecordLength = inbox.maxMsgLength();
    this.inboxTrailer =
        new UnsafeBuffer(inbox.buffer(), capacity, RingBufferDescriptor.TRAILER_LENGTH);
    this.targets = flow.plan.targets()[index];
    this.targetPorts = flow.plan.targetPorts()[index];
    this.loopBack = flow.plan.loopBack()[index];
    this.loop = new EntryQueue(capacity, true);
    this.fusable = fusable;
    this.counterLine = flow.counters.line(index);
  }

  /**
   * Resolves {@link #fuseTargets} from the wiring and the workers the nodes were placed on; called
   * at deploy once every instance of the flow has its worker, before any runs.
   */
  void resolveFuseTargets() {
    NodeInstance[] resolved = new NodeInstance[targets.length];
    for (int port = 0; port < targets.length; port++) {
      if (targets[port].length == 1 && !loopBack[port][0]) {
        NodeInstance target = flow.instance(targets[port][0]);
        if (target.fusable && worker != null && target.worker == worker) {
          resolved[port] = target;
        }
      }
    }
    fuseTargets = resolved;
  }

  /**
   * Called by the worker for each record in the inbox; then runs the continuations the message left
   * (see {@link Emitter}): a chain on one worker runs depth-first without touching its rings.
   */
  @Override
  public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
    run(buffer, offset, length, msgTypeId == DeferredMessage.RECORD_TYPE_ID);
    // back from a detached call: end the batch, the worker starts a fresh cycle
    return pending.isEmpty() && !worker.brokeOut() ? Action.CONTINUE : Action.BREAK;
  }

  /**
   * Runs the node on one message and then the chain of continuations it leaves, by whoever holds
   * the worker: its duty cycle, or a caller running an execution inline ({@link
   * FlowRuntime#startInline}).
   */
  void run(MutableDirectBuffer buffer, int offset, int length, boolean deferred) {
    // the emitter of the thread running the worker now; a detached call of a node of the chain
    // keeps it, and is reattached before process returns (so the worker's is this one again)
    Emitter out = worker.emitter();
    long clockNs = process(out, buffer, offset, length, deferred, NOT_TIMED);
    NodeInstance next;
    while ((next = out.takeContinuation()) != null) {
      clockNs =
          next.process(out, out.continuationBuffer(), 0, out.continuationLength(), false, clockNs);
    }
  }

  /** {@link #process}'s answer when it read no clock at its end. */
  private static final long NOT_TIMED = Long.MIN_VALUE;

  /**
   * Runs the node on one message: {@link Node#onMessage}, or {@link Node#onDeferred} for a message
   * the node deferred earlier ({@code deferred}).
   *
   * <p>A timed message (traced, or one in {@code latencySampleEvery}) is timed with two clock reads
   * (40-150 ns each on a virtual machine). The nodes of a chain are timed on the same messages
   * (their countdowns run in step), so a node timed right after the previous node of its chain
   * takes that node's end as its own start ({@code previousEndNs}): one read per timed hop instead
   * of two, the hand-over between them (a few ns) counted in this node's time. Not after a traced
   * message, whose recording ({@link FlowRuntime#nodeCompleted}) follows the clock read.
   *
   * @param previousEndNs the clock at the end of the node that ran just before, or {@link
   *     #NOT_TIMED}
   * @return the clock read at the end, or {@link #NOT_TIMED}
   */
  private long process(
      Emitter out,
      MutableDirectBuffer buffer,
      int offset,
      int length,
      boolean deferred,
      long previousEndNs) {
    // a deferred record is followed by its tag (Emitter.defer)
    input.wrap(buffer, offset, deferred ? length - Integer.BYTES : length).resolve();
    out.begin(this, input);
    // traced messages and one in latencySampleEvery are timed (one or two clock reads)
    WorkerWritten written = this.written;
    boolean timed = input.traced() | --written.latencyCountdown == 0;
    long startNs =
        !timed ? 0 : previousEndNs != NOT_TIMED ? previousEndNs : flow.nanoClock.nanoTime();
    try {
      if (deferred) {
        node.onDeferred(input, buffer.getInt(offset + length - Integer.BYTES), out);
      } else {
        node.onMessage(input, out);
      }
      if (completeObserved && !out.deferred()) {
        flow.observers.onComplete(index, input, observerRecord);
      }
    } catch (Throwable failure) {
      rethrowIfFatal(failure);
      out.abortClaim();
      onFailure(input, failure);
    }
    long endNs = NOT_TIMED;
    if (timed) {
      endNs = flow.nanoClock.nanoTime();
      long ns = endNs - startNs;
      if (input.traced()) {
        flow.nodeCompleted(index, input, ns);
        endNs = NOT_TIMED; // recording the trace is not the next node's processing time
      }
      if (written.latencyCountdown <= 0) {
        written.latencyCountdown =
            flow.latencySampleEvery == 0 ? Integer.MAX_VALUE : flow.latencySampleEvery;
      }
      if (flow.latencySampleEvery != 0) {
        flow.latencies.recordOrdered(index, ns);
      }
    }
    out.finish();
    if (input.isBodyRef()) {
      flow.blocks.release(input.blockAddress());
    }
    countIn();
    if (standIn != null && standIn.previousThread == Thread.currentThread()) {
      worker.reattach(this);
      return NOT_TIMED; // the wait for the stand-in is nobody's processing time
    }
    return endNs;
  }

  /** Drains at most {@code limit} messages; returns how many it took. */
  int poll(int limit) {
    int moved = loop.isEmpty() ? 0 : flushLoop();
    if (!pending.isEmpty() && !flushPending()) {
      return moved;
    }
    int read = inbox.controlledRead(this, limit);
    if (read > 0) {
      written.polledHead = inboxTrailer.getLong(RingBufferDescriptor.HEAD_POSITION_OFFSET);
    }
    return moved + read;
  }

  static void rethrowIfFatal(Throwable failure) {
    if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
      throw (VirtualMachineError) failure;
    }
  }

  /**
   * A node threw while handling {@code msg}: an error event, a counted error, a failed execution.
   * The error's text is the exception's message as it is (what Node-RED's Catch nodes see in {@code
   * msg.error.message}) for the failures nodes report on purpose ({@link IllegalArgumentException},
   * {@link IllegalStateException} and their kin); other exceptions, which are bugs, are named. A
   * {@link ScriptFailure} adds the script's stack and code to the Catch nodes' {@code msg.error}.
   */
  void onFailure(MessageFlyweight msg, Throwable failure) {
    flow.counters.addAtomic(index, NodeCounters.ERRORS, 1);
    flow.markFailed(msg.execSlot(), index);
    String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    boolean reported =
        failure.getMessage() != null
            && (failure instanceof IllegalArgumentException
                || failure instanceof IllegalStateException
                || failure instanceof java.io.UncheckedIOException
                || failure instanceof java.io.IOException);
    String text = reported ? reason : failure.getClass().getSimpleName() + ": " + reason;
    flow.nodeError(index, msg.executionId(), text);
    flow.observers.onError(
        index, msg, text, failure instanceof ScriptFailure script ? script : null);
  }

  void dropTooLarge(MessageFlyweight msg, NodeInstance target, int recordLength) {
    drop(
        msg,
        "message of "
            + (recordLength - HEADER_LENGTH)
            + " bytes exceeds the "
            + (target.maxRecordLength - HEADER_LENGTH)
            + "-byte limit of node '"
            + target.nodeId
            + "' (raise the engine's inbox size)");
  }

  /** A message for a back wire found the target's inbox full and the loop queue at its budget. */
  void dropLoopFull(MessageFlyweight msg, NodeInstance target) {
    drop(
        msg,
        "message dropped on the loop wire to node '"
            + target.nodeId
            + "': its inbox is full and "
            + loop.budget()
            + " bytes already wait for the loop (slow the loop down, e.g. with a delay node)");
  }

  /** A blocking node waited too long for room in the inbox of a back wire's target. */
  void dropLoopTimeout(MessageFlyweight msg, NodeInstance target, long waitedMs) {
    drop(
        msg,
        "message dropped on the loop wire to node '"
            + target.nodeId
            + "': its inbox stayed full for "
            + waitedMs
            + " ms (slow the loop down, e.g. with a delay node)");
  }

  /** Counts {@code msg} dropped, fails its execution and reports {@code reason} on this node. */
  private void drop(MessageFlyweight msg, String reason) {
    dropStopped(msg);
    flow.nodeError(index, msg.executionId(), reason);
  }

  void dropStopped(MessageFlyweight msg) {
    flow.counters.addAtomic(index, NodeCounters.DROPS, 1);
    flow.markFailed(msg.execSlot(), index);
  }

  void countIn() {
    NodeCounters.addOrdered(counterLine, NodeCounters.MESSAGES_IN, 1);
  }

  void countOut(int messages) {
    if (messages != 0) {
      NodeCounters.addOrdered(counterLine, NodeCounters.MESSAGES_OUT, messages);
    }
  }

  void countBlocked() {
    NodeCounters.addOrdered(counterLine, NodeCounters.BLOCKED, 1);
  }

  void addBusyNs(long ns) {
    NodeCounters.addOrdered(counterLine, NodeCounters.BUSY_NS, ns);
  }

  /**
   * Whether nothing was claimed in the inbox past what its worker consumed: for that worker (the
   * consumer), which needs no count consistent for other threads ({@code size()} loops for one). As
   * {@code producerPosition() == consumerPosition()}, with one load less each.
   */
  boolean inboxEmpty() {
    long tail = inboxTrailer.getLongVolatile(RingBufferDescriptor.TAIL_POSITION_OFFSET);
    // the head as the last poll left it (a past head: equal to the tail, so is the head now)
    return tail == written.polledHead
        || tail == inboxTrailer.getLongVolatile(RingBufferDescriptor.HEAD_POSITION_OFFSET);
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * Moves loop-queue messages into their target inboxes, in order, until one does not fit.
   *
   * @return the number moved
   */
  int flushLoop() {
    return loop.flush(flow, worker);
  }

  /**
   * Moves pending messages into their target inboxes, in order, until one does not fit.
   *
   * @return true when the queue is empty
   */
  boolean flushPending() {
    pending.flush(flow, worker);
    return pending.isEmpty();
  }

  /**
   * Drops what the stopped flow left in the inbox, the pending queue and the loop queue, releasing
   * the body blocks their records name.
   *
   * @return the number of messages dropped
   */
  long discardQueued() {
    for (DeferredMessage deferred : deferredBlocks) {
      deferred.discard();
    }
    MessageFlyweight record = new MessageFlyweight();
    long dropped =
        inbox.read(
            (type, buffer, offset, length) -> releaseBlock(record.wrap(buffer, offset, length)),
            Integer.MAX_VALUE);
    dropped += pending.discard(record, this::releaseBlock);
    dropped += loop.discard(record, this::releaseBlock);
    return dropped;
  }

  private void releaseBlock(MessageFlyweight record) {
    if (record.length() >= HEADER_LENGTH && record.resolve().isBodyRef()) {
      flow.blocks.release(record.blockAddress());
    }
  }

  /**
   * Wakes this node's worker if it is parked and not the caller; after a record was committed into
   * this node's inbox through a claim ({@link WorkerAgent#signalClaimed()}).
   */
  void signal(WorkerAgent caller) {
    WorkerAgent owner = worker;
    if (owner != caller && owner != null) {
      owner.signalClaimed();
    }
  }

  /** Whether the inbox, the pending queue or the loop queue holds anything. */
  boolean hasWork() {
    // two volatile loads: the ring's size() loops over three to return a consistent count
    return inbox.producerPosition() != inbox.consumerPosition()
        || !pending.isEmpty()
        || !loop.isEmpty();
  }

  /**
   * The fields of a node its worker writes with every message or poll, kept off the lines of the
   * fields that nodes on other workers read to send it messages ({@link #inbox}, {@link
   * #maxRecordLength}, {@link #worker}): in one object with them, the line moved between the two
   * cores with every message of a chain cut across workers ({@link CacheLinePadding}).
   */
  static class WorkerWrittenFields extends CacheLinePadding {
    /** Messages until the next one timed into the latency histogram (the first one is). */
    int latencyCountdown = 1;

    /**
     * The inbox's head position after the last {@link #poll} that took messages: the head never
     * goes back, so a tail equal to it means an empty inbox, found with one load of the ring's
     * trailer instead of two ({@link #inboxEmpty()}). Volatile for the stand-in, which polls for
     * the worker.
     */
    volatile long polledHead;
  }

  /** {@link WorkerWrittenFields} with a cache line of padding after them. */
  static final class WorkerWritten extends WorkerWrittenFields {
    long q01;
    long q02;
    long q03;
    long q04;
    long q05;
    long q06;
    long q07;
    long q08;
  }
}
