package dev.z8run.nodes.ai.provider;

import java.util.Locale;

/** The model servers the AI nodes speak to, each with its wire format and default address. */
public enum Provider {
  /** OpenAI, or any server speaking its API under {@code baseUrl} (vLLM, LM Studio, llama.cpp). */
  OPENAI("openai", "https://api.openai.com/v1"),
  /** Anthropic's Messages API. */
  ANTHROPIC("anthropic", "https://api.anthropic.com/v1"),
  /** Ollama's native API ({@code /api/chat}, {@code /api/embed}). */
  OLLAMA("ollama", "http://localhost:11434"),
  /** Stability AI's REST API (images only). */
  STABILITY("stability", "https://api.stability.ai/v1");

  private final String id;
  private final String defaultBaseUrl;

  Provider(String id, String defaultBaseUrl) {
    this.id = id;
    this.defaultBaseUrl = defaultBaseUrl;
  }

  /** The name in node configs ({@code provider}). */
  public String id() {
    return id;
  }

  /** Where the provider answers when the node's {@code baseUrl} is empty. */
  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** Whether calls need an API key: not Ollama, nor an OpenAI-compatible server of one's own. */
  public boolean needsKey(boolean customBaseUrl) {
    return switch (this) {
      case OLLAMA -> false;
      case OPENAI -> !customBaseUrl;
      case ANTHROPIC, STABILITY -> true;
    };
  }

  /**
   * The provider named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the known providers
   */
  public static Provider of(String name) {
    String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    for (Provider provider : values()) {
      if (provider.id.equals(wanted)) {
        return provider;
      }
    }
    throw new IllegalArgumentException(
        "provider: unknown provider '" + name + "' (openai, anthropic, ollama, stability)");
  }
}
