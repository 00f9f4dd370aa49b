package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.BY_REFERENCE_BYTES;
import static dev.z8run.io.message.MessageDescriptor.FLAG_TRACED;
import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static dev.z8run.io.message.MessageDescriptor.MAX_BODY_BYTES;
import static dev.z8run.io.message.MessageDescriptor.MSG_TYPE_ID;
import static dev.z8run.io.message.MessageDescriptor.REF_BODY_LENGTH;

import dev.z8run.core.event.EngineEvents;
import dev.z8run.core.event.EventDescriptor;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.timer.EngineTimers;
import dev.z8run.io.message.BodyBlocks;
import dev.z8run.io.message.MemoryBudget;
import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageFlyweight;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One deployed flow: its node instances, its execution table and counters, and the trigger path
 * that starts executions. Created and torn down by the {@link Engine}; run by the workers.
 */
final class FlowRuntime implements ExecutionTable.CompletionHandler, EngineTimers.Owner {
  final int handle;
  final String flowId;
  final ExecutionPlan plan;
  final NodeCounters counters;

  /** Processing-time histograms per node; see {@link LatencyHistograms}. */
  final LatencyHistograms latencies;

  /** One message in this many is timed into {@link #latencies} (0: none). */
  final int latencySampleEvery;

  final NanoClock nanoClock;
  final ExecutionTable executions;

  /** The flow's {@code flow} store; released when the flow stops. */
  final ContextStore context;

  final EngineTimers timers;
  final BodyBlocks blocks;

  /** The owner's part of the engine's memory budget: the flow's rings and its body blocks. */
  final MemoryBudget.Account account;

  final FlowObservers observers = new FlowObservers(this);
  private final EngineEvents events;
  private final long traceIntervalNs;
  private final AtomicLong lastTraceNs = new AtomicLong(Long.MIN_VALUE / 2);
  private NodeInstance[] instances;
  private static final long DEBUG_WINDOW_NS = 1_000_000_000L;

  private final long[] debugWindowStart;
  private final int[] debugInWindow;
  private final java.util.concurrent.atomic.AtomicLongArray debugSkipped;
  private volatile FlowState state = FlowState.STARTING;

  /**
   * Execution counters, a cache line each: triggers write {@code started}, {@code rejected} and
   * {@code inlineQueued}, whichever worker completes an execution writes {@code completed} or
   * {@code failed}.
   */
  private final UnsafeBuffer executionCounters =
      new UnsafeBuffer(BufferUtil.allocateDirectAligned(5 * COUNTER_STRIDE, COUNTER_STRIDE));

  private static final int COUNTER_STRIDE = 64;
  private static final int STARTED = 0;
  private static final int COMPLETED = COUNTER_STRIDE;
  private static final int FAILED = 2 * COUNTER_STRIDE;
  private static final int REJECTED = 3 * COUNTER_STRIDE;
  private static final int INLINE_QUEUED = 4 * COUNTER_STRIDE;

  /** Callbacks of executions started with one, by execution id; empty unless a trigger asks. */
  private final java.util.concurrent.ConcurrentHashMap<Long, ExecutionCallback> callbacks =
      new java.util.concurrent.ConcurrentHashMap<>();

  FlowRuntime(
      int handle,
      ExecutionPlan plan,
      EngineEvents events,
      NanoClock nanoClock,
      int maxExecutions,
      long traceIntervalNs,
      int latencySampleEvery,
      EngineTimers timers,
      BodyBlocks blocks,
      MemoryBudget.Account account,
      ContextStore context) {
    this.handle = handle;
    this.context = context;
    this.blocks = blocks;
    this.account = account;
    this.flowId = plan.flow().id();
    this.plan = plan;
    this.events = events;
    this.nanoClock = nanoClock;
    this.traceIntervalNs = traceIntervalNs;
    this.timers = timers;
    this.counters = new NodeCounters(plan.nodes().size());
    this.latencies = new LatencyHistograms(plan.nodes().size());
    this.latencySampleEvery = latencySampleEvery;
    int nodes = plan.nodes().size();
    this.debugWindowStart = new long[nodes];
    this.debugInWindow = new int[nodes];
    this.debugSkipped = new java.util.concurrent.atomic.AtomicLongArray(nodes);
    java.util.Arrays.fill(debugWindowStart, Long.MIN_VALUE / 2);
    this.executions = new ExecutionTable(maxExecutions, this);
    this.runsInline = new boolean[nodes];
    this.inlineReach = new int[nodes][];
    for (int start = 0; start < nodes; start++) {
      int[] reach = sameWorkerReach(plan, start);
      runsInline[start] = runsInline(plan, reach);
      inlineReach[start] = runsInline[start] ? reach : null;
    }
  }

  /**
   * Per node whose executions run inline: the nodes its chain reaches on its worker (not through a
   * blocking node), itself included, downstream first; null for the others.
   */
  private final int[][] inlineReach;

  /**
   * {@link #inlineReach} as instances: the inboxes a caller holding the worker runs before and
   * after its inline execution ({@link WorkerAgent#drainForCaller}), so that what queued there
   * (requests that found the nodes held, and the hops fused runs could not take past a queued
   * message) does not wait for the worker.
   */
  private volatile NodeInstance[][] inlineDrain = new NodeInstance[0][];

  /**
   * The nodes an execution from {@code start} reaches without leaving its worker (a blocking node
   * hands off: neither it nor what follows it is reached), {@code start} included, downstream
   * first.
   */
  private static int[] sameWorkerReach(ExecutionPlan plan, int start) {
    int n = plan.nodes().size();
    int worker = plan.nodes().get(start).worker();
    boolean[] seen = new boolean[n];
    java.util.ArrayDeque<Integer> order = new java.util.ArrayDeque<>();
    java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(start));
    while (!todo.isEmpty()) {
      int at = todo.pop();
      if (seen[at]) {
        continue;
      }
      seen[at] = true;
      ExecutionPlan.PlannedNode node = plan.nodes().get(at);
      if (node.worker() != worker || node.type().blocking()) {
        continue;
      }
      order.push(at); // downstream first
      for (int[] port : plan.targets()[at]) {
        for (int target : port) {
          todo.push(target);
        }
      }
    }
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Per node: whether {@link #triggerInline} may run an execution from it on the caller. */
  private final boolean[] runsInline;

  /**
   * Node types whose time per message is the user's to choose (a script): a caller's thread (a
   * request's, one of few carrier threads) does not run them; their executions go to the worker.
   * Nodes of other types that run an author's expressions say so from their factory ({@link
   * NodeInstance#authorTimed}), and {@link #instances} drops their executions from inline runs.
   */
  private static final java.util.Set<String> NOT_INLINE = java.util.Set.of("function");

  /** Whether an execution that reaches {@code reach} may run inline: none is a NOT_INLINE type. */
  private static boolean runsInline(ExecutionPlan plan, int[] reach) {
    for (int at : reach) {
      if (NOT_INLINE.contains(plan.nodes().get(at).type().name())) {
        return false;
      }
    }
    return true;
  }

  void instances(NodeInstance[] instances) {
    this.instances = instances;
    // nodes that run what the author wrote keep their executions off callers' threads
    for (int start = 0; start < inlineReach.length; start++) {
      if (inlineReach[start] != null) {
        for (int at : inlineReach[start]) {
          if (at < instances.length && instances[at].authorTimed) {
            runsInline[start] = false;
            inlineReach[start] = null;
            break;
          }
        }
      }
    }
    NodeInstance[][] drain = new NodeInstance[instances.length][];
    for (int i = 0; i < instances.length && i < inlineReach.length; i++) {
      if (inlineReach[i] != null) {
        drain[i] = new NodeInstance[inlineReach[i].length];
        for (int j = 0; j < drain[i].length; j++) {
          drain[i][j] = instances[inlineReach[i][j]];
        }
      }
    }
    this.inlineDrain = drain;
    observers.apply(instances);
  }

  NodeInstance[] instances() {
    return instances;
  }

  NodeInstance instance(int index) {
    return instances[index];
  }

  FlowState state() {
    return state;
  }

  void state(FlowState state) {
    this.state = state;
  }

  /** Whether messages may still move (running or draining). */
  @Override
  public boolean isActive() {
    return state.isActive();
  }

  /**
   * Starts an execution at node {@code nodeIndex} with {@code body}. Thread-safe; used by the
   * engine's inject commands, trigger nodes, links and observers. Allocation-free.
   *
   * @param record the caller's flyweight, through which the new record's header is written; one per
   *     thread (a trigger source owns one, so no thread-local is needed)
   */
  InjectResult trigger(int nodeIndex, MessageBody body, MessageFlyweight record) {
    return start(nodeIndex, body, record, null, null);
  }

  /**
   * As {@link #trigger(int, MessageBody, MessageFlyweight)}, and {@code done} is called once when
   * the execution completes or fails (on the thread that finished it). Not called when the flow
   * stops before the execution ends. For triggers that acknowledge their source only once the work
   * is done (the cluster's work queues); allocates an entry per execution.
   */
  InjectResult trigger(
      int nodeIndex, MessageBody body, MessageFlyweight record, ExecutionCallback done) {
    return start(nodeIndex, body, record, null, done);
  }

  /**
   * Starts a traced execution (its node events reach the listeners whatever the trace interval): a
   * message a person injected to watch it go through the flow. Control plane; allocates.
   */
  Engine.Injection triggerTraced(int nodeIndex, MessageBody body) {
    TracedStart traced = new TracedStart();
    InjectResult result = start(nodeIndex, body, new MessageFlyweight(), traced, null);
    return result == InjectResult.ACCEPTED
        ? new Engine.Injection.Started(traced.executionId)
        : new Engine.Injection.Refused(result);
  }

  /**
   * Starts an execution at node {@code nodeIndex} and, when it can, runs it on the calling thread
   * instead of handing it to the node's worker: for request/response triggers (HTTP In), whose
   * caller waits for the answer anyway, this saves two thread wake-ups per execution (the worker's,
   * then the caller's when the answer comes back).
   *
   * <p>It runs inline when the node runs on a worker (not a blocking node), no node it can reach on
   * that worker runs user scripts (a Function node: its time is the script's, and a caller's thread
   * may be one of few carriers of the web server's virtual threads), nobody runs that worker's
   * nodes right now (it is parked or between cycles: the caller takes them, see {@link
   * WorkerAgent#tryAcquireForCaller()}), and the node's inbox and pending queue are empty (earlier
   * messages go first). The caller then runs the node and the chain of continuations it leaves
   * exactly as the worker would, with the worker's emitter: a message for another worker, a second
   * child or a full inbox goes through the rings as usual, and the worker is woken for it. The
   * execution table, credit, counters and events are the same as for a queued execution, and so are
   * the refusals. Otherwise the message is queued as {@link #trigger} does.
   *
   * <p>For callers that are not engine threads and may spend the chain's time (a web request's
   * handler); allocation-free.
   *
   * @param record the flyweight a queued record is written through; null when the caller has none
   *     to reuse (one is made only when the message is queued)
   */
  InjectResult triggerInline(int nodeIndex, MessageBody body, MessageFlyweight record) {
    if (state != FlowState.RUNNING) {
      return InjectResult.NOT_RUNNING;
    }
    if (nodeIndex < 0 || nodeIndex >= instances.length) {
      return InjectResult.UNKNOWN_NODE;
    }
    NodeInstance target = instances[nodeIndex];
    WorkerAgent worker = target.worker;
    if (!runsInline[nodeIndex] || !target.fusable || worker == null) {
      return start(nodeIndex, body, orNew(record), null, null);
    }
    if (!worker.tryAcquireForCaller()) {
      // queued: a caller holding the nodes runs it when it lets them go, else the worker
      return countInlineQueued(start(nodeIndex, body, orNew(record), null, null, true));
    }
    NodeInstance[][] drains = inlineDrain;
    NodeInstance[] drain = nodeIndex < drains.length ? drains[nodeIndex] : null;
    boolean queue;
    try {
      // checked again under the worker: stop() waits for two of its cycles after STOPPED
      if (state != FlowState.RUNNING) {
        return InjectResult.NOT_RUNNING;
      }
      // earlier messages first, here rather than on the worker
      worker.drainForCaller(drain);
      queue = target.inbox.size() != 0 || target.hasPending();
      if (!queue) {
        return runInline(nodeIndex, target, worker, body);
      }
    } finally {
      worker.releaseFromCaller(drain);
    }
    return countInlineQueued(start(nodeIndex, body, orNew(record), null, null));
  }

  /**
   * Counts an execution that could have run on its caller's thread and was queued instead (the
   * worker's nodes were held, or earlier messages waited), when the queue took it; a refusal is
   * counted as rejected.
   */
  private InjectResult countInlineQueued(InjectResult result) {
    if (result == InjectResult.ACCEPTED) {
      executionCounters.getAndAddLong(INLINE_QUEUED, 1);
    }
    return result;
  }

  /** {@code record}, or a new flyweight for a caller that passed none (it is needed only here). */
  private static MessageFlyweight orNew(MessageFlyweight record) {
    return record != null ? record : new MessageFlyweight();
  }

  /** Writes the execution's first record into the worker's inline buffer and runs it there. */
  private InjectResult runInline(
      int nodeIndex, NodeInstance target, WorkerAgent worker, MessageBody body) {
    int bodyLength = body.jsonLength() + body.binaryLength() + body.indexLength();
    if (bodyLength > MAX_BODY_BYTES) {
      return InjectResult.TOO_LARGE;
    }
    boolean byReference = byReference(bodyLength, target);
    long block = byReference ? tryBlock(bodyLength) : 0;
    if (byReference && block == 0) {
      return InjectResult.NO_MEMORY;
    }
    int recordLength = firstRecordLength(bodyLength, byReference);
    // a stream of inline triggers shares a clock reading; a traced execution has its own
    long nowNs = worker.inlineStartNs(nanoClock);
    int flags = 0;
    if (shouldTrace(nowNs)) {
      flags = FLAG_TRACED;
      nowNs = nanoClock.nanoTime();
    }
    int slot = executions.tryStart(nodeIndex, flags, nowNs);
    if (slot < 0) {
      releaseBlock(block);
      executionCounters.getAndAddLong(REJECTED, 1);
      return InjectResult.BACK_PRESSURED;
    }
    // in the emitter's scratch, as if a fused hop had brought it: forwarded or edited in place
    UnsafeBuffer buffer =
        worker.emitter().firstRecordBuffer(recordLength, ExecutionTable.INITIAL_CREDIT);
    MessageFlyweight record = worker.inlineHeader.wrap(buffer, 0, recordLength);
    long executionId = writeFirst(record, body, slot, flags, nowNs, block);
    if (flags != 0) {
      events.publish(EventDescriptor.EXECUTION_STARTED, handle, nodeIndex, executionId, 0);
    }
    target.run(buffer, 0, recordLength, false);
    return InjectResult.ACCEPTED;
  }

  /**
   * Whether a first record's body of {@code bodyLength} bytes goes to {@code target} in a block.
   */
  private static boolean byReference(int bodyLength, NodeInstance target) {
    return bodyLength > Math.min(BY_REFERENCE_BYTES, target.maxRecordLength);
  }

  private void releaseBlock(long block) {
    if (block != 0) {
      blocks.release(block);
    }
  }

  /** The length of a first record whose body has {@code bodyLength} bytes. */
  private static int firstRecordLength(int bodyLength, boolean byReference) {
    return HEADER_LENGTH + (byReference ? REF_BODY_LENGTH : bodyLength);
  }

  /**
   * Writes the first record of the execution started in {@code slot} into {@code record} (wrapped
   * at its place, ring or inline buffer) and counts it started: the header, then the body, or the
   * body into {@code block} when it travels by reference (not 0: the record then carries the
   * block's address and the reference {@link #tryBlock} took).
   *
   * @return the execution's id
   */
  private long writeFirst(
      MessageFlyweight record, MessageBody body, int slot, int flags, long nowNs, long block) {
    long executionId = executions.executionId(slot);
    int length = body.jsonLength();
    int binaryLength = body.binaryLength();
    int indexLength = body.indexLength();
    record
        .executionId(executionId)
        .messageId(executionId)
        .credit(ExecutionTable.INITIAL_CREDIT)
        .timestampNs(nowNs)
        .execSlot(slot)
        .source(-1, 0, 0)
        .flags(flags)
        .body(length, binaryLength > 0, indexLength)
        .ref(body.ref());
    if (block != 0) {
      record.bodyRef(block, length + binaryLength + indexLength);
    }
    MutableDirectBuffer destination = (MutableDirectBuffer) record.buffer();
    destination.putBytes(record.jsonOffset(), body.jsonBuffer(), body.jsonOffset(), length);
    if (binaryLength > 0) {
      destination.putBytes(
          record.binaryOffset(), body.binaryBuffer(), body.binaryOffset(), binaryLength);
    }
    if (indexLength > 0) {
      destination.putBytes(
          record.indexOffset(), body.indexBuffer(), body.indexOffset(), indexLength);
    }
    executionCounters.getAndAddLong(STARTED, 1);
    return executionId;
  }

  /**
   * The block for a first record's body that travels by reference, counted in the owner's account,
   * taken before anything else of the execution: 0 when the owner's share or the engine's budget
   * has no room for it, and the trigger is then refused as back-pressured (the bodies in flight
   * hold the memory, and it comes back as they are consumed, as room in a full inbox does).
   */
  private long tryBlock(int bodyLength) {
    long block = blocks.tryAllocate(bodyLength, account);
    if (block == 0) {
      executionCounters.getAndAddLong(REJECTED, 1);
    }
    return block;
  }

  /** Receives the id of a traced execution {@link #start} began. */
  private static final class TracedStart {
    long executionId;
  }

  /** Starts an execution, traced when {@code traced} is given (it receives the id). */
  private InjectResult start(
      int nodeIndex,
      MessageBody body,
      MessageFlyweight record,
      TracedStart traced,
      ExecutionCallback done) {
    return start(nodeIndex, body, record, traced, done, false);
  }

  /**
   * As {@link #start(int, MessageBody, MessageFlyweight, TracedStart, ExecutionCallback)}; {@code
   * behindCaller}: the record is for a node whose chain runs inline and a caller may hold its
   * worker, which then runs it ({@link WorkerAgent#signalBehindCaller}).
   */
  private InjectResult start(
      int nodeIndex,
      MessageBody body,
      MessageFlyweight record,
      TracedStart traced,
      ExecutionCallback done,
      boolean behindCaller) {
    if (state != FlowState.RUNNING) {
      return InjectResult.NOT_RUNNING;
    }
    if (nodeIndex < 0 || nodeIndex >= instances.length) {
      return InjectResult.UNKNOWN_NODE;
    }
    NodeInstance target = instances[nodeIndex];
    int bodyLength = body.jsonLength() + body.binaryLength() + body.indexLength();
    if (bodyLength > MAX_BODY_BYTES) {
      return InjectResult.TOO_LARGE;
    }
    boolean byReference = byReference(bodyLength, target);
    long block = byReference ? tryBlock(bodyLength) : 0;
    if (byReference && block == 0) {
      return InjectResult.NO_MEMORY;
    }
    int recordLength = firstRecordLength(bodyLength, byReference);
    int index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    if (index <= 0) {
      releaseBlock(block);
      executionCounters.getAndAddLong(REJECTED, 1);
      return InjectResult.BACK_PRESSURED;
    }
    long nowNs = nanoClock.nanoTime();
    int flags = traced != null || shouldTrace(nowNs) ? FLAG_TRACED : 0;
    int slot = executions.tryStart(nodeIndex, flags, nowNs);
    if (slot < 0) {
      target.inbox.abort(index);
      releaseBlock(block);
      executionCounters.getAndAddLong(REJECTED, 1);
      return InjectResult.BACK_PRESSURED;
    }
    record.wrap(target.inbox.buffer(), index, recordLength);
    long executionId = writeFirst(record, body, slot, flags, nowNs, block);
    if (done != null) {
      callbacks.put(executionId, done); // before the commit: the execution may end at once
    }
    if (flags != 0) {
      events.publish(EventDescriptor.EXECUTION_STARTED, handle, nodeIndex, executionId, 0);
    }
    target.inbox.commit(index);
    if (behindCaller) {
      target.worker.signalBehindCaller();
    } else {
      target.signal(null);
    }
    if (traced != null) {
      traced.executionId = executionId;
    }
    return InjectResult.ACCEPTED;
  }

  long started() {
    return executionCounters.getLongVolatile(STARTED);
  }

  long completed() {
    return executionCounters.getLongVolatile(COMPLETED);
  }

  long failed() {
    return executionCounters.getLongVolatile(FAILED);
  }

  long rejected() {
    return executionCounters.getLongVolatile(REJECTED);
  }

  long inlineQueued() {
    return executionCounters.getLongVolatile(INLINE_QUEUED);
  }

  private boolean shouldTrace(long nowNs) {
    long last = lastTraceNs.get();
    return nowNs - last >= traceIntervalNs && lastTraceNs.compareAndSet(last, nowNs);
  }

  void returnCredit(int slot, long credit) {
    executions.returnCredit(slot, credit);
  }

  void addCredit(int slot, long credit) {
    executions.addCredit(slot, credit);
  }

  void markFailed(int slot, int nodeIndex) {
    executions.markFailed(slot, nodeIndex);
  }

  @Override
  public void onExecutionComplete(
      int slot, long executionId, long startNs, int failedNode, int triggerNode, int flags) {
    if (!callbacks.isEmpty()) {
      ExecutionCallback done = callbacks.remove(executionId);
      if (done != null) {
        done.onExecutionDone(executionId, failedNode >= 0);
      }
    }
    if (failedNode >= 0) {
      executionCounters.getAndAddLong(FAILED, 1);
      events.publish(
          EventDescriptor.EXECUTION_FAILED,
          handle,
          failedNode,
          executionId,
          nanoClock.nanoTime() - startNs);
    } else {
      executionCounters.getAndAddLong(COMPLETED, 1);
      if ((flags & FLAG_TRACED) != 0) {
        events.publish(
            EventDescriptor.EXECUTION_COMPLETED,
            handle,
            triggerNode,
            executionId,
            nanoClock.nanoTime() - startNs);
      }
    }
  }

  void nodeCompleted(int nodeIndex, MessageFlyweight input, long durationNs) {
    events.publish(
        EventDescriptor.NODE_COMPLETED,
        handle,
        nodeIndex,
        input.executionId(),
        durationNs,
        input.buffer(),
        input.jsonOffset(),
        input.jsonLength(),
        EventDescriptor.SAMPLE_BYTES);
  }

  /**
   * Publishes a debug preview, at most {@link EventDescriptor#DEBUG_SAMPLES_PER_SECOND} per node
   * and one-second window; the previews over it are counted, and the count is published once: when
   * the next window opens, or when the window ends on the timer thread if no message opens the next
   * one (so the last window of a burst is reported too). The window fields are plain: a debug node
   * is called by one worker thread (a node calling from several threads at once may miscount its
   * window, never fail); the skipped count is atomic because the timer thread takes it as well.
   */
  void debug(
      int nodeIndex, long executionId, DirectBuffer json, int offset, int length, int maxBytes) {
    long now = nanoClock.nanoTime();
    if (now - debugWindowStart[nodeIndex] >= DEBUG_WINDOW_NS) {
      debugWindowStart[nodeIndex] = now;
      debugInWindow[nodeIndex] = 0;
      publishDebugSkipped(nodeIndex, executionId);
    }
    if (++debugInWindow[nodeIndex] > EventDescriptor.DEBUG_SAMPLES_PER_SECOND) {
      if (debugSkipped.getAndIncrement(nodeIndex) == 0) {
        long windowLeftMs = (debugWindowStart[nodeIndex] + DEBUG_WINDOW_NS - now) / 1_000_000 + 1;
        timers.schedule(
            this, () -> publishDebugSkipped(nodeIndex, executionId), Math.max(1, windowLeftMs));
      }
      return;
    }
    events.publish(
        EventDescriptor.NODE_DEBUG,
        handle,
        nodeIndex,
        executionId,
        length,
        json,
        offset,
        length,
        maxBytes);
  }

  private void publishDebugSkipped(int nodeIndex, long executionId) {
    long skipped = debugSkipped.getAndSet(nodeIndex, 0);
    if (skipped > 0) {
      events.publish(EventDescriptor.NODE_DEBUG_SKIPPED, handle, nodeIndex, executionId, skipped);
    }
  }

  void nodeError(int nodeIndex, long executionId, String message) {
    events.publish(EventDescriptor.NODE_ERROR, handle, nodeIndex, executionId, 0, message);
  }

  void nodeText(int type, int nodeIndex, String text) {
    events.publish(type, handle, nodeIndex, 0, 0, text);
  }
}
