package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ChatApi;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's chat model: its provider client and API, counting each call's tokens, and adding them up
 * for the message ({@code msg.usage}).
 */
final class ChatModel {
  private final ProviderClient client;
  private final ChatApi api;

  private ChatModel(ProviderClient client) {
    this.client = client;
    this.api = ChatApi.of(client);
  }

  /** The model the node's provider fields name. */
  static ChatModel from(NodeContext context, String defaultModel) {
    Provider provider = Provider.of(context.configString("provider", "openai"));
    return new ChatModel(
        AiNodes.client(context, ProviderSettings.from(context, provider, defaultModel)));
  }

  ProviderSettings settings() {
    return client.settings();
  }

  /** One completion; its tokens are counted in the server's usage and added to {@code usage}. */
  Chat.Result ask(Chat.Request request, Usage usage)
      throws ProviderException, InterruptedException {
    Chat.Result result = api.complete(request, null);
    client.counters().tokens(result.usage().promptTokens(), result.usage().completionTokens());
    usage.add(result.usage());
    return result;
  }

  /** A system prompt and one user message. */
  Chat.Result ask(
      String system, String user, double temperature, long maxTokens, boolean json, Usage usage)
      throws ProviderException, InterruptedException {
    return ask(
        new Chat.Request(
            system, List.of(Chat.Turn.user(user)), temperature, maxTokens, List.of(), json),
        usage);
  }

  /** What a provider failure adds to {@code msg.error}. */
  Map<String, Object> errorDetails(ProviderException failed) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("provider", settings().provider().id());
    details.put("model", settings().model());
    if (failed != null && failed.status() > 0) {
      details.put("status", (long) failed.status());
    }
    return details;
  }

  /** The tokens one message's calls spent; thread-safe (map-reduce adds from several threads). */
  static final class Usage {
    private Chat.Usage total = Chat.Usage.NONE;

    synchronized void add(Chat.Usage usage) {
      total = total.plus(usage);
    }

    synchronized Map<String, Object> toJson() {
      return total.toJson();
    }
  }
}
