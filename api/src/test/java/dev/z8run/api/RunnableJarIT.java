package dev.z8run.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code target/z8run.jar} as a user runs it: {@code java -jar z8run.jar serve} in its
 * own process (same JDK as this test, no extra flags: the manifest must carry them), health over a
 * real socket, SIGTERM ends it. Runs in {@code verify}, after {@code package} built the jar.
 */
class RunnableJarIT {
  private static final long HEALTHY_DEADLINE_MS = 10_000;
  private static final long EXIT_DEADLINE_MS = 10_000;
  private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

  private static final String SERVICE_REGISTRY = "META-INF/helidon/service-registry.json";

  @TempDir Path tempDir;

  @Test
  void shouldMergeEveryHelidonServiceRegistryIntoOneJsonArray() throws Exception {
    List<String> expected = new ArrayList<>();
    for (var url : Collections.list(getClass().getClassLoader().getResources(SERVICE_REGISTRY))) {
      try (InputStream in = url.openStream()) {
        expected.addAll(modules(in));
      }
    }
    List<String> merged;
    try (JarFile jar = new JarFile(jar().toFile())) {
      try (InputStream in = jar.getInputStream(jar.getEntry(SERVICE_REGISTRY))) {
        merged = modules(in);
      }
    }

    assertTrue(expected.size() > 1, "expected several registries on the classpath: " + expected);
    assertEquals(expected.stream().sorted().toList(), merged.stream().sorted().toList());
  }

  @Test
  void shouldServeHealthFromTheRunnableJarAndStopOnSigterm() throws Exception {
    Path jar = jar();
    int port = freePort();
    Path log = tempDir.resolve("z8run.log");
    ProcessBuilder builder =
        new ProcessBuilder(javaCommand(), "-jar", jar.toString(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("Z8_PORT", Integer.toString(port));
    builder.environment().put("Z8_BIND", "127.0.0.1");
    builder.environment().put("Z8_DATA_DIR", tempDir.resolve("data").toString());
    builder.environment().remove("Z8_LOG_LEVEL");

    long startNs = System.nanoTime();
    Process process = builder.start();
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> health = awaitHealth(client, process, port, log);
      long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
      System.out.println("z8run.jar: healthy " + startMs + " ms after process start");

      assertEquals(200, health.statusCode());
      assertEquals("application/json", health.headers().firstValue("Content-Type").orElse(""));
      assertEquals(
          "{\"status\":\"ok\",\"service\":\"z8run\",\"version\":\""
              + System.getProperty("z8.expected.version")
              + "\"}",
          health.body());
      assertTrue(startMs < HEALTHY_DEADLINE_MS, "took " + startMs + " ms");
      assertTrue(
          read(log).contains("z8run listening on http://127.0.0.1:" + port), () -> read(log));

      process.destroy(); // SIGTERM
      assertTrue(
          process.waitFor(EXIT_DEADLINE_MS, TimeUnit.MILLISECONDS),
          () -> "still running after SIGTERM:\n" + read(log));
      // 128 + SIGTERM: the JVM ran its shutdown hooks and exited on the signal
      assertEquals(143, process.exitValue(), () -> read(log));
      assertTrue(read(log).contains("z8run stopped"), () -> "no shutdown line:\n" + read(log));
    } finally {
      process.destroyForcibly();
    }
  }

  private static HttpResponse<String> awaitHealth(
      HttpClient client, Process process, int port, Path log) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    return await("an answer on port " + port)
        .atMost(Duration.ofMillis(HEALTHY_DEADLINE_MS))
        .pollInterval(Duration.ofNanos(POLL_INTERVAL_NS))
        .ignoreException(ConnectException.class)
        .until(
            () -> {
              if (!process.isAlive()) {
                fail(
                    "z8run exited with "
                        + process.exitValue()
                        + " before answering:\n"
                        + read(log));
              }
              return client.send(request, HttpResponse.BodyHandlers.ofString());
            },
            answer -> true);
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty("z8.jar", "target/z8run.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run this test through mvn verify");
    return jar;
  }

  /** The "module" names of one service-registry.json, which must be exactly one JSON array. */
  private static List<String> modules(InputStream in) throws IOException {
    List<String> modules = new ArrayList<>();
    try (JsonParser json = new JsonFactory().createParser(in)) {
      assertEquals(JsonToken.START_ARRAY, json.nextToken());
      while (json.nextToken() == JsonToken.START_OBJECT) {
        while (json.nextToken() == JsonToken.FIELD_NAME) {
          String field = json.currentName();
          json.nextToken();
          if ("module".equals(field)) {
            modules.add(json.getText());
          } else {
            json.skipChildren();
          }
        }
      }
      assertEquals(JsonToken.END_ARRAY, json.currentToken());
      assertEquals(null, json.nextToken(), "content after the array");
    }
    return modules;
  }

  private static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
