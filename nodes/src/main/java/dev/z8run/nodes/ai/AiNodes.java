package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.provider.AiUsage;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderHttp;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.OutboundPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/** What the AI node types share: config fields, the way to a provider, text in and errors out. */
final class AiNodes {
  private AiNodes() {}

  /** The palette category of every AI node. */
  static final String CATEGORY = "ai";

  /** The providers a chat node can ask. */
  static final List<String> CHAT_PROVIDERS = List.of("openai", "anthropic", "ollama");

  /** {@link #providerType} for a node that asks a chat model of {@link #CHAT_PROVIDERS}. */
  static NodeType.Builder chatType(
      String name, String description, String defaultModel, long defaultTimeoutMs) {
    return providerType(
        name, description, CHAT_PROVIDERS, "openai", defaultModel, defaultTimeoutMs);
  }

  /**
   * A blocking node type of the AI category with z8run's provider fields (and ours: maxRetries,
   * concurrency); the node adds its ports and own fields.
   */
  static NodeType.Builder providerType(
      String name,
      String description,
      List<String> providers,
      String defaultProvider,
      String defaultModel,
      long defaultTimeoutMs) {
    return NodeType.builder(name)
        .category(CATEGORY)
        .description(description)
        .blocking(true)
        .field(
            ConfigField.choice(
                "provider",
                defaultProvider,
                providers,
                "Who answers: " + String.join(", ", providers) + "."))
        .field(
            ConfigField.optional(
                "model", FieldType.STRING, defaultModel, "The model's name at the provider."))
        .field(
            ConfigField.optional(
                "apiKey",
                FieldType.SECRET,
                "",
                "The API key, as vault:<name>; not needed for Ollama or a baseUrl of one's own."))
        .field(
            ConfigField.optional(
                "baseUrl",
                FieldType.STRING,
                "",
                "The provider's address; empty: its public API (Ollama: http://localhost:11434)."))
        .field(
            ConfigField.optional(
                "timeout",
                FieldType.INTEGER,
                defaultTimeoutMs,
                "Milliseconds a call may take once started, retries included (1 to 600000)."))
        .field(
            ConfigField.optional(
                "maxRetries",
                FieldType.INTEGER,
                2L,
                "Retries of a 408, 409, 429 or 5xx answer or a failed connection (0 to 10)."))
        .field(
            ConfigField.optional(
                "concurrency",
                FieldType.INTEGER,
                4L,
                "Messages (and calls) of this node in flight at once (1 to 64); more wait upstream."));
  }

  /** The node's client for {@code settings}: the server's policy, shared HTTP client, usage. */
  static ProviderClient client(NodeContext context, ProviderSettings settings) {
    context.limitConcurrency(settings.concurrency());
    return new ProviderClient(
        settings,
        policy(context),
        context.service(ProviderHttp.class, ProviderHttp::new).client(),
        usage(context).counters(context.flowId(), settings.provider().id(), settings.model()));
  }

  static OutboundPolicy policy(NodeContext context) {
    OutboundPolicy installed = context.service(OutboundPolicy.class);
    return installed != null ? installed : OutboundPolicy.parse(OutboundPolicy.DEFAULT);
  }

  static AiUsage usage(NodeContext context) {
    return context.service(AiUsage.class, AiUsage::new);
  }

  static LocalEmbedder localEmbedder(NodeContext context) {
    return context.service(LocalEmbedder.class, LocalEmbedder::new);
  }

  /** The keys z8run looks for text under, in a payload object, in its order. */
  static final List<String> TEXT_KEYS =
      List.of("text", "prompt", "input", "content", "body", "message");

  /**
   * The text a payload carries, as z8run reads it: the payload itself when it is a string, else the
   * first string under {@code keys}, else under the same keys of {@code payload.req.body} (an HTTP
   * In request); empty when there is none.
   */
  static String text(Object payload, List<String> keys) {
    if (payload instanceof String text) {
      return text;
    }
    if (payload instanceof Map<?, ?> map) {
      for (String key : keys) {
        if (map.get(key) instanceof String text) {
          return text;
        }
      }
      if (map.get("req") instanceof Map<?, ?> req) {
        Object body = req.get("body");
        if (body instanceof String text) {
          return text;
        }
        if (body instanceof Map<?, ?> fields) {
          for (String key : keys) {
            if (fields.get(key) instanceof String text) {
              return text;
            }
          }
        }
      }
    }
    return "";
  }

  /** A double from config field {@code key}, within a range. */
  static double number(NodeContext context, String key, double fallback, double min, double max) {
    double value = MessageBodies.number(context, key, fallback);
    if (Double.isNaN(value) || value < min || value > max) {
      throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  /** A whole number from config field {@code key}, within a range. */
  static long whole(NodeContext context, String key, long fallback, long min, long max) {
    double value = MessageBodies.number(context, key, fallback);
    if (value != Math.rint(value) || value < min || value > max) {
      throw new IllegalArgumentException(
          key + " must be a whole number " + min + ".." + max + ", got " + value);
    }
    return (long) value;
  }

  /** Sends {@code body} on {@code port} with no binary payload. */
  static void send(Output out, int port, Map<String, Object> body) {
    byte[] json = JsonCodec.write(body);
    out.send(port, new UnsafeBuffer(json), 0, json.length);
  }

  /**
   * Where a node's failures go: the input is sent on {@code port} with {@code msg.error = {message,
   * source, ...details}}, as HTTP Request does; with nothing wired there the failure is an error of
   * the node (thrown).
   *
   * @param type the node type named in {@code msg.error.source}
   */
  record ErrorPort(NodeContext context, String type, int port) {
    void send(
        MessageFlyweight msg,
        Map<String, Object> body,
        Output out,
        String reason,
        Map<String, Object> details) {
      if (!out.isWired(port)) {
        throw new IllegalStateException(reason);
      }
      Map<String, Object> message = new LinkedHashMap<>(body);
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("message", reason);
      error.put("source", Map.of("id", context.nodeId(), "type", type));
      error.putAll(details);
      message.put("error", error);
      MessageBodies.send(out, port, message, msg);
    }
  }

  /** The reason given for a message without text: {@code what} names what the node looks for. */
  static String noText(String what, List<String> keys) {
    return "no "
        + what
        + " in the message: expected a string payload or one of the fields "
        + String.join(", ", keys);
  }
}
