package dev.z8run.perf.harness;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@link MqttLoad}'s client: MQTT 3.1.1 framed by hand on one blocking socket, as {@link
 * RawMqttEcho} does, so the generator costs a few microseconds a message instead of a client
 * library's reactive plumbing (on 2 cores the generator's CPU is the engine's loss). A publisher
 * ({@code handler} null) writes from the caller's thread, buffered, flushed every {@link #BATCH}
 * frames or by {@link #flush}; a thread of its own reads (and drops) the broker's PUBACKs. A
 * subscriber reads on a thread of its own, hands each payload to {@code handler} and acknowledges
 * QoS 1 messages.
 */
final class RawMqtt implements AutoCloseable {
  /** Frames buffered before the publisher writes them. */
  static final int BATCH = 16;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final int qos;
  private final Consumer<byte[]> handler;
  private final Thread reader;
  private int nextId = 1;
  private int unflushed;
  private volatile boolean closed;

  RawMqtt(String host, int port, String role, int qos, Consumer<byte[]> handler)
      throws IOException {
    this.qos = qos;
    this.handler = handler;
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    byte[] id =
        ("z8bench-" + role + "-" + UUID.randomUUID().toString().substring(0, 6))
            .getBytes(StandardCharsets.UTF_8);
    byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0}; // clean session, no keep-alive
    out.write(0x10);
    writeLength(out, variable.length + 2 + id.length);
    out.write(variable);
    writeString(out, id);
    out.flush();
    int header = in.readUnsignedByte();
    byte[] connack = new byte[readLength(in)];
    in.readFully(connack);
    if ((header & 0xF0) != 0x20 || connack.length < 2 || connack[1] != 0) {
      throw new IOException("the broker refused the connection");
    }
    reader = Thread.ofPlatform().daemon().name("z8bench-" + role).unstarted(this::read);
    if (handler == null) {
      reader.start();
    }
  }

  /** Subscribes (waits for SUBACK), then starts reading. */
  void subscribe(String filter) throws IOException {
    byte[] name = filter.getBytes(StandardCharsets.UTF_8);
    out.write(0x82);
    writeLength(out, 2 + 2 + name.length + 1);
    out.write(new byte[] {0, 1});
    writeString(out, name);
    out.write(qos);
    out.flush();
    int header = in.readUnsignedByte();
    byte[] suback = new byte[readLength(in)];
    in.readFully(suback);
    if ((header & 0xF0) != 0x90 || (suback[suback.length - 1] & 0xFF) == 0x80) {
      throw new IOException("the broker refused the subscription to " + filter);
    }
    reader.start();
  }

  /** Queues a PUBLISH of {@code payload} to {@code topic}; written every {@link #BATCH} frames. */
  void publish(byte[] topic, byte[] payload) {
    try {
      out.write(0x30 | (qos << 1));
      writeLength(out, 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length);
      writeString(out, topic);
      if (qos > 0) {
        out.write(nextId >> 8);
        out.write(nextId);
        nextId = nextId == 65_535 ? 1 : nextId + 1;
      }
      out.write(payload);
      if (++unflushed >= BATCH) {
        flush();
      }
    } catch (IOException lost) {
      throw new IllegalStateException("the generator lost its connection", lost);
    }
  }

  /** Writes what is buffered. */
  void flush() {
    if (unflushed == 0) {
      return;
    }
    unflushed = 0;
    try {
      out.flush();
    } catch (IOException lost) {
      throw new IllegalStateException("the generator lost its connection", lost);
    }
  }

  private void read() {
    try {
      while (!closed) {
        int header = in.readUnsignedByte();
        int length = readLength(in);
        byte[] body = new byte[length];
        in.readFully(body);
        if ((header & 0xF0) == 0x30 && handler != null) {
          int inQos = (header >> 1) & 3;
          int at = 2 + (((body[0] & 0xFF) << 8) | (body[1] & 0xFF));
          if (inQos > 0) {
            out.write(new byte[] {0x40, 2, body[at], body[at + 1]}); // PUBACK
            at += 2;
          }
          handler.accept(Arrays.copyOfRange(body, at, body.length));
          if (inQos > 0 && in.available() == 0) {
            out.flush();
          }
        }
      }
    } catch (IOException ended) {
      if (!closed) {
        System.err.println("[MqttLoad] connection lost: " + ended);
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    try {
      synchronized (this) {
        out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
        out.flush();
      }
    } finally {
      socket.close();
    }
  }

  /** An MQTT remaining length (shared with {@link RawMqttEcho}). */
  static int readLength(DataInputStream in) throws IOException {
    int value = 0;
    int shift = 0;
    int b;
    do {
      b = in.readUnsignedByte();
      value |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }

  static void writeLength(OutputStream out, int length) throws IOException {
    do {
      int b = length & 0x7F;
      length >>>= 7;
      out.write(length > 0 ? b | 0x80 : b);
    } while (length > 0);
  }

  static void writeString(OutputStream out, byte[] utf8) throws IOException {
    out.write(utf8.length >> 8);
    out.write(utf8.length);
    out.write(utf8);
  }
}
