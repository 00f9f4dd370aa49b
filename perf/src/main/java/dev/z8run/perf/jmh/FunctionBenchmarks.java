package dev.z8run.perf.jmh;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.perf.harness.Scenario;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The function node's hop, one thread (the engine's workers driven by the benchmark thread): each
 * operation is one source message from the trigger to the sink, so one function hop costs {@code
 * functionReturnsMsg - junctionHop} (the trigger and the sink are in both). "A Function that sets
 * one field, per hop" (issue 16) is {@link #chainOfTenSettingTopic} divided by ten: the engine's
 * hop and the script's work together, through the same engine path a deployed flow takes (the
 * messages go through the inboxes, or fused hops, of a real {@code Engine} whose workers this
 * thread drives); {@code chainOfTenSettingTopic - chainOfTenJunctions} over ten is the script's
 * share alone.
 *
 * <pre>
 * java -jar perf/target/z8run-perf.jar FunctionBenchmarks -prof gc
 * </pre>
 */
public class FunctionBenchmarks extends OneThreadNanos {
  static final int BATCH = 256;

  /** A Function that sets one field: written back by patching that member. */
  static final String SET_PAYLOAD = "msg.payload = 5;\nreturn msg;";

  static final String SET_TOPIC = "msg.topic = \"x\";\nreturn msg;";

  /**
   * Put before a body, makes the node parse msg whole and serialise it with JSON.stringify: the
   * path every changed msg took before the member-by-member write-back.
   */
  static final String WHOLE = "Object.keys(msg);\n";

  private ManualEngine junctionHop;
  private ManualEngine returnsMsg;
  private ManualEngine setsProperty;
  private ManualEngine chain10;
  private ManualEngine setsPayload;
  private ManualEngine setsTopic;
  private ManualEngine setsPayloadWhole;
  private ManualEngine junctions10;
  private ManualEngine chain10SetsTopic;
  private ManualEngine chain10SetsTopicWhole;

  @Setup(Level.Trial)
  public void setUp() {
    junctionHop =
        new ManualEngine(EngineBenchmarks.chain("junction", 1, false), ManualEngine.SMALL, 0);
    returnsMsg = new ManualEngine(oneFunction("return msg;"), ManualEngine.SMALL, 0);
    setsProperty =
        new ManualEngine(oneFunction("msg.hop = 1;\nreturn msg;"), ManualEngine.SMALL, 0);
    chain10 = new ManualEngine(Scenario.A_PIPELINE_FN10.flow(), ManualEngine.SMALL, 0);
    setsPayload = new ManualEngine(oneFunction(SET_PAYLOAD), ManualEngine.SMALL, 0);
    setsTopic = new ManualEngine(oneFunction(SET_TOPIC), ManualEngine.SMALL, 0);
    setsPayloadWhole = new ManualEngine(oneFunction(WHOLE + SET_PAYLOAD), ManualEngine.SMALL, 0);
    junctions10 =
        new ManualEngine(EngineBenchmarks.chain("junction", 10, false), ManualEngine.SMALL, 0);
    chain10SetsTopic = new ManualEngine(functions(10, SET_TOPIC), ManualEngine.SMALL, 0);
    chain10SetsTopicWhole =
        new ManualEngine(functions(10, WHOLE + SET_TOPIC), ManualEngine.SMALL, 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    junctionHop.close();
    returnsMsg.close();
    setsProperty.close();
    chain10.close();
    setsPayload.close();
    setsTopic.close();
    setsPayloadWhole.close();
    junctions10.close();
    chain10SetsTopic.close();
    chain10SetsTopicWhole.close();
  }

  /** src -> {@code length} function nodes, each with body {@code func} -> sink. */
  static Flow functions(int length, String func) {
    List<FlowNode> nodes = new java.util.ArrayList<>();
    List<Wire> wires = new java.util.ArrayList<>();
    nodes.add(new FlowNode("src", "inject", "", 0, 0, false, Map.of()));
    String previous = "src";
    for (int i = 1; i <= length; i++) {
      nodes.add(new FlowNode("fn" + i, "function", "", 0, 0, false, Map.of("func", func)));
      wires.add(new Wire(previous, 0, "fn" + i, 0));
      previous = "fn" + i;
    }
    nodes.add(new FlowNode("sink", "counter", "", 0, 0, false, Map.of()));
    wires.add(new Wire(previous, 0, "sink", 0));
    return new Flow("functions", "functions", "", nodes, wires);
  }

  /** src -> one function node with body {@code func} -> sink. */
  static Flow oneFunction(String func) {
    List<FlowNode> nodes =
        List.of(
            new FlowNode("src", "inject", "", 0, 0, false, Map.of()),
            new FlowNode("fn", "function", "", 0, 0, false, Map.of("func", func)),
            new FlowNode("sink", "counter", "", 0, 0, false, Map.of()));
    List<Wire> wires = List.of(new Wire("src", 0, "fn", 0), new Wire("fn", 0, "sink", 0));
    return new Flow("function", "function", "", nodes, wires);
  }

  /** The baseline: trigger, one junction, sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long junctionHop() {
    return junctionHop.pump(BATCH);
  }

  /** Trigger, a function returning msg untouched (its bytes forwarded), sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long functionReturnsMsg() {
    return returnsMsg.pump(BATCH);
  }

  /** Trigger, a function setting a property (msg parsed, then serialized), sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long functionSetsProperty() {
    return setsProperty.pump(BATCH);
  }

  /** Trigger, {@code msg.payload = 5; return msg;} (the payload member patched), sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long functionSetsPayload() {
    return setsPayload.pump(BATCH);
  }

  /** Trigger, {@code msg.topic = "x"; return msg;}, sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long functionSetsTopic() {
    return setsTopic.pump(BATCH);
  }

  /** {@link #functionSetsPayload} made to parse and serialise msg whole: the path before. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long functionSetsPayloadWhole() {
    return setsPayloadWhole.pump(BATCH);
  }

  /** The baseline of the ten-hop chains: ten junctions. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenJunctions() {
    return junctions10.pump(BATCH);
  }

  /** Ten functions each setting {@code msg.topic}: per hop, divide by ten. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenSettingTopic() {
    return chain10SetsTopic.pump(BATCH);
  }

  /** {@link #chainOfTenSettingTopic} with msg parsed and serialised whole at every hop. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenSettingTopicWhole() {
    return chain10SetsTopicWhole.pump(BATCH);
  }

  /** Scenario a: ten functions each returning msg. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenFunctions() {
    return chain10.pump(BATCH);
  }
}
