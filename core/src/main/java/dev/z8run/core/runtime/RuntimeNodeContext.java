package dev.z8run.core.runtime;

import dev.z8run.core.event.EventDescriptor;
import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.GlobalContexts;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Observed;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/** The engine's {@link NodeContext}: a node's identity plus its link to its flow runtime. */
final class RuntimeNodeContext implements NodeContext {
  private final Engine engine;
  private final FlowRuntime flow;
  private final PlannedNode planned;
  private final Map<String, Object> config;
  private final EpochClock epochClock;
  private final Map<Class<?>, Object> services;
  private final ContextStore globalContext;
  private int concurrencyLimit = Integer.MAX_VALUE;
  private boolean computeBound;
  private boolean authorTimed;

  RuntimeNodeContext(
      Engine engine,
      FlowRuntime flow,
      PlannedNode planned,
      EpochClock epochClock,
      Map<Class<?>, Object> services,
      ContextStore globalContext) {
    this.engine = engine;
    this.flow = flow;
    this.planned = planned;
    this.config = Collections.unmodifiableMap(planned.config());
    this.epochClock = epochClock;
    this.services = services;
    // a server with several users scopes the global store to the flow's owner
    GlobalContexts scoped = (GlobalContexts) services.get(GlobalContexts.class);
    ContextStore owners = scoped == null ? null : scoped.of(flow.flowId);
    this.globalContext = owners == null ? globalContext : owners;
  }

  @Override
  public boolean releaseWorker() {
    if (engine.config().manual()) {
      return false; // one thread drives every worker: nobody to hand the cycle to
    }
    NodeInstance[] instances = flow.instances();
    NodeInstance instance = instances == null ? null : instances[planned.index()];
    if (instance == null || instance instanceof BlockingDispatch || instance.worker == null) {
      return false;
    }
    return instance.worker.detach(instance);
  }

  @Override
  public ContextStore flowContext() {
    return flow.context;
  }

  @Override
  public ContextStore globalContext() {
    return globalContext;
  }

  @Override
  public <T> T service(Class<T> type) {
    return type.cast(services.get(type));
  }

  @Override
  public <T> T service(Class<T> type, Supplier<? extends T> ifAbsent) {
    return type.cast(services.computeIfAbsent(type, absent -> type.cast(ifAbsent.get())));
  }

  @Override
  public void limitConcurrency(int maxInFlight) {
    NodeContext.super.limitConcurrency(maxInFlight);
    concurrencyLimit = maxInFlight;
  }

  /**
   * The limit the node asked for with {@link #limitConcurrency}, else {@code Integer.MAX_VALUE}.
   */
  int concurrencyLimit() {
    return concurrencyLimit;
  }

  @Override
  public void declareComputeBound() {
    computeBound = true;
  }

  /** Whether the node asked for the compute threads ({@link #declareComputeBound}). */
  boolean computeBound() {
    return computeBound;
  }

  @Override
  public void declareAuthorTimed() {
    authorTimed = true;
  }

  /** Whether the node runs what the author wrote ({@link #declareAuthorTimed}). */
  boolean authorTimed() {
    return authorTimed;
  }

  @Override
  public String flowId() {
    return flow.flowId;
  }

  @Override
  public String nodeId() {
    return planned.node().id();
  }

  @Override
  public int index() {
    return planned.index();
  }

  @Override
  public String name() {
    return planned.node().name();
  }

  @Override
  public Map<String, Object> config() {
    return config;
  }

  @Override
  public int outputCount() {
    return planned.outputCount();
  }

  @Override
  public EpochClock epochClock() {
    return epochClock;
  }

  @Override
  public NanoClock nanoClock() {
    return flow.nanoClock;
  }

  @Override
  public void status(String text) {
    flow.nodeText(EventDescriptor.NODE_STATUS, planned.index(), text);
    flow.observers.onStatus(planned.index(), text);
  }

  @Override
  public void debug(long executionId, DirectBuffer json, int offset, int length, int maxBytes) {
    flow.debug(planned.index(), executionId, json, offset, length, maxBytes);
  }

  @Override
  public void warn(String message) {
    flow.nodeText(EventDescriptor.NODE_WARN, planned.index(), message);
  }

  @Override
  public void error(String message, Throwable cause) {
    String text = cause == null ? message : message + ": " + cause;
    flow.nodeText(EventDescriptor.NODE_ERROR, planned.index(), text);
  }

  @Override
  public boolean tryTrigger(byte[] json) {
    return flow.trigger(
            planned.index(),
            new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length),
            new MessageFlyweight())
        == InjectResult.ACCEPTED;
  }

  @Override
  public boolean tryTriggerInline(byte[] json, int offset, int length) {
    MessageBodyView body = new MessageBodyView().json(new UnsafeBuffer(json), offset, length);
    MessageFlyweight record = new MessageFlyweight();
    InjectResult result =
        engine.mayRunInline()
            ? flow.triggerInline(planned.index(), body, record)
            : flow.trigger(planned.index(), body, record);
    return result == InjectResult.ACCEPTED;
  }

  @Override
  public InjectResult triggerAt(String nodeId, MessageBody body) {
    return engine.triggerAt(nodeId, body, new MessageFlyweight());
  }

  @Override
  public InjectResult triggerAt(String flowId, String nodeId, MessageBody body) {
    return engine.triggerIn(flowId, nodeId, body, new MessageFlyweight());
  }

  @Override
  public Cancellable schedule(Runnable task, long delayMs) {
    return flow.timers.schedule(flow, () -> runTask(task), delayMs);
  }

  private void runTask(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException failure) {
      error("scheduled task failed", failure);
    }
  }

  @Override
  public void observe(Observed what, Collection<String> sourceIds) {
    if (flow.state() != FlowState.STARTING) {
      throw new IllegalStateException("observe() is only allowed while the node is being built");
    }
    List<String> unknown = flow.observers.add(what, planned.index(), sourceIds);
    if (!unknown.isEmpty()) {
      warn("observes nodes that are not in this flow: " + String.join(", ", unknown));
    }
  }
}
