package dev.z8run.wasm;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A node running a plugin. Its type is blocking and its calls compute, so the engine calls it on
 * its compute threads ({@link dev.z8run.core.node.NodeContext#declareComputeBound}), never on a
 * worker. Each message's {@code payload} goes to {@code z8_process} as JSON; each entry {@code
 * {"port": n | "name", "payload": ...}} of the result leaves on that port as the input message with
 * its payload replaced.
 *
 * <p>Instances are pooled and reused: at most {@code max_in_flight} calls run at once (further
 * messages wait for one), an instance goes back to the pool after a good call and is dropped after
 * a failed one, and a replacement is built and configured on demand. Thread-safe.
 */
final class PluginNode implements Node, PluginHost {
  private static final System.Logger LOG = System.getLogger(PluginNode.class.getName());

  private final PluginModule module;
  private final NodeContext context;
  private final PluginContextStore contexts;
  private final byte[] configJson;
  private final Semaphore inFlight;
  private final ArrayBlockingQueue<PluginInstance> idle;
  private final List<PortSpec> outputs;

  PluginNode(PluginModule module, NodeContext context, PluginContextStore contexts)
      throws PluginException {
    this.module = module;
    this.context = context;
    this.contexts = contexts;
    this.configJson = JsonCodec.write(context.config());
    // a call computes until it returns or its time limit: on a compute thread, not a carrier
    context.declareComputeBound();
    int maxInFlight = module.manifest().limits().maxInFlight();
    // the engine hands over no more calls than can run: one waiting for an instance would hold a
    // compute thread that other nodes' calls need
    context.limitConcurrency(maxInFlight);
    this.inFlight = new Semaphore(maxInFlight);
    this.idle = new ArrayBlockingQueue<>(maxInFlight);
    this.outputs = module.manifest().outputs();
    idle.add(newInstance()); // fails the deploy if the plugin refuses this node's config
  }

  /** The node type of a loaded plugin: its manifest's ports and config schema, blocking. */
  static NodeType type(PluginModule module, PluginContextStore contexts) {
    PluginManifest m = module.manifest();
    NodeType.Builder builder =
        NodeType.builder(m.name())
            .category(m.category())
            .description(
                m.description()
                    + (m.description().isEmpty() ? "" : " ")
                    + "(plugin "
                    + m.version()
                    + ")")
            .inputs(m.inputs().toArray(PortSpec[]::new))
            .outputs(m.outputs().toArray(PortSpec[]::new))
            .blocking(true)
            .factory(ctx -> new PluginNode(module, ctx, contexts));
    m.config().forEach(builder::field);
    return builder.build();
  }

  private PluginInstance newInstance() throws PluginException {
    PluginInstance instance = module.instantiate(this);
    int status = instance.configure(configJson);
    if (status == 0) {
      status = instance.validate();
    }
    if (status != 0) {
      throw new PluginException(
          "plugin '"
              + module.name()
              + "' refused the config of node "
              + context.nodeId()
              + ": z8_configure/z8_validate returned "
              + status);
    }
    return instance;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws Exception {
    byte[] json = new byte[msg.jsonLength()];
    msg.buffer().getBytes(msg.jsonOffset(), json);
    @SuppressWarnings("unchecked")
    Map<String, Object> message =
        JsonCodec.parse(json) instanceof Map<?, ?> map
            ? (Map<String, Object>) map
            : new LinkedHashMap<>();
    byte[] result = call(JsonCodec.write(message.get("payload")));
    emit(message, result, out);
  }

  private byte[] call(byte[] input) throws Exception {
    inFlight.acquire();
    try {
      PluginInstance instance = idle.poll();
      if (instance == null) {
        instance = newInstance();
      }
      byte[] result = instance.process(input); // on failure the instance is dropped
      idle.offer(instance);
      return result;
    } finally {
      inFlight.release();
    }
  }

  private void emit(Map<String, Object> message, byte[] result, Output out) throws PluginException {
    Object parsed;
    try {
      parsed = JsonCodec.parse(result);
    } catch (JsonCodec.JsonException e) {
      throw new PluginException(
          "plugin '" + module.name() + "' returned a result that is not JSON: " + e.getMessage());
    }
    if (!(parsed instanceof List<?> entries)) {
      throw new PluginException(
          "plugin '"
              + module.name()
              + "' returned "
              + JsonCodec.describe(parsed)
              + ", not an array [{\"port\":...,\"payload\":...}]");
    }
    Map<String, Object> copy = new LinkedHashMap<>(message);
    for (Object entry : entries) {
      if (!(entry instanceof Map<?, ?> e) || !e.containsKey("payload")) {
        throw new PluginException(
            "plugin '"
                + module.name()
                + "' returned an entry without \"payload\": "
                + JsonCodec.writeString(entry));
      }
      int port = port(e.get("port"), out.portCount());
      copy.put("payload", e.get("payload"));
      byte[] bytes = JsonCodec.write(copy);
      out.send(port, new UnsafeBuffer(bytes), 0, bytes.length);
    }
  }

  private int port(Object port, int count) throws PluginException {
    if (port == null) {
      return 0;
    }
    if (port instanceof Long index && index >= 0 && index < count) {
      return index.intValue();
    }
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).name().equals(port)) {
        return i;
      }
    }
    throw new PluginException(
        "plugin '"
            + module.name()
            + "' sent to port "
            + JsonCodec.writeString(port)
            + ", but the node has "
            + count
            + " output ports "
            + outputs);
  }

  @Override
  public void log(String line) {
    PluginLog sink = context.service(PluginLog.class);
    if (sink != null) {
      sink.onLog(context.flowId(), context.nodeId(), module.name(), line);
    } else {
      LOG.log(Level.INFO, "plugin {0} in node {1}: {2}", module.name(), context.nodeId(), line);
    }
  }

  @Override
  public String env(String name) {
    return context.environment().get(name);
  }

  @Override
  public byte[] contextGet(String key) {
    return contexts.get(context.flowId(), context.nodeId(), key);
  }

  @Override
  public void contextSet(String key, byte[] json) {
    contexts.put(context.flowId(), context.nodeId(), key, json);
  }

  @Override
  public void onStop() {
    idle.clear();
  }
}
