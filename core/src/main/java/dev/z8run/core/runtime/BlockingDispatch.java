package dev.z8run.core.runtime;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.WorkerIntake;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.io.message.MessageFlyweight;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
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
 *
 * <p>A node that is a {@link WorkerIntake} is first offered each message on the worker: what it
 * takes there ends on the worker (no copy, no virtual thread; it counts against no concurrency);
 * the rest goes to a virtual thread, with the ticket the node gave it.
 */
final class BlockingDispatch extends NodeInstance {
  private final Executor executor;
  private final int maxConcurrency;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<Emitter> emitters = new ConcurrentLinkedQueue<>();
  private final WorkerIntake intake;
  private final MessageFlyweight taken = new MessageFlyweight();

  BlockingDispatch(
      FlowRuntime flow,
      PlannedNode planned,
      Node node,
      int inboxBytes,
      Executor executor,
      int maxConcurrency) {
    super(flow, planned, node, inboxBytes, false);
    this.executor = executor;
    this.maxConcurrency = maxConcurrency;
    this.intake = node instanceof WorkerIntake offered ? offered : null;
  }

  @Override
  public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
    if (inFlight.get() >= maxConcurrency) {
      return Action.ABORT;
    }
    Object ticket = null;
    if (intake != null) {
      ticket = intakeOnWorker(buffer, offset, length);
      if (ticket == WorkerIntake.TAKEN) {
        return Action.CONTINUE;
      }
    }
    inFlight.incrementAndGet();
    UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
    copy.putBytes(0, buffer, offset, length);
    countIn();
    Object given = ticket;
    executor.execute(() -> run(copy, length, given));
    return Action.CONTINUE;
  }

  /**
   * Offers the message to the node on the worker; a message it took ends here, as on a node that
   * sends nothing (its credit goes back with the worker's emitter).
   */
  private Object intakeOnWorker(MutableDirectBuffer buffer, int offset, int length) {
    MessageFlyweight msg = taken.wrap(buffer, offset, length).resolve();
    Object ticket;
    try {
      ticket = intake.intake(msg);
    } catch (RuntimeException failure) {
      ticket = null; // a broken intake: onMessage on a virtual thread reports what is wrong
    }
    if (ticket != WorkerIntake.TAKEN) {
      return ticket;
    }
    Emitter out = worker.emitter();
    out.begin(this, msg);
    if (completeObserved) {
      flow.observers.onComplete(index, msg, new MessageFlyweight());
    }
    out.finish();
    if (msg.isBodyRef()) {
      flow.blocks.release(msg.blockAddress());
    }
    countIn();
    return ticket;
  }

  private void run(UnsafeBuffer copy, int length, Object ticket) {
    MessageFlyweight msg = new MessageFlyweight().wrap(copy, 0, length).resolve();
    Emitter pooled = emitters.poll();
    Emitter out = pooled != null ? pooled : new Emitter(null, true);
    out.begin(this, msg);
    boolean timed = flow.latencySampleEvery != 0;
    long startNs = timed ? flow.nanoClock.nanoTime() : 0;
    try {
      if (ticket == null) {
        node.onMessage(msg, out);
      } else {
        intake.onTicket(msg, ticket, out);
      }
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
