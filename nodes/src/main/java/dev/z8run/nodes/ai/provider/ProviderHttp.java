package dev.z8run.nodes.ai.provider;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The HTTP client every AI node of an engine shares ({@code java.net.http}, one connection pool,
 * virtual threads for its callbacks, redirects never followed: a provider that redirects is an
 * error, so the outbound policy sees every host that is called). One per engine, through {@link
 * dev.z8run.core.node.NodeContext#service(Class, java.util.function.Supplier)}.
 */
public final class ProviderHttp {
  /** Longest a TCP (and TLS) connection may take to open. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client =
      HttpClient.newBuilder()
          // HTTP/1.1, as the providers' own clients speak it: no "Upgrade: h2c" offered to a
          // plain-HTTP model server (Ollama, llama.cpp, vLLM behind uvicorn) that may refuse it
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(CONNECT_TIMEOUT)
          .executor(Executors.newVirtualThreadPerTaskExecutor())
          .build();

  /** The shared client. */
  public HttpClient client() {
    return client;
  }
}
