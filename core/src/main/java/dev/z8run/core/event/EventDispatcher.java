package dev.z8run.core.event;

import static dev.z8run.core.event.EventDescriptor.*;

import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.io.message.LazyZeroedMemory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;

/**
 * Reads the event ring on the engine's event thread and calls the listeners with ids resolved from
 * the flow handle and node index. A listener that throws is skipped for that event.
 */
public final class EventDispatcher implements MessageHandler {
  private static final int BATCH = 1024;

  private final EngineEvents events;
  private final List<EngineListener> listeners;
  private final Map<Integer, String[]> names = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private final UnsafeBuffer broadcastBuffer;
  private final BroadcastTransmitter broadcast;

  /**
   * @param listeners the listeners called on the event thread; the caller may add to it later
   * @param broadcastBytes capacity of the broadcast buffer subscriptions read (rounded up to a
   *     power of two)
   */
  public EventDispatcher(EngineEvents events, List<EngineListener> listeners, int broadcastBytes) {
    this.events = events;
    this.listeners = listeners;
    int capacity = BitUtil.findNextPositivePowerOfTwo(broadcastBytes);
    this.broadcastBuffer =
        LazyZeroedMemory.allocate(capacity + BroadcastBufferDescriptor.TRAILER_LENGTH, 64);
    this.broadcast = new BroadcastTransmitter(broadcastBuffer);
  }

  /**
   * A new reader of the event broadcast, starting at the newest event (see {@link
   * EventSubscription}).
   */
  public EventSubscription subscribe() {
    return new EventSubscription(new BroadcastReceiver(broadcastBuffer), this);
  }

  /** Remembers a flow's id and node ids (index + 1) under its handle. */
  public void register(int handle, ExecutionPlan plan) {
    String[] ids = new String[plan.nodes().size() + 1];
    ids[0] = plan.flow().id();
    for (ExecutionPlan.PlannedNode node : plan.nodes()) {
      ids[node.index() + 1] = node.node().id();
    }
    names.put(handle, ids);
  }

  /**
   * The event thread's shortest park when the ring is empty, doubling up to {@link #MAX_PARK_NS}.
   * Events are for watchers (the editor's sockets, the execution recorder, listeners), for whom a
   * millisecond is nothing; yields and microsecond parks after each burst (a traced execution every
   * 10 ms per flow) woke the thread about 1,400 times a second and cost ~15 ms of CPU a second
   * under load (scenario c), more than the events themselves.
   */
  static final long MIN_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The event thread's longest park: the most an event waits for delivery on an idle engine. */
  static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);

  /** The event thread's loop: polls until {@link #close()}, then drains what is left. */
  public void run() {
    IdleStrategy idle = new BackoffIdleStrategy(10, 0, MIN_PARK_NS, MAX_PARK_NS);
    while (running) {
      idle.idle(poll());
    }
    poll();
  }

  /** Delivers the pending events on the calling thread; returns how many. */
  public int poll() {
    return events.ring().read(this, BATCH);
  }

  /** Ends {@link #run()} after its next poll. */
  public void close() {
    running = false;
  }

  @Override
  public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
    broadcast.transmit(type, buffer, index, length);
    deliver(type, buffer, index, length, listeners, null);
  }

  /**
   * Hands one event record to {@code handler} with its ids resolved and its text left as bytes,
   * through {@code event} (filled again for each event).
   *
   * @return whether the event belonged to a known flow and was handed over
   */
  boolean deliverRaw(
      int type,
      org.agrona.DirectBuffer buffer,
      int index,
      int length,
      EngineEvent event,
      EngineEventHandler handler) {
    String[] ids = names.get(buffer.getInt(index + FLOW_HANDLE_OFFSET));
    if (ids == null) {
      return false;
    }
    int node = buffer.getInt(index + NODE_INDEX_OFFSET);
    String nodeId = node >= 0 && node + 1 < ids.length ? ids[node + 1] : null;
    handler.onEvent(
        event.set(
            type,
            ids[0],
            nodeId,
            buffer.getLong(index + EXECUTION_ID_OFFSET),
            buffer.getLong(index + VALUE_OFFSET),
            buffer,
            index + TEXT_OFFSET,
            Math.max(0, length - TEXT_OFFSET)));
    return true;
  }

  /** Whether the flow behind {@code handle} is one {@code flows} accepts. */
  boolean accepts(int handle, java.util.function.Predicate<String> flows) {
    String[] ids = names.get(handle);
    return ids != null && flows.test(ids[0]);
  }

  /**
   * Decodes one event record and hands it to {@code targets}; used by subscriptions too.
   *
   * @param flows when not null, only events of flows it accepts are decoded and delivered
   * @return whether the event was delivered
   */
  boolean deliver(
      int type,
      org.agrona.DirectBuffer buffer,
      int index,
      int length,
      Iterable<? extends EngineListener> targets,
      java.util.function.Predicate<String> flows) {
    String[] ids = names.get(buffer.getInt(index + FLOW_HANDLE_OFFSET));
    if (ids == null) {
      return false;
    }
    String flowId = ids[0];
    if (flows != null && !flows.test(flowId)) {
      return false;
    }
    int node = buffer.getInt(index + NODE_INDEX_OFFSET);
    String nodeId = node >= 0 && node + 1 < ids.length ? ids[node + 1] : null;
    long executionId = buffer.getLong(index + EXECUTION_ID_OFFSET);
    long value = buffer.getLong(index + VALUE_OFFSET);
    String text =
        length > TEXT_OFFSET
            ? buffer.getStringWithoutLengthUtf8(index + TEXT_OFFSET, length - TEXT_OFFSET)
            : "";
    for (EngineListener listener : targets) {
      try {
        dispatch(listener, type, flowId, nodeId, executionId, value, text);
      } catch (RuntimeException failure) {
        System.getLogger("z8run.engine")
            .log(System.Logger.Level.WARNING, "event listener failed", failure);
      }
    }
    return true;
  }

  private static void dispatch(
      EngineListener listener,
      int type,
      String flowId,
      String nodeId,
      long executionId,
      long value,
      String text) {
    switch (type) {
      case EXECUTION_STARTED -> listener.onExecutionStarted(flowId, executionId, nodeId);
      case NODE_COMPLETED -> listener.onNodeCompleted(flowId, executionId, nodeId, value, text);
      case EXECUTION_COMPLETED -> listener.onExecutionCompleted(flowId, executionId, value);
      case EXECUTION_FAILED -> listener.onExecutionFailed(flowId, executionId, nodeId, value);
      case NODE_ERROR -> listener.onNodeError(flowId, nodeId, executionId, text);
      case NODE_STATUS -> listener.onNodeStatus(flowId, nodeId, text);
      case NODE_WARN -> listener.onNodeWarn(flowId, nodeId, text);
      case NODE_DEBUG -> listener.onNodeDebug(flowId, nodeId, executionId, text, value);
      case NODE_DEBUG_SKIPPED -> listener.onDebugSkipped(flowId, nodeId, value);
      default -> {}
    }
  }
}
