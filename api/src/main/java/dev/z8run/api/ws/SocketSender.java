package dev.z8run.api.ws;

import dev.z8run.io.frame.FrameDescriptor;
import dev.z8run.io.frame.FrameEncoder;
import dev.z8run.io.frame.MessageType;
import dev.z8run.io.json.JsonCodec;
import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;
import java.util.Map;
import org.agrona.ExpandableArrayBuffer;

/**
 * Every byte one connection sends goes through here, one send at a time (Helidon's session is not
 * safe for concurrent sends): replies from the connection's reader thread, event batches from its
 * pump. Records when each write started, so that the watchdog can drop a client that stopped
 * reading.
 */
final class SocketSender {
  private static final System.Logger LOG = System.getLogger(SocketSender.class.getName());

  private final WsSession session;
  private final Object lock = new Object();
  private final ExpandableArrayBuffer reply = new ExpandableArrayBuffer(512);
  private volatile long sendingSinceNs;
  private volatile Thread sendingThread;
  private volatile boolean closed;

  SocketSender(WsSession session) {
    this.session = session;
  }

  boolean isClosed() {
    return closed;
  }

  /** Sends {@code length} bytes of whole frames as one binary WebSocket message. */
  boolean send(byte[] frames, int offset, int length) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      writing();
      try {
        session.send(BufferData.create(frames, offset, length), true);
        return true;
      } catch (RuntimeException failed) {
        // the client went away or was dropped by the watchdog; nothing more can be sent
        closed = true;
        LOG.log(System.Logger.Level.DEBUG, "send failed, connection closed: " + failed);
        return false;
      } finally {
        written();
      }
    }
  }

  /** Sends a reply frame whose payload is {@code json} serialised. */
  void replyJson(int msgType, int correlationId, Map<String, ?> json) {
    reply(msgType, correlationId, JsonCodec.write(json));
  }

  /** Sends one frame with the given payload (may be empty). */
  void reply(int msgType, int correlationId, byte[] payload) {
    synchronized (lock) {
      int length = FrameDescriptor.HEADER_LENGTH + payload.length;
      reply.checkLimit(length);
      FrameEncoder.encodeHeader(reply, 0, msgType, correlationId, payload.length);
      reply.putBytes(FrameDescriptor.HEADER_LENGTH, payload);
      send(reply.byteArray(), 0, length);
    }
  }

  /** Sends ERROR {"code","message"} for a request. */
  void error(int correlationId, int code, String message) {
    replyJson(MessageType.ERROR, correlationId, Map.of("code", code, "message", message));
  }

  /** Sends a WebSocket PONG control frame. */
  void pong(BufferData data) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      writing();
      try {
        session.pong(data);
      } catch (RuntimeException failed) {
        closed = true;
      } finally {
        written();
      }
    }
  }

  /**
   * Sends a close frame with {@code code} and {@code reason}; nothing is sent after it. Returns at
   * once when a close was already sent.
   */
  void close(int code, String reason) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      writing();
      try {
        session.close(code, reason);
      } catch (RuntimeException failed) {
        LOG.log(System.Logger.Level.DEBUG, "close failed: " + failed);
      } finally {
        written();
      }
    }
  }

  /**
   * Marks the calling thread as writing to the socket from now. Every write (a message, a pong, a
   * close frame) blocks when the client stopped reading, so the watchdog times every one: a pong
   * that blocked unseen (a client that pings and does not read) held the lock, and the connection,
   * until a deadline came, if one did.
   */
  private void writing() {
    sendingThread = Thread.currentThread();
    sendingSinceNs = System.nanoTime();
  }

  private void written() {
    sendingSinceNs = 0;
    sendingThread = null;
  }

  /**
   * Interrupts the thread writing now, if one is (its blocked write then closes the socket under
   * it), and lets nothing be sent afterwards.
   */
  void interruptWriter() {
    closed = true;
    Thread thread = sendingThread;
    if (thread != null) {
      thread.interrupt();
    }
  }

  /**
   * Whether a write (a message, a pong or a close frame) has been blocked for at least {@code
   * limitNs} (the client stopped reading); when so, the blocked thread is interrupted, which closes
   * the socket under it (virtual threads).
   */
  boolean dropIfStalled(long nowNs, long limitNs) {
    long since = sendingSinceNs;
    Thread thread = sendingThread;
    if (since == 0 || thread == null || nowNs - since < limitNs) {
      return false;
    }
    closed = true;
    thread.interrupt();
    return true;
  }
}
