package dev.z8run.perf.harness;

import dev.z8run.api.Main;
import dev.z8run.api.ServerSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

/**
 * Issue 4's watched-chain scenario: a 10-node chain (source, 10 change nodes, a debug node at its
 * end) runs at full speed inside a real server while 0, 1, 10 and 100 editor-socket clients are
 * subscribed to it; prints the chain's throughput with clients divided by its throughput without,
 * side by side in one run.
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.Watched [clients=0,1,10,100]
 * [durMs=10000] [warmMs=2000] [reps=3]}
 */
public final class Watched {
  private static final String SECRET = "watched-harness-secret-long-enough-for-hs256";
  private static final String FLOW_ID = "watched-chain";

  private Watched() {}

  public static void main(String[] args) throws Exception {
    int[] counts =
        Arrays.stream((args.length > 0 ? args[0] : "0,1,10,100").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    long durMs = args.length > 1 ? Long.parseLong(args[1]) : 10_000;
    long warmMs = args.length > 2 ? Long.parseLong(args[2]) : 2_000;
    int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Path data = Files.createTempDirectory("z8-watched");
    Map<String, String> env = new HashMap<>();
    env.put("Z8_DATA_DIR", data.toString());
    env.put("Z8_JWT_SECRET", SECRET);
    try (Z8Server server = Main.start(new ServerSettings("127.0.0.1", 0, Level.WARNING), env);
        HttpClient http = HttpClient.newHttpClient()) {
      String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("bench", "bench"));
      Client owner = Client.open(http, server.port(), token);
      owner.request(0x0101, flowDocument()); // FLOW_CREATE
      owner.request(0x0105, "{\"flow_id\":\"" + FLOW_ID + "\"}"); // FLOW_START
      Engine engine = server.engine();
      Harness.Feeder feeder =
          new Harness.Feeder(
              1,
              1000,
              0,
              engine.trigger(FLOW_ID, "src"),
              engine.counter(FLOW_ID, "dbg", NodeCounters.MESSAGES_IN));
      Engine.CounterReader sink = engine.counter(FLOW_ID, "dbg", NodeCounters.MESSAGES_IN);
      Map<Integer, List<double[]>> results = new HashMap<>();
      feeder.feedFor(warmMs * 2); // JIT the chain before the first measurement
      for (int rep = 0; rep < reps; rep++) {
        for (int count : counts) {
          List<Client> clients = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            Client client = Client.open(http, server.port(), token);
            client.request(0x010A, "{\"flow_id\":\"" + FLOW_ID + "\"}"); // SUBSCRIBE
            clients.add(client);
          }
          feeder.feedFor(warmMs);
          long sink0 = sink.get();
          long[] frames0 = clients.stream().mapToLong(c -> c.samples.get()).toArray();
          long t0 = System.nanoTime();
          feeder.feedFor(durMs);
          long elapsed = System.nanoTime() - t0;
          double msgs = (sink.get() - sink0) * 1e9 / elapsed;
          double samples = 0;
          for (int i = 0; i < clients.size(); i++) {
            samples += (clients.get(i).samples.get() - frames0[i]) * 1e9 / elapsed;
          }
          double perClient = clients.isEmpty() ? 0 : samples / clients.size();
          results
              .computeIfAbsent(count, c -> new ArrayList<>())
              .add(new double[] {msgs, perClient});
          System.err.printf(
              Locale.ROOT,
              "[watched] rep %d clients=%d msgs_per_s=%.0f debug_samples_per_client_s=%.1f open=%d%n",
              rep + 1,
              count,
              msgs,
              perClient,
              server.sockets().openConnections());
          for (Client client : clients) {
            client.close();
          }
        }
      }
      double base = median(results.get(counts[0]), 0);
      System.out.println(
          "clients msgs_per_s ratio_to_" + counts[0] + " debug_samples_per_client_s");
      for (int count : counts) {
        double msgs = median(results.get(count), 0);
        System.out.printf(
            Locale.ROOT,
            "%d %.0f %.3f %.1f%n",
            count,
            msgs,
            msgs / base,
            median(results.get(count), 1));
      }
      owner.close();
    }
  }

  private static double median(List<double[]> runs, int field) {
    double[] values = runs.stream().mapToDouble(r -> r[field]).sorted().toArray();
    return values[values.length / 2];
  }

  private static String flowDocument() {
    StringBuilder nodes = new StringBuilder("{\"id\":\"src\",\"type\":\"inject\",\"config\":{}}");
    StringBuilder wires = new StringBuilder();
    String previous = "src";
    for (int i = 1; i <= 10; i++) {
      nodes.append(
          ",{\"id\":\"c"
              + i
              + "\",\"type\":\"change\",\"config\":{\"rules\":[{\"t\":\"set\",\"p\":\"hop\","
              + "\"pt\":\"msg\",\"to\":"
              + i
              + ",\"tot\":\"num\"}]}}");
      wires.append(wires.isEmpty() ? "" : ",");
      wires.append("{\"from\":\"" + previous + "\",\"to\":\"c" + i + "\"}");
      previous = "c" + i;
    }
    nodes.append(",{\"id\":\"dbg\",\"type\":\"debug\",\"config\":{\"complete\":true}}");
    wires.append(",{\"from\":\"" + previous + "\",\"to\":\"dbg\"}");
    return "{\"id\":\""
        + FLOW_ID
        + "\",\"name\":\"watched chain\",\"nodes\":["
        + nodes
        + "],\"wires\":["
        + wires
        + "]}";
  }

  /** A socket client that authenticates, subscribes, and counts the debug samples it reads. */
  static final class Client implements WebSocket.Listener {
    final AtomicLong samples = new AtomicLong();
    private final Map<Integer, CompletableFuture<Integer>> pending = new HashMap<>();
    private WebSocket socket;
    private ByteBuffer parts = ByteBuffer.allocate(0);
    private int nextId = 1;

    static Client open(HttpClient http, int port, String token) throws Exception {
      Client client = new Client();
      client.socket =
          http.newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/engine"), client)
              .get(10, TimeUnit.SECONDS);
      client.request(0x0003, "{\"token\":\"" + token + "\"}");
      return client;
    }

    /** Sends a request and waits for its reply; fails unless it is OK or AUTH_RESULT. */
    void request(int type, String json) throws Exception {
      byte[] payload = json.getBytes(StandardCharsets.UTF_8);
      ByteBuffer frame = ByteBuffer.allocate(11 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
      CompletableFuture<Integer> reply = new CompletableFuture<>();
      int id;
      synchronized (pending) {
        id = nextId++;
        pending.put(id, reply);
      }
      frame.put((byte) 1).putShort((short) type).putInt(id).putInt(payload.length).put(payload);
      socket.sendBinary(frame.flip(), true).get(10, TimeUnit.SECONDS);
      int answered = reply.get(30, TimeUnit.SECONDS);
      if (answered != 0x0F01 && answered != 0x0004) {
        throw new IllegalStateException("request 0x" + Integer.toHexString(type) + " refused");
      }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      if (parts.hasRemaining() || !last) {
        ByteBuffer grown = ByteBuffer.allocate(parts.remaining() + data.remaining());
        parts = grown.put(parts).put(data).flip();
      } else {
        parts = data;
      }
      if (last) {
        ByteBuffer in = parts.order(ByteOrder.LITTLE_ENDIAN);
        while (in.remaining() >= 11) {
          int start = in.position();
          int type = in.getShort(start + 1) & 0xFFFF;
          int id = in.getInt(start + 3);
          int length = in.getInt(start + 7);
          if (type == 0x0301) {
            samples.incrementAndGet();
          } else if (id != 0) {
            CompletableFuture<Integer> reply;
            synchronized (pending) {
              reply = pending.remove(id);
            }
            if (reply != null) {
              reply.complete(type);
            }
          }
          in.position(start + 11 + length);
        }
        parts = ByteBuffer.allocate(0);
      }
      webSocket.request(1);
      return null;
    }

    void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      socket.abort();
    }
  }
}
