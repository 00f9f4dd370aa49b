package dev.z8run.nodes.network;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.agrona.DirectBuffer;

/**
 * {@code webhook}: starts an execution for each delivery to {@code /hook/{flowId}{path}} whose
 * method matches, and sorts it by the verdict the server reached before the flow saw a byte.
 *
 * <p>The server checks the delivery's HMAC-SHA256 signature over the raw body with the node's
 * {@code secret}, reads the event name from {@code eventHeader}, answers the sender at once (401
 * for a bad signature, 202 otherwise; it does not wait for an {@code http-out} node) and injects
 * the {@code http-in} message plus
 *
 * <pre>
 * "webhook":{"verdict":"accepted"|"rejected"|"filtered","event":..,
 *            "signature":"valid"|"missing"|"malformed"|"mismatch"|"unchecked","delivery":..}
 * </pre>
 *
 * This node forwards the message unchanged to the port of its verdict: {@code payload} (0), {@code
 * rejected} (1) or {@code filtered} (2). The verdict is read in place and compared as raw bytes: no
 * tree, no allocation. A message without a verdict (injected by hand) is dropped with a warning.
 *
 * <p>The config is checked when the node is built: a secret still written as {@code vault:<key>}
 * means nothing resolved it (the flow was deployed around the API), and is refused rather than used
 * as the HMAC key.
 */
public final class WebhookNode implements Node {
  /** Where a delivery goes; the ordinal is the output port. */
  public enum Verdict {
    /** Signature valid (or not checked) and the event wanted. */
    ACCEPTED,
    /** Signature missing, malformed or not the body's. */
    REJECTED,
    /** Signature fine, but the event is not in {@code events}. */
    FILTERED;

    private final String text = name().toLowerCase(Locale.ROOT);

    /** The verdict as written in {@code msg.webhook.verdict}. */
    public String text() {
      return text;
    }

    public int port() {
      return ordinal();
    }
  }

  public static final String DEFAULT_SIGNATURE_HEADER = "X-Hub-Signature-256";
  public static final String DEFAULT_EVENT_HEADER = "X-GitHub-Event";
  private static final String VAULT_PREFIX = "vault:";

  public static final NodeType TYPE =
      NodeType.builder("webhook")
          .category("network")
          .runsOnCaller(true)
          .description(
              "Starts the flow for each webhook delivery to /hook/{flow id}{path}, sorted by"
                  + " signature and event.")
          .inputs()
          .outputs(PortSpec.any("payload"), PortSpec.any("rejected"), PortSpec.any("filtered"))
          .field(
              ConfigField.required(
                  "path",
                  FieldType.STRING,
                  "The path under /hook/{flow id}, e.g. /github (segments starting with ':' are"
                      + " parameters)."))
          .field(
              ConfigField.choice(
                  "method", "POST", HttpInNode.METHODS, "The HTTP method deliveries use."))
          .field(
              ConfigField.optional(
                  "secret",
                  FieldType.SECRET,
                  "",
                  "The shared secret, usually vault:<key>; empty: signatures are not checked."))
          .field(
              ConfigField.optional(
                  "signatureHeader",
                  FieldType.STRING,
                  DEFAULT_SIGNATURE_HEADER,
                  "The header holding sha256=<hex HMAC-SHA256 of the body>."))
          .field(
              ConfigField.optional(
                  "eventHeader",
                  FieldType.STRING,
                  DEFAULT_EVENT_HEADER,
                  "The header naming the event."))
          .field(
              ConfigField.optional(
                  "events",
                  FieldType.ARRAY,
                  List.of(),
                  "The events to accept; others go to 'filtered'. Empty: every event."))
          .factory(WebhookNode::new)
          .build();

  private static final byte[][] VERDICT = {
    "webhook".getBytes(StandardCharsets.UTF_8), "verdict".getBytes(StandardCharsets.UTF_8)
  };

  /** {@code "accepted"}, {@code "rejected"}, {@code "filtered"} with their quotes, by port. */
  private static final byte[][] VERDICT_JSON = new byte[Verdict.values().length][];

  static {
    for (Verdict verdict : Verdict.values()) {
      VERDICT_JSON[verdict.port()] = ('"' + verdict.text() + '"').getBytes(StandardCharsets.UTF_8);
    }
  }

  private final NodeContext context;

  private WebhookNode(NodeContext context) {
    this.context = context;
    String secret = context.configString("secret", "");
    if (secret.startsWith(VAULT_PREFIX)) {
      throw new IllegalArgumentException(
          "secret: vault reference '"
              + secret
              + "' was not resolved (flows deployed through the API get their vault entries)");
    }
    requireHeaderName(context, "signatureHeader");
    requireHeaderName(context, "eventHeader");
    if (!(context.config().get("events") instanceof List<?> events)) {
      throw new IllegalArgumentException("events must be an array of event names");
    }
    for (int i = 0; i < events.size(); i++) {
      if (!(events.get(i) instanceof String event) || event.isBlank()) {
        throw new IllegalArgumentException(
            "events[" + i + "] must be a non-empty event name, got " + events.get(i));
      }
    }
  }

  private static void requireHeaderName(NodeContext context, String field) {
    if (context.configString(field, "").isBlank()) {
      throw new IllegalArgumentException(field + " must name a header");
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    long span = FieldIndex.find(msg, VERDICT);
    int port = span == JsonScanner.NOT_FOUND ? -1 : port(msg.buffer(), span);
    if (port < 0) {
      context.warn(
          "no webhook.verdict of accepted, rejected or filtered: the message did not come through"
              + " the server's /hook route");
      return;
    }
    out.forward(port, msg);
  }

  /** The port whose verdict the span holds, or -1. */
  private static int port(DirectBuffer buffer, long span) {
    int start = JsonScanner.spanStart(span);
    int length = JsonScanner.spanEnd(span) - start;
    for (int port = 0; port < VERDICT_JSON.length; port++) {
      if (equals(buffer, start, length, VERDICT_JSON[port])) {
        return port;
      }
    }
    return -1;
  }

  private static boolean equals(DirectBuffer buffer, int start, int length, byte[] expected) {
    if (length != expected.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (buffer.getByte(start + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
