package dev.z8run.nodes.ai.provider;

import java.net.URI;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Image generation: OpenAI's {@code POST {baseUrl}/images/generations} (and servers that copy it;
 * the image comes back as {@code b64_json}, or as a {@code url} that is then downloaded under the
 * same outbound policy) and Stability AI's {@code POST {baseUrl}/generation/{model}/text-to-image}
 * (base64 {@code artifacts}).
 */
public final class ImageApi {
  /**
   * One generated image.
   *
   * @param url where the provider keeps it, or null when it sent the bytes only
   * @param revisedPrompt the prompt as the model rewrote it (DALL-E 3), or null
   */
  public record Image(byte[] bytes, String url, String revisedPrompt, String mediaType) {}

  private final ProviderClient client;

  public ImageApi(ProviderClient client) {
    this.client = client;
  }

  public Image generate(String prompt, String size, String quality, String style)
      throws ProviderException, InterruptedException {
    ProviderSettings settings = client.settings();
    return settings.provider() == Provider.STABILITY
        ? stability(prompt, size)
        : openAi(prompt, size, quality, style);
  }

  private Image openAi(String prompt, String size, String quality, String style)
      throws ProviderException, InterruptedException {
    ProviderSettings settings = client.settings();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", settings.model());
    body.put("prompt", prompt);
    body.put("n", 1);
    if (!size.isEmpty()) {
      body.put("size", size);
    }
    if (!quality.isEmpty()) {
      body.put("quality", quality);
    }
    // gpt-image models take no style
    if (!style.isEmpty() && !settings.model().toLowerCase(Locale.ROOT).startsWith("gpt-image")) {
      body.put("style", style);
    }
    Map<String, String> headers = client.bearerHeaders();
    Object answer = client.postJson("/images/generations", headers, body);
    Object first = WireJson.at(answer, "data", 0);
    String revised = WireJson.string(first, "revised_prompt");
    String b64 = WireJson.string(first, "b64_json");
    String url = WireJson.string(first, "url");
    String format = WireJson.string(answer, "output_format");
    String mediaType = "image/" + (format == null ? "png" : format);
    if (b64 != null && !b64.isEmpty()) {
      return new Image(decode(b64, "openai"), url, revised, mediaType);
    }
    if (url == null || url.isEmpty()) {
      throw new ProviderException(
          "openai answered neither data[0].b64_json nor data[0].url: " + OpenAiChat.shorten(answer),
          200);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException bad) {
      throw new ProviderException("openai answered a bad image url: " + url, 200);
    }
    return new Image(client.download(uri), url, revised, mediaType);
  }

  private Image stability(String prompt, String size)
      throws ProviderException, InterruptedException {
    ProviderSettings settings = client.settings();
    int width = 1024;
    int height = 1024;
    String[] parts = size.toLowerCase(Locale.ROOT).split("x");
    if (parts.length == 2) {
      try {
        width = Integer.parseInt(parts[0].strip());
        height = Integer.parseInt(parts[1].strip());
      } catch (NumberFormatException bad) {
        throw new ProviderException("size '" + size + "' is not WIDTHxHEIGHT", 0);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("text_prompts", java.util.List.of(Map.of("text", prompt, "weight", 1.0)));
    body.put("height", height);
    body.put("width", width);
    body.put("samples", 1);
    body.put("steps", 30);
    Object answer =
        client.postJson(
            "/generation/" + settings.model() + "/text-to-image",
            Map.of("Authorization", "Bearer " + settings.apiKey(), "Accept", "application/json"),
            body);
    String b64 = WireJson.string(answer, "artifacts", 0, "base64");
    if (b64 == null || b64.isEmpty()) {
      throw new ProviderException(
          "stability answered no artifacts[0].base64: " + OpenAiChat.shorten(answer), 200);
    }
    return new Image(decode(b64, "stability"), null, null, "image/png");
  }

  private static byte[] decode(String b64, String provider) throws ProviderException {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException bad) {
      throw new ProviderException(provider + " answered an image that is not base64", 200);
    }
  }
}
