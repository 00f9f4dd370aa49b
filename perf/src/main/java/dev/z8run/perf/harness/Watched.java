package dev.z8run.perf.harness;

import dev.z8run.api.Main;
import dev.z8run.api.Settings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
    // the process's settings (Z8_WS_BATCH_MS, Z8_WS_DEBUG_RATE, Z8_WORKERS ...), on a scratch store
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("Z8_DATA_DIR", data.toString());
    env.put("Z8_JWT_SECRET", SECRET);
    env.put("Z8_BIND", "127.0.0.1");
    env.put("Z8_PORT", "0");
    try (Z8Server server = Main.start(Settings.of(env))) {
      String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("bench", "bench"));
      Client owner = Client.open(server.port(), token);
      owner.request(0x0100, flowDocument()); // FLOW_CREATE
      owner.request(0x0104, "{\"flow_id\":\"" + FLOW_ID + "\"}"); // FLOW_START
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
            Client client = Client.open(server.port(), token);
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

  /**
   * A lean socket client: a plain TCP socket doing the WebSocket handshake by hand and a virtual
   * thread reading frames into one reused buffer, so that the harness's own clients cost the
   * machine as little as a remote browser would. It authenticates, subscribes, and counts the
   * DEBUG_SAMPLE frames it reads.
   */
  static final class Client {
    final AtomicLong samples = new AtomicLong();
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Map<Integer, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Thread reader;

    private Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
      byte[] nonce = new byte[16];
      new Random().nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      out.write(
          ("GET /ws/engine HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  + key
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = readLine();
      if (!status.startsWith("HTTP/1.1 101")) {
        throw new IOException("upgrade refused: " + status);
      }
      while (!readLine().isEmpty()) {
        // headers
      }
      reader = Thread.ofVirtual().name("watched-client").start(this::read);
    }

    static Client open(int port, String token) throws Exception {
      Client client = new Client(port);
      client.request(0x0003, "{\"token\":\"" + token + "\"}");
      return client;
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }

    /** Sends a request and waits for its reply; fails unless it is OK or AUTH_RESULT. */
    void request(int type, String json) throws Exception {
      byte[] payload = json.getBytes(StandardCharsets.UTF_8);
      int id = nextId.getAndIncrement();
      CompletableFuture<Integer> reply = new CompletableFuture<>();
      pending.put(id, reply);
      ByteBuffer frame = ByteBuffer.allocate(11 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
      frame.put((byte) 1).putShort((short) type).putInt(id).putInt(payload.length).put(payload);
      sendMasked(frame.array());
      int answered = reply.get(30, TimeUnit.SECONDS);
      if (answered != 0x0F00 && answered != 0x0004) {
        throw new IllegalStateException("request 0x" + Integer.toHexString(type) + " refused");
      }
    }

    /** One binary WebSocket message, masked as a client must. */
    private synchronized void sendMasked(byte[] data) throws IOException {
      ByteBuffer header = ByteBuffer.allocate(14);
      header.put((byte) 0x82);
      if (data.length < 126) {
        header.put((byte) (0x80 | data.length));
      } else {
        header.put((byte) (0x80 | 126)).putShort((short) data.length);
      }
      byte[] mask = {1, 2, 3, 4};
      header.put(mask);
      byte[] masked = data.clone();
      for (int i = 0; i < masked.length; i++) {
        masked[i] ^= mask[i & 3];
      }
      out.write(header.array(), 0, header.position());
      out.write(masked);
      out.flush();
    }

    private void read() {
      byte[] message = new byte[64 * 1024];
      try {
        while (true) {
          int b0 = in.readUnsignedByte();
          int b1 = in.readUnsignedByte();
          long length = b1 & 0x7F;
          if (length == 126) {
            length = in.readUnsignedShort();
          } else if (length == 127) {
            length = in.readLong();
          }
          if (length > message.length) {
            message = new byte[(int) length];
          }
          in.readFully(message, 0, (int) length);
          if ((b0 & 0x0F) == 0x8) {
            return; // close
          }
          if ((b0 & 0x0F) != 0x2) {
            continue;
          }
          ByteBuffer frames =
              ByteBuffer.wrap(message, 0, (int) length).order(ByteOrder.LITTLE_ENDIAN);
          int position = 0;
          while (position + 11 <= length) {
            int type = frames.getShort(position + 1) & 0xFFFF;
            int id = frames.getInt(position + 3);
            int payload = frames.getInt(position + 7);
            if (type == 0x0305) {
              samples.incrementAndGet();
            } else if (id != 0) {
              CompletableFuture<Integer> reply = pending.remove(id);
              if (reply != null) {
                reply.complete(type);
              }
            }
            position += 11 + payload;
          }
        }
      } catch (IOException closed) {
        // the connection ended
      }
    }

    void close() {
      try {
        socket.close();
        reader.join();
      } catch (IOException | InterruptedException ignored) {
        // closing anyway
      }
    }
  }
}
