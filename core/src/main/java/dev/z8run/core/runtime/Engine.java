package dev.z8run.core.runtime;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineEvents;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.event.EventDispatcher;
import dev.z8run.core.event.EventSubscription;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.node.ContextMeters;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.plan.Planner;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.timer.EngineTimers;
import dev.z8run.core.validate.FlowValidator;
import dev.z8run.core.validate.Problem;
import dev.z8run.io.message.BodyBlocks;
import dev.z8run.io.message.LazyZeroedMemory;
import dev.z8run.io.message.MemoryBudget;
import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The engine's command interface: deploy, stop, inject, metrics. Control-plane threads (REST
 * handlers, the CLI, tests) call it; it never hands out agent-owned objects, only snapshots and
 * counter readers.
 *
 * <p>Deploy and stop are serialised; inject is thread-safe and allocation-free in its buffer form.
 */
public final class Engine implements AutoCloseable {
  private static final long DEFAULT_DRAIN_MS = 5_000;

  /** Freed body blocks kept for reuse, at most (the rest goes back to the system). */
  private static final long POOLED_BLOCK_BYTES = 32L * 1024 * 1024;

  private final EngineConfig config;
  private final NodeTypeRegistry registry;
  private final FlowValidator validator;
  private final Planner planner;
  private final WorkerAgent[] workers;
  private final AgentRunner[] runners;
  private final EngineEvents events;
  private final EventDispatcher dispatcher;
  private final Thread eventThread;
  private final EngineTimers timers;

  private final MemoryBudget memory;

  /** The account of flows deployed without an owner: limited by the budget only. */
  private final MemoryBudget.Account unowned;

  private final BodyBlocks blocks;
  private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * The compute threads: platform threads for the calls of blocking nodes that work the CPU ({@link
   * dev.z8run.core.node.NodeContext#declareComputeBound}), made on the first such node.
   */
  private volatile ComputeThreads computeThreads;

  /** How long a compute thread with nothing to do lives on. */
  private static final long COMPUTE_IDLE_SECONDS = 10;

  private final Map<String, FlowRuntime> flows = new ConcurrentHashMap<>();
  private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();
  private final ContextStore globalContext = new ContextStore();
  private final AtomicInteger handles = new AtomicInteger();

  /**
   * Off-heap bytes each deployed flow reserves ({@link InboxSizing#flowReservedBytes}), in its
   * owner's account ({@link FlowRuntime#account}).
   */
  private final Map<FlowRuntime, Long> reservedByFlow = new ConcurrentHashMap<>();

  private volatile boolean closed;

  public Engine(EngineConfig config, NodeTypeRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.validator = new FlowValidator(registry);
    this.planner = new Planner(registry);
    long budget =
        config.memoryBudgetBytes() > 0 ? config.memoryBudgetBytes() : LazyZeroedMemory.limit();
    this.memory =
        new MemoryBudget(
            budget, Math.max(1, (long) (budget * (config.memorySharePercent() / 100.0))));
    this.unowned = memory.account("\u0000", true); // no user id is a NUL
    this.blocks = new BodyBlocks(POOLED_BLOCK_BYTES, memory);
    this.events = new EngineEvents(config.eventBufferBytes());
    this.dispatcher = new EventDispatcher(events, listeners, config.eventBufferBytes());
    this.timers = EngineTimers.on(config.nanoClock());
    this.workers = new WorkerAgent[config.workers()];
    this.runners = new AgentRunner[config.workers()];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new WorkerAgent(i, config.batchLimit(), config.nanoClock());
    }
    if (config.manual()) {
      eventThread = null;
      for (WorkerAgent worker : workers) {
        worker.onStart();
      }
      return;
    }
    long maxParkNs = TimeUnit.MILLISECONDS.toNanos(config.maxParkMs());
    for (int i = 0; i < workers.length; i++) {
      runners[i] =
          new AgentRunner(
              new WorkerIdleStrategy(workers[i], maxParkNs), this::onAgentError, null, workers[i]);
      AgentRunner.startOnThread(runners[i]);
    }
    eventThread = Thread.ofPlatform().daemon().name("z8-events").start(dispatcher::run);
  }

  private void onAgentError(Throwable error) {
    System.getLogger("z8run.engine").log(System.Logger.Level.ERROR, "worker error", error);
  }

  public EngineConfig config() {
    return config;
  }

  public NodeTypeRegistry registry() {
    return registry;
  }

  /**
   * Makes {@code service} available to nodes through {@link
   * dev.z8run.core.node.NodeContext#service(Class)}; install before deploying the flows that use
   * it.
   */
  public <T> void registerService(Class<T> type, T service) {
    services.put(type, type.cast(service));
  }

  /** Receives engine events from now on, on the event thread. */
  public void addListener(EngineListener listener) {
    listeners.add(listener);
  }

  public void removeListener(EngineListener listener) {
    listeners.remove(listener);
  }

  /**
   * A new reader of the event broadcast, starting at the newest event: for subscribers that must
   * not slow anyone down (editor sockets). See {@link EventSubscription}.
   */
  public EventSubscription subscribe() {
    return dispatcher.subscribe();
  }

  /**
   * Off-heap bytes the deployed flows' inboxes and execution tables reserve together (reserved, not
   * resident: pages become resident where messages are written).
   */
  public long reservedBytes() {
    long sum = 0;
    for (long bytes : reservedByFlow.values()) {
      sum += bytes;
    }
    return sum;
  }

  /**
   * The most {@link #reservedBytes()} and the body blocks in flight ({@link #blockBytes()}) may
   * reach together: a deploy beyond it is refused, and so is a body block.
   */
  public long memoryBudget() {
    return memory.budgetBytes();
  }

  /** The most one owner that is not exempt may reserve (rings, tables and body blocks). */
  public long memoryShare() {
    return memory.shareBytes();
  }

  /** Off-heap bytes the blocks of message bodies in flight hold, as counted in the budget. */
  public long blockBytes() {
    long sum = 0;
    for (MemoryBudget.Account account : memory.accounts()) {
      sum += account.blockBytes();
    }
    return sum;
  }

  /** What each owner that has deployed a flow since the engine started reserves now. */
  public List<OwnerMemory> memoryByOwner() {
    List<OwnerMemory> owners = new ArrayList<>();
    for (MemoryBudget.Account account : memory.accounts()) {
      owners.add(
          new OwnerMemory(
              account == unowned ? null : account.owner(),
              account.reservedBytes(),
              account.blockBytes(),
              account.limitBytes(),
              account.exempt()));
    }
    return owners;
  }

  /** Events dropped because the event ring was full. */
  public long droppedEvents() {
    return events.dropped();
  }

  /**
   * Validates, plans and starts {@code flow}. A flow with the same id that is running is stopped
   * first (its in-flight messages drain for up to five seconds), so a redeploy replaces it while
   * other flows keep running; if the new version cannot be built, the old one keeps running.
   *
   * @throws FlowValidator.ValidationException listing every problem of an invalid flow
   * @throws DeployException when a node's factory refuses its config
   * @throws MemoryBudgetException when the flow's inboxes and execution table would take the memory
   *     reserved by the deployed flows past {@link #memoryBudget()}
   */
  public ExecutionPlan deploy(Flow flow) {
    return deploy(flow, null, true);
  }

  /**
   * As {@link #deploy(Flow)}, counting the flow's memory (its rings and execution table from now,
   * the blocks of its bodies in flight as they come) in {@code owner}'s account: at most {@link
   * #memoryShare()} unless {@code exempt}, and every owner together at most {@link
   * #memoryBudget()}.
   *
   * @param owner whose flow it is (null: nobody's, limited by the budget only)
   * @param exempt whether the owner is limited by the budget only, not by the share
   * @throws MemoryBudgetException when the flow would take its owner past the share or the server
   *     past the budget; nothing of it was allocated and a running version keeps running
   */
  public synchronized ExecutionPlan deploy(Flow flow, String owner, boolean exempt) {
    List<Problem> problems = validator.validate(flow);
    if (!problems.isEmpty()) {
      throw new FlowValidator.ValidationException(problems);
    }
    int handle = handles.incrementAndGet();
    ExecutionPlan plan = planner.plan(flow, workers.length, handle % workers.length);
    int[] inboxBytes = InboxSizing.inboxBytes(plan, config.inboxBytes());
    long needed = InboxSizing.flowReservedBytes(inboxBytes, config);
    MemoryBudget.Account account = owner == null ? unowned : memory.account(owner, exempt);
    FlowRuntime replaced = flows.get(flow.id());
    Long replacedBytes = replaced == null ? null : reservedByFlow.remove(replaced);
    if (replacedBytes != null) {
      replaced.account.release(replacedBytes); // the new version counts in place of the old
    }
    if (!account.tryReserve(needed)) {
      if (replacedBytes != null) {
        replaced.account.reserve(replacedBytes);
        reservedByFlow.put(replaced, replacedBytes);
      }
      throw overBudget(flow.id(), owner, account, needed);
    }
    // the flow's store, metered when the host counts what flows keep in context
    ContextMeters meters = (ContextMeters) services.get(ContextMeters.class);
    ContextStore flowContext =
        new ContextStore(meters == null ? null : meters.flowStore(flow.id()));
    FlowRuntime runtime = null;
    try {
      runtime =
          new FlowRuntime(
              handle,
              plan,
              events,
              config.nanoClock(),
              config.maxExecutionsPerFlow(),
              TimeUnit.MILLISECONDS.toNanos(config.traceIntervalMs()),
              config.latencySampleEvery(),
              timers,
              blocks,
              account,
              flowContext);
      runtime.instances(createInstances(runtime, plan, inboxBytes));
    } catch (RuntimeException | Error failure) {
      flowContext.release(); // what a node's start code stored there
      if (runtime != null) {
        runtime.executions.free(); // never published: nothing else reaches it
      }
      account.release(needed);
      if (replacedBytes != null) {
        replaced.account.reserve(replacedBytes);
        reservedByFlow.put(replaced, replacedBytes);
      }
      throw failure;
    }
    reservedByFlow.put(runtime, needed);
    dispatcher.register(handle, plan);

    FlowRuntime previous = flows.get(flow.id());
    if (previous != null) {
      stop(previous, DEFAULT_DRAIN_MS);
    }
    for (NodeInstance instance : runtime.instances()) {
      instance.worker = workers[plan.nodes().get(instance.index).worker()];
    }
    for (NodeInstance instance : runtime.instances()) {
      instance.resolveFuseTargets();
    }
    for (WorkerAgent worker : workers) {
      List<NodeInstance> owned = new ArrayList<>(List.of(worker.instances()));
      for (NodeInstance instance : runtime.instances()) {
        if (instance.worker == worker) {
          owned.add(instance);
        }
      }
      worker.instances(owned.toArray(NodeInstance[]::new));
    }
    runtime.state(FlowState.RUNNING);
    flows.put(flow.id(), runtime);
    for (NodeInstance instance : runtime.instances()) {
      try {
        instance.node.onStart();
      } catch (RuntimeException failure) {
        runtime.nodeError(instance.index, 0, "onStart failed: " + failure);
      }
    }
    return plan;
  }

  /**
   * What a deploy of {@code needed} bytes in {@code account} was refused for: the owner's share, or
   * the budget.
   */
  private MemoryBudgetException overBudget(
      String flowId, String owner, MemoryBudget.Account account, long needed) {
    long mine = account.reservedBytes();
    if (mine + needed > account.limitBytes() && account.limitBytes() < memory.budgetBytes()) {
      return new MemoryBudgetException(
          flowId, owner, true, needed, mine, account.limitBytes(), memory.budgetBytes());
    }
    return new MemoryBudgetException(
        flowId,
        owner,
        false,
        needed,
        memory.reservedBytes(),
        memory.budgetBytes(),
        memory.budgetBytes());
  }

  /**
   * The compute threads, made on the first node that asks for them: up to {@link
   * EngineConfig#blockingConcurrency()} platform threads, each ending after {@value
   * #COMPUTE_IDLE_SECONDS} s with nothing to do. Called under the deploy lock.
   */
  private ComputeThreads computeThreads() {
    ComputeThreads compute = computeThreads;
    if (compute == null) {
      compute = new ComputeThreads(config.blockingConcurrency(), COMPUTE_IDLE_SECONDS);
      computeThreads = compute;
    }
    return compute;
  }

  /**
   * The plan's node instances, each with an inbox of {@code inboxBytes[index]} bytes; when one
   * cannot be made, the nodes made are stopped and their inboxes freed before the failure is
   * thrown.
   */
  private NodeInstance[] createInstances(
      FlowRuntime runtime, ExecutionPlan plan, int[] inboxBytes) {
    NodeInstance[] instances = new NodeInstance[plan.nodes().size()];
    try {
      createInstances(runtime, plan, inboxBytes, instances);
    } catch (RuntimeException | Error failure) {
      for (NodeInstance created : instances) {
        if (created != null) {
          LazyZeroedMemory.free(created.inbox.buffer()); // never published
        }
      }
      throw failure;
    }
    return instances;
  }

  private void createInstances(
      FlowRuntime runtime, ExecutionPlan plan, int[] inboxBytes, NodeInstance[] instances) {
    for (PlannedNode planned : plan.nodes()) {
      Node node;
      RuntimeNodeContext context =
          new RuntimeNodeContext(
              this, runtime, planned, config.epochClock(), services, globalContext);
      try {
        node = planned.type().factory().create(context);
      } catch (Exception | LinkageError failure) {
        for (NodeInstance created : instances) {
          if (created != null) {
            stopNode(created);
          }
        }
        throw new DeployException(
            "node '"
                + planned.node().id()
                + "' ("
                + planned.type().name()
                + "): "
                + (failure.getMessage() == null ? failure.toString() : failure.getMessage()),
            planned.node().id(),
            failure);
      }
      instances[planned.index()] =
          planned.type().blocking()
              ? new BlockingDispatch(
                  runtime,
                  planned,
                  node,
                  inboxBytes[planned.index()],
                  context.computeBound() ? computeThreads()::execute : virtualThreads,
                  Math.min(config.blockingConcurrency(), context.concurrencyLimit()))
              : new NodeInstance(runtime, planned, node, inboxBytes[planned.index()], true);
      instances[planned.index()].authorTimed = context.authorTimed();
    }
  }

  /**
   * Stops a flow: triggers are refused at once, in-flight executions may finish for up to {@code
   * drainTimeoutMs}, then the flow is torn down and what was left is reported.
   *
   * @return null when no such flow is running
   */
  public synchronized StopResult stop(String flowId, long drainTimeoutMs) {
    FlowRuntime runtime = flows.get(flowId);
    return runtime == null ? null : stop(runtime, drainTimeoutMs);
  }

  private StopResult stop(FlowRuntime runtime, long drainTimeoutMs) {
    runtime.state(FlowState.DRAINING);
    long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainTimeoutMs);
    boolean drained = awaitQuiet(runtime, deadlineNs);
    runtime.state(FlowState.STOPPED);
    timers.cancel(runtime);
    for (WorkerAgent worker : workers) {
      List<NodeInstance> kept = new ArrayList<>();
      for (NodeInstance instance : worker.instances()) {
        if (instance.flow != runtime) {
          kept.add(instance);
        }
      }
      if (kept.size() != worker.instances().length) {
        List<NodeInstance> removed = new ArrayList<>(List.of(worker.instances()));
        removed.removeAll(kept);
        long cycles = worker.cycles();
        worker.instances(kept.toArray(NodeInstance[]::new));
        awaitCycles(worker, cycles, removed);
      }
    }
    awaitBlockingTasks(runtime, deadlineNs + TimeUnit.SECONDS.toNanos(1));
    int abandonedExecutions = runtime.executions.liveCount();
    long abandonedMessages = 0;
    for (NodeInstance instance : runtime.instances()) {
      abandonedMessages += instance.discardQueued();
      stopNode(instance);
    }
    flows.remove(runtime.flowId, runtime);
    retire(runtime);
    return new StopResult(drained, abandonedExecutions, abandonedMessages);
  }

  /**
   * Gives back what a stopped flow held in the budget: its reservation, at once (a redeploy right
   * after the stop is counted without it). Its rings and execution table are freed by the garbage
   * collector once nothing reaches the runtime, not explicitly: a thread that read the flow as
   * running just before the stop (a trigger between its state check and its claim, a metrics
   * snapshot reading an inbox's size) may still touch them, and no wait of ours can prove it has
   * left (a thread can be descheduled for longer than any grace on a loaded machine); the
   * collector's reachability can. The JVM's direct-memory account still holds them until then, and
   * a reservation that finds that account short runs the collector and retries before it fails
   * ({@code java.nio.Bits.reserveMemory}, which {@code LazyZeroedMemory} reserves through).
   */
  private void retire(FlowRuntime runtime) {
    runtime.context.release();
    Long bytes = reservedByFlow.remove(runtime);
    if (bytes != null) {
      runtime.account.release(bytes);
    }
  }

  private boolean awaitQuiet(FlowRuntime runtime, long deadlineNs) {
    while (runtime.executions.liveCount() > 0) {
      if (System.nanoTime() - deadlineNs >= 0) {
        return false;
      }
      if (config.manual()) {
        doWork();
      } else {
        LockSupport.parkNanos(200_000);
      }
    }
    return true;
  }

  /**
   * Waits until no thread runs any of {@code removed} any more: two cycles of the worker, counted
   * again while a call of a removed node is detached from the duty cycle ({@link
   * WorkerAgent#detach}: the worker's stand-in cycles meanwhile, and the detached thread, once
   * back, ends its cycle without touching the other instances) or was detached since counting
   * began.
   */
  private void awaitCycles(WorkerAgent worker, long cyclesBefore, List<NodeInstance> removed) {
    if (config.manual()) {
      return;
    }
    long cycles = cyclesBefore;
    int detaches = detaches(removed);
    while (true) {
      while (worker.cycles() - cycles < 2) {
        worker.signal();
        LockSupport.parkNanos(50_000);
      }
      int now = detaches(removed);
      if (now == detaches && removed.stream().noneMatch(instance -> instance.detached)) {
        return;
      }
      while (removed.stream().anyMatch(instance -> instance.detached)) {
        LockSupport.parkNanos(1_000_000);
      }
      detaches = detaches(removed);
      cycles = worker.cycles();
    }
  }

  private static int detaches(List<NodeInstance> instances) {
    int sum = 0;
    for (NodeInstance instance : instances) {
      sum += instance.detaches;
    }
    return sum;
  }

  private void awaitBlockingTasks(FlowRuntime runtime, long deadlineNs) {
    for (NodeInstance instance : runtime.instances()) {
      if (instance instanceof BlockingDispatch blocking) {
        while (blocking.inFlight() > 0 && System.nanoTime() - deadlineNs < 0) {
          LockSupport.parkNanos(200_000);
        }
      }
    }
  }

  private void stopNode(NodeInstance instance) {
    try {
      instance.node.onStop();
    } catch (RuntimeException failure) {
      instance.flow.nodeError(instance.index, 0, "onStop failed: " + failure);
    }
  }

  /**
   * Starts an execution at a node of a running flow with the given message body (UTF-8 JSON).
   * Thread-safe.
   */
  public InjectResult inject(String flowId, String nodeId, byte[] json) {
    return inject(flowId, nodeId, json, 0);
  }

  /**
   * As {@link #inject(String, String, byte[])}, with a {@code ref} every message of the execution
   * carries: the handle of a request held open outside the engine (see {@link
   * dev.z8run.core.node.Replies}).
   */
  public InjectResult inject(String flowId, String nodeId, byte[] json, long ref) {
    return inject(flowId, nodeId, json, ref, null);
  }

  /**
   * As {@link #inject(String, String, byte[])}; when the execution was accepted, {@code done} is
   * called once it completes or fails (not when the flow stops first). Thread-safe.
   */
  public InjectResult inject(String flowId, String nodeId, byte[] json, ExecutionCallback done) {
    return inject(flowId, nodeId, json, 0, done);
  }

  /**
   * As {@link #inject(String, String, byte[], ExecutionCallback)}, with the {@code ref} every
   * message of the execution carries (see {@link dev.z8run.core.node.Replies}); {@code done} may be
   * null (nothing is called, no entry is kept).
   */
  public InjectResult inject(
      String flowId, String nodeId, byte[] json, long ref, ExecutionCallback done) {
    return inject(
        flowId,
        nodeId,
        new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length).ref(ref),
        done);
  }

  /**
   * As {@link #inject(String, String, byte[], long)}, with a binary payload beside the JSON body
   * (empty: none).
   */
  public InjectResult inject(String flowId, String nodeId, byte[] json, byte[] binary, long ref) {
    if (binary.length == 0) {
      return inject(flowId, nodeId, json, ref);
    }
    return inject(
        flowId,
        nodeId,
        new MessageBodyView()
            .json(new UnsafeBuffer(json), 0, json.length)
            .binary(new UnsafeBuffer(binary), 0, binary.length)
            .ref(ref),
        null);
  }

  /** Starts an execution of {@code body} at the node; {@code done} may be null. */
  private InjectResult inject(
      String flowId, String nodeId, MessageBody body, ExecutionCallback done) {
    return trigger(flowId, nodeId, body, done, false);
  }

  /** Finds the flow and node, then starts the execution: queued, or {@code inline} if it can. */
  private InjectResult trigger(
      String flowId, String nodeId, MessageBody body, ExecutionCallback done, boolean inline) {
    FlowRuntime runtime = flows.get(flowId);
    if (runtime == null) {
      return InjectResult.NOT_RUNNING;
    }
    int index = runtime.plan.indexOf(nodeId);
    if (index < 0) {
      return InjectResult.UNKNOWN_NODE;
    }
    return inline
        ? runtime.triggerInline(index, body, null)
        : runtime.trigger(index, body, new MessageFlyweight(), done);
  }

  /**
   * As {@link #inject(String, String, byte[], byte[], long)}, and when the path allows it the
   * execution runs on the calling thread before this returns: the node runs on a worker that is
   * idle or between cycles, and nothing waits in its inbox. The node and the chain it leaves run
   * exactly as on the worker (same order, credit, counters, events and refusals); what leaves that
   * chain (another worker's node, a blocking node, a fan-out, a full inbox) is queued as usual. For
   * callers that wait for the execution's answer anyway, such as an HTTP request held open for an
   * {@code http-out} node: it saves the hand-over to the worker and back. From an engine thread, or
   * in manual mode, it queues like {@link #inject}. Thread-safe.
   */
  public InjectResult injectAndRun(
      String flowId, String nodeId, byte[] json, byte[] binary, long ref) {
    MessageBodyView body = new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length);
    if (binary.length > 0) {
      body.binary(new UnsafeBuffer(binary), 0, binary.length);
    }
    return injectAndRun(flowId, nodeId, body.ref(ref));
  }

  /**
   * As {@link #injectAndRun(String, String, byte[], byte[], long)} with the execution's first
   * message as {@code body}: its JSON, binary payload, ref and field index (a writer that knows
   * where its top-level members lie saves the first Change node a scan). Copied before this
   * returns.
   */
  public InjectResult injectAndRun(String flowId, String nodeId, MessageBody body) {
    return trigger(flowId, nodeId, body, null, mayRunInline());
  }

  /** Whether the calling thread may run an execution inline: not an engine thread, not manual. */
  boolean mayRunInline() {
    return !config.manual() && !onWorkerThread();
  }

  private boolean onWorkerThread() {
    for (WorkerAgent worker : workers) {
      if (worker.isCurrentThread()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts a traced execution at a node of a running flow: every node it reaches reports its timing
   * and input sample to the listeners, whatever the trace interval. For messages a person injects
   * to watch them (the editor's INJECT). Thread-safe.
   */
  public Injection injectTraced(String flowId, String nodeId, byte[] json) {
    FlowRuntime runtime = flows.get(flowId);
    if (runtime == null) {
      return new Injection.Refused(InjectResult.NOT_RUNNING);
    }
    int index = runtime.plan.indexOf(nodeId);
    if (index < 0) {
      return new Injection.Refused(InjectResult.UNKNOWN_NODE);
    }
    return runtime.triggerTraced(
        index, new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length));
  }

  /** What {@link #injectTraced} did: the execution started, or why it was refused. */
  public sealed interface Injection {
    /** The execution started with this id. */
    record Started(long executionId) implements Injection {}

    /** No execution started; {@code reason} says why (never {@code ACCEPTED}). */
    record Refused(InjectResult reason) implements Injection {
      public Refused {
        if (reason == InjectResult.ACCEPTED) {
          throw new IllegalArgumentException("an accepted injection is Started, not Refused");
        }
      }
    }
  }

  /** Starts an execution at node {@code nodeId} of flow {@code flowId}, if deployed (links). */
  InjectResult triggerIn(String flowId, String nodeId, MessageBody body, MessageFlyweight record) {
    FlowRuntime runtime = flows.get(flowId);
    int index = runtime == null ? -1 : runtime.plan.indexOf(nodeId);
    return index < 0 ? InjectResult.UNKNOWN_NODE : runtime.trigger(index, body, record);
  }

  /**
   * Starts an execution at node {@code nodeId} of whichever running flow has it (Link Out to Link
   * In, possibly across flows). A lookup over the deployed flows: cheap for the tens of flows a
   * server runs.
   */
  InjectResult triggerAt(String nodeId, MessageBody body, MessageFlyweight record) {
    InjectResult result = InjectResult.UNKNOWN_NODE;
    for (FlowRuntime runtime : flows.values()) {
      int index = runtime.plan.indexOf(nodeId);
      if (index >= 0) {
        result = runtime.trigger(index, body, record);
        if (result != InjectResult.NOT_RUNNING) {
          return result;
        }
      }
    }
    return result;
  }

  /** The plan of a deployed flow (immutable: nodes, config, wiring), or null. */
  public ExecutionPlan plan(String flowId) {
    FlowRuntime runtime = flows.get(flowId);
    return runtime == null ? null : runtime.plan;
  }

  /**
   * A reusable trigger for one node: the allocation-free form of {@link #inject}, for load
   * generators and trigger nodes that fire often.
   *
   * @return null when the flow is not running or has no such node
   */
  public Trigger trigger(String flowId, String nodeId) {
    FlowRuntime runtime = flows.get(flowId);
    int index = runtime == null ? -1 : runtime.plan.indexOf(nodeId);
    return index < 0 ? null : new Trigger(this, runtime, index);
  }

  /**
   * Starts executions at one node from a thread outside the engine (a load generator, a consumer of
   * an outside queue); see {@link Engine#trigger(String, String)}. Not thread-safe: it owns the
   * views it writes through, so each producing thread takes its own.
   *
   * <p>When the planner cut the node's light run in two for its callers ({@link
   * dev.z8run.core.plan.ExecutionPlan.PlannedNode#callerHead}: a long light run fed by a trigger),
   * an execution runs on the calling thread when it can, as {@link Engine#injectAndRun} runs a
   * request's: the head's worker is free and nothing waits in the node's inbox (earlier messages go
   * first), no Function node is in the head, and the caller is not an engine thread (a worker must
   * not run another worker's nodes) nor is the engine manual. The caller then runs the head and
   * hands the message to the tail's inbox, whose worker runs the rest: two threads on one chain.
   * Otherwise, and for every other node, the execution is queued. Results are those of a queued
   * trigger ({@code BACK_PRESSURED} when the execution table is full).
   */
  public static final class Trigger {
    private final Engine engine;
    private final FlowRuntime runtime;
    private final int nodeIndex;
    private final MessageBodyView body = new MessageBodyView();
    private final MessageFlyweight record = new MessageFlyweight();

    /** Whether the planner gave this node's callers the head of its run (see above). */
    private final boolean callerHead;

    private Trigger(Engine engine, FlowRuntime runtime, int nodeIndex) {
      this.engine = engine;
      this.runtime = runtime;
      this.nodeIndex = nodeIndex;
      this.callerHead = runtime.plan.nodes().get(nodeIndex).callerHead();
    }

    /** Starts an execution with {@code length} bytes of JSON at {@code offset}. */
    public InjectResult tryInject(DirectBuffer json, int offset, int length) {
      return tryInject(body.json(json, offset, length));
    }

    /** Starts an execution with {@code body}: JSON, a binary payload beside it, a ref. */
    public InjectResult tryInject(MessageBody body) {
      return callerHead && engine.mayRunInline()
          ? runtime.triggerInline(nodeIndex, body, record)
          : runtime.trigger(nodeIndex, body, record);
    }
  }

  /**
   * A live reader of one node counter ({@link NodeCounters}), cheap enough to poll in a loop.
   *
   * @return null when the flow is not running or has no such node
   */
  public CounterReader counter(String flowId, String nodeId, int counter) {
    FlowRuntime runtime = flows.get(flowId);
    int index = runtime == null ? -1 : runtime.plan.indexOf(nodeId);
    return index < 0 ? null : new CounterReader(runtime.counters, index, counter);
  }

  /** Reads one counter of one node. */
  public static final class CounterReader {
    private final NodeCounters counters;
    private final int node;
    private final int counter;

    CounterReader(NodeCounters counters, int node, int counter) {
      this.counters = counters;
      this.node = node;
      this.counter = counter;
    }

    public long get() {
      return counters.get(node, counter);
    }
  }

  /** Whether a flow with this id is deployed and running. */
  public boolean isRunning(String flowId) {
    FlowRuntime runtime = flows.get(flowId);
    return runtime != null && runtime.state() == FlowState.RUNNING;
  }

  /** Ids of the deployed flows. */
  public List<String> flowIds() {
    return List.copyOf(flows.keySet());
  }

  /**
   * The processing-time histograms of a deployed flow, or null; node {@code i} of the histograms is
   * entry {@code i} of {@link #metrics}' node list. A new deploy of the flow makes a new object.
   */
  public LatencyHistograms latencies(String flowId) {
    FlowRuntime runtime = flows.get(flowId);
    return runtime == null ? null : runtime.latencies;
  }

  /** A snapshot of a deployed flow's counters, or null. */
  public FlowMetrics metrics(String flowId) {
    FlowRuntime runtime = flows.get(flowId);
    if (runtime == null) {
      return null;
    }
    List<NodeMetrics> nodes = new ArrayList<>();
    NodeCounters c = runtime.counters;
    for (PlannedNode planned : runtime.plan.nodes()) {
      int i = planned.index();
      nodes.add(
          new NodeMetrics(
              planned.node().id(),
              planned.type().name(),
              planned.worker(),
              c.get(i, NodeCounters.MESSAGES_IN),
              c.get(i, NodeCounters.MESSAGES_OUT),
              c.get(i, NodeCounters.ERRORS),
              c.get(i, NodeCounters.DROPS),
              c.get(i, NodeCounters.BUSY_NS),
              c.get(i, NodeCounters.BLOCKED),
              runtime.instance(i).inbox.size()));
    }
    return new FlowMetrics(
        flowId,
        runtime.state(),
        runtime.started(),
        runtime.completed(),
        runtime.failed(),
        runtime.rejected(),
        runtime.inlineQueued(),
        (int) (runtime.started() - runtime.completed() - runtime.failed()),
        List.copyOf(nodes));
  }

  /** Runs one duty cycle of every worker; only in manual mode (tests). Returns the work done. */
  public int doWork() {
    if (!config.manual()) {
      throw new IllegalStateException("doWork() is for engines built withManualWorkers()");
    }
    int work = 0;
    for (WorkerAgent worker : workers) {
      work += worker.doWork();
    }
    return work;
  }

  /** Delivers pending events to listeners on the calling thread; only in manual mode (tests). */
  public int pollEvents() {
    if (!config.manual()) {
      throw new IllegalStateException("pollEvents() is for engines built withManualWorkers()");
    }
    return dispatcher.poll();
  }

  /**
   * Whether the engine has nothing to do until a timer fires or a message comes in: no blocking
   * node has a call in flight, and no worker is in a duty cycle or has a message waiting. A hint
   * read from another thread (a worker spinning idle is in a cycle for an instant): a test that
   * steps a {@link dev.z8run.core.timer.ManualClock} waits until it holds before it moves time on,
   * so that what one timer started is done before the next fires.
   */
  public boolean idle() {
    for (FlowRuntime runtime : flows.values()) {
      NodeInstance[] instances = runtime.instances();
      if (instances == null) {
        continue;
      }
      for (NodeInstance instance : instances) {
        if (instance instanceof BlockingDispatch blocking && blocking.inFlight() > 0) {
          return false;
        }
      }
    }
    for (WorkerAgent worker : workers) {
      if (worker.busy()) {
        return false;
      }
    }
    return true;
  }

  /** Stops every flow (no drain) and the engine's threads. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (FlowRuntime runtime : List.copyOf(flows.values())) {
      stop(runtime, 0);
    }
    for (AgentRunner runner : runners) {
      if (runner != null) {
        runner.close();
      }
    }
    dispatcher.close();
    if (eventThread != null) {
      try {
        eventThread.join(2_000);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    virtualThreads.shutdownNow();
    ComputeThreads compute = computeThreads;
    if (compute != null) {
      compute.shutdownNow();
    }
    timers.close();
    blocks.close();
  }

  /** The off-heap blocks of the bodies that travel by reference (for metrics and tests). */
  public BodyBlocks bodyBlocks() {
    return blocks;
  }
}
