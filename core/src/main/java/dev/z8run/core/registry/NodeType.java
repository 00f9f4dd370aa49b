package dev.z8run.core.registry;

import dev.z8run.core.node.NodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * What the palette, the validator and the planner know about one kind of node: its ports, its
 * config schema, whether it blocks, and the factory that builds its runtime instances.
 *
 * <p>Most types have a fixed list of output ports. Types whose port count depends on their config
 * (Switch: one port per rule, then {@code default}) give an {@code outputCount} function; the ports
 * past the declared list then take the type of the last declared one.
 */
public final class NodeType {
  private final String name;
  private final String category;
  private final String description;
  private final List<PortSpec> inputs;
  private final List<PortSpec> outputs;
  private final List<ConfigField> config;
  private final boolean blocking;
  private final NodeCost cost;
  private final boolean runsOnCaller;
  private final NodeFactory factory;
  private final ToIntFunction<Map<String, Object>> outputCount;
  private final List<String> nodeRefFields;
  private final List<String> oneOfFields;

  private NodeType(Builder b) {
    name = Objects.requireNonNull(b.name, "name");
    category = b.category;
    description = b.description;
    inputs = List.copyOf(b.inputs);
    outputs = List.copyOf(b.outputs);
    config = List.copyOf(b.config);
    blocking = b.blocking;
    cost = b.blocking ? NodeCost.NORMAL : b.cost;
    runsOnCaller = b.runsOnCaller;
    factory = Objects.requireNonNull(b.factory, "factory of node type " + b.name);
    outputCount = b.outputCount;
    nodeRefFields = List.copyOf(b.nodeRefFields);
    oneOfFields = List.copyOf(b.oneOfFields);
  }

  /**
   * Optional config fields of which at least one must be given (the Function's {@code func}, {@code
   * code}, {@code template} or {@code outputValue}); empty when the type declares none.
   */
  public List<String> oneOfFields() {
    return oneOfFields;
  }

  /**
   * The config fields that list ids of other nodes of the same flow (Catch's {@code scope}): the
   * validator checks that each id is in the flow.
   */
  public List<String> nodeRefFields() {
    return nodeRefFields;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public String category() {
    return category;
  }

  public String description() {
    return description;
  }

  public List<PortSpec> inputs() {
    return inputs;
  }

  /** The declared output ports (for a dynamic type, the ports it has with an empty config). */
  public List<PortSpec> outputs() {
    return outputs;
  }

  public List<ConfigField> config() {
    return config;
  }

  /** Whether instances block (I/O, sleeps): the runtime runs those on virtual threads. */
  public boolean blocking() {
    return blocking;
  }

  /**
   * What a node of this type costs per message, for the planner (see {@link NodeCost}); a blocking
   * type is always {@link NodeCost#NORMAL}.
   */
  public NodeCost cost() {
    return cost;
  }

  /**
   * Whether executions from a node of this type start on the thread that brought the message (an
   * HTTP request's, for http-in and webhook), which runs only the nodes of that node's worker: the
   * planner keeps a flow with such a node on one worker, so that no hop crosses to another.
   */
  public boolean runsOnCaller() {
    return runsOnCaller;
  }

  public NodeFactory factory() {
    return factory;
  }

  /** Whether the number of output ports depends on the node's config. */
  public boolean dynamicOutputs() {
    return outputCount != null;
  }

  /** How many output ports a node of this type has with the given config. */
  public int outputCount(Map<String, Object> nodeConfig) {
    return outputCount == null ? outputs.size() : outputCount.applyAsInt(nodeConfig);
  }

  /** The spec of output port {@code port} for the given config, or null if it has no such port. */
  public PortSpec output(int port, Map<String, Object> nodeConfig) {
    if (port < 0 || port >= outputCount(nodeConfig)) {
      return null;
    }
    if (port < outputs.size()) {
      return outputs.get(port);
    }
    return outputs.isEmpty()
        ? PortSpec.any("output" + port)
        : new PortSpec("output" + port, outputs.get(outputs.size() - 1).type());
  }

  /** The schema field called {@code fieldName}, or null. */
  public ConfigField field(String fieldName) {
    for (ConfigField field : config) {
      if (field.name().equals(fieldName)) {
        return field;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "NodeType[" + name + "]";
  }

  /** Builds a {@link NodeType}; defaults: category "general", one input, one output. */
  public static final class Builder {
    private final String name;
    private String category = "general";
    private String description = "";
    private final List<PortSpec> inputs = new ArrayList<>(List.of(PortSpec.any("input")));
    private final List<PortSpec> outputs = new ArrayList<>(List.of(PortSpec.any("output")));
    private final List<ConfigField> config = new ArrayList<>();
    private boolean blocking;
    private NodeCost cost = NodeCost.NORMAL;
    private boolean runsOnCaller;
    private NodeFactory factory;
    private ToIntFunction<Map<String, Object>> outputCount;
    private final List<String> nodeRefFields = new ArrayList<>();
    private final List<String> oneOfFields = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder category(String category) {
      this.category = category;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder inputs(PortSpec... ports) {
      inputs.clear();
      inputs.addAll(List.of(ports));
      return this;
    }

    public Builder outputs(PortSpec... ports) {
      outputs.clear();
      outputs.addAll(List.of(ports));
      return this;
    }

    public Builder field(ConfigField field) {
      config.add(field);
      return this;
    }

    public Builder blocking(boolean blocking) {
      this.blocking = blocking;
      return this;
    }

    /** Declares the type's cost class; {@link NodeCost#NORMAL} unless told. */
    public Builder cost(NodeCost cost) {
      this.cost = Objects.requireNonNull(cost, "cost");
      return this;
    }

    /** Declares that executions start on the caller's thread ({@link NodeType#runsOnCaller}). */
    public Builder runsOnCaller(boolean runsOnCaller) {
      this.runsOnCaller = runsOnCaller;
      return this;
    }

    public Builder factory(NodeFactory factory) {
      this.factory = factory;
      return this;
    }

    /** Makes the output port count a function of the node's config. */
    public Builder outputCount(ToIntFunction<Map<String, Object>> outputCount) {
      this.outputCount = outputCount;
      return this;
    }

    /**
     * Declares that config field {@code fieldName} (an array) lists ids of nodes of the same flow.
     */
    public Builder nodeRefs(String fieldName) {
      nodeRefFields.add(fieldName);
      return this;
    }

    /** Declares that at least one of these (declared, optional) config fields must be given. */
    public Builder requireOneOf(String... fieldNames) {
      oneOfFields.addAll(List.of(fieldNames));
      return this;
    }

    public NodeType build() {
      return new NodeType(this);
    }
  }
}
