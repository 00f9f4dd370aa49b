package dev.z8run.core.runtime;

import dev.z8run.core.event.EventDescriptor;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Observed;
import dev.z8run.core.node.ScriptFailure;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The nodes of one flow that observe the others ({@link Observed}: Catch, Status, Complete) and the
 * routing of observed events into their inboxes, each as a new execution that carries the observed
 * message's binary payload and {@code ref}.
 *
 * <p>Off the hot path: errors and statuses are rare and already allocate; a completion is routed
 * only from nodes someone observes ({@link NodeInstance#completeObserved}), so a flow without
 * observers pays one predictable branch per message.
 *
 * <p>Loops are cut: an observer never receives its own events, nor the errors and completions of an
 * execution it started itself. An event that finds the observer's inbox full is dropped and
 * reported as a warning on the observer. Registration happens at deploy (single-threaded); routing
 * is thread-safe.
 */
final class FlowObservers {
  private final FlowRuntime flow;
  private final List<Observer> errors = new ArrayList<>();
  private final List<Observer> uncaught = new ArrayList<>();
  private final List<Observer> statuses = new ArrayList<>();
  private final List<Observer> completions = new ArrayList<>();

  /** One observing node and the node indices it watches (null: every other node). */
  private record Observer(int index, BitSet sources) {
    boolean watches(int source) {
      return source != index && (sources == null || sources.get(source));
    }
  }

  FlowObservers(FlowRuntime flow) {
    this.flow = flow;
  }

  /**
   * Registers {@code observer} for {@code what} of {@code sourceIds} (all when empty).
   *
   * @return the ids that are not in the flow
   */
  List<String> add(Observed what, int observer, Collection<String> sourceIds) {
    List<String> unknown = new ArrayList<>();
    BitSet sources = null;
    if (!sourceIds.isEmpty()) {
      sources = new BitSet();
      for (String id : sourceIds) {
        int index = flow.plan.indexOf(id);
        if (index < 0) {
          unknown.add(id);
        } else {
          sources.set(index);
        }
      }
    }
    Observer entry = new Observer(observer, sources);
    switch (what) {
      case ERROR -> errors.add(entry);
      case UNCAUGHT_ERROR -> uncaught.add(entry);
      case STATUS -> statuses.add(entry);
      case COMPLETE -> completions.add(entry);
    }
    return unknown;
  }

  /** Marks the instances whose completions someone observes; call once the instances exist. */
  void apply(NodeInstance[] instances) {
    for (Observer observer : completions) {
      for (NodeInstance instance : instances) {
        instance.completeObserved |= observer.watches(instance.index);
      }
    }
  }

  /**
   * A node threw while handling {@code msg}; {@code message} says why, {@code script} (or null)
   * what a user's script adds: its stack and code.
   */
  void onError(int source, MessageFlyweight msg, String message, ScriptFailure script) {
    if (errors.isEmpty() && uncaught.isEmpty()) {
      return;
    }
    int startedBy = flow.executions.triggerNode(msg.execSlot());
    byte[] json = null;
    boolean caught = false;
    for (Observer observer : errors) {
      if (observer.watches(source)) {
        caught = true;
        if (observer.index != startedBy) {
          json = json == null ? errorBody(source, msg, message, script) : json;
          deliver(observer, json, msg);
        }
      }
    }
    for (int i = 0; !caught && i < uncaught.size(); i++) {
      Observer observer = uncaught.get(i);
      if (observer.watches(source) && observer.index != startedBy) {
        json = json == null ? errorBody(source, msg, message, script) : json;
        deliver(observer, json, msg);
      }
    }
  }

  /**
   * The message with {@code msg.error}, as Node-RED 4's Flow.handleError writes it: {@code
   * {message, source: {id, type, name, count}}}, where {@code count} is 1, or one more than the
   * message's own error's when the same node failed it before (a catch that loops back), then the
   * thrown error's {@code code} and {@code stack} when a script threw one; an error the message
   * already had moves to {@code msg._error}.
   */
  private byte[] errorBody(int source, MessageFlyweight msg, String message, ScriptFailure script) {
    Map<String, Object> body = bodyOf(msg);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    Map<String, Object> from = sourceOf(source);
    long count = 1;
    Object previous = body.get("error");
    if (previous != null) {
      body.put("_error", previous);
      if (previous instanceof Map<?, ?> old
          && old.get("source") instanceof Map<?, ?> oldSource
          && from.get("id").equals(oldSource.get("id"))
          && oldSource.get("count") instanceof Number n) {
        count = n.longValue() + 1;
      }
    }
    from.put("count", count);
    error.put("source", from);
    if (script != null) {
      Object code = script.code();
      if (code instanceof String || code instanceof Number) {
        error.put("code", code);
      }
      String stack = script.scriptStack();
      if (stack != null) {
        error.put("stack", stack);
      }
    }
    body.put("error", error);
    return JsonCodec.write(body);
  }

  /** A node published status {@code text}. */
  void onStatus(int source, String text) {
    if (statuses.isEmpty()) {
      return;
    }
    byte[] json = null;
    for (Observer observer : statuses) {
      if (observer.watches(source)) {
        if (json == null) {
          Map<String, Object> status = new LinkedHashMap<>();
          status.put("text", text);
          status.put("source", sourceOf(source));
          json = JsonCodec.write(Map.of("status", status));
        }
        deliver(observer, json, null);
      }
    }
  }

  /**
   * A node finished handling {@code msg} without throwing: its observers receive the message with
   * {@code msg.complete.source} ({@code id}, {@code type}, {@code name} of that node), as Node-RED
   * 4's Flow.handleComplete sets it. Only observed nodes call this, so rewriting the JSON here
   * costs nothing to flows without a complete node.
   *
   * @param record the calling thread's flyweight for the records of the executions it starts
   */
  void onComplete(int source, MessageFlyweight msg, MessageFlyweight record) {
    int startedBy = flow.executions.triggerNode(msg.execSlot());
    byte[] json = null;
    for (int i = 0; i < completions.size(); i++) {
      Observer observer = completions.get(i);
      if (observer.watches(source) && observer.index != startedBy) {
        json = json == null ? completeBody(source, msg) : json;
        deliver(observer, json, msg, record);
      }
    }
  }

  private byte[] completeBody(int source, MessageFlyweight msg) {
    Map<String, Object> body = bodyOf(msg);
    body.put("complete", Map.of("source", sourceOf(source)));
    return JsonCodec.write(body);
  }

  private void deliver(Observer observer, byte[] json, MessageFlyweight carrier) {
    deliver(observer, json, carrier, new MessageFlyweight());
  }

  private void deliver(
      Observer observer, byte[] json, MessageFlyweight carrier, MessageFlyweight record) {
    MessageBodyView body = new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length);
    if (carrier != null) {
      body.binary(carrier.buffer(), carrier.binaryOffset(), carrier.binaryLength())
          .ref(carrier.ref());
    }
    InjectResult result = flow.trigger(observer.index, body, record);
    if (result != InjectResult.ACCEPTED) {
      refused(observer, result);
    }
  }

  private void refused(Observer observer, InjectResult result) {
    if (result == InjectResult.NOT_RUNNING) {
      return; // the flow is stopping: its triggers are refused, events included
    }
    flow.nodeText(
        EventDescriptor.NODE_WARN,
        observer.index,
        "an observed event was dropped: " + result.name().toLowerCase(Locale.ROOT));
  }

  private Map<String, Object> sourceOf(int index) {
    PlannedNode node = flow.plan.nodes().get(index);
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("id", node.node().id());
    source.put("type", node.type().name());
    source.put("name", node.node().name());
    return source;
  }

  /** The message's JSON as a mutable map; a body that is not an object becomes its payload. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> bodyOf(MessageFlyweight msg) {
    Object parsed;
    try {
      byte[] json = new byte[msg.jsonLength()];
      msg.buffer().getBytes(msg.jsonOffset(), json);
      parsed = json.length == 0 ? Map.of() : JsonCodec.parse(json);
    } catch (RuntimeException unreadable) {
      parsed = null;
    }
    if (parsed instanceof Map<?, ?> map) {
      return new LinkedHashMap<>((Map<String, Object>) map);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("payload", parsed);
    return body;
  }
}
