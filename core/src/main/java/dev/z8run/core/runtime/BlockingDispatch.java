package dev.z8run.core.runtime;

import dev.z8run.core.node.Node;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.message.MessageFlyweight;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A blocking node: its worker copies each input out of the inbox and hands it to a virtual thread,
 * which runs the node and writes its outputs into the downstream inboxes (waiting for room there).
 * At most {@code maxConcurrency} messages are in the node at once; past that the worker leaves the
 * inbox alone, so back-pressure reaches upstream as for any other node.
 *
 * <p>The virtual threads take their {@link Emitter} from a pool (at most {@code maxConcurrency} of
 * them, made on demand): an emitter holds three off-heap scratch buffers, and making one per
 * message (zeroed direct memory, a cleaner each) cost more than a database node's batched insert.
 */
final class BlockingDispatch extends NodeInstance {
  private final ExecutorService executor;
  private final int maxConcurrency;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<Emitter> emitters = new ConcurrentLinkedQueue<>();

  BlockingDispatch(
      FlowRuntime flow,
      PlannedNode planned,
      Node node,
      int inboxBytes,
      ExecutorService executor,
      int maxConcurrency) {
    super(flow, planned, node, inboxBytes, false);
    this.executor = executor;
    this.maxConcurrency = maxConcurrency;
  }

  @Override
  public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
    if (inFlight.get() >= maxConcurrency) {
      return Action.ABORT;
    }
    inFlight.incrementAndGet();
    UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
    copy.putBytes(0, buffer, offset, length);
    countIn();
    executor.execute(() -> run(copy, length));
    return Action.CONTINUE;
  }

  private void run(UnsafeBuffer copy, int length) {
    MessageFlyweight msg = new MessageFlyweight().wrap(copy, 0, length).resolve();
    Emitter pooled = emitters.poll();
    Emitter out = pooled != null ? pooled : new Emitter(null, true);
    out.begin(this, msg);
    boolean timed = flow.latencySampleEvery != 0;
    long startNs = timed ? flow.nanoClock.nanoTime() : 0;
    try {
      node.onMessage(msg, out);
      if (completeObserved) {
        flow.observers.onComplete(index, msg, new MessageFlyweight());
      }
    } catch (Throwable failure) {
      rethrowIfFatal(failure);
      out.abortClaim();
      onFailure(msg, failure);
    } finally {
      if (timed) {
        flow.latencies.recordAtomic(index, flow.nanoClock.nanoTime() - startNs);
      }
      out.finish();
      if (msg.isBodyRef()) {
        flow.blocks.release(msg.blockAddress());
      }
      emitters.offer(out);
      inFlight.decrementAndGet();
      signal(null);
    }
  }

  /** Messages being handled on virtual threads right now. */
  int inFlight() {
    return inFlight.get();
  }

  @Override
  boolean hasWork() {
    return super.hasWork() && inFlight.get() < maxConcurrency;
  }

  @Override
  void countOut(int messages) {
    if (messages != 0) {
      flow.counters.addAtomic(index, NodeCounters.MESSAGES_OUT, messages);
    }
  }

  @Override
  void countBlocked() {
    flow.counters.addAtomic(index, NodeCounters.BLOCKED, 1);
  }
}
