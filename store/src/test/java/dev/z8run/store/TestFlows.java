package dev.z8run.store;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Flow documents and a hand-driven clock for the store's tests. */
final class TestFlows {
  private TestFlows() {}

  /** A chain of {@code nodes} inject nodes named {@code name}. */
  static Flow flow(String id, String name, int nodes) {
    return flow(id, name, nodes, "");
  }

  /** As {@link #flow(String, String, int)}, each node's config carrying {@code padding}. */
  static Flow flow(String id, String name, int nodes, String padding) {
    List<FlowNode> list = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      list.add(
          new FlowNode(
              "n" + i, "inject", "node " + i, 10.0 * i, 20.0, false, Map.of("pad", padding)));
      if (i > 0) {
        wires.add(new Wire("n" + (i - 1), 0, "n" + i, 0));
      }
    }
    return new Flow(id, name, "a test flow", list, wires);
  }

  /** A clock that moves only when told. */
  static final class ManualClock implements InstantSource {
    private final AtomicLong nowMs;

    ManualClock(long startMs) {
      nowMs = new AtomicLong(startMs);
    }

    void advanceMs(long ms) {
      nowMs.addAndGet(ms);
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(nowMs.get());
    }

    @Override
    public long millis() {
      return nowMs.get();
    }
  }
}
