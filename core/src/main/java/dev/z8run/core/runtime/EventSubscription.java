package dev.z8run.core.runtime;

import java.util.List;
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
    if (target.isEmpty() || target.get(0) != listener) {
      target = List.of(listener); // subscribers poll with one listener: built once, not per poll
    }
    int delivered = 0;
    while (delivered < limit && receiver.receiveNext()) {
      int type = receiver.typeId();
      int length = receiver.length();
      if (length > copy.capacity()) {
        torn++;
        continue;
      }
      copy.putBytes(0, receiver.buffer(), receiver.offset(), length);
      if (!receiver.validate()) {
        // the transmitter overwrote the record while it was copied: it is lost, like a lap
        torn++;
        continue;
      }
      dispatcher.deliver(type, copy, 0, length, target);
      delivered++;
    }
    return delivered;
  }

  /** Times this subscriber fell a whole buffer behind (events were lost each time). */
  public long lapped() {
    return receiver.lappedCount() + torn;
  }
}
