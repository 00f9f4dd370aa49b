package dev.z8run.core.event;

import java.util.List;
import java.util.function.Predicate;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastReceiver;

/**
 * One reader of the engine's event broadcast: the events every {@link EngineListener} sees, read by
 * the subscriber on its own thread (an editor socket's virtual thread) at its own pace. The
 * engine's event thread writes the broadcast and never waits for a subscriber: one that falls
 * behind by more than the broadcast buffer loses the oldest events and learns how many times it was
 * lapped from {@link #lapped()}, so that it can tell its client that events were skipped.
 *
 * <p>Not thread-safe: one thread polls a subscription.
 */
public final class EventSubscription {
  private final BroadcastReceiver receiver;
  private final EventDispatcher dispatcher;
  private final UnsafeBuffer copy = new UnsafeBuffer(new byte[EventDescriptor.MAX_TEXT_BYTES * 2]);
  private final EngineEvent event = new EngineEvent();
  private long torn;
  private List<EngineListener> target = List.of();

  EventSubscription(BroadcastReceiver receiver, EventDispatcher dispatcher) {
    this.receiver = receiver;
    this.dispatcher = dispatcher;
  }

  /**
   * Delivers up to {@code limit} events to {@code listener} on the calling thread.
   *
   * @return the number of events delivered
   */
  public int poll(EngineListener listener, int limit) {
    return poll(listener, limit, null);
  }

  /**
   * Looks at up to {@code limit} events and delivers those of the flows {@code flows} accepts to
   * {@code listener} on the calling thread; the events of other flows are passed over without being
   * decoded.
   *
   * @param flows tests a flow id; null accepts every flow
   * @return the number of events delivered
   */
  public int poll(EngineListener listener, int limit, Predicate<String> flows) {
    if (target.isEmpty() || target.get(0) != listener) {
      target = List.of(listener); // subscribers poll with one listener: built once, not per poll
    }
    return read(limit, flows, null);
  }

  /**
   * As {@link #poll(EngineListener, int, Predicate)}, handing each event over undecoded: the text
   * stays bytes (allocation free).
   */
  public int poll(EngineEventHandler handler, int limit, Predicate<String> flows) {
    return read(limit, flows, handler);
  }

  private int read(int limit, Predicate<String> flows, EngineEventHandler raw) {
    int delivered = 0;
    int examined = 0;
    while (examined < limit && receiver.receiveNext()) {
      examined++;
      int type = receiver.typeId();
      int length = receiver.length();
      if (length > copy.capacity()) {
        torn++;
        continue;
      }
      if (flows != null
          && !dispatcher.accepts(
              receiver.buffer().getInt(receiver.offset() + EventDescriptor.FLOW_HANDLE_OFFSET),
              flows)) {
        continue; // another flow's event: not copied (a torn handle only risks this one event)
      }
      copy.putBytes(0, receiver.buffer(), receiver.offset(), length);
      if (!receiver.validate()) {
        // the transmitter overwrote the record while it was copied: it is lost, like a lap
        torn++;
        continue;
      }
      boolean handed =
          raw != null
              ? dispatcher.deliverRaw(type, copy, 0, length, event, raw)
              : dispatcher.deliver(type, copy, 0, length, target, flows);
      if (handed) {
        delivered++;
      }
    }
    return delivered;
  }

  /** Times this subscriber fell a whole buffer behind (events were lost each time). */
  public long lapped() {
    return receiver.lappedCount() + torn;
  }
}
