package dev.z8run.nodes.ai.provider;

import dev.z8run.core.node.NodeContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * How a node reaches its provider, read from z8run's config fields ({@code provider}, {@code
 * model}, {@code apiKey}, {@code baseUrl}, {@code timeout}) plus ours ({@code maxRetries}, {@code
 * concurrency}). The API key is the resolved secret: configs hold {@code vault:<name>}, which the
 * server replaces at deploy.
 *
 * @param baseUrl without a trailing slash; the provider's default when the config leaves it empty
 * @param timeoutMs how long one message may wait for the provider once its call has started,
 *     retries and their pauses included
 * @param maxRetries retries of a 408, 409, 429, 5xx answer or a failed connection
 * @param concurrency calls of this node in flight at once
 */
public record ProviderSettings(
    Provider provider,
    String model,
    String apiKey,
    String baseUrl,
    long timeoutMs,
    int maxRetries,
    int concurrency) {

  /** Longest {@code timeout} accepted: ten minutes. */
  public static final long MAX_TIMEOUT_MS = 600_000;

  /** Most retries accepted. */
  public static final int MAX_RETRIES = 10;

  /** Most calls in flight per node. */
  public static final int MAX_CONCURRENCY = 64;

  @Override
  public String toString() {
    // never the key
    return provider.id() + " " + model + " at " + baseUrl;
  }

  /**
   * Reads the provider fields of a node's config.
   *
   * @param provider the provider, already chosen by the node (its {@code provider} field)
   * @param defaultModel used when {@code model} is empty
   * @throws IllegalArgumentException naming the field at fault
   */
  public static ProviderSettings from(NodeContext context, Provider provider, String defaultModel) {
    String model = context.configString("model", "").strip();
    if (model.isEmpty()) {
      model = defaultModel;
    }
    String baseUrl = context.configString("baseUrl", "").strip();
    boolean custom = !baseUrl.isEmpty();
    if (!custom) {
      baseUrl = provider.defaultBaseUrl();
    }
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    checkUrl(baseUrl);
    String apiKey = context.configString("apiKey", "").strip();
    if (apiKey.startsWith("vault:")) {
      throw new IllegalArgumentException(
          "apiKey: '" + apiKey + "' was not resolved (the vault is available on a z8run server)");
    }
    if (apiKey.isEmpty() && provider.needsKey(custom)) {
      throw new IllegalArgumentException(
          "apiKey: "
              + provider.id()
              + " needs an API key: store it in the vault and write vault:<name> here");
    }
    long timeoutMs = range(context, "timeout", 30_000, 1, MAX_TIMEOUT_MS);
    int maxRetries = (int) range(context, "maxRetries", 2, 0, MAX_RETRIES);
    int concurrency = (int) range(context, "concurrency", 4, 1, MAX_CONCURRENCY);
    return new ProviderSettings(
        provider, model, apiKey, baseUrl, timeoutMs, maxRetries, concurrency);
  }

  /** The endpoint {@code path} (starting with a slash) under {@link #baseUrl}. */
  public URI endpoint(String path) {
    return URI.create(baseUrl + path);
  }

  static long range(NodeContext context, String field, long fallback, long min, long max) {
    Object raw = context.config().get(field);
    long value;
    if (raw == null || raw instanceof String text && text.isBlank()) {
      value = fallback;
    } else if (raw instanceof Number number
        && number.doubleValue() == Math.rint(number.doubleValue())) {
      value = number.longValue();
    } else {
      throw new IllegalArgumentException(field + ": expected a whole number, got " + raw);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + " must be " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  private static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException bad) {
      throw new IllegalArgumentException("baseUrl: '" + url + "' is not a URL: " + bad.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("baseUrl: '" + url + "' is not an http or https URL");
    }
  }
}
