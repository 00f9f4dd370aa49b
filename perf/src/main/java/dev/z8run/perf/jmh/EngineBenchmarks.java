package dev.z8run.perf.jmh;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.perf.harness.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The engine's message path, one thread: each operation is one source message carried from the
 * trigger through the flow to the sink (batches of {@value #BATCH}). Run with {@code -prof gc} for
 * B/op.
 *
 * <pre>
 * java -jar perf/target/z8run-perf.jar EngineBenchmarks -prof gc
 * </pre>
 */
public class EngineBenchmarks extends OneThreadNanos {
  static final int BATCH = 256;

  private ManualEngine oneHop;
  private ManualEngine chain10;
  private ManualEngine fanOut8;
  private ManualEngine payload64k;
  private ManualEngine payload4m;

  /**
   * One message in this many timed into the per-node latency histograms: the default (16) against
   * none (0), for the cost of the live p50/p99 per hop.
   */
  @Param({"16", "0"})
  public int latencySampleEvery;

  @Setup(Level.Trial)
  public void setUp() {
    oneHop =
        new ManualEngine(chain("one-hop", 1, false), ManualEngine.SMALL, 0, latencySampleEvery);
    chain10 =
        new ManualEngine(
            Scenario.A2_PIPELINE_CHANGE10.flow(), ManualEngine.SMALL, 0, latencySampleEvery);
    fanOut8 = new ManualEngine(Scenario.B_FANOUT8.flow(), ManualEngine.SMALL, 0);
    payload64k = new ManualEngine(Scenario.D_PAYLOAD64K.flow(), ManualEngine.SMALL, 65536);
    payload4m =
        new ManualEngine(Scenario.D4M_PAYLOAD4M.flow(), ManualEngine.SMALL, 4 * 1024 * 1024);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    oneHop.close();
    chain10.close();
    fanOut8.close();
    payload64k.close();
    payload4m.close();
  }

  /** Trigger, one junction, sink: the cost of one hop plus the trigger and the sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long oneHop() {
    return oneHop.pump(BATCH);
  }

  /** Scenario a2: ten change nodes each patching msg.hop, in place. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chainOfTenChangeNodes() {
    return chain10.pump(BATCH);
  }

  /** Scenario b: one message copied to eight junctions, all into one sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long fanOutEight() {
    return fanOut8.pump(BATCH);
  }

  /** Scenario d: a 64 KiB binary payload through five junctions. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long payload64KibThroughFive() {
    return payload64k.pump(BATCH);
  }

  /**
   * A 4 MiB binary payload through five junctions: by reference, so each hop copies an 80-byte
   * record and the body is written once, at the trigger (batches of 8: 32 MiB in flight).
   */
  @Benchmark
  @OperationsPerInvocation(8)
  public long payload4MibThroughFive() {
    return payload4m.pump(8);
  }

  /** src -> n junctions (or change nodes) -> sink. */
  static Flow chain(String id, int length, boolean change) {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(new FlowNode("src", "inject", "", 0, 0, false, Map.of()));
    String previous = "src";
    for (int i = 1; i <= length; i++) {
      nodes.add(new FlowNode("p" + i, change ? "change" : "junction", "", 0, 0, false, Map.of()));
      wires.add(new Wire(previous, 0, "p" + i, 0));
      previous = "p" + i;
    }
    nodes.add(new FlowNode("sink", "counter", "", 0, 0, false, Map.of()));
    wires.add(new Wire(previous, 0, "sink", 0));
    return new Flow(id, id, "", nodes, wires);
  }
}
