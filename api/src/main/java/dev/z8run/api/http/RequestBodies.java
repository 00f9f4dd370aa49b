package dev.z8run.api.http;

import dev.z8run.io.json.JsonCodec;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads request bodies with a size limit and turns bad JSON into 400s that say where. */
public final class RequestBodies {
  private RequestBodies() {}

  /** The first piece of a body of unknown length, and of one announced past it. */
  static final int FIRST_PIECE = 16 << 10;

  /** The largest piece after it; each piece is twice the one before, up to this. */
  static final int PIECE = 256 << 10;

  /**
   * The raw body, at most {@code maxBytes}; empty when there is none. A {@code Content-Length}
   * above the limit is refused before a byte is read, and a chunked body stops one byte past it:
   * 413, and the connection is closed rather than drained. The bytes are taken from the server's
   * {@link BodyBudget} as they arrive; past it, 503 (429 past the client address's half). The body
   * must arrive within its deadline ({@link BodyDeadline#deadlineMs}): 408 and the connection
   * closed past it.
   */
  public static byte[] read(ServerRequest request, int maxBytes) {
    return BodyDeadline.read(request, maxBytes);
  }

  /** {@link #read} without a deadline (the caller keeps one). */
  static byte[] readNow(ServerRequest request, int maxBytes) {
    return read(request, maxBytes, BodyBudget.server());
  }

  static byte[] read(ServerRequest request, int maxBytes, BodyBudget budget) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    OptionalLong declared = request.headers().contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      throw tooLarge(maxBytes);
    }
    try (InputStream in = request.content().inputStream()) {
      // one past the limit: a chunked body that is longer stops there
      int body = declared.isPresent() ? (int) declared.getAsLong() : maxBytes + 1;
      return readPieces(in, body, maxBytes, budget, BodyBudget.client(request));
    } catch (IOException e) {
      // the client's body broke off (or its connection did): the client's failure, not ours
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
    } catch (NumberFormatException | RequestException badChunk) {
      // Helidon reads a chunk size that is not hex, negative or past 2^32 with a bare
      // NumberFormatException: a malformed body, never a server error
      throw ApiException.badRequest(
          "cannot read the request body: malformed chunked encoding ("
              + badChunk.getMessage()
              + ")");
    } catch (DataReader.InsufficientDataAvailableException ended) {
      // the connection ended inside a chunk: no one reads this answer, but it is no server error
      throw ApiException.badRequest("cannot read the request body: the connection ended inside it");
    }
  }

  /**
   * Reads at most {@code expected} bytes in pieces, each taken from {@code budget} before it is
   * allocated and all given back on return: a slow client holds at most twice what it has sent so
   * far (plus the first piece), and the sum over every client stays within the budget. A body
   * announced in full and of at most {@link #FIRST_PIECE} bytes (almost every one) is read into its
   * own array, without a copy.
   */
  private static byte[] readPieces(
      InputStream in, int expected, int maxBytes, BodyBudget budget, Object client)
      throws IOException {
    long taken = 0;
    try {
      byte[] first = new byte[Math.min(expected, FIRST_PIECE)];
      budget.take(client, first.length);
      taken += first.length;
      int total = in.readNBytes(first, 0, first.length);
      if (total == expected) {
        return first;
      }
      java.util.List<byte[]> pieces = new java.util.ArrayList<>();
      pieces.add(first);
      int last = total;
      while (last == pieces.get(pieces.size() - 1).length && total < expected) {
        // twice the last piece: what a client holds reserved stays within twice what it sent
        int size = Math.min(PIECE, 2 * pieces.get(pieces.size() - 1).length);
        byte[] piece = new byte[Math.min(expected - total, size)];
        budget.take(client, piece.length);
        taken += piece.length;
        last = in.readNBytes(piece, 0, piece.length);
        pieces.add(piece);
        total += last;
      }
      if (total > maxBytes) {
        throw tooLarge(maxBytes);
      }
      // the whole body is here: its copy is not refused (its pieces are given back right after),
      // so the budget may be passed by the bodies being copied at this moment, at most twice
      budget.takeAnyway(client, total);
      taken += total;
      byte[] body = new byte[total];
      int at = 0;
      for (byte[] piece : pieces) {
        int n = Math.min(piece.length, total - at);
        System.arraycopy(piece, 0, body, at, n);
        at += n;
      }
      return body;
    } finally {
      budget.give(client, taken);
    }
  }

  private static ApiException tooLarge(int maxBytes) {
    return new ApiException(
        Status.REQUEST_ENTITY_TOO_LARGE_413,
        "request body exceeds the limit of " + maxBytes + " bytes");
  }

  /**
   * Throws 415 unless the request declares JSON ({@code application/json} or {@code
   * application/*+json}); a body without a {@code Content-Type} is read as JSON.
   */
  public static void requireJson(ServerRequest request) {
    Optional<String> header = request.headers().first(HeaderNames.CONTENT_TYPE);
    if (header.isEmpty()) {
      return;
    }
    String value = header.get();
    int semicolon = value.indexOf(';');
    String mediaType =
        (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")
        && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      throw new ApiException(
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "Content-Type must be application/json, got '" + value + "'");
    }
  }

  /**
   * Takes what a JSON body of {@code length} bytes takes once parsed ({@link
   * BodyBudget#PARSED_FACTOR} times its size) from the server's body budget until the request ends,
   * for the request's client; throws 503 or 429 as {@link BodyBudget#take} does.
   */
  static void holdParsed(ServerRequest request, int length) {
    BodyBudget.server()
        .holdUntilRequestEnds(BodyBudget.client(request), (long) BodyBudget.PARSED_FACTOR * length);
  }

  /** The body parsed as JSON (any value); 415 unless it is declared JSON (or not declared). */
  public static Object json(ServerRequest request, int maxBytes) {
    requireJson(request);
    byte[] body = read(request, maxBytes);
    if (body.length == 0) {
      throw ApiException.badRequest("a JSON request body is required");
    }
    holdParsed(request, body.length);
    try {
      return JsonCodec.parse(body);
    } catch (JsonCodec.JsonException malformed) {
      throw ApiException.badRequest(malformed.getMessage());
    }
  }

  /** The body as a JSON object. */
  public static Map<String, Object> object(ServerRequest request, int maxBytes) {
    Object value = json(request, maxBytes);
    if (!(value instanceof Map<?, ?> map)) {
      throw ApiException.badRequest(
          "the request body must be a JSON object, got " + JsonCodec.describe(value));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) map;
    return object;
  }
}
