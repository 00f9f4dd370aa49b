package dev.z8run.nodes.network;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code msg.cookies} of an {@code http-out} node as {@code Set-Cookie} header values, with the
 * rules of Node-RED's {@code http response} node (express's {@code res.cookie} and {@code
 * res.clearCookie}, the {@code cookie} package's {@code serialize}):
 *
 * <ul>
 *   <li>{@code name: "text"} (or a number, a boolean): the value, {@code Path=/};
 *   <li>{@code name: {value, maxAge, path, domain, expires, httpOnly, secure, sameSite}}: {@code
 *       maxAge} in milliseconds becomes {@code Max-Age} in seconds and {@code Expires} that far
 *       from now; {@code path} defaults to {@code /}; {@code sameSite} is {@code true} (Strict),
 *       {@code "strict"}, {@code "lax"} or {@code "none"}; {@code expires} an ISO-8601 or HTTP date
 *       text or epoch milliseconds; an object value is {@code j:} and its JSON, as express writes
 *       it;
 *   <li>{@code name: null} or {@code {value: null, path, domain}}: cleared, an empty value that
 *       expired in 1970.
 * </ul>
 *
 * Values are written as JavaScript's {@code encodeURIComponent} writes them (express's default;
 * {@code encode}, a function in Node-RED, cannot travel in a message and is ignored). A name, path
 * or domain that would break the header (a {@code ;}, a line break, a control character) or an
 * unknown {@code sameSite} refuses the whole set: {@link IllegalArgumentException} naming the
 * cookie and the attribute, before anything is written. Stateless.
 */
final class ResponseCookies {
  private static final Pattern NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "\\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern PATH = Pattern.compile("[\\u0020-\\u003A\\u003D-\\u007E]*");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);
  private static final String EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT";

  private ResponseCookies() {}

  /**
   * The {@code Set-Cookie} values for {@code cookies} (the parsed {@code msg.cookies}; anything but
   * an object sets none), in the object's order.
   *
   * @param nowMs the time {@code maxAge} counts from, epoch milliseconds
   * @throws IllegalArgumentException when a cookie cannot be written safely
   */
  static List<String> setCookies(Object cookies, long nowMs) {
    List<String> values = new ArrayList<>();
    if (!(cookies instanceof Map<?, ?> map)) {
      return values;
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String name = String.valueOf(entry.getKey());
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "msg.cookies: cookie name '"
                + printable(name)
                + "' is not a token (RFC 6265); nothing was answered");
      }
      values.add(setCookie(name, entry.getValue(), nowMs));
    }
    return values;
  }

  private static String setCookie(String name, Object cookie, long nowMs) {
    Map<?, ?> options = cookie instanceof Map<?, ?> map ? map : Map.of();
    boolean clear = cookie == null || (cookie instanceof Map<?, ?> && options.get("value") == null);
    Object value = cookie instanceof Map<?, ?> ? options.get("value") : cookie;
    StringBuilder text = new StringBuilder(name).append('=');
    if (!clear) {
      text.append(encodeUriComponent(valueText(value)));
    }
    Object maxAge = clear ? null : options.get("maxAge");
    String expires = clear ? EPOCH : null;
    if (maxAge != null) {
      double ms = number(name, "maxAge", maxAge);
      text.append("; Max-Age=").append((long) Math.floor(ms / 1000));
      expires = HTTP_DATE.format(Instant.ofEpochMilli(nowMs + (long) ms));
    }
    Object domain = options.get("domain");
    if (domain != null) {
      String host = String.valueOf(domain);
      if (!DOMAIN.matcher(host).matches()) {
        throw invalid(name, "domain", host);
      }
      text.append("; Domain=").append(host);
    }
    String path = options.get("path") == null ? "/" : String.valueOf(options.get("path"));
    if (!PATH.matcher(path).matches()) {
      throw invalid(name, "path", path);
    }
    text.append("; Path=").append(path);
    if (expires == null && options.get("expires") != null) {
      expires = httpDate(name, options.get("expires"));
    }
    if (expires != null) {
      text.append("; Expires=").append(expires);
    }
    if (truthy(options.get("httpOnly"))) {
      text.append("; HttpOnly");
    }
    Object sameSite = options.get("sameSite");
    if (sameSite != null && !Boolean.FALSE.equals(sameSite)) {
      text.append("; SameSite=").append(sameSite(name, sameSite));
    }
    if (truthy(options.get("secure"))) {
      text.append("; Secure");
    }
    return text.toString();
  }

  /** express: an object value is {@code j:} and its JSON; anything else its text. */
  private static String valueText(Object value) {
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return "j:" + dev.z8run.io.json.JsonCodec.writeString(value);
    }
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue()); // JavaScript writes 2.0 as "2"
    }
    return String.valueOf(value);
  }

  private static String sameSite(String name, Object sameSite) {
    if (Boolean.TRUE.equals(sameSite)) {
      return "Strict";
    }
    return switch (String.valueOf(sameSite).toLowerCase(Locale.ROOT)) {
      case "strict" -> "Strict";
      case "lax" -> "Lax";
      case "none" -> "None";
      default -> throw invalid(name, "sameSite", String.valueOf(sameSite));
    };
  }

  private static String httpDate(String name, Object expires) {
    if (expires instanceof Number millis) {
      return HTTP_DATE.format(Instant.ofEpochMilli(millis.longValue()));
    }
    String text = String.valueOf(expires);
    try {
      return HTTP_DATE.format(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException notIso) {
      try {
        return HTTP_DATE.format(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (DateTimeParseException notHttp) {
        throw invalid(name, "expires", text);
      }
    }
  }

  private static double number(String name, String attribute, Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(value).strip());
    } catch (NumberFormatException notANumber) {
      throw invalid(name, attribute, String.valueOf(value));
    }
  }

  private static boolean truthy(Object value) {
    return value != null
        && !Boolean.FALSE.equals(value)
        && !"".equals(value)
        && !(value instanceof Number number && number.doubleValue() == 0);
  }

  private static IllegalArgumentException invalid(String name, String attribute, String value) {
    return new IllegalArgumentException(
        "msg.cookies."
            + name
            + ": "
            + attribute
            + " '"
            + printable(value)
            + "' is invalid; nothing was answered");
  }

  /** {@code text} with control characters shown as escapes, so that the error stays one line. */
  private static String printable(String text) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < text.length() && i < 200; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        shown.append(String.format("\\u%04x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return shown.toString();
  }

  /**
   * JavaScript's {@code encodeURIComponent}: all but {@code A-Za-z0-9-_.!~*'()} as %XX of UTF-8.
   */
  static String encodeUriComponent(String text) {
    StringBuilder encoded = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-_.!~*'()".indexOf(c) >= 0) {
        encoded.append((char) c);
      } else {
        percent(encoded, c);
      }
    }
    return encoded.toString();
  }

  /** Appends {@code %XX}, the byte {@code b} in upper-case hexadecimal. */
  static void percent(StringBuilder out, int b) {
    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
    out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
  }
}
