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

/**
 * The client's share of scenario e's ceiling: what {@link MqttEcho} does (receive {@code
 * <prefix>/in}, append {@code "hop":"raw"}, publish to {@code <prefix>/out}) with no MQTT library,
 * MQTT 3.1.1 framed by hand on one blocking socket and one thread, writes flushed when no more
 * input is waiting. Set beside the HiveMQ echo it tells how much of a hop the client library costs.
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.RawMqttEcho host port qos
 * prefix}
 */
public final class RawMqttEcho {
  private RawMqttEcho() {}

  public static void main(String[] args) throws IOException {
    EchoSetup echo = EchoSetup.of(args, "raw");
    int qos = echo.qos();
    String prefix = echo.prefix();
    try (Socket socket = new Socket(echo.host(), echo.port())) {
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      byte[] id =
          ("z8bench-raw-" + UUID.randomUUID().toString().substring(0, 6))
              .getBytes(StandardCharsets.UTF_8);
      // CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60 s
      byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60};
      out.write(0x10);
      RawMqtt.writeLength(out, variable.length + 2 + id.length);
      out.write(variable);
      RawMqtt.writeString(out, id);
      out.flush();
      readPacket(in); // CONNACK
      byte[] filter = (prefix + "/in").getBytes(StandardCharsets.UTF_8);
      out.write(0x82);
      RawMqtt.writeLength(out, 2 + 2 + filter.length + 1);
      out.write(new byte[] {0, 1});
      RawMqtt.writeString(out, filter);
      out.write(qos);
      out.flush();
      byte[] topic = (prefix + "/out").getBytes(StandardCharsets.UTF_8);
      System.out.println("echo ready (raw)");
      int nextId = 1;
      while (true) {
        int header = in.readUnsignedByte();
        int length = RawMqtt.readLength(in);
        byte[] body = new byte[length];
        in.readFully(body);
        if ((header & 0xF0) == 0x30) {
          int inQos = (header >> 1) & 3;
          int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
          int at = 2 + topicLength;
          if (inQos > 0) {
            out.write(new byte[] {0x40, 2, body[at], body[at + 1]}); // PUBACK
            at += 2;
          }
          byte[] payload = echo.hop(Arrays.copyOfRange(body, at, body.length));
          out.write(0x30 | (qos << 1));
          RawMqtt.writeLength(out, 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length);
          RawMqtt.writeString(out, topic);
          if (qos > 0) {
            out.write(nextId >> 8);
            out.write(nextId);
            nextId = nextId == 65_535 ? 1 : nextId + 1;
          }
          out.write(payload);
        }
        if (in.available() == 0) {
          out.flush();
        }
      }
    }
  }

  private static byte[] readPacket(DataInputStream in) throws IOException {
    in.readUnsignedByte();
    byte[] body = new byte[RawMqtt.readLength(in)];
    in.readFully(body);
    return body;
  }
}
