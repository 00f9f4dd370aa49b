package dev.z8run.api.hook;

import dev.z8run.io.json.JsonBytes;
import dev.z8run.io.message.MessageBodyView;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a hook request writes its message into before the engine copies it into the execution's
 * first record: the writer, a buffer over its bytes and the view handed to the engine. Reused from
 * request to request through a {@link Pool}, so that a hook's message allocates nothing once the
 * writer has grown to its size (it was the largest of the hook's own allocations, ~0.6 KB of the
 * ~1.1 KB a request allocated beyond the bare Helidon route's, and so of its young collections).
 * Not thread-safe: one request uses it at a time.
 */
final class HookScratch {
  /** The writer's first capacity: a GET with a few headers fits (~250 bytes and the index). */
  private static final int FIRST_CAPACITY = 512;

  private final JsonBytes out = new JsonBytes(FIRST_CAPACITY);
  private final UnsafeBuffer buffer = new UnsafeBuffer(out.array());
  private final MessageBodyView view = new MessageBodyView();

  /**
   * The request's message ({@link HookMessage#encodeInPlace}) as a view over this scratch's bytes,
   * with its field index and {@code ref}: valid until the next call, for the engine to copy.
   */
  MessageBodyView encode(
      ServerRequest request, String path, Map<String, String> params, byte[] body, long ref) {
    int jsonLength = HookMessage.encodeInPlace(out, buffer, request, path, params, body);
    return view.json(buffer, 0, jsonLength)
        .index(buffer, jsonLength, HookMessage.INDEX_BYTES)
        .ref(ref);
  }

  /**
   * Scratches for the requests in flight: {@link #SLOTS} slots, a request's found by its thread's
   * id (an HTTP/1 connection's requests run one after another on one virtual thread, so each
   * connection keeps finding the scratch it gave back). A taken or empty slot means a new scratch;
   * one given back to a slot that holds another replaces it. A scratch whose writer grew past
   * {@link #MAX_KEPT_BYTES} (a large body) is not kept. Thread-safe.
   */
  static final class Pool {
    static final int SLOTS = 64;

    /** The largest writer kept for the next request: at most SLOTS times this stays allocated. */
    static final int MAX_KEPT_BYTES = 16 * 1024;

    private static final int INDEX_BITS = Integer.numberOfTrailingZeros(SLOTS);

    private final AtomicReferenceArray<HookScratch> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * A scratch for the calling request, whose thread's id is {@code hint}; give it back after. One
     * swap empties the slot whatever it held: no read and compare-and-set, whose failure (two
     * connections' threads racing for one slot) is so rare that C2 compiled it as a trap, and the
     * first one, 20-30 s into a load, sent the compiled request path back to the interpreter
     * (-Xlog:deoptimization, perf/README.md).
     */
    HookScratch take(long hint) {
      HookScratch scratch = slots.getAndSet(index(hint), null);
      return scratch != null ? scratch : new HookScratch();
    }

    /** Gives {@code scratch} back once the engine has copied its message; by the taker. */
    void giveBack(HookScratch scratch, long hint) {
      if (scratch.out.capacity() <= MAX_KEPT_BYTES) {
        slots.setRelease(index(hint), scratch);
      }
    }

    private static int index(long hint) {
      return (int) (hint * 0x9E3779B97F4A7C15L >>> (Long.SIZE - INDEX_BITS));
    }
  }
}
