package dev.z8run.api.hook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body as Node-RED's body parser ({@code
 * bodyParser.urlencoded({extended: true})}, the {@code qs} library) makes it an object: {@code
 * a=1&b=2} is {@code {a:"1", b:"2"}}, a repeated name an array, {@code user[name]=x} nests objects
 * and {@code tags[]=x} appends to an array. Values stay strings. At most {@link #MAX_DEPTH} levels
 * and {@link #MAX_PARAMETERS} parameters, as {@code qs} defaults to; the rest is ignored.
 */
final class FormBody {
  static final int MAX_DEPTH = 5;
  static final int MAX_PARAMETERS = 1000;

  private FormBody() {}

  static Map<String, Object> parse(String body) {
    Map<String, Object> result = new LinkedHashMap<>();
    int count = 0;
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      if (++count > MAX_PARAMETERS) {
        break;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      put(result, keys(name), value);
    }
    return result;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return text; // qs keeps what it cannot decode
    }
  }

  /** {@code a[b][]} as {@code ["a", "b", ""]}; brackets past the depth stay in the last key. */
  private static List<String> keys(String name) {
    List<String> keys = new ArrayList<>();
    int open = name.indexOf('[');
    if (open <= 0) {
      keys.add(name);
      return keys;
    }
    keys.add(name.substring(0, open));
    int i = open;
    while (i < name.length() && name.charAt(i) == '[' && keys.size() <= MAX_DEPTH) {
      int close = name.indexOf(']', i);
      if (close < 0) {
        break;
      }
      keys.add(name.substring(i + 1, close));
      i = close + 1;
    }
    if (i < name.length()) {
      keys.set(keys.size() - 1, keys.get(keys.size() - 1) + name.substring(i));
    }
    return keys;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> target, List<String> keys, String value) {
    Map<String, Object> map = target;
    for (int k = 0; k < keys.size() - 1; k++) {
      String key = keys.get(k);
      String next = keys.get(k + 1);
      Object child = map.get(key);
      if (next.isEmpty()) {
        // key[] : append to an array at key
        List<Object> list;
        if (child instanceof List<?> existing) {
          list = (List<Object>) existing;
        } else {
          list = new ArrayList<>();
          if (child != null) {
            list.add(child);
          }
          map.put(key, list);
        }
        if (k + 2 == keys.size()) {
          list.add(value);
          return;
        }
        Map<String, Object> element = new LinkedHashMap<>();
        list.add(element);
        map = element;
        k++; // the "" key is consumed
        continue;
      }
      if (!(child instanceof Map<?, ?>)) {
        Map<String, Object> created = new LinkedHashMap<>();
        if (child instanceof List<?> list) {
          for (int i = 0; i < list.size(); i++) {
            created.put(Integer.toString(i), list.get(i));
          }
        }
        map.put(key, created);
        child = created;
      }
      map = (Map<String, Object>) child;
    }
    String last = keys.get(keys.size() - 1);
    Object existing = map.get(last);
    if (existing == null) {
      map.put(last, value);
    } else if (existing instanceof List<?> list) {
      ((List<Object>) list).add(value);
    } else {
      List<Object> list = new ArrayList<>();
      list.add(existing);
      list.add(value);
      map.put(last, list);
    }
  }
}
