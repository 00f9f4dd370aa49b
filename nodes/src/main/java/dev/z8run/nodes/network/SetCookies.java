package dev.z8run.nodes.network;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response's {@code Set-Cookie} headers as Node-RED's HTTP Request node gives them in {@code
 * msg.responseCookies}: {@code {name: {value, Path, Expires, ...}}}, each header read by the {@code
 * cookie} package's {@code parse} (pairs split at {@code ;}, the first of a name kept, quotes taken
 * off a value, percent escapes decoded; attributes without a value, such as {@code HttpOnly}, left
 * out).
 */
final class SetCookies {
  private SetCookies() {}

  static Map<String, Object> parse(List<String> headers) {
    Map<String, Object> cookies = new LinkedHashMap<>();
    for (String header : headers) {
      int eq = header.indexOf('=');
      if (eq < 0) {
        continue; // no name=value: Node-RED's key would be the empty string; nothing to give
      }
      String name = header.substring(0, eq).strip();
      Map<String, Object> pairs = pairs(header);
      Map<String, Object> cookie = new LinkedHashMap<>();
      pairs.forEach(
          (key, value) -> {
            if (!key.equals(name)) {
              cookie.put(key, value);
            }
          });
      cookie.put("value", pairs.get(name));
      cookies.put(name, cookie);
    }
    return cookies;
  }

  /** The cookie package's parse: name=value pairs separated by {@code ;}. */
  private static Map<String, Object> pairs(String text) {
    Map<String, Object> pairs = new LinkedHashMap<>();
    int index = 0;
    while (index < text.length()) {
      int eq = text.indexOf('=', index);
      if (eq < 0) {
        break;
      }
      int end = text.indexOf(';', index);
      if (end < 0) {
        end = text.length();
      } else if (end < eq) {
        index = text.lastIndexOf(';', eq - 1) + 1; // a pair without '=' before this one
        continue;
      }
      String key = text.substring(index, eq).strip();
      if (!pairs.containsKey(key)) {
        String value = text.substring(eq + 1, end).strip();
        if (value.length() >= 2 && value.charAt(0) == '"') {
          value = value.substring(1, value.length() - 1);
        }
        pairs.put(key, decode(value));
      }
      index = end + 1;
    }
    return pairs;
  }

  /** decodeURIComponent, or the text as it is when it does not decode (the cookie package's). */
  private static String decode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    try {
      return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return value;
    }
  }
}
