package dev.z8run.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generator against servers whose stalls the tests script. The bounds are wide (a loaded 2-core
 * machine adds milliseconds anywhere), but each would fail for a client that timed requests from
 * when it sent them after the previous answer, as a closed-loop client does.
 */
@Timeout(60)
class OpenLoopHttpTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void shouldChargeEveryRequestScheduledDuringAStallToTheStall() throws Exception {
    ReentrantLock everyConnection = new ReentrantLock();
    ScriptedHttpServer.Script stallOnce =
        n -> {
          everyConnection.lock(); // one stall holds up the answers on every connection
          try {
            if (n == 2_000) { // ~0.7 s into the timed window at 2,000/s after 0.3 s of warm-up
              Thread.sleep(200);
            }
          } finally {
            everyConnection.unlock();
          }
          return ScriptedHttpServer.OK;
        };
    try (ScriptedHttpServer server = new ScriptedHttpServer(stallOnce)) {
      OpenLoopHttp.Result result = run(server.url(), 2_000, 2_000, 300, 4);

      assertEquals(0, result.errors(), result.firstError());
      // 2,000 requests a second were due during the stall: the ~200 of its first 100 ms waited
      // 100-200 ms; a closed-loop client with 4 connections would have had 4 requests waiting
      long over100ms = Arrays.stream(result.latenciesNs()).filter(l -> l >= 100 * MS).count();
      assertTrue(over100ms >= 120, "requests waiting >= 100 ms: " + over100ms);
      assertTrue(result.percentileNs(0.99) >= 100 * MS, "p99: " + result.line());
      assertTrue(result.percentileNs(1.0) >= 150 * MS, "max: " + result.line());
      assertTrue(result.percentileNs(1.0) < 2_000 * MS, "max: " + result.line());
    }
  }

  @Test
  void shouldShowAStallOfOneRequestInAHundredAtP99() throws Exception {
    ScriptedHttpServer.Script everyHundredth =
        n -> {
          if (n % 100 == 0) {
            Thread.sleep(10);
          }
          return ScriptedHttpServer.OK;
        };
    try (ScriptedHttpServer server = new ScriptedHttpServer(everyHundredth)) {
      OpenLoopHttp.Result result = run(server.url(), 1_000, 3_000, 300, 4);

      assertEquals(0, result.errors(), result.firstError());
      // 1% stalled 10 ms, and the next request on its connection (4 ms later) waited ~6 ms more
      assertTrue(result.percentileNs(0.99) >= 5 * MS, "p99: " + result.line());
      assertTrue(result.percentileNs(0.50) < 5 * MS, "p50: " + result.line());
      assertTrue(result.rateAchieved() > 900, "rate: " + result.line());
    }
  }

  @Test
  void shouldCountLatencyFromTheScheduleWhenTheSenderIsLate() throws Exception {
    // the sender's clock jumps 200 ms ahead, as if its thread had been descheduled that long: the
    // requests of those 200 ms go out at once, late, and their latency counts from their schedule
    long start = System.nanoTime();
    try (ScriptedHttpServer server = new ScriptedHttpServer(n -> ScriptedHttpServer.OK)) {
      OpenLoopHttp.Plan plan = new OpenLoopHttp.Plan(server.url(), 2_000, 1_500, 200, 4, 0);
      OpenLoopHttp.Result result =
          new OpenLoopHttp(
                  plan,
                  () -> {
                    long now = System.nanoTime();
                    return now - start > 900 * MS ? now + 200 * MS : now;
                  })
              .run();

      assertEquals(0, result.errors(), result.firstError());
      long over100ms = Arrays.stream(result.latenciesNs()).filter(l -> l >= 100 * MS).count();
      assertTrue(over100ms >= 150, "requests waiting >= 100 ms: " + over100ms);
      assertTrue(result.sendLagMaxNs() >= 150 * MS, "send lag max " + result.sendLagMaxNs());
    }
  }

  @Test
  void shouldAcknowledgeAnswersAtOnceSoThatNagleOnTheServerHoldsNothingBack() throws Exception {
    // with delayed acknowledgements the second half of each answer would wait for the ack that
    // the next request (2 ms later on the one connection) carries: a median of ~2 ms
    try (ScriptedHttpServer server = new ScriptedHttpServer(n -> ScriptedHttpServer.OK, true)) {
      OpenLoopHttp.Result result = run(server.url(), 500, 2_000, 300, 1);

      assertEquals(0, result.errors(), result.firstError());
      assertTrue(result.percentileNs(0.50) < 1 * MS, "p50: " + result.line());
    }
  }

  @Test
  void shouldCountEveryNon200AnswerAsAnError() throws Exception {
    ScriptedHttpServer.Script everyTenth =
        n ->
            n % 10 == 0
                ? "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"
                : ScriptedHttpServer.OK;
    try (ScriptedHttpServer server = new ScriptedHttpServer(everyTenth)) {
      OpenLoopHttp.Result result = run(server.url(), 1_000, 1_000, 200, 4);

      assertEquals(server.requests() / 10, result.errors(), result.firstError());
      assertEquals(1_200, server.requests());
      assertTrue(result.firstError().startsWith("status 503"), result.firstError());
    }
  }

  @Test
  void shouldCountEveryRequestOfARefusedConnectionAsAnError() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    OpenLoopHttp.Result result =
        run(URI.create("http://127.0.0.1:" + port + "/x"), 1_000, 300, 100, 4);

    assertEquals(400, result.errors());
    assertEquals(0, result.latenciesNs().length);
    assertTrue(result.firstError().startsWith("connect"), result.firstError());
  }

  @Test
  void shouldReadChunkedAnswers() throws Exception {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n3;x=1\r\n!!!\r\n0\r\n\r\n";
    try (ScriptedHttpServer server = new ScriptedHttpServer(n -> chunked)) {
      OpenLoopHttp.Result result = run(server.url(), 1_000, 1_000, 200, 4);

      assertEquals(0, result.errors(), result.firstError());
      assertEquals(1_000, result.latenciesNs().length);
    }
  }

  @Test
  void shouldGetHelidonsAnswersToPipelinedRequestsInOrder() throws Exception {
    WebServer helidon = BareHttpServer.start(0);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), helidon.port())) {
      OutputStream out = socket.getOutputStream();
      StringBuilder requests = new StringBuilder();
      for (int i = 0; i < 200; i++) { // /hello and a path Helidon does not know, alternating
        requests.append("GET ").append(i % 2 == 0 ? "/hello" : "/nowhere").append(" HTTP/1.1\r\n");
        requests.append("Host: 127.0.0.1\r\n\r\n");
      }
      out.write(requests.toString().getBytes(StandardCharsets.US_ASCII)); // in one write
      out.flush();

      InputStream in = socket.getInputStream();
      ByteBuffer answers = ByteBuffer.allocate(1 << 20);
      int[] statuses = new int[200];
      int got = 0;
      byte[] chunk = new byte[8192];
      socket.setSoTimeout(10_000);
      while (got < statuses.length) {
        int read = in.read(chunk);
        assertTrue(read > 0, "Helidon closed the connection after " + got + " answers");
        answers.put(chunk, 0, read).flip();
        int status;
        while ((status = Http1Responses.next(answers)) != Http1Responses.INCOMPLETE) {
          statuses[got++] = status;
        }
        answers.compact();
      }
      for (int i = 0; i < statuses.length; i++) {
        assertEquals(i % 2 == 0 ? 200 : 404, statuses[i], "answer " + i);
      }

      OpenLoopHttp.Result result =
          run(URI.create("http://127.0.0.1:" + helidon.port() + "/hello"), 2_000, 1_000, 300, 4);
      assertEquals(0, result.errors(), result.firstError());
      assertEquals(2_000, result.latenciesNs().length);
    } finally {
      helidon.stop();
    }
  }

  private static OpenLoopHttp.Result run(
      URI url, double rate, long durationMs, long warmMs, int connections) throws Exception {
    return new OpenLoopHttp(new OpenLoopHttp.Plan(url, rate, durationMs, warmMs, connections, 0))
        .run();
  }
}
