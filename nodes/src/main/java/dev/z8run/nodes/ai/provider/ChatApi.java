package dev.z8run.nodes.ai.provider;

/**
 * A provider's chat completion endpoint. Implementations are stateless apart from their {@link
 * ProviderClient} and thread-safe.
 */
public interface ChatApi {
  /**
   * Runs one completion.
   *
   * @param deltas receives the text as it streams (the provider's streaming mode is used), or null
   *     for one answer at the end
   * @throws ProviderException when the provider refused or failed for good, or answered something
   *     that is not a completion
   */
  Chat.Result complete(Chat.Request request, Chat.Deltas deltas)
      throws ProviderException, InterruptedException;

  /** The API for {@code client}'s provider. */
  static ChatApi of(ProviderClient client) {
    return switch (client.settings().provider()) {
      case OPENAI -> new OpenAiChat(client);
      case ANTHROPIC -> new AnthropicChat(client);
      case OLLAMA -> new OllamaChat(client);
      case STABILITY ->
          throw new IllegalArgumentException("provider: stability has no chat completions");
    };
  }
}
