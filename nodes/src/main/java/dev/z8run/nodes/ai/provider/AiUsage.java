package dev.z8run.nodes.ai.provider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the AI nodes of an engine spent, per flow, provider and model: requests (by outcome),
 * retries, tokens in and out, and calls in flight right now. One instance per engine (the server
 * installs it and shows it in {@code /metrics}; without one, the nodes share one they create).
 * Thread-safe; counting is a few adds on striped counters.
 */
public final class AiUsage {
  /** Whose counters: a flow and the provider and model its node called. */
  public record Key(String flowId, String provider, String model) {}

  /** The counters of one {@link Key}. */
  public static final class Counters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();

    void started() {
      inFlight.incrementAndGet();
    }

    void finished(boolean failed) {
      inFlight.decrementAndGet();
      requests.increment();
      if (failed) {
        failures.increment();
      }
    }

    void retried() {
      retries.increment();
    }

    /** Adds a call's token usage as the provider reported it. */
    public void tokens(long prompt, long completion) {
      promptTokens.add(Math.max(0, prompt));
      completionTokens.add(Math.max(0, completion));
    }
  }

  /** A copy of one key's counters. */
  public record Snapshot(
      Key key,
      long requests,
      long failures,
      long retries,
      long promptTokens,
      long completionTokens,
      int inFlight) {}

  private final Map<Key, Counters> counters = new ConcurrentHashMap<>();

  /** The counters of flow {@code flowId} calling {@code model} at {@code provider}. */
  public Counters counters(String flowId, String provider, String model) {
    return counters.computeIfAbsent(new Key(flowId, provider, model), key -> new Counters());
  }

  /** Every key's counters as of now, ordered by flow, provider and model. */
  public List<Snapshot> snapshot() {
    List<Snapshot> all = new ArrayList<>();
    counters.forEach(
        (key, c) ->
            all.add(
                new Snapshot(
                    key,
                    c.requests.sum(),
                    c.failures.sum(),
                    c.retries.sum(),
                    c.promptTokens.sum(),
                    c.completionTokens.sum(),
                    c.inFlight.get())));
    all.sort(
        Comparator.comparing((Snapshot s) -> s.key().flowId())
            .thenComparing(s -> s.key().provider())
            .thenComparing(s -> s.key().model()));
    return all;
  }
}
