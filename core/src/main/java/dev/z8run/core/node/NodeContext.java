package dev.z8run.core.node;

import dev.z8run.io.message.MessageBody;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * What a node instance may know and do outside its message callback: its identity and config, the
 * engine's clocks, status and log reporting, and starting executions (for trigger nodes).
 * Thread-safe.
 */
public interface NodeContext {
  String flowId();

  String nodeId();

  /** The node's index in its flow's execution plan. */
  int index();

  String name();

  /** The node's config with the schema's defaults filled in for absent fields. */
  Map<String, Object> config();

  /** Number of output ports this node has with its config. */
  int outputCount();

  EpochClock epochClock();

  NanoClock nanoClock();

  /** Publishes the node's status (shown as a badge in the editor). */
  void status(String text);

  /**
   * Publishes a preview of a message to the editor's debug stream without allocating: at most
   * {@code maxBytes} of the {@code length} bytes at {@code offset} are copied into the event.
   */
  void debug(long executionId, DirectBuffer json, int offset, int length, int maxBytes);

  /** Reports a warning from this node. */
  void warn(String message);

  /** Reports an error from this node, outside any execution. */
  void error(String message, Throwable cause);

  /**
   * Starts a new execution at this node: the message is delivered to this node's own inbox, as if
   * it had arrived on input port 0.
   *
   * @param json the message's JSON body
   * @return false under back-pressure (the node's inbox or its flow's execution table is full) or
   *     when the flow is not running; the trigger should slow down or refuse its client
   */
  boolean tryTrigger(byte[] json);

  /**
   * As {@link #tryTrigger(byte[])}, and when the path allows it the execution runs on the calling
   * thread before this returns (the node's worker idle or between cycles, nothing waiting in its
   * inbox, no script node on the chain): for a trigger that receives on a thread of its own (a
   * client's reader) and would otherwise hand every message to the worker and wake it. The chain
   * runs exactly as on the worker; what leaves it is queued as usual. The caller's thread must not
   * be one that blocking work would starve. Else, and in contexts without inline runs, it queues
   * like {@link #tryTrigger(byte[])}.
   */
  default boolean tryTriggerInline(byte[] json, int offset, int length) {
    return tryTrigger(
        offset == 0 && length == json.length
            ? json
            : java.util.Arrays.copyOfRange(json, offset, offset + length));
  }

  /** The store shared by the nodes of this flow (Node-RED's {@code flow}); new on every deploy. */
  ContextStore flowContext();

  /**
   * The store shared by every node of the engine (Node-RED's {@code global}), or by every node of
   * the flow owner's flows when the engine has a {@link GlobalContexts} service; kept across
   * deploys.
   */
  ContextStore globalContext();

  /**
   * Starts an execution at node {@code nodeId} of any deployed flow (this one included), as if the
   * message had arrived at its input port 0: how Link Out reaches Link In across flows. Thread-safe
   * and non-blocking.
   *
   * @param body the new execution's JSON, binary payload and the out-of-band {@code ref} its
   *     messages carry (see {@link Replies}); a node passing its input on gives the input itself
   * @return {@code ACCEPTED}; {@code UNKNOWN_NODE} when no running flow has that node; {@code
   *     BACK_PRESSURED}, {@code NO_MEMORY}, {@code TOO_LARGE}, {@code NOT_RUNNING} as for the
   *     engine's inject command
   */
  InjectResult triggerAt(String nodeId, MessageBody body);

  /**
   * As {@link #triggerAt(String, MessageBody)}, at node {@code nodeId} of flow {@code flowId} only:
   * for links, whose targets are resolved per flow and owner (node ids are unique within a flow,
   * not across flows: two users may import the same export).
   *
   * @return as {@link #triggerAt(String, MessageBody)}; {@code UNKNOWN_NODE} when that flow is not
   *     deployed or has no such node
   */
  InjectResult triggerAt(String flowId, String nodeId, MessageBody body);

  /**
   * Runs {@code task} once after {@code delayMs} on the engine's timer thread, if this node's flow
   * is still running then. Tasks must be short and must not block (they typically call {@link
   * #tryTrigger}); a task that throws becomes an error event on this node. Every task of a flow is
   * cancelled when the flow stops. Thread-safe.
   */
  Cancellable schedule(Runnable task, long delayMs);

  /**
   * Subscribes this node to {@code what} happens to the nodes {@code sourceIds} of its flow (all
   * other nodes when empty): each event arrives in this node's inbox as a new execution (see {@link
   * Observed}). Ids that are not in the flow are reported as a warning. Only while the node is
   * being built (from its factory); a flow without observers pays nothing for the feature.
   */
  void observe(Observed what, Collection<String> sourceIds);

  /**
   * A service the host installed for nodes (for example {@link Replies}), or null when there is
   * none of that type.
   */
  <T> T service(Class<T> type);

  /**
   * The engine's shared instance of {@code type}: the one the host installed, else the one {@code
   * ifAbsent} created for the first node that asked, which every node of the engine shares from
   * then on (a model loaded once, a connection pool, a registry of pending calls). Thread-safe;
   * {@code ifAbsent} runs at most once per engine and type, and must not block for long.
   */
  default <T> T service(Class<T> type, Supplier<? extends T> ifAbsent) {
    T installed = service(type);
    return installed != null ? installed : ifAbsent.get();
  }

  /**
   * Lets this node's worker go on with its other nodes while the current call runs long (a Function
   * node's script past its time budget on the worker): a new thread takes over the worker's duty
   * cycle, the calling thread finishes the call, and this node's inbox waits until it has (its
   * messages stay in order, back-pressure reaches upstream as usual). After it returns true the
   * call may block or sleep without holding anyone else up. Call only from inside {@link
   * Node#onMessage} or {@link Node#onDeferred}, on the thread that runs it.
   *
   * @return whether the call now runs off the worker; false when it already did, for a blocking
   *     node (already off the workers), outside a call, or in an engine driven by hand
   */
  default boolean releaseWorker() {
    return false;
  }

  /**
   * Lets at most {@code maxInFlight} messages of this node run at once, below the engine's limit
   * for blocking nodes (which also caps it); past that the node's inbox is left alone, so
   * back-pressure reaches upstream. Only for {@linkplain
   * dev.z8run.core.registry.NodeType#blocking() blocking} nodes, and only while the node is being
   * built (from its factory): an AI node whose provider should see at most four requests of it at a
   * time calls {@code limitConcurrency(4)}. Ignored for non-blocking nodes.
   *
   * @throws IllegalArgumentException if {@code maxInFlight < 1}
   */
  default void limitConcurrency(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
  }

  /**
   * Declares that this node's calls work the CPU (a plugin's code, a model run in process) rather
   * than wait on I/O: they then run on the engine's compute threads, platform threads the operating
   * system time-slices, instead of virtual threads. A virtual thread that computes keeps its
   * carrier until it returns, and the carriers (one per core) serve every web request and every I/O
   * node of every user: a few calls computing for seconds would stall all of them. Only for
   * {@linkplain dev.z8run.core.registry.NodeType#blocking() blocking} nodes, and only while the
   * node is being built (from its factory). Ignored for non-blocking nodes.
   */
  default void declareComputeBound() {}

  /**
   * Declares that this node runs what the flow's author wrote (a regular expression, a JSONata
   * expression, a script), whose time per message is the author's to choose up to the node's limit.
   * An execution that reaches it then never runs on the thread of the web request that started it
   * (HTTP In's inline run, which holds the node's worker until the chain ends), but on the worker,
   * which a long call can let go of ({@link #releaseWorker}). Only from the factory.
   */
  default void declareAuthorTimed() {}

  /**
   * The environment variables flows may read: the {@link NodeEnvironment} service the host
   * installed, or {@link NodeEnvironment#EMPTY}.
   */
  default NodeEnvironment environment() {
    NodeEnvironment environment = service(NodeEnvironment.class);
    return environment == null ? NodeEnvironment.EMPTY : environment;
  }

  /** Convenience: a config value as a String, or {@code fallback}. */
  default String configString(String key, String fallback) {
    Object value = config().get(key);
    return value == null ? fallback : value.toString();
  }

  /** Convenience: a config value as a long, or {@code fallback}. */
  default long configLong(String key, long fallback) {
    Object value = config().get(key);
    return value instanceof Number number ? number.longValue() : fallback;
  }

  /** Convenience: a config value as a boolean, or {@code fallback}. */
  default boolean configBoolean(String key, boolean fallback) {
    Object value = config().get(key);
    return value instanceof Boolean bool ? bool : fallback;
  }
}
