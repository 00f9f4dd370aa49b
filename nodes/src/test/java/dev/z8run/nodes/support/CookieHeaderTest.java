package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link CookieHeader}: the {@code cookie} package's parse (quotes, {@code ;}, blanks, first of a
 * name wins, malformed pairs skipped, decodeURIComponent or the text as sent), and hostile headers
 * parsed without an exception in time linear in their length.
 */
class CookieHeaderTest {
  @Test
  void shouldReadPairsWithBlanksAndQuotes() {
    assertEquals(Map.of("a", "1", "b", "2"), CookieHeader.parse("a=1; b=2"));
    assertEquals(Map.of("a", "1", "b", "2"), CookieHeader.parse(" a = 1 ;\tb=\t2\t"));
    assertEquals(
        Map.of("a", "x y", "b", "\"", "c", ""), CookieHeader.parse("a=\"x y\"; b=\"; c=\"\""));
    assertEquals(Map.of("a", "\"x"), CookieHeader.parse("a=\"x"), "an unclosed quote stays");
    assertEquals(Map.of("a", "b=c"), CookieHeader.parse("a=b=c"), "the first = ends the name");
    assertEquals(Map.of("ü", "ö"), CookieHeader.parse("ü=ö"));
  }

  @Test
  void shouldKeepTheFirstOfANameAcrossHeaders() {
    assertEquals(Map.of("a", "1"), CookieHeader.parse("a=1; a=2"));
    Map<String, String> cookies = new LinkedHashMap<>();
    CookieHeader.parse("a=1; b=2", cookies);
    CookieHeader.parse("b=3; c=4", cookies);
    assertEquals(Map.of("a", "1", "b", "2", "c", "4"), cookies);
  }

  @Test
  void shouldSkipMalformedPairs() {
    assertEquals(Map.of("x", "1"), CookieHeader.parse("novalue; =empty; x=1; ;; y"));
    assertEquals(Map.of("x", "1", "z", ""), CookieHeader.parse(";;x=1;a;b; z= ;"));
    for (String nothing : new String[] {"", "=", ";", "=;=", "====", ";;;;", " \t "}) {
      assertEquals(Map.of(), CookieHeader.parse(nothing), nothing);
    }
    assertEquals(Map.of(), CookieHeader.parse(null));
    assertEquals(Map.of("\"", "\""), CookieHeader.parse("\"=\""), "a lone quote is no quoting");
  }

  @Test
  void shouldDecodeAsDecodeUriComponentOrKeepTheText() {
    Map<String, String> cookies =
        CookieHeader.parse(
            "s=abc%20def; p=a+b; bad=%zz; end=50%; half=%E2%82; euro=%E2%82%AC; other=%\u0663\u0663;"
                + " mixed=%41b%43; raw=\u00e9%20");
    assertEquals("abc def", cookies.get("s"));
    assertEquals("a+b", cookies.get("p"), "a plus is no space");
    assertEquals("%zz", cookies.get("bad"));
    assertEquals("50%", cookies.get("end"));
    assertEquals("%E2%82", cookies.get("half"), "bytes that are not UTF-8 stay as sent");
    assertEquals("\u20ac", cookies.get("euro"));
    assertEquals("%\u0663\u0663", cookies.get("other"), "only ASCII hex digits");
    assertEquals("AbC", cookies.get("mixed"));
    assertEquals("\u00e9 ", cookies.get("raw"));
  }

  @Test
  void shouldParseHostileHeadersQuicklyAndBounded() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          int size = 1 << 20;
          assertEquals(Map.of("a", "1"), CookieHeader.parse(";".repeat(size) + "a=1"));
          assertEquals(Map.of("b", "1"), CookieHeader.parse("a;".repeat(size / 2) + "b=1"));
          assertEquals(Map.of("a", "1"), CookieHeader.parse("a=1;".repeat(size / 4)));
          assertEquals(Map.of("a", "="), CookieHeader.parse("a=" + "=".repeat(0) + "=" + ";x"));
          String percents = "%".repeat(size);
          assertEquals(Map.of("a", percents), CookieHeader.parse("a=" + percents));
          String escapes = "%FF".repeat(size / 3);
          assertEquals(Map.of("a", escapes), CookieHeader.parse("a=" + escapes));
          assertEquals(
              Map.of("a", "\"".repeat(size - 2)), CookieHeader.parse("a=" + "\"".repeat(size)));
          StringBuilder many = new StringBuilder();
          for (int i = 0; i < 100_000; i++) {
            many.append('c').append(i).append("=v; ");
          }
          Map<String, String> cookies = CookieHeader.parse(many.toString());
          assertEquals(CookieHeader.MAX_COOKIES, cookies.size());
          assertEquals("v", cookies.get("c0"));
          // one '=' at the far end of many segments without one, again and again
          String backtracks = ("x;".repeat(1000) + "y=1;").repeat(200);
          assertEquals(Map.of("y", "1"), CookieHeader.parse(backtracks));
        });
  }
}
