package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static dev.z8run.io.message.MessageDescriptor.MSG_TYPE_ID;

import dev.z8run.core.node.Node;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
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
 * <p>The pending queue holds messages the node emitted to a full inbox, in emission order:
 *
 * <pre>
 *  entry: 0 target_node i32 | 4 record_length i32 | 8 record (header + body) | padding to 8
 * </pre>
 *
 * <p>The loop queue holds messages for a <em>back wire</em> (one that closes a loop, see {@link
 * dev.z8run.core.plan.Planner}) whose target inbox was full, in the same entry layout. Unlike the
 * pending queue it does not stop the node taking input: the worker retries it at every poll. Its
 * size is bounded by {@link #loopBudget} bytes; a message that does not fit is dropped with an
 * error on this node ({@link #dropLoopFull}). A loop thus always has a sender that never blocks, so
 * its nodes cannot all wait on each other's full inboxes.
 *
 * <p>Threading: owned by its worker; the control plane reads only counters and the inbox size.
 */
class NodeInstance implements ControlledMessageHandler {
  private static final int PENDING_ENTRY_HEADER = 8;

  final FlowRuntime flow;
  final int index;
  final String nodeId;
  final Node node;
  final ManyToOneRingBuffer inbox;
  final int maxRecordLength;
  final int[][] targets;
  final int[][] targetPorts;
  final ScratchBuffer pending = new ScratchBuffer(64);

  /** Per port and wire: whether the wire is a back wire ({@code ExecutionPlan.loopBack}). */
  final boolean[][] loopBack;

  final ScratchBuffer loop = new ScratchBuffer(64);

  /** Bytes the loop queue may hold: the size of this node's own inbox ring. */
  final int loopBudget;

  /** Whether messages for this node may run as a continuation on its worker (not blocking). */
  final boolean fusable;

  /** Whether a node observes this one's completions ({@link FlowObservers}); set at deploy. */
  boolean completeObserved;

  /** Messages until the next one timed into the latency histogram (the first one is). */
  private int latencyCountdown = 1;

  private final MessageFlyweight input = new MessageFlyweight();

  /** Writes the records of observers' executions started from this node's worker. */
  private final MessageFlyweight observerRecord = new MessageFlyweight();

  private int pendingHead;
  private int pendingTail;
  private int pendingEntries;
  private int loopHead;
  private int loopTail;
  private int loopEntries;
  WorkerAgent worker;

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
            new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(
                    capacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    this.maxRecordLength = inbox.maxMsgLength();
    this.targets = flow.plan.targets()[index];
    this.targetPorts = flow.plan.targetPorts()[index];
    this.loopBack = flow.plan.loopBack()[index];
    this.loopBudget = capacity;
    this.fusable = fusable;
  }

  /**
   * Called by the worker for each record in the inbox; then runs the continuations the message left
   * (see {@link Emitter}): a chain on one worker runs depth-first without touching its rings.
   */
  @Override
  public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
    run(buffer, offset, length, msgTypeId == DeferredMessage.RECORD_TYPE_ID);
    return pendingTail == 0 ? Action.CONTINUE : Action.BREAK;
  }

  /**
   * Runs the node on one message and then the chain of continuations it leaves, by whoever holds
   * the worker: its duty cycle, or a caller running an execution inline ({@link
   * FlowRuntime#startInline}).
   */
  void run(MutableDirectBuffer buffer, int offset, int length, boolean deferred) {
    process(buffer, offset, length, deferred);
    Emitter out = worker.emitter();
    NodeInstance next;
    while ((next = out.takeContinuation()) != null) {
      next.process(out.continuationBuffer(), 0, out.continuationLength(), false);
    }
  }

  /**
   * Runs the node on one message: {@link Node#onMessage}, or {@link Node#onDeferred} for a message
   * the node deferred earlier ({@code deferred}).
   */
  void process(MutableDirectBuffer buffer, int offset, int length, boolean deferred) {
    // a deferred record is followed by its tag (Emitter.defer)
    input.wrap(buffer, offset, deferred ? length - Integer.BYTES : length).resolve();
    Emitter out = worker.emitter();
    out.begin(this, input);
    // traced messages and one in latencySampleEvery are timed (2 clock reads)
    boolean timed = input.traced() | --latencyCountdown == 0;
    long startNs = timed ? flow.nanoClock.nanoTime() : 0;
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
    if (timed) {
      long ns = flow.nanoClock.nanoTime() - startNs;
      if (input.traced()) {
        flow.nodeCompleted(index, input, ns);
      }
      if (latencyCountdown <= 0) {
        latencyCountdown =
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
  }

  /** Drains at most {@code limit} messages; returns how many it took. */
  int poll(int limit) {
    int moved = loopTail != 0 ? flushLoop() : 0;
    if (pendingTail != 0 && !flushPending()) {
      return moved;
    }
    return moved + inbox.controlledRead(this, limit);
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
   * {@link IllegalStateException} and their kin); other exceptions, which are bugs, are named.
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
    flow.observers.onError(index, msg, text);
  }

  void dropTooLarge(MessageFlyweight msg, NodeInstance target, int recordLength) {
    flow.counters.addAtomic(index, NodeCounters.DROPS, 1);
    flow.markFailed(msg.execSlot(), index);
    flow.nodeError(
        index,
        msg.executionId(),
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
    flow.counters.addAtomic(index, NodeCounters.DROPS, 1);
    flow.markFailed(msg.execSlot(), index);
    flow.nodeError(
        index,
        msg.executionId(),
        "message dropped on the loop wire to node '"
            + target.nodeId
            + "': its inbox is full and "
            + loopBudget
            + " bytes already wait for the loop (slow the loop down, e.g. with a delay node)");
  }

  /** A blocking node waited too long for room in the inbox of a back wire's target. */
  void dropLoopTimeout(MessageFlyweight msg, NodeInstance target, long waitedMs) {
    flow.counters.addAtomic(index, NodeCounters.DROPS, 1);
    flow.markFailed(msg.execSlot(), index);
    flow.nodeError(
        index,
        msg.executionId(),
        "message dropped on the loop wire to node '"
            + target.nodeId
            + "': its inbox stayed full for "
            + waitedMs
            + " ms (slow the loop down, e.g. with a delay node)");
  }

  void dropStopped(MessageFlyweight msg) {
    flow.counters.addAtomic(index, NodeCounters.DROPS, 1);
    flow.markFailed(msg.execSlot(), index);
  }

  void countIn() {
    flow.counters.addOrdered(index, NodeCounters.MESSAGES_IN, 1);
  }

  void countOut(int messages) {
    if (messages != 0) {
      flow.counters.addOrdered(index, NodeCounters.MESSAGES_OUT, messages);
    }
  }

  void countBlocked() {
    flow.counters.addOrdered(index, NodeCounters.BLOCKED, 1);
  }

  void addBusyNs(long ns) {
    flow.counters.addOrdered(index, NodeCounters.BUSY_NS, ns);
  }

  boolean hasPending() {
    return pendingTail != 0;
  }

  int pendingMessages() {
    return pendingEntries;
  }

  /** Reserves a pending entry for a record of {@code recordLength}; returns the record's offset. */
  int appendPending(int targetIndex, int recordLength) {
    int at = pendingTail;
    UnsafeBuffer buffer = pending.ensure(at + PENDING_ENTRY_HEADER + recordLength, at);
    buffer.putInt(at, targetIndex);
    buffer.putInt(at + Integer.BYTES, recordLength);
    pendingTail = BitUtil.align(at + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
    pendingEntries++;
    return at + PENDING_ENTRY_HEADER;
  }

  boolean hasLoopQueued() {
    return loopTail != 0;
  }

  int loopMessages() {
    return loopEntries;
  }

  /**
   * Reserves a loop-queue entry for a record of {@code recordLength}; returns the record's offset,
   * or -1 when the queue would exceed {@link #loopBudget} (it always takes one record).
   */
  int appendLoop(int targetIndex, int recordLength) {
    int at = loopTail;
    int end = BitUtil.align(at + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
    if (loopEntries > 0 && end - loopHead > loopBudget) {
      return -1;
    }
    UnsafeBuffer buffer = loop.ensure(at + PENDING_ENTRY_HEADER + recordLength, at);
    buffer.putInt(at, targetIndex);
    buffer.putInt(at + Integer.BYTES, recordLength);
    loopTail = end;
    loopEntries++;
    return at + PENDING_ENTRY_HEADER;
  }

  /**
   * Moves loop-queue messages into their target inboxes, in order, until one does not fit.
   *
   * @return the number moved
   */
  int flushLoop() {
    int moved = 0;
    while (loopHead < loopTail) {
      UnsafeBuffer buffer = loop.buffer();
      int targetIndex = buffer.getInt(loopHead);
      int recordLength = buffer.getInt(loopHead + Integer.BYTES);
      NodeInstance target = flow.instance(targetIndex);
      int claimed = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
      if (claimed <= 0) {
        if (moved > 0) {
          // keep the queue at the front of its buffer, or a loop that never empties it would grow
          // it
          buffer.putBytes(0, buffer, loopHead, loopTail - loopHead);
          loopTail -= loopHead;
          loopHead = 0;
        }
        return moved;
      }
      target
          .inbox
          .buffer()
          .putBytes(claimed, buffer, loopHead + PENDING_ENTRY_HEADER, recordLength);
      target.inbox.commit(claimed);
      target.signal(worker);
      loopHead = BitUtil.align(loopHead + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
      loopEntries--;
      moved++;
    }
    loopHead = 0;
    loopTail = 0;
    return moved;
  }

  /**
   * Moves pending messages into their target inboxes, in order, until one does not fit.
   *
   * @return true when the queue is empty
   */
  boolean flushPending() {
    while (pendingHead < pendingTail) {
      UnsafeBuffer buffer = pending.buffer();
      int targetIndex = buffer.getInt(pendingHead);
      int recordLength = buffer.getInt(pendingHead + Integer.BYTES);
      NodeInstance target = flow.instance(targetIndex);
      int claimed = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
      if (claimed <= 0) {
        return false;
      }
      target
          .inbox
          .buffer()
          .putBytes(claimed, buffer, pendingHead + PENDING_ENTRY_HEADER, recordLength);
      target.inbox.commit(claimed);
      target.signal(worker);
      pendingHead = BitUtil.align(pendingHead + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
      pendingEntries--;
    }
    pendingHead = 0;
    pendingTail = 0;
    return true;
  }

  /**
   * Drops what the stopped flow left in the inbox and the pending queue, releasing the body blocks
   * their records name.
   *
   * @return the number of messages dropped
   */
  long discardQueued() {
    MessageFlyweight record = new MessageFlyweight();
    long dropped =
        inbox.read(
            (type, buffer, offset, length) -> releaseBlock(record.wrap(buffer, offset, length)),
            Integer.MAX_VALUE);
    for (int at = pendingHead; at < pendingTail; ) {
      int recordLength = pending.buffer().getInt(at + Integer.BYTES);
      releaseBlock(record.wrap(pending.buffer(), at + PENDING_ENTRY_HEADER, recordLength));
      at = BitUtil.align(at + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
    }
    for (int at = loopHead; at < loopTail; ) {
      int recordLength = loop.buffer().getInt(at + Integer.BYTES);
      releaseBlock(record.wrap(loop.buffer(), at + PENDING_ENTRY_HEADER, recordLength));
      at = BitUtil.align(at + PENDING_ENTRY_HEADER + recordLength, Long.BYTES);
    }
    dropped += pendingEntries + loopEntries;
    pendingHead = 0;
    pendingTail = 0;
    pendingEntries = 0;
    loopHead = 0;
    loopTail = 0;
    loopEntries = 0;
    return dropped;
  }

  private void releaseBlock(MessageFlyweight record) {
    if (record.length() >= HEADER_LENGTH && record.resolve().isBodyRef()) {
      flow.blocks.release(record.blockAddress());
    }
  }

  /** Wakes this node's worker if it is parked and not the caller. */
  void signal(WorkerAgent caller) {
    WorkerAgent owner = worker;
    if (owner != caller && owner != null) {
      owner.signal();
    }
  }

  /** Whether the inbox, the pending queue or the loop queue holds anything. */
  boolean hasWork() {
    return inbox.size() > 0 || pendingTail != 0 || loopTail != 0;
  }
}
