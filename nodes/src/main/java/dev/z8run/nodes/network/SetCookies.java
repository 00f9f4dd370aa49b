package dev.z8run.nodes.network;

import dev.z8run.nodes.support.CookieHeader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response's {@code Set-Cookie} headers as Node-RED's HTTP Request node gives them in {@code
 * msg.responseCookies}: {@code {name: {value, Path, Expires, ...}}}, each header read by the {@code
 * cookie} package's {@code parse} ({@link CookieHeader}: pairs split at {@code ;}, the first of a
 * name kept, quotes taken off a value, percent escapes decoded; attributes without a value, such as
 * {@code HttpOnly}, left out).
 */
final class SetCookies {
  private SetCookies() {}

  static Map<String, Object> parse(List<String> headers) {
    Map<String, Object> cookies = new LinkedHashMap<>();
    for (String header : headers) {
      int eq = header.indexOf('=');
      String name = eq < 0 ? "" : header.substring(0, eq).strip();
      if (name.isEmpty()) {
        continue; // no name=value: Node-RED's key would be the empty string; nothing to give
      }
      Map<String, String> pairs = CookieHeader.parse(header);
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
}
