package dev.z8run.perf.harness;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@link MqttEcho} and {@link RawMqttEcho} are given on their command line ({@code host port
 * qos prefix}) and what both do to a message: close its JSON object with {@code "hop":"<name>"}.
 *
 * @param host the broker's host
 * @param port the broker's port
 * @param qos the quality of service of the subscription and the publishes (0, 1 or 2)
 * @param prefix the topic prefix: receive {@code <prefix>/in}, publish to {@code <prefix>/out}
 * @param hop the bytes that replace the object's closing brace
 */
record EchoSetup(String host, int port, int qos, String prefix, byte[] hop) {
  /**
   * The set-up from {@code args} ({@code host port qos prefix ...}) for an echo named {@code name}.
   */
  static EchoSetup of(String[] args, String name) {
    return new EchoSetup(
        args[0],
        Integer.parseInt(args[1]),
        Integer.parseInt(args[2]),
        args[3],
        (",\"hop\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  /** {@code in}, a JSON object, with {@link #hop} appended as its last member. */
  byte[] hop(byte[] in) {
    int end = in.length - 1;
    while (end > 0 && in[end] != '}') {
      end--;
    }
    byte[] body = Arrays.copyOf(in, end + hop.length);
    System.arraycopy(hop, 0, body, end, hop.length);
    return body;
  }
}
