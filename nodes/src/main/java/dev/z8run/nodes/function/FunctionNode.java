package dev.z8run.nodes.function;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.node.ScriptFailure;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MemoryBudget;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.LinkReturns;
import dev.z8run.nodes.support.LinkTargets;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.SerializableCallable;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.WrappedException;

/**
 * {@code function}: runs a Node-RED function body on each message, in a sandbox ({@link Sandbox}).
 * The body is compiled once, when the flow is deployed, into a function of {@code msg}; it returns
 * a message, an array with one entry per output (an entry may be an array of messages, or null), or
 * null, and may send more with {@code node.send}.
 *
 * <p>A message the function returns as it received it, without looking inside, is forwarded as its
 * original bytes; its {@code msg} changed only by reading, setting and deleting properties by name
 * is written back by patching those members ({@link MessageWriteBack}); any other message is
 * serialized with {@code JSON.stringify} when sent. A binary payload is a {@code Buffer} in the
 * script's {@code msg.payload}; a message whose payload is a Buffer when sent carries it as its
 * binary payload.
 *
 * <p>Timers: {@code setTimeout} and {@code setInterval} set while a message is handled keep that
 * message's execution open; their callbacks run on the node's worker, in that execution, where
 * {@code node.send} sends into it ({@link Output#defer} carries the wait). Timers set by the start
 * code, or messages it sends, start new executions at this node ({@link NodeContext#schedule} and
 * {@link NodeContext#tryTrigger} with a marker only this deployment knows). When the start code
 * returns a Promise, messages wait until it settles, as in Node-RED.
 *
 * <p>Memory: what the script keeps between calls (its globals, closures, timers' callbacks) is
 * measured ({@link RetainedHeap}) once the worker has allocated {@link #MIN_MEASURE_BYTES}, or half
 * of what the script kept, or {@link #MEASURE_BYTES_PER_REFERENCE} per reference the last walk
 * followed, since the last measurement, and held in the flow owner's share ({@link HeldMemory}).
 * Past it, or past {@link #SHARE_BYTES_PER_REFERENCE} bytes of the share per reference, the call is
 * the node's error and the node drops its script and all it kept: every later message is that error
 * until the flow is deployed again. The walk is part of the call: past the worker budget it leaves
 * the worker as the script's own instructions do ({@link Sandbox.Limited#observeWalk}).
 *
 * <p>Threading: a non-blocking node; a call that runs long leaves its worker ({@link
 * NodeContext#releaseWorker}, asked by {@link Sandbox}) and finishes on the same thread, detached
 * from the worker's cycle. Its one Rhino context is entered by the worker for each call (and by the
 * control thread for the start and stop code, never at the same time).
 */
public final class FunctionNode implements Node, NodeApi.Host {
  /** Most outputs a function node may have. */
  public static final int MAX_OUTPUTS = 64;

  /**
   * The most {@code memoryLimitMb} may be: half the launcher's heap ({@code -Xmx512m}), twice the
   * default budget for what every node holds ({@link HeldMemory#defaultBudgetBytes}), so that one
   * call cannot be allowed to take more of the heap than the server has.
   */
  public static final int MAX_MEMORY_LIMIT_MB = 256;

  /** Most timers a function node may have pending. */
  public static final int MAX_TIMERS = 10_000;

  /** How often a message that waits for the start code's Promise looks again. */
  static final long START_POLL_MS = 10;

  private static final int QUEUED = -1;

  /** How often a message waiting on {@code node.linkcall} looks for the return. */
  static final long LINK_CALL_POLL_MS = 2;

  /** How long {@code node.linkcall} waits for the return unless told (Node-RED's default). */
  static final long LINK_CALL_TIMEOUT_MS = 5000;

  /**
   * The least a worker allocates between two measurements of what a script keeps ({@link
   * RetainedHeap}); past what the last one found, half of that, or {@link
   * #MEASURE_BYTES_PER_REFERENCE} per reference it followed (up to half the owner's share), so that
   * a walk's cost stays a fraction of the allocation that made what it walks.
   */
  static final long MIN_MEASURE_BYTES = 4L << 20;

  /**
   * What the worker allocates, per reference the last walk followed, before the next walk is due,
   * up to half the owner's share: a walk costs by its references (some 0.2 µs each), so a script
   * that keeps many small objects is walked less often than its bytes alone would say, and the
   * growth left unmeasured between two walks is still at most half the share.
   */
  static final long MEASURE_BYTES_PER_REFERENCE = 64;

  /**
   * The bytes of its owner's share ({@link HeldMemory.Hold#limitBytes}) per reference a script may
   * keep ({@link RetainedHeap}: each reference to an object, each property's value, each array
   * item): 4 Mi references with a share of 64 MiB, some 400,000 small objects ({@code {a: 1}} takes
   * ten), a walk of about a second of CPU. A script that keeps more is refused as keeping too much,
   * so that one walk's cost is bounded.
   */
  static final long SHARE_BYTES_PER_REFERENCE = 16;

  /** The least number of references a script may keep, however small its owner's share. */
  static final long MIN_MAX_REFERENCES = 65_536;

  /** The end of the error of a call after which the script kept more than its owner may hold. */
  private static final String DROPPED =
      "; message dropped, and the script's state with it: the node refuses every message until"
          + " its flow is deployed again";

  public static final NodeType TYPE =
      NodeType.builder("function")
          .category("function")
          .description("Runs JavaScript on each message, sandboxed.")
          .field(
              ConfigField.optional(
                  "func",
                  FieldType.CODE,
                  null,
                  "The function body: gets msg, returns a message, an array with one entry per"
                      + " output, or null. Required unless code, template or outputValue is given."))
          .field(
              ConfigField.optional(
                  "code", FieldType.CODE, null, "z8run's name for func (the same JavaScript)."))
          .field(
              ConfigField.optional(
                  "template",
                  FieldType.ANY,
                  null,
                  "z8run's template: the new payload, a JSON value whose strings may name payload"
                      + " values in braces ({req.body.name}); runs no code."))
          .field(
              ConfigField.optional(
                  "outputValue",
                  FieldType.ANY,
                  null,
                  "z8run's constant payload, when there is no template; runs no code."))
          .field(
              ConfigField.optional("outputs", FieldType.INTEGER, 1L, "Number of outputs.")
                  .between(0, MAX_OUTPUTS))
          .field(
              ConfigField.optional(
                  "initialize",
                  FieldType.CODE,
                  "",
                  "Code run once when the flow starts (Node-RED's On Start)."))
          .field(
              ConfigField.optional(
                  "finalize",
                  FieldType.CODE,
                  "",
                  "Code run once when the flow stops (Node-RED's On Stop)."))
          .field(
              ConfigField.optional(
                      "timeoutMs",
                      FieldType.INTEGER,
                      1000L,
                      "CPU time one call may use before it is stopped, in milliseconds.")
                  .atLeast(1))
          .field(
              ConfigField.optional(
                  "env",
                  FieldType.OBJECT,
                  null,
                  "Env values env.get finds first (a subflow instance's env properties)."))
          .field(
              ConfigField.optional(
                      "memoryLimitMb",
                      FieldType.INTEGER,
                      64L,
                      "Memory one call may allocate before it is stopped, in MiB.")
                  .between(1, MAX_MEMORY_LIMIT_MB))
          .outputCount(FunctionNode::outputCount)
          .requireOneOf("func", "code", "template", "outputValue")
          .factory(FunctionNode::create)
          .build();

  private final NodeContext context;
  private final String where;

  /** The node's {@code context} store, counted in the flow owner's share ({@link HeldMemory}). */
  private final ContextStore own;

  /** The messages its timers and link calls keep ({@link MessageView#detach}). */
  private final HeldMemory.Hold kept;

  /**
   * What the script keeps between calls, beyond what its scope held when built ({@link
   * RetainedHeap}): its globals, closures, timers' callbacks and arguments, settled when measured.
   */
  private final HeldMemory.Hold retained;

  private long baseBytes;
  private Thread measuredOn;
  private long allocatedAtMeasure;
  private long measureAfterBytes = MIN_MEASURE_BYTES;

  /**
   * Why the node dropped its script (what it kept passed its owner's share): every later message is
   * this error; null while the script runs. The script's objects are let go (the fields below
   * null), so that the heap they took comes back.
   */
  private String dropped;

  private Sandbox.Limited cx;
  private ScriptableObject scope;
  private JsRuntime runtime;
  private Function function;
  private Function finalizer;
  private static final Sandbox.Shared DEFERRED =
      new Sandbox.Shared(
          "(function () { var d = {}; d.promise = new Promise(function (resolve, reject)"
              + " { d.resolve = resolve; d.reject = reject; }); return d; })",
          "deferred");

  private Function newDeferred;
  private Function onResolved;
  private Function onRejected;
  private long nextLinkCall;
  private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
  private final UnsafeBuffer indexScratch = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
  private final MessageWriteBack writeBack = new MessageWriteBack();

  /** Whether the body never keeps msg past the call ({@link MessageEscape}). */
  private final boolean msgStays;

  // when msgStays: the view and argument array every message reuses (null: make one); whether
  // something (a timer, a link call) took the call's view during the call
  private MessageView reusable;
  private final Object[] reusableArgs = new Object[1];
  private boolean viewKept;

  // timers by id; touched by the thread running the script (the worker; the control thread for
  // the start and stop code)
  private final Map<Integer, Timer> timers = new HashMap<>();
  private final byte[] markerPrefix;
  private final List<Runnable> beforeStart = new java.util.ArrayList<>();
  private int nextTimerId = 1;
  private volatile boolean running;
  private boolean starting;
  private String startFailure;

  // the call in progress: set for the duration of onMessage / onDeferred only
  private MessageFlyweight input;
  private Output out;
  private MessageView view;
  private String failure;
  private String failureStack;
  private Object failureCode;

  /**
   * A pending setTimeout / setInterval, or messages the start code sent ({@code sends}). {@code
   * view} is the msg of the call that set it (null outside a call); {@code handle} cancels its
   * wait.
   */
  private static final class Timer {
    final Function callback;
    final Object[] args;
    final long intervalMs;
    final MessageView view;
    final Object sends;
    LinkCallWait linkCall;
    Cancellable handle;

    Timer(Function callback, Object[] args, long intervalMs, MessageView view, Object sends) {
      this.callback = callback;
      this.args = args;
      this.intervalMs = intervalMs;
      this.view = view;
      this.sends = sends;
    }
  }

  /**
   * A {@code node.linkcall} waiting for its return: the Promise's settle functions, the future the
   * Link Out in return mode completes ({@link LinkReturns}), and when it gives up.
   */
  private record LinkCallWait(
      long call,
      CompletableFuture<Map<String, Object>> reply,
      Function resolve,
      Function reject,
      long deadlineNs) {}

  /** JavaScript ({@code func}, or z8run's {@code code}), or z8run's {@link Z8runTemplate}. */
  private static Node create(NodeContext context) {
    Map<String, Object> config = context.config();
    if (config.get("func") != null && config.get("code") != null) {
      throw new IllegalArgumentException(
          "code: give the body in func (Node-RED's name) or in code (z8run's), not both");
    }
    boolean javaScript = config.get("func") != null || config.get("code") != null;
    if (!javaScript && (config.containsKey("template") || config.containsKey("outputValue"))) {
      if (outputCount(config) != 1) {
        throw new IllegalArgumentException(
            "outputs: z8run's template and outputValue send on one output, got "
                + config.get("outputs"));
      }
      return new Z8runTemplate(context);
    }
    return new FunctionNode(context);
  }

  private FunctionNode(NodeContext context) {
    this.context = context;
    this.where = "function '" + context.nodeId() + "'";
    this.markerPrefix =
        ("{\"_z8fn\":\"" + UUID.randomUUID() + "\",\"id\":").getBytes(StandardCharsets.US_ASCII);
    long timeoutMs = context.configLong("timeoutMs", 1000);
    long memoryLimitMb = context.configLong("memoryLimitMb", 64);
    this.own = new ContextStore(HeldMemory.contextMeter(context, "context"));
    this.kept = HeldMemory.hold(context, "function");
    this.retained = HeldMemory.hold(context, "function");
    this.cx =
        Sandbox.FACTORY.newContext(
            timeoutMs * 1_000_000, memoryLimitMb << 20, () -> running && context.releaseWorker());
    Sandbox.FACTORY.enterContext(cx);
    try {
      scope = Sandbox.newScope(cx);
      cx.beginCall();
      runtime = JsRuntime.install(cx, scope, context);
      NodeApi.install(cx, scope, context, own, this);
      installTimers();
      newDeferred = (Function) DEFERRED.exec(cx, scope);
      onResolved =
          new LambdaFunction(
              scope,
              "resolved",
              1,
              (c, s, t, args) -> {
                send(args.length > 0 ? args[0] : Undefined.instance);
                return Undefined.instance;
              });
      onRejected =
          new LambdaFunction(
              scope,
              "rejected",
              1,
              (c, s, t, args) -> {
                Object reason = args.length > 0 ? args[0] : Undefined.instance;
                String text = text(reason);
                if (out != null) {
                  failMessage(text, reason);
                } else {
                  context.error(where + ": " + text, null);
                }
                return Undefined.instance;
              });
      boolean z8run = context.config().get("func") == null && context.config().get("code") != null;
      String body = context.configString(z8run ? "code" : "func", "");
      function = compile(z8run ? "code" : "func", "msg", body);
      msgStays = !AsyncTransform.needed(body) && MessageEscape.staysInCall(cx, body);
      Function initializer = compile("initialize", "", context.configString("initialize", ""));
      finalizer = compile("finalize", "", context.configString("finalize", ""));
      baseBytes = RetainedHeap.bytes(roots());
      if (initializer != null) {
        cx.beginCall();
        try {
          Object started = initializer.call(cx, scope, scope, new Object[0]);
          awaitStart(started);
          cx.processMicrotasks();
        } catch (RuntimeException
            | StackOverflowError
            | OutOfMemoryError
            | Sandbox.LimitExceeded e) {
          throw new IllegalArgumentException("initialize: " + describe(e), e);
        }
        if (startFailure != null) {
          throw new IllegalArgumentException("initialize: " + startFailure);
        }
        if (!holdRetained("; the node is not started")) {
          throw new IllegalArgumentException("initialize: " + dropped);
        }
      }
    } catch (RuntimeException | Error failure) {
      own.release(); // what the start code stored: the node is never started
      retained.giveAll();
      throw failure;
    } finally {
      Context.exit();
    }
  }

  /** When the start code returned a Promise (a thenable), holds messages until it settles. */
  private void awaitStart(Object started) {
    if (!(started instanceof Scriptable promise)
        || !(ScriptableObject.getProperty(promise, "then") instanceof Function then)) {
      return;
    }
    starting = true;
    Function resolved =
        new LambdaFunction(
            scope,
            "resolved",
            1,
            (c, s, t, args) -> {
              starting = false;
              return Undefined.instance;
            });
    Function rejected =
        new LambdaFunction(
            scope,
            "rejected",
            1,
            (c, s, t, args) -> {
              starting = false;
              startFailure = text(args.length > 0 ? args[0] : Undefined.instance);
              context.error(where + ": initialize: " + startFailure, null);
              return Undefined.instance;
            });
    then.call(cx, scope, promise, new Object[] {resolved, rejected});
  }

  private String text(Object value) {
    if (value instanceof Scriptable object && "Error".equals(object.getClassName())) {
      // a runtime error (ReferenceError, TypeError, ...) with its line, as describe() says it
      Object name = ScriptableObject.getProperty(object, "name");
      Object line = ScriptableObject.getProperty(object, "lineNumber");
      if (!"Error".equals(name) && line instanceof Number number && number.intValue() > 0) {
        return name
            + ": "
            + trimPeriod(Context.toString(ScriptableObject.getProperty(object, "message")))
            + " (line "
            + number.intValue()
            + ")";
      }
      return Context.toString(object);
    }
    return value instanceof CharSequence ? value.toString() : JsValues.stringify(cx, scope, value);
  }

  /** Defines setTimeout, setInterval, clearTimeout and clearInterval. */
  private void installTimers() {
    timerFunction("setTimeout", false);
    timerFunction("setInterval", true);
    for (String name : List.of("clearTimeout", "clearInterval")) {
      defineFunction(
          name,
          1,
          (c, s, t, args) -> {
            if (args.length > 0 && args[0] instanceof Number id) {
              clear(id.intValue());
            }
            return Undefined.instance;
          });
    }
  }

  private void timerFunction(String name, boolean repeat) {
    defineFunction(
        name,
        2,
        (c, s, t, args) -> {
          if (args.length == 0 || !(args[0] instanceof Function callback)) {
            throw ScriptRuntime.typeError(name + ": the first argument must be a function");
          }
          double ms = args.length > 1 ? ScriptRuntime.toNumber(args[1]) : 0;
          long delayMs = Double.isNaN(ms) || ms < 1 ? (repeat ? 1 : 0) : (long) ms;
          Object[] extra =
              args.length > 2 ? java.util.Arrays.copyOfRange(args, 2, args.length) : new Object[0];
          viewKept |= view != null;
          return start(new Timer(callback, extra, repeat ? delayMs : 0, view, null), delayMs);
        });
  }

  /** Defines a read-only global function of the script's scope. */
  private void defineFunction(String name, int arity, SerializableCallable body) {
    ScriptableObject.defineProperty(
        scope,
        name,
        new LambdaFunction(scope, name, arity, body),
        ScriptableObject.READONLY | ScriptableObject.PERMANENT);
  }

  /** Registers a timer and starts its wait; its id. */
  private int start(Timer timer, long delayMs) {
    if (timers.size() >= MAX_TIMERS) {
      throw ScriptRuntime.constructError(
          "RangeError", "more than " + MAX_TIMERS + " timers pending in " + where);
    }
    keep(timer);
    int id = nextTimerId++;
    timers.put(id, timer);
    wait(id, timer, delayMs);
    return id;
  }

  /**
   * Takes the heap of the msg {@code timer} keeps past its call, once per msg however many timers
   * keep it, in the owner's share ({@link HeldMemory}).
   *
   * @throws org.mozilla.javascript.EcmaError a RangeError when there is no room: no timer is set
   */
  private void keep(Timer timer) {
    MessageView held = timer.view;
    if (held == null) {
      return;
    }
    if (held.keepers == 0) {
      long bytes = held.keptBytes();
      if (!kept.tryTake(bytes)) {
        throw ScriptRuntime.constructError(
            "RangeError",
            where
                + ": keeping msg for a timer ("
                + MemoryBudget.mib(bytes)
                + " on the heap) would take "
                + kept.past(bytes)
                + "; no timer set");
      }
      held.keptCharge = bytes;
    }
    held.keepers++;
  }

  /** Gives back what {@link #keep} took for {@code timer}, once it no longer waits. */
  private void unkeep(Timer timer) {
    MessageView held = timer.view;
    if (held == null || held.keepers == 0 || dropped != null) {
      return; // (a dropped script gave everything back)
    }
    if (--held.keepers == 0) {
      kept.give(held.keptCharge);
      held.keptCharge = 0;
    }
  }

  /** In a call: defers the call's message; outside: a scheduled marker message to this node. */
  private void wait(int id, Timer timer, long delayMs) {
    if (out != null && input != null) {
      timer.handle = out.defer(input, delayMs, id);
      return;
    }
    Runnable schedule = () -> timer.handle = context.schedule(new Trigger(marker(id)), delayMs);
    if (running) {
      schedule.run();
    } else {
      beforeStart.add(schedule); // the start code's timers begin when the flow runs
    }
  }

  /** Delivers a marker message to this node, retrying while the flow pushes back. */
  private final class Trigger implements Runnable {
    private final byte[] marker;

    Trigger(byte[] marker) {
      this.marker = marker;
    }

    @Override
    public void run() {
      if (!context.tryTrigger(marker)) {
        context.schedule(this, START_POLL_MS);
      }
    }
  }

  @Override
  public void onStart() {
    running = true;
    for (Runnable schedule : beforeStart) {
      schedule.run();
    }
    beforeStart.clear();
  }

  private byte[] marker(int id) {
    byte[] digits = Integer.toString(id).getBytes(StandardCharsets.US_ASCII);
    byte[] marker = java.util.Arrays.copyOf(markerPrefix, markerPrefix.length + digits.length + 1);
    System.arraycopy(digits, 0, marker, markerPrefix.length, digits.length);
    marker[marker.length - 1] = '}';
    return marker;
  }

  /** The id of the timer a marker message fires, or -1 when the message is not a marker. */
  private int markerId(MessageFlyweight msg) {
    int length = msg.jsonLength();
    if (length <= markerPrefix.length + 1 || length > markerPrefix.length + 12) {
      return -1;
    }
    int offset = msg.jsonOffset();
    for (int i = 0; i < markerPrefix.length; i++) {
      if (msg.buffer().getByte(offset + i) != markerPrefix[i]) {
        return -1;
      }
    }
    int id = 0;
    for (int i = markerPrefix.length; i < length - 1; i++) {
      byte b = msg.buffer().getByte(offset + i);
      if (b < '0' || b > '9') {
        return -1;
      }
      id = id * 10 + (b - '0');
    }
    return msg.buffer().getByte(offset + length - 1) == '}' ? id : -1;
  }

  private void clear(int id) {
    Timer timer = timers.remove(id);
    if (timer != null && timer.handle != null) {
      timer.handle.cancel();
    }
    if (timer != null) {
      unkeep(timer);
    }
  }

  private static int outputCount(Map<String, Object> config) {
    Object outputs = config.get("outputs");
    return outputs instanceof Number number ? number.intValue() : 1;
  }

  /** Compiles a body into a function of {@code parameter}; null for an empty body. */
  private Function compile(String field, String parameter, String body) {
    if (body.isBlank()) {
      if (field.equals("func") || field.equals("code")) {
        throw new IllegalArgumentException(
            field
                + ": the function body is empty (give func, or z8run's code, template or"
                + " outputValue)");
      }
      return null;
    }
    // Node-RED runs func and initialize as async functions: await may appear at their top level
    boolean async = !field.equals("finalize") && AsyncTransform.needed(body);
    String source = async ? AsyncTransform.asyncBody(body) : body;
    // Rhino's bytecode compiler emits unverifiable code for some generators (a yield inside a call
    // inside try): the rewritten bodies run interpreted, which counts instructions just the same
    cx.setInterpretedMode(async);
    try {
      // line 0 holds the header, so that the body's first line is line 1 in error messages
      return cx.compileFunction(
          scope, "function (" + parameter + ") {\n" + source + "\n}", where, 0, null);
    } catch (EvaluatorException syntax) {
      throw new IllegalArgumentException(
          field + ": line " + syntax.lineNumber() + ": SyntaxError: " + syntax.details(), syntax);
    } finally {
      cx.setInterpretedMode(false);
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    int id = markerId(msg);
    if (id > 0) {
      fire(id, msg, out);
      return;
    }
    if (dropped != null) {
      throw new FunctionError(dropped, null, null, null);
    }
    if (starting) {
      out.defer(msg, START_POLL_MS, QUEUED); // the start code's Promise has not settled yet
      return;
    }
    DirectBuffer index = msg.indexLength() > 0 ? msg.indexBuffer() : null;
    MessageView view;
    Object[] args;
    if (reusable != null) { // the script never keeps msg: one view and one argument array
      view =
          reusable.reset(
              msg.buffer(), msg.jsonOffset(), msg.jsonLength(), index, msg.indexOffset());
      args = reusableArgs;
    } else {
      view =
          new MessageView(
              scope,
              msg.buffer(),
              msg.jsonOffset(),
              msg.jsonLength(),
              index,
              msg.indexOffset(),
              indexScratch);
      args = new Object[] {view};
      if (msgStays) {
        reusable = view;
        reusableArgs[0] = view;
        args = reusableArgs;
      }
    }
    view.executionId(msg.executionId());
    if (msg.binaryLength() > 0) {
      view.binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength(), runtime);
    }
    call(msg, out, view, function, args);
  }

  /**
   * Ends a call's borrow of the input's bytes: the reused view forgets them, unless something kept
   * it during the call (a timer, a link call) or it was parsed whole, when it is detached like any
   * other and the next message gets a new one.
   */
  private void endView(MessageView view) {
    if (view == reusable && !viewKept && view.release()) {
      return;
    }
    view.detach();
    if (view == reusable) {
      reusable = null;
      reusableArgs[0] = null;
    }
  }

  @Override
  public void onDeferred(MessageFlyweight msg, int tag, Output out) {
    if (tag == QUEUED) {
      onMessage(msg, out);
      return;
    }
    fire(tag, msg, out);
  }

  /** Runs timer {@code id}'s callback in the execution of {@code msg}. */
  private void fire(int id, MessageFlyweight msg, Output out) {
    Timer timer = timers.get(id);
    if (timer == null) {
      return; // cleared while its message waited: nothing to run
    }
    if (timer.linkCall != null) {
      pollLinkCall(id, timer, msg, out);
      return;
    }
    if (timer.intervalMs == 0) {
      timers.remove(id);
    }
    if (timer.sends != null) {
      this.out = out;
      this.input = msg;
      Sandbox.FACTORY.enterContext(cx);
      try {
        route(timer.sends);
      } finally {
        Context.exit();
        this.out = null;
        this.input = null;
      }
      return;
    }
    try {
      call(msg, out, timer.view, timer.callback, timer.args);
    } finally {
      if (timer.intervalMs == 0) {
        unkeep(timer); // after the call: a timer its callback sets keeps the same msg
      }
    }
    if (timer.intervalMs > 0 && timers.get(id) == timer) {
      this.out = out;
      this.input = msg;
      try {
        wait(id, timer, timer.intervalMs);
      } finally {
        this.out = null;
        this.input = null;
      }
    }
  }

  /** Calls {@code target} with the call state set, then runs the microtasks it queued. */
  private void call(
      MessageFlyweight msg, Output out, MessageView view, Function target, Object[] args) {
    this.input = msg;
    this.out = out;
    this.view = view;
    this.failure = null;
    this.failureStack = null;
    this.failureCode = null;
    this.viewKept = false;
    // the context entered (cx, unless one was current on this thread already) is closed: the
    // thread's context is not looked up again on the way out
    Context entered = Sandbox.FACTORY.enterContext(cx);
    boolean keepsTooMuch = false;
    try {
      cx.beginCall();
      Object result = target.call(cx, scope, scope, args);
      keepsTooMuch = measureDue() && !holdRetained(DROPPED);
      if (!keepsTooMuch) { // else the message is dropped, and the script with it (below)
        if (target == function) {
          if (result instanceof Scriptable promise
              && result != view // msg itself is never a thenable: leave it unparsed
              && ScriptableObject.getProperty(promise, "then") instanceof Function then) {
            // an async body (or one returning a Promise): its result is sent when it settles
            then.call(cx, scope, promise, new Object[] {onResolved, onRejected});
          } else {
            route(result);
          }
        }
        cx.processMicrotasks();
      }
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | Sandbox.LimitExceeded e) {
      String text = describe(e);
      throw new FunctionError(text, e, ScriptStack.of(where, e, text), ScriptStack.code(e));
    } finally {
      entered.close();
      if (view != null) {
        endView(view);
      }
      this.input = null;
      this.out = null;
      this.view = null;
    }
    if (keepsTooMuch) {
      dropScript();
      throw new FunctionError(dropped, null, null, null);
    }
    if (failure != null) {
      throw new FunctionError(failure, null, failureStack, failureCode);
    }
  }

  /**
   * Whether the worker allocated enough since the last measurement of what the script keeps for a
   * new one to be due: one read of the thread's allocation counter per call. On another thread than
   * the last measurement's (the first call on the worker, after the start code ran on the control
   * thread; a call that left its worker) it is due at once: the counters of two threads do not
   * compare.
   */
  private boolean measureDue() {
    return Thread.currentThread() != measuredOn
        || Sandbox.allocatedBytes() - allocatedAtMeasure >= measureAfterBytes;
  }

  /**
   * Measures what the script keeps and settles the node's hold on it: takes the growth, gives back
   * a shrink.
   *
   * @return false when the growth would take the owner past their share (or the server past its
   *     budget): {@link #dropped} says so, nothing taken
   */
  private boolean holdRetained(String consequence) {
    long limitBytes = retained.limitBytes();
    long maxReferences = Math.max(MIN_MAX_REFERENCES, limitBytes / SHARE_BYTES_PER_REFERENCE);
    RetainedHeap.Kept found;
    cx.beginWalk();
    try {
      found = RetainedHeap.measure(roots(), maxReferences, cx::observeWalk);
    } finally {
      cx.endWalk();
    }
    measuredOn = Thread.currentThread();
    allocatedAtMeasure = Sandbox.allocatedBytes();
    if (!found.complete()) {
      dropped =
          where
              + ": what its script keeps between messages passes "
              + maxReferences
              + " references (objects, properties and array items), the most a script may keep"
              + " with its owner's share of "
              + MemoryBudget.mib(limitBytes)
              + " (one per "
              + SHARE_BYTES_PER_REFERENCE
              + " bytes)"
              + consequence;
      return false;
    }
    long bytes = Math.max(0, found.bytes() - baseBytes);
    long walkCost = Math.min(found.visits() * MEASURE_BYTES_PER_REFERENCE, limitBytes / 2);
    measureAfterBytes = Math.max(MIN_MEASURE_BYTES, Math.max(bytes / 2, walkCost));
    long growth = bytes - retained.heldBytes();
    if (retained.tryTake(growth)) {
      return true;
    }
    dropped =
        where
            + ": what its script keeps between messages ("
            + MemoryBudget.mib(bytes)
            + " on the heap) would take "
            + retained.past(growth)
            + consequence;
    return false;
  }

  /** Where a walk of what the script keeps begins: its scope and what its timers keep for it. */
  private List<Object> roots() {
    List<Object> roots = new java.util.ArrayList<>(1 + 2 * timers.size());
    roots.add(scope);
    for (Timer timer : timers.values()) {
      roots.add(timer.callback);
      roots.add(timer.args);
      roots.add(timer.sends);
      if (timer.linkCall != null) {
        roots.add(timer.linkCall.resolve());
        roots.add(timer.linkCall.reject());
      }
    }
    return roots;
  }

  /**
   * Lets go of the script and all it kept, once it kept more than its owner may hold: its timers
   * end, its link calls are forgotten, its scope and functions are dropped for the collector, and
   * their bytes are given back. The stop code does not run.
   */
  private void dropScript() {
    cancelTimers();
    kept.giveAll();
    retained.giveAll();
    cx = null;
    scope = null;
    runtime = null;
    function = null;
    finalizer = null;
    newDeferred = null;
    onResolved = null;
    onRejected = null;
    reusable = null;
    reusableArgs[0] = null;
  }

  @Override
  public void send(Object messages) {
    if (out == null) {
      // the start or stop code: sent as a new execution at this node, once the flow runs
      if (timers.size() >= MAX_TIMERS) {
        throw ScriptRuntime.constructError(
            "RangeError", "more than " + MAX_TIMERS + " sends pending in " + where);
      }
      int id = nextTimerId++;
      Timer sends = new Timer(null, null, 0, null, messages);
      timers.put(id, sends);
      wait(id, sends, 0);
      return;
    }
    route(messages);
  }

  /**
   * {@code node.linkcall(target, msg, options)}: calls a Link In (by id, or by name) with a copy of
   * {@code msg} and returns a Promise of the message a Link Out in return mode sends back; it
   * rejects with {@code Error("timeout")} after {@code options.timeout} ms (5000). The calling
   * message's execution stays open while it waits: the wait is a timer of this node, polled on its
   * worker every {@value #LINK_CALL_POLL_MS} ms.
   */
  @Override
  public Object linkcall(Object[] args) {
    if (args.length == 0
        || !(args[0] instanceof CharSequence named)
        || named.toString().isBlank()) {
      throw ScriptRuntime.constructError("Error", "linkcall: target must be a non-empty string");
    }
    if (args.length < 2
        || !(args[1] instanceof Scriptable message)
        || args[1] instanceof Function) {
      throw ScriptRuntime.constructError("Error", "linkcall: msg must be an object");
    }
    long timeoutMs = LINK_CALL_TIMEOUT_MS;
    if (args.length > 2 && args[2] instanceof Scriptable options) {
      Object timeout = ScriptableObject.getProperty(options, "timeout");
      if (timeout instanceof Number number && number.doubleValue() > 0) {
        timeoutMs = number.longValue();
      }
    }
    LinkTargets.Target target;
    try {
      target = LinkTargets.of(context).resolve(context.flowId(), named.toString());
    } catch (IllegalArgumentException notFound) {
      throw ScriptRuntime.constructError("Error", "linkcall: " + notFound.getMessage());
    }
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    if (JsValues.toJava(cx, scope, message) instanceof Map<?, ?> copy) {
      copy.forEach((key, value) -> body.put((String) key, value));
    }
    long call = ++nextLinkCall;
    List<Object> stack =
        body.get("_linkSource") instanceof List<?> list
            ? new java.util.ArrayList<>(list)
            : new java.util.ArrayList<>();
    stack.add(Map.of("id", context.nodeId(), "call", call, "flow", context.flowId()));
    body.put("_linkSource", stack);
    LinkReturns returns = context.service(LinkReturns.class, LinkReturns::new);
    CompletableFuture<Map<String, Object>> reply =
        returns.expect(context.flowId(), context.nodeId(), call);
    Scriptable deferred = (Scriptable) newDeferred.call(cx, scope, scope, new Object[0]);
    viewKept |= view != null;
    Timer timer = new Timer(null, null, 0, view, null);
    timer.linkCall =
        new LinkCallWait(
            call,
            reply,
            (Function) ScriptableObject.getProperty(deferred, "resolve"),
            (Function) ScriptableObject.getProperty(deferred, "reject"),
            context.nanoClock().nanoTime() + timeoutMs * 1_000_000);
    try {
      start(timer, LINK_CALL_POLL_MS);
    } catch (RuntimeException refused) {
      returns.forget(context.flowId(), context.nodeId(), call);
      throw refused;
    }
    byte[] json = JsonCodec.write(body);
    InjectResult result =
        context.triggerAt(
            target.flowId(),
            target.nodeId(),
            new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length));
    if (result != InjectResult.ACCEPTED) {
      returns.forget(context.flowId(), context.nodeId(), call);
      throw ScriptRuntime.constructError(
          "Error", "linkcall: link in '" + target.nodeId() + "' did not take the call: " + result);
    }
    return ScriptableObject.getProperty(deferred, "promise");
  }

  /** Settles a {@code node.linkcall}'s Promise when its return came or its time is up. */
  private void pollLinkCall(int id, Timer timer, MessageFlyweight msg, Output out) {
    LinkCallWait wait = timer.linkCall;
    Map<String, Object> reply = wait.reply().getNow(null);
    if (reply == null && context.nanoClock().nanoTime() < wait.deadlineNs()) {
      this.out = out;
      this.input = msg;
      try {
        wait(id, timer, LINK_CALL_POLL_MS);
      } finally {
        this.out = null;
        this.input = null;
      }
      return;
    }
    timers.remove(id);
    Function settle;
    if (reply != null) {
      reply.remove("_linkReturn");
      settle =
          new LambdaFunction(
              scope,
              "returned",
              0,
              (c, s, t, args) ->
                  wait.resolve()
                      .call(c, scope, scope, new Object[] {JsValues.toScript(c, scope, reply)}));
    } else {
      context
          .service(LinkReturns.class, LinkReturns::new)
          .forget(context.flowId(), context.nodeId(), wait.call());
      settle =
          new LambdaFunction(
              scope,
              "timedOut",
              0,
              (c, s, t, args) ->
                  wait.reject()
                      .call(
                          c,
                          scope,
                          scope,
                          new Object[] {c.newObject(scope, "Error", new Object[] {"timeout"})}));
    }
    try {
      call(msg, out, timer.view, settle, new Object[0]);
    } finally {
      unkeep(timer);
    }
  }

  @Override
  public void failMessage(String text, Object reason) {
    failure = text;
    failureStack = ScriptStack.of(where, reason, text);
    failureCode = ScriptStack.code(reason);
  }

  /** Node-RED's rules: a message to output 0, or an array with an entry per output. */
  private void route(Object result) {
    if (isNothing(result)) {
      return;
    }
    if (!ScriptRuntime.isArrayObject(result)) {
      sendOne(0, result);
      return;
    }
    Scriptable outputs = (Scriptable) result;
    int count = Math.min(arrayLength(outputs), out.portCount());
    for (int port = 0; port < count; port++) {
      Object entry = outputs.get(port, outputs);
      if (ScriptRuntime.isArrayObject(entry)) {
        Scriptable messages = (Scriptable) entry;
        int length = arrayLength(messages);
        for (int i = 0; i < length; i++) {
          sendOne(port, messages.get(i, messages));
        }
      } else {
        sendOne(port, entry);
      }
    }
  }

  private static int arrayLength(Scriptable array) {
    return (int) Math.min(Integer.MAX_VALUE, ScriptRuntime.toLength(array.get("length", array)));
  }

  private static boolean isNothing(Object value) {
    return value == null || value == Undefined.instance || value == Scriptable.NOT_FOUND;
  }

  private void sendOne(int port, Object message) {
    if (isNothing(message)) {
      return;
    }
    if (!(message instanceof Scriptable object) || message instanceof Function) {
      throw ScriptRuntime.typeError(
          "a message must be an object, got " + ScriptRuntime.typeof(message));
    }
    if (port >= out.portCount() || !out.isWired(port)) {
      return;
    }
    if (message == view && view.untouched()) {
      out.forward(port, input);
      return;
    }
    if (message == view && writeBack.trySend(cx, scope, runtime, view, input, port, out)) {
      return; // only some members changed: patched
    }
    Object payload = object.get("payload", object);
    byte[] binary = null;
    if (runtime.isBuffer(payload)) {
      binary = JsRuntime.bytes(payload);
      object.put("payload", object, null);
    }
    byte[] json;
    try {
      json = JsValues.jsonBytes(cx, scope, message);
    } finally {
      if (binary != null) {
        object.put("payload", object, payload);
      }
    }
    sendBuffer.wrap(json);
    if (binary != null && binary.length > 0) {
      out.send(
          port,
          new MessageBodyView()
              .json(sendBuffer, 0, json.length)
              .binary(new UnsafeBuffer(binary), 0, binary.length));
    } else {
      out.send(port, sendBuffer, 0, json.length);
    }
  }

  @Override
  public void onStop() {
    cancelTimers();
    kept.giveAll();
    if (finalizer == null) {
      retained.giveAll();
      own.release();
      return;
    }
    Sandbox.FACTORY.enterContext(cx);
    try {
      cx.beginCall();
      finalizer.call(cx, scope, scope, new Object[0]);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | Sandbox.LimitExceeded e) {
      context.error(where + ": finalize: " + describe(e), e);
    } finally {
      timers.clear(); // what the stop code set never runs: the flow is stopping
      kept.giveAll();
      retained.giveAll();
      own.release(); // after the stop code, which may read it
      Context.exit();
    }
  }

  /** Cancels every timer's wait and forgets every link call's return. */
  private void cancelTimers() {
    for (Timer timer : timers.values()) {
      if (timer.handle != null) {
        timer.handle.cancel();
      }
      if (timer.linkCall != null) {
        context
            .service(LinkReturns.class, LinkReturns::new)
            .forget(context.flowId(), context.nodeId(), timer.linkCall.call());
      }
    }
    timers.clear();
  }

  /**
   * What went wrong in a script, as Node-RED's function node says it (and its Catch nodes see it):
   * a thrown value as its text ({@code Error: bad payload}), a runtime error with its line ({@code
   * ReferenceError: "foo" is not defined (line 2)}).
   */
  static String describe(Throwable failure) {
    return switch (failure) {
      case Sandbox.LimitExceeded limit -> limit.getMessage();
      case StackOverflowError deep -> "stack overflow (recursion too deep)";
      case OutOfMemoryError memory -> "ran out of memory: " + memory.getMessage();
      case EcmaError error ->
          error.getName() + ": " + trimPeriod(error.getErrorMessage()) + line(error);
      case JavaScriptException thrown -> thrown.details();
      case WrappedException wrapped -> describeJava(wrapped.getWrappedException()) + line(wrapped);
      case EvaluatorException evaluator -> "SyntaxError: " + evaluator.details() + line(evaluator);
      case RhinoException other -> other.details() + line(other);
      default -> describeJava(failure);
    };
  }

  private static String describeJava(Throwable failure) {
    if (failure instanceof Sandbox.LimitExceeded
        || failure instanceof StackOverflowError
        || failure instanceof OutOfMemoryError) {
      return describe(failure);
    }
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  private static String line(RhinoException failure) {
    if (failure.lineNumber() <= 0) {
      return "";
    }
    return failure.columnNumber() > 0
        ? " (line " + failure.lineNumber() + ", col " + failure.columnNumber() + ")"
        : " (line " + failure.lineNumber() + ")";
  }

  private static String trimPeriod(String message) {
    return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
  }

  /**
   * A script failed on a message; the engine reports its message as it is, as an error of this node
   * (and Catch nodes get it in {@code msg.error.message}, with the script's stack and the error's
   * code when it threw an error).
   */
  static final class FunctionError extends IllegalStateException implements ScriptFailure {
    private static final long serialVersionUID = 1L;
    private final String stack;
    private final transient Object code;

    FunctionError(String message, Throwable cause, String stack, Object code) {
      super(message, cause);
      this.stack = stack;
      this.code = code;
    }

    @Override
    public String scriptStack() {
      return stack;
    }

    @Override
    public Object code() {
      return code;
    }
  }
}
