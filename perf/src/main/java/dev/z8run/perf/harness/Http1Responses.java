package dev.z8run.perf.harness;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Splits the bytes of one HTTP/1.1 connection into responses, in order, for {@link OpenLoopHttp}'s
 * reader: a status line, headers, then a body framed by {@code Content-Length} or by {@code
 * Transfer-Encoding: chunked} (trailers skipped). A response framed otherwise (a body that runs
 * until the connection closes, or a chunked encoding applied on top of another one) is refused with
 * an exception naming the header, as is a malformed status line or chunk size.
 *
 * <pre>
 *   HTTP/1.1 200 OK\r\n                 status: the three digits after the first space
 *   Content-Length: 23\r\n              or Transfer-Encoding: chunked
 *   ...\r\n
 *   \r\n
 *   body (23 bytes)                     or: hex-size\r\n data\r\n ... 0\r\n [trailers\r\n] \r\n
 * </pre>
 *
 * <p>Stateless between calls: an incomplete response is parsed again from its start once more bytes
 * have arrived (responses under test are small, so the rescan costs less than a state machine
 * would). Not thread-safe; one reader thread owns it.
 */
final class Http1Responses {
  /** {@link #next}'s answer when the buffer does not hold a whole response yet. */
  static final int INCOMPLETE = -1;

  private static final byte[] CONTENT_LENGTH = lower("content-length:");
  private static final byte[] TRANSFER_ENCODING = lower("transfer-encoding:");
  private static final byte[] CHUNKED = lower("chunked");

  private Http1Responses() {}

  /**
   * Reads one response from {@code in}'s position. Returns its status code and moves the position
   * past it, or returns {@link #INCOMPLETE} and leaves the position where it was.
   *
   * @throws IllegalStateException if the bytes are not a response this class can frame
   */
  static int next(ByteBuffer in) {
    int start = in.position();
    int limit = in.limit();
    int headersEnd = indexOfBlankLine(in, start, limit);
    if (headersEnd < 0) {
      return INCOMPLETE;
    }
    if (headersEnd - start < 12) {
      throw new IllegalStateException("not a status line: " + ascii(in, start, headersEnd));
    }
    int status = status(in, start);
    long contentLength = -1;
    boolean chunked = false;
    // headersEnd is the CR ending the last line: each line's end is found up to headersEnd + 2
    int line = lineEnd(in, start, headersEnd + 2) + 2;
    while (line < headersEnd) {
      int end = lineEnd(in, line, headersEnd + 2);
      if (startsWithIgnoreCase(in, line, end, CONTENT_LENGTH)) {
        contentLength = parseDecimal(in, line + CONTENT_LENGTH.length, end);
      } else if (startsWithIgnoreCase(in, line, end, TRANSFER_ENCODING)) {
        int value = skipSpaces(in, line + TRANSFER_ENCODING.length, end);
        if (end - value != CHUNKED.length || !startsWithIgnoreCase(in, value, end, CHUNKED)) {
          throw new IllegalStateException(
              "unsupported transfer-encoding: " + ascii(in, value, end) + " (only chunked)");
        }
        chunked = true;
      }
      line = end + 2;
    }
    int bodyStart = headersEnd + 4;
    int responseEnd;
    if (chunked) {
      responseEnd = chunkedEnd(in, bodyStart, limit);
    } else if (contentLength >= 0) {
      responseEnd = bodyStart + contentLength <= limit ? (int) (bodyStart + contentLength) : -1;
    } else if (status == 204 || status == 304 || status / 100 == 1) {
      responseEnd = bodyStart;
    } else {
      throw new IllegalStateException(
          "status "
              + status
              + " without Content-Length or chunked: a body until close is unsupported");
    }
    if (responseEnd < 0) {
      return INCOMPLETE;
    }
    in.position(responseEnd);
    return status;
  }

  /** The end of a chunked body starting at {@code at}, or -1 if not all of it has arrived. */
  private static int chunkedEnd(ByteBuffer in, int at, int limit) {
    int pos = at;
    while (true) {
      int end = lineEnd(in, pos, limit);
      if (end < 0) {
        return -1;
      }
      long size = parseHex(in, pos, end);
      pos = end + 2;
      if (size == 0) {
        while (true) { // trailers, up to the empty line
          int trailerEnd = lineEnd(in, pos, limit);
          if (trailerEnd < 0) {
            return -1;
          }
          boolean empty = trailerEnd == pos;
          pos = trailerEnd + 2;
          if (empty) {
            return pos;
          }
        }
      }
      if (pos + size + 2 > limit) {
        return -1;
      }
      pos += (int) size;
      if (in.get(pos) != '\r' || in.get(pos + 1) != '\n') {
        throw new IllegalStateException("chunk of " + size + " bytes not followed by CRLF");
      }
      pos += 2;
    }
  }

  private static int status(ByteBuffer in, int start) {
    // "HTTP/1.x NNN": the version is 8 bytes, the code follows the space
    if (in.get(start) != 'H' || in.get(start + 8) != ' ') {
      throw new IllegalStateException("not a status line: " + ascii(in, start, start + 12));
    }
    int code = 0;
    for (int i = start + 9; i < start + 12; i++) {
      int digit = in.get(i) - '0';
      if (digit < 0 || digit > 9) {
        throw new IllegalStateException("not a status code: " + ascii(in, start, start + 12));
      }
      code = code * 10 + digit;
    }
    return code;
  }

  /** The index of the CR of the first CRLFCRLF at or after {@code from}, or -1. */
  private static int indexOfBlankLine(ByteBuffer in, int from, int limit) {
    for (int i = from; i + 3 < limit; i++) {
      if (in.get(i) == '\r'
          && in.get(i + 1) == '\n'
          && in.get(i + 2) == '\r'
          && in.get(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The index of the CR of the first CRLF at or after {@code from}, or -1. */
  private static int lineEnd(ByteBuffer in, int from, int limit) {
    for (int i = from; i + 1 < limit; i++) {
      if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWithIgnoreCase(ByteBuffer in, int from, int end, byte[] lower) {
    if (end - from < lower.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      int b = in.get(from + i);
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  private static int skipSpaces(ByteBuffer in, int from, int end) {
    int i = from;
    while (i < end && (in.get(i) == ' ' || in.get(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static long parseDecimal(ByteBuffer in, int from, int end) {
    int i = skipSpaces(in, from, end);
    long value = 0;
    int digits = 0;
    for (; i < end && in.get(i) >= '0' && in.get(i) <= '9'; i++, digits++) {
      value = value * 10 + (in.get(i) - '0');
    }
    if (digits == 0 || digits > 12 || skipSpaces(in, i, end) != end) {
      throw new IllegalStateException("bad content-length: " + ascii(in, from, end));
    }
    return value;
  }

  private static long parseHex(ByteBuffer in, int from, int end) {
    long value = 0;
    int digits = 0;
    int i = from;
    for (; i < end; i++, digits++) {
      int b = in.get(i);
      int digit =
          b >= '0' && b <= '9'
              ? b - '0'
              : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
      if (digit < 0) {
        break; // a chunk extension (";name=value") or spaces follow the size
      }
      value = value * 16 + digit;
    }
    if (digits == 0 || digits > 8 || (i < end && in.get(i) != ';' && in.get(i) != ' ')) {
      throw new IllegalStateException("bad chunk size: " + ascii(in, from, end));
    }
    return value;
  }

  private static String ascii(ByteBuffer in, int from, int end) {
    StringBuilder text = new StringBuilder();
    for (int i = from; i < Math.min(end, in.limit()); i++) {
      text.append((char) (in.get(i) & 0xFF));
    }
    return text.toString();
  }

  private static byte[] lower(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
