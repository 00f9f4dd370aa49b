package dev.z8run.core.event;

import static dev.z8run.core.event.EventDescriptor.*;

import dev.z8run.io.message.LazyZeroedMemory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The engine's outgoing event stream: workers, virtual threads and triggers write events into one
 * off-heap many-to-one ring; the engine's event thread reads them and hands them to listeners.
 * Writing never blocks: an event that does not fit is dropped and counted ({@link #dropped()}).
 */
public final class EngineEvents {
  private final ManyToOneRingBuffer ring;
  private final AtomicLong dropped = new AtomicLong();

  public EngineEvents(int capacityBytes) {
    int capacity = org.agrona.BitUtil.findNextPositivePowerOfTwo(capacityBytes);
    this.ring =
        new ManyToOneRingBuffer(
            LazyZeroedMemory.allocate(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64));
  }

  ManyToOneRingBuffer ring() {
    return ring;
  }

  /** Events dropped because the ring was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Writes an event without text; allocation-free, for the hot path. */
  public void publish(int type, int flowHandle, int nodeIndex, long executionId, long value) {
    int index = claim(type, 0, flowHandle, nodeIndex, executionId, value);
    if (index > 0) {
      ring.commit(index);
    }
  }

  /**
   * Writes an event whose text is copied from bytes (cut at {@code maxBytes}); allocation-free, for
   * samples of traced messages.
   */
  public void publish(
      int type,
      int flowHandle,
      int nodeIndex,
      long executionId,
      long value,
      DirectBuffer text,
      int textOffset,
      int textLength,
      int maxBytes) {
    int length = Math.min(textLength, Math.min(maxBytes, MAX_TEXT_BYTES));
    int index = claim(type, length, flowHandle, nodeIndex, executionId, value);
    if (index > 0) {
      ring.buffer().putBytes(index + TEXT_OFFSET, text, textOffset, length);
      ring.commit(index);
    }
  }

  /** Writes an event with a text (cut at {@link EventDescriptor#MAX_TEXT_BYTES}); allocates. */
  public void publish(
      int type, int flowHandle, int nodeIndex, long executionId, long value, String text) {
    byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
    int length = Math.min(bytes.length, MAX_TEXT_BYTES);
    int index = claim(type, length, flowHandle, nodeIndex, executionId, value);
    if (index > 0) {
      ring.buffer().putBytes(index + TEXT_OFFSET, bytes, 0, length);
      ring.commit(index);
    }
  }

  /**
   * Claims room for an event with {@code textLength} bytes of text and writes its fixed fields; the
   * caller writes the text and commits.
   *
   * @return the record's index, or 0 when the ring is full (the event is counted as dropped)
   */
  private int claim(
      int type, int textLength, int flowHandle, int nodeIndex, long executionId, long value) {
    int index = ring.tryClaim(type, TEXT_OFFSET + textLength);
    if (index <= 0) {
      dropped.incrementAndGet();
      return 0;
    }
    MutableDirectBuffer buffer = ring.buffer();
    buffer.putInt(index + FLOW_HANDLE_OFFSET, flowHandle);
    buffer.putInt(index + NODE_INDEX_OFFSET, nodeIndex);
    buffer.putLong(index + EXECUTION_ID_OFFSET, executionId);
    buffer.putLong(index + VALUE_OFFSET, value);
    return index;
  }
}
