package dev.z8run.nodes.function;

import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.WrappedException;

/**
 * {@code function}: runs a Node-RED function body on each message, in a sandbox ({@link Sandbox}).
 * The body is compiled once, when the flow is deployed, into a function of {@code msg}; it returns
 * a message, an array with one entry per output (an entry may be an array of messages, or null), or
 * null, and may send more with {@code node.send}.
 *
 * <p>A message the function returns as it received it, without looking inside, is forwarded as its
 * original bytes; any other message is serialized with {@code JSON.stringify} when sent. The
 * input's binary payload travels with the input's own message object, changed or not.
 *
 * <p>Threading: a non-blocking node; its one Rhino context is entered by the worker for each call
 * (and by the control thread for the start and stop code, never at the same time).
 */
public final class FunctionNode implements Node, NodeApi.Host {
  /** Most outputs a function node may have. */
  public static final int MAX_OUTPUTS = 64;

  public static final NodeType TYPE =
      NodeType.builder("function")
          .category("function")
          .description("Runs JavaScript on each message, sandboxed.")
          .field(
              ConfigField.required(
                  "func",
                  FieldType.CODE,
                  "The function body: gets msg, returns a message, an array with one entry per"
                      + " output, or null."))
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
                      "memoryLimitMb",
                      FieldType.INTEGER,
                      64L,
                      "Memory one call may allocate before it is stopped, in MiB.")
                  .atLeast(1))
          .outputCount(FunctionNode::outputCount)
          .factory(FunctionNode::new)
          .build();

  private final NodeContext context;
  private final String where;
  private final Sandbox.Limited cx;
  private final ScriptableObject scope;
  private final Function function;
  private final Function finalizer;
  private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);

  // the call in progress: set for the duration of onMessage only
  private MessageFlyweight input;
  private Output out;
  private MessageView view;
  private String failure;

  private FunctionNode(NodeContext context) {
    this.context = context;
    this.where = "function '" + context.nodeId() + "'";
    long timeoutMs = context.configLong("timeoutMs", 1000);
    long memoryLimitMb = context.configLong("memoryLimitMb", 64);
    this.cx = Sandbox.FACTORY.newContext(timeoutMs * 1_000_000, memoryLimitMb << 20);
    Sandbox.FACTORY.enterContext(cx);
    try {
      scope = Sandbox.newScope(cx);
      NodeApi.install(cx, scope, context, new ContextStore(), this);
      function = compile("func", "msg", context.configString("func", ""));
      Function initializer = compile("initialize", "", context.configString("initialize", ""));
      finalizer = compile("finalize", "", context.configString("finalize", ""));
      if (initializer != null) {
        cx.beginCall();
        try {
          initializer.call(cx, scope, scope, new Object[0]);
        } catch (RuntimeException
            | StackOverflowError
            | OutOfMemoryError
            | Sandbox.LimitExceeded e) {
          throw new IllegalArgumentException("initialize: " + describe(e), e);
        }
      }
    } finally {
      Context.exit();
    }
  }

  private static int outputCount(Map<String, Object> config) {
    Object outputs = config.get("outputs");
    return outputs instanceof Number number ? number.intValue() : 1;
  }

  /** Compiles a body into a function of {@code parameter}; null for an empty body. */
  private Function compile(String field, String parameter, String body) {
    if (body.isBlank()) {
      if (field.equals("func")) {
        throw new IllegalArgumentException("func: the function body is empty");
      }
      return null;
    }
    try {
      // line 0 holds the header, so that the body's first line is line 1 in error messages
      return cx.compileFunction(
          scope, "function (" + parameter + ") {\n" + body + "\n}", where, 0, null);
    } catch (EvaluatorException syntax) {
      throw new IllegalArgumentException(
          field + ": line " + syntax.lineNumber() + ": SyntaxError: " + syntax.details(), syntax);
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    MessageView view = new MessageView(scope, msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    this.input = msg;
    this.out = out;
    this.view = view;
    this.failure = null;
    Sandbox.FACTORY.enterContext(cx);
    try {
      cx.beginCall();
      route(function.call(cx, scope, scope, new Object[] {view}));
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | Sandbox.LimitExceeded e) {
      throw new FunctionError(where + ": " + describe(e), e);
    } finally {
      Context.exit();
      view.detach();
      this.input = null;
      this.out = null;
      this.view = null;
    }
    if (failure != null) {
      throw new FunctionError(where + ": " + failure, null);
    }
  }

  @Override
  public void send(Object messages) {
    if (out == null) {
      throw ScriptRuntime.constructError(
          "Error", "node.send can only be used while the function handles a message");
    }
    route(messages);
  }

  @Override
  public void failMessage(String text) {
    failure = text;
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
    if (!(message instanceof Scriptable) || message instanceof Function) {
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
    byte[] json = JsValues.jsonBytes(cx, scope, message);
    sendBuffer.wrap(json);
    if (message == view) {
      out.send(
          port,
          sendBuffer,
          0,
          json.length,
          input.buffer(),
          input.binaryOffset(),
          input.binaryLength());
    } else {
      out.send(port, sendBuffer, 0, json.length);
    }
  }

  @Override
  public void onStop() {
    if (finalizer == null) {
      return;
    }
    Sandbox.FACTORY.enterContext(cx);
    try {
      cx.beginCall();
      finalizer.call(cx, scope, scope, new Object[0]);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError | Sandbox.LimitExceeded e) {
      context.error(where + ": finalize: " + describe(e), e);
    } finally {
      Context.exit();
    }
  }

  /**
   * What went wrong in a script, for a person: {@code line 2: ReferenceError: "foo" is not
   * defined}.
   */
  static String describe(Throwable failure) {
    return switch (failure) {
      case Sandbox.LimitExceeded limit -> limit.getMessage();
      case StackOverflowError deep -> "stack overflow (recursion too deep)";
      case OutOfMemoryError memory -> "ran out of memory: " + memory.getMessage();
      case EcmaError error ->
          line(error) + error.getName() + ": " + trimPeriod(error.getErrorMessage());
      case JavaScriptException thrown -> line(thrown) + thrown.details();
      case WrappedException wrapped -> line(wrapped) + describeJava(wrapped.getWrappedException());
      case EvaluatorException evaluator -> line(evaluator) + "SyntaxError: " + evaluator.details();
      case RhinoException other -> line(other) + other.details();
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
    return failure.lineNumber() > 0 ? "line " + failure.lineNumber() + ": " : "";
  }

  private static String trimPeriod(String message) {
    return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
  }

  /** A script failed on a message; the engine reports it as an error of this node. */
  static final class FunctionError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FunctionError(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
