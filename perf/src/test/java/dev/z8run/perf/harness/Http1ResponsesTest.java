package dev.z8run.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1ResponsesTest {
  private static final String LENGTH =
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 23\r\n\r\n"
          + "{\"hello\":\"world\",\"n\":0}";
  private static final String CHUNKED =
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: Chunked\r\n\r\n"
          + "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";
  private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";

  @Test
  void shouldSplitPipelinedResponsesArrivingInPiecesOfAnySize() {
    byte[] three = (LENGTH + CHUNKED + NO_CONTENT).getBytes(StandardCharsets.US_ASCII);
    for (int piece = 1; piece <= three.length; piece++) {
      ByteBuffer in = ByteBuffer.allocate(three.length);
      StringBuilder statuses = new StringBuilder();
      for (int at = 0; at < three.length; at += piece) {
        in.put(three, at, Math.min(piece, three.length - at)).flip();
        int status;
        while ((status = Http1Responses.next(in)) != Http1Responses.INCOMPLETE) {
          statuses.append(status).append(' ');
        }
        in.compact();
      }
      assertEquals("200 404 204 ", statuses.toString(), "pieces of " + piece);
      assertEquals(0, in.position(), "bytes left over with pieces of " + piece);
    }
  }

  @Test
  void shouldLeaveAnIncompleteResponseWhereItWas() {
    ByteBuffer in =
        ByteBuffer.wrap(
            LENGTH.substring(0, LENGTH.length() - 1).getBytes(StandardCharsets.US_ASCII));
    assertEquals(Http1Responses.INCOMPLETE, Http1Responses.next(in));
    assertEquals(0, in.position());
  }

  @Test
  void shouldRefuseABodyThatRunsUntilTheConnectionCloses() {
    ByteBuffer in = ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Http1Responses.next(in));
    assertTrue(e.getMessage().contains("without Content-Length"), e.getMessage());
  }

  @Test
  void shouldRefuseTransferEncodingsOtherThanChunked() {
    ByteBuffer in = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Http1Responses.next(in));
    assertTrue(e.getMessage().startsWith("unsupported transfer-encoding: gzip"), e.getMessage());
  }

  @Test
  void shouldRefuseWhatIsNotAStatusLine() {
    assertThrows(IllegalStateException.class, () -> Http1Responses.next(ascii("HELLO\r\n\r\n")));
    assertThrows(
        IllegalStateException.class,
        () -> Http1Responses.next(ascii("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")));
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }
}
