package dev.z8run.perf.jmh;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.perf.harness.Scenario;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The function node's hop, one thread (the engine's workers driven by the benchmark thread): each
 * operation is one source message from the trigger to the sink, so one function hop costs {@code
 * functionReturnsMsg - junctionHop} (the trigger and the sink are in both).
 *
 * <pre>
 * java -jar perf/target/z8run-perf.jar FunctionBenchmarks -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dagrona.disable.bounds.checks=true"})
public class FunctionBenchmarks {
  static final int BATCH = 256;

  private ManualEngine junctionHop;
  private ManualEngine returnsMsg;
  private ManualEngine setsProperty;
  private ManualEngine chain10;

  @Setup(Level.Trial)
  public void setUp() {
    junctionHop =
        new ManualEngine(EngineBenchmarks.chain("junction", 1, false), ManualEngine.SMALL, 0);
    returnsMsg = new ManualEngine(oneFunction("return msg;"), ManualEngine.SMALL, 0);
    setsProperty =
        new ManualEngine(oneFunction("msg.hop = 1;\nreturn msg;"), ManualEngine.SMALL, 0);
    chain10 = new ManualEngine(Scenario.A_PIPELINE_FN10.flow(), ManualEngine.SMALL, 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    junctionHop.close();
    returnsMsg.close();
    setsProperty.close();
    chain10.close();
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

  /** Scenario a: ten functions each returning msg. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenFunctions() {
    return chain10.pump(BATCH);
  }
}
