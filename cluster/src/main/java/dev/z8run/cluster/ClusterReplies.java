package dev.z8run.cluster;

import dev.z8run.core.node.Replies;
import dev.z8run.io.json.JsonCodec;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers to requests held open on another member: an {@code http-in} request that arrived on
 * member A and crossed a distributed wire is answered by the {@code http-out} of member B through
 * NATS. A work message that carries a request's {@code ref} also carries the member holding it
 * (headers {@code Z8-Ref}, {@code Z8-Reply-To}); the member taking the message {@linkplain #adopt
 * adopts} it under a local ref of its own (bit 62 set), and a reply to that ref is published on
 * {@code <prefix>.reply.<member>}, where the holder's subscription hands it to its own {@link
 * Replies} (the hook service). Other refs go to the local replies unchanged.
 *
 * <p>The answer is a core NATS message: if the holder died meanwhile, its client lost the request
 * anyway. Thread-safe.
 */
public final class ClusterReplies implements Replies, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterReplies.class.getName());
  private static final long REMOTE = 1L << 62;
  static final String REF = "Z8-Ref";
  static final String REPLY_TO = "Z8-Reply-To";
  private static final String STATUS = "Z8-Status";
  private static final String HEADERS = "Z8-Headers";
  private static final String BINARY = "Z8-Binary";
  private static final Base64.Encoder NAMES = Base64.getUrlEncoder().withoutPadding();

  private record Remote(String member, long ref) {}

  private final Cluster cluster;
  private final Replies local;
  private final Map<Long, Remote> adopted = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();
  private final Dispatcher dispatcher;

  public ClusterReplies(Cluster cluster, Replies local) {
    this.cluster = cluster;
    this.local = local;
    this.dispatcher = cluster.connection().createDispatcher(this::onReply);
    dispatcher.subscribe(subject(cluster.memberId()));
  }

  private String subject(String member) {
    return cluster.config().prefix()
        + ".reply."
        + NAMES.encodeToString(member.getBytes(StandardCharsets.UTF_8));
  }

  /** The headers a work message carries for a request held here under {@code ref}. */
  Headers headersFor(long ref) {
    return new Headers().put(REF, Long.toString(ref)).put(REPLY_TO, cluster.memberId());
  }

  /**
   * A local ref standing for request {@code ref} held by {@code member}, or 0 when the headers
   * carry no request.
   */
  long adopt(Headers headers) {
    if (headers == null || headers.getFirst(REF) == null || headers.getFirst(REPLY_TO) == null) {
      return 0;
    }
    long ref = Long.parseLong(headers.getFirst(REF));
    String member = headers.getFirst(REPLY_TO);
    if (member.equals(cluster.memberId()) && (ref & REMOTE) == 0) {
      return ref; // held here: the local hook service answers it
    }
    long id = REMOTE | next.incrementAndGet();
    adopted.put(id, new Remote(member, ref));
    return id;
  }

  /** The execution of an adopted ref ended: an answer can no longer come from it. */
  void forget(long ref) {
    if ((ref & REMOTE) != 0) {
      adopted.remove(ref);
    }
  }

  @Override
  public boolean reply(
      long ref, int statusCode, Map<String, String> headers, byte[] payloadJson, byte[] binary) {
    Remote remote = (ref & REMOTE) != 0 ? adopted.remove(ref) : null;
    if (remote == null) {
      return local.reply(ref, statusCode, headers, payloadJson, binary);
    }
    Headers out =
        new Headers()
            .put(REF, Long.toString(remote.ref()))
            .put(STATUS, Integer.toString(statusCode))
            .put(HEADERS, JsonCodec.writeString(headers == null ? Map.of() : headers))
            .put(BINARY, binary != null ? "1" : payloadJson != null ? "0" : "null");
    byte[] body = binary != null ? binary : payloadJson == null ? new byte[0] : payloadJson;
    cluster.connection().publish(subject(remote.member()), out, body);
    return true;
  }

  private void onReply(Message message) {
    Headers headers = message.getHeaders();
    try {
      long ref = Long.parseLong(headers.getFirst(REF));
      int status = Integer.parseInt(headers.getFirst(STATUS));
      Map<String, String> answerHeaders = new LinkedHashMap<>();
      if (JsonCodec.parse(headers.getFirst(HEADERS)) instanceof Map<?, ?> map) {
        map.forEach(
            (name, value) -> answerHeaders.put(String.valueOf(name), String.valueOf(value)));
      }
      String kind = headers.getFirst(BINARY);
      byte[] body = message.getData();
      local.reply(
          ref,
          status,
          answerHeaders,
          "0".equals(kind) ? body : null,
          "1".equals(kind) ? body : null);
    } catch (RuntimeException broken) {
      LOG.log(Level.WARNING, "a cross-member reply was not applied: " + broken);
    }
  }

  @Override
  public void close() {
    try {
      cluster.connection().closeDispatcher(dispatcher);
    } catch (RuntimeException closed) {
      LOG.log(Level.DEBUG, "closing the replies dispatcher: " + closed);
    }
  }
}
