package dev.z8run.nodes.function;

import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.NodeEnvironment;
import java.util.List;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.NativeObject;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.SerializableCallable;
import org.mozilla.javascript.Undefined;

/**
 * Node-RED's helpers, as plain script objects in a function node's scope: {@code node} ({@code id},
 * {@code name}, {@code outputCount}, {@code send}, {@code done}, {@code warn}, {@code error},
 * {@code log}, {@code status}), {@code context} / {@code flow} / {@code global} ({@code get},
 * {@code set}, {@code keys}; {@code context.flow} and {@code context.global} too) and {@code env}
 * ({@code get}: the node's {@code env} config first, a subflow instance's env properties). No Java
 * object is reachable from any of them: each is a script object whose functions call back into this
 * class.
 */
final class NodeApi {
  /** Environment variables a script may read: this prefix, or a name {@code env.get} adds it to. */
  static final String ENV_PREFIX = NodeEnvironment.FLOW_PREFIX;

  private static final System.Logger LOG = System.getLogger("dev.z8run.nodes.function");

  /** What the helpers need from the node running the script. */
  interface Host {
    /** {@code node.send(messages)}: routes like a returned value, now. */
    void send(Object messages);

    /**
     * {@code node.error(text, msg)}, {@code node.done(error)}: fails the current message after the
     * call; {@code reason} is the value given (an error's stack and code go to Catch nodes).
     */
    void failMessage(String text, Object reason);

    /** {@code node.linkcall(target, msg, options)}: a Promise of what the called link returns. */
    Object linkcall(Object[] args);
  }

  private final NodeContext node;
  private final Host host;
  private final Scriptable scope;

  private NodeApi(NodeContext node, Host host, Scriptable scope) {
    this.node = node;
    this.host = host;
    this.scope = scope;
  }

  /** Defines {@code node}, {@code context}, {@code flow}, {@code global} and {@code env}. */
  static void install(
      Context cx, ScriptableObject scope, NodeContext node, ContextStore own, Host host) {
    NodeApi api = new NodeApi(node, host, scope);
    Scriptable nodeObject = cx.newObject(scope);
    nodeObject.put("id", nodeObject, node.nodeId());
    nodeObject.put("name", nodeObject, node.name());
    nodeObject.put("outputCount", nodeObject, node.outputCount());
    api.function(nodeObject, "send", 1, (c, s, t, args) -> api.send(args));
    api.function(nodeObject, "done", 1, (c, s, t, args) -> api.done(c, args));
    api.function(nodeObject, "warn", 1, (c, s, t, args) -> api.warn(c, args));
    api.function(nodeObject, "error", 2, (c, s, t, args) -> api.error(c, args));
    api.function(nodeObject, "log", 1, (c, s, t, args) -> api.log(c, args));
    api.function(nodeObject, "status", 1, (c, s, t, args) -> api.status(c, args));
    api.function(nodeObject, "linkcall", 3, (c, s, t, args) -> host.linkcall(args));
    Scriptable flow = api.store(cx, node.flowContext(), FunctionModules.NONE);
    FunctionModules modules = node.service(FunctionModules.class);
    Scriptable global =
        api.store(cx, node.globalContext(), modules == null ? FunctionModules.NONE : modules);
    Scriptable context = api.store(cx, own, FunctionModules.NONE);
    context.put("flow", context, flow);
    context.put("global", context, global);
    Scriptable env = cx.newObject(scope);
    api.function(env, "get", 1, (c, s, t, args) -> api.env(args));
    define(scope, "node", nodeObject);
    define(scope, "context", context);
    define(scope, "flow", flow);
    define(scope, "global", global);
    define(scope, "env", env);
  }

  private static void define(ScriptableObject scope, String name, Scriptable value) {
    ScriptableObject.defineProperty(
        scope, name, value, ScriptableObject.READONLY | ScriptableObject.PERMANENT);
  }

  private void function(Scriptable owner, String name, int arity, SerializableCallable body) {
    owner.put(name, owner, new LambdaFunction(scope, name, arity, body));
  }

  private Scriptable store(Context cx, ContextStore store, FunctionModules modules) {
    Scriptable object = cx.newObject(scope);
    Scriptable[] loaded = new Scriptable[1];
    function(
        object,
        "get",
        1,
        (c, s, t, args) -> {
          String key = key(args);
          Object value = store.get(key);
          if (value == null && modules.offers(key)) {
            if (loaded[0] == null) {
              loaded[0] = os(c);
            }
            return loaded[0];
          }
          return JsValues.toScript(c, scope, value);
        });
    function(
        object,
        "set",
        2,
        (c, s, t, args) -> {
          String key = key(args);
          Object value = JsValues.toJava(c, scope, args.length > 1 ? args[1] : null);
          try {
            store.set(key, value);
          } catch (ContextStore.FullException full) {
            // an Error the script may catch; uncaught, the node's error for the message
            throw ScriptRuntime.constructError("Error", full.getMessage());
          }
          return Undefined.instance;
        });
    function(object, "keys", 0, (c, s, t, args) -> keys(c, store.keys()));
    return object;
  }

  /** Node.js's {@code os} module, as much of it as {@link FunctionModules} describes. */
  private Scriptable os(Context cx) {
    Scriptable os = cx.newObject(scope);
    var memory =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    function(os, "hostname", 0, (c, s, t, args) -> FunctionModules.hostname());
    function(os, "type", 0, (c, s, t, args) -> FunctionModules.type());
    function(os, "platform", 0, (c, s, t, args) -> FunctionModules.platform());
    function(os, "arch", 0, (c, s, t, args) -> FunctionModules.arch());
    function(os, "release", 0, (c, s, t, args) -> System.getProperty("os.version", ""));
    function(
        os,
        "uptime",
        0,
        (c, s, t, args) ->
            (double) java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
    function(os, "freemem", 0, (c, s, t, args) -> (double) memory.getFreeMemorySize());
    function(os, "totalmem", 0, (c, s, t, args) -> (double) memory.getTotalMemorySize());
    function(
        os,
        "availableParallelism",
        0,
        (c, s, t, args) -> Runtime.getRuntime().availableProcessors());
    os.put("EOL", os, System.lineSeparator());
    return os;
  }

  private Object keys(Context cx, List<String> keys) {
    return cx.newArray(scope, keys.toArray());
  }

  private static String key(Object[] args) {
    if (args.length == 0 || !(args[0] instanceof CharSequence key)) {
      throw ScriptRuntime.typeError("a context key must be a string");
    }
    return key.toString();
  }

  private Object send(Object[] args) {
    if (args.length > 0) {
      host.send(args[0]);
    }
    return Undefined.instance;
  }

  /** {@code node.done()} ends the message (the engine knows); {@code node.done(err)} fails it. */
  private Object done(Context cx, Object[] args) {
    if (args.length > 0 && args[0] != null && args[0] != Undefined.instance) {
      host.failMessage(text(cx, args), args[0]);
    }
    return Undefined.instance;
  }

  private Object warn(Context cx, Object[] args) {
    node.warn(text(cx, args));
    return Undefined.instance;
  }

  private Object error(Context cx, Object[] args) {
    String text = text(cx, args);
    if (args.length > 1 && args[1] instanceof Scriptable) {
      host.failMessage(text, args[0]);
    } else {
      node.error(text, null);
    }
    return Undefined.instance;
  }

  private Object log(Context cx, Object[] args) {
    LOG.log(
        System.Logger.Level.INFO,
        "function '" + node.nodeId() + "' (flow '" + node.flowId() + "'): " + text(cx, args));
    return Undefined.instance;
  }

  private Object status(Context cx, Object[] args) {
    Object status = args.length > 0 ? args[0] : Undefined.instance;
    if (status instanceof NativeObject object) {
      Object text = object.get("text", object);
      node.status(text == Scriptable.NOT_FOUND || text == null ? "" : Context.toString(text));
    } else {
      node.status(text(cx, args));
    }
    return Undefined.instance;
  }

  private Object env(Object[] args) {
    if (args.length == 0 || !(args[0] instanceof CharSequence text)) {
      return Undefined.instance;
    }
    String name = text.toString();
    if (node.config().get("env") instanceof java.util.Map<?, ?> own && own.containsKey(name)) {
      Object value = own.get(name);
      return value instanceof String string
          ? string
          : JsValues.toScript(Context.getCurrentContext(), scope, value);
    }
    String value =
        switch (name) {
          case "NR_NODE_ID" -> node.nodeId();
          case "NR_NODE_NAME" -> node.name();
          case "NR_FLOW_ID" -> node.flowId();
          default -> node.environment().get(name.startsWith(ENV_PREFIX) ? name : ENV_PREFIX + name);
        };
    return value == null ? Undefined.instance : value;
  }

  /** The first argument as text: strings as they are, errors as "Name: message", others as JSON. */
  private String text(Context cx, Object[] args) {
    Object value = args.length > 0 ? args[0] : Undefined.instance;
    if (value instanceof CharSequence || !(value instanceof Scriptable object)) {
      return Context.toString(value);
    }
    if ("Error".equals(object.getClassName())) {
      return Context.toString(object);
    }
    String json = JsValues.stringify(cx, scope, object);
    return json == null ? Context.toString(object) : json;
  }
}
