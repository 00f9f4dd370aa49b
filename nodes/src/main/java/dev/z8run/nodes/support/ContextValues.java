package dev.z8run.nodes.support;

import dev.z8run.core.node.ContextStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node-RED's flow and global context properties as its nodes name them: {@code count}, {@code
 * settings.limit}, {@code items[0].name}. The first segment is the store's key; the rest is a path
 * inside the stored value. Reads answer copies and writes store copies, so that no two nodes (or a
 * node and a message) ever share a map or list.
 */
public final class ContextValues {
  private ContextValues() {}

  /** A compiled context property: its key and the path within the key's value (null: none). */
  public record Property(String key, MessagePath inner) {}

  /**
   * Compiles {@code property}; errors name {@code where}.
   *
   * @throws IllegalArgumentException for an empty or malformed property
   */
  public static Property property(String where, String property) {
    String path = property == null ? "" : property.strip();
    if (path.isEmpty()) {
      throw new IllegalArgumentException(where + ": a context property name is required");
    }
    int dot = path.indexOf('.');
    int bracket = path.indexOf('[');
    int cut = dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
    if (cut == 0) {
      throw new IllegalArgumentException(where + ": '" + path + "' must start with a name");
    }
    if (cut < 0) {
      return new Property(path, null);
    }
    try {
      return new Property(path.substring(0, cut), MessagePath.of(path));
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(where + ": " + bad.getMessage());
    }
  }

  /** The value of {@code property} in {@code store} (a copy), or {@link MessagePath#MISSING}. */
  public static Object get(ContextStore store, Property property) {
    Object root = store.get(property.key());
    if (root == null) {
      return MessagePath.MISSING;
    }
    if (property.inner() == null) {
      return copy(root);
    }
    Object value = property.inner().get(Map.of(property.key(), root));
    return value == MessagePath.MISSING ? value : copy(value);
  }

  /** Stores a copy of {@code value} as {@code property}; MISSING or null removes it. */
  @SuppressWarnings("unchecked")
  public static void set(ContextStore store, Property property, Object value) {
    if (property.inner() == null) {
      store.set(property.key(), value == MessagePath.MISSING ? null : copy(value));
      return;
    }
    Map<String, Object> holder = new LinkedHashMap<>();
    Object root = store.get(property.key());
    if (root != null) {
      holder.put(property.key(), copy(root));
    }
    if (value == MessagePath.MISSING || value == null) {
      property.inner().remove(holder);
    } else {
      property.inner().set(holder, copy(value));
    }
    store.set(property.key(), holder.get(property.key()));
  }

  /** A deep copy of a plain JSON value. */
  @SuppressWarnings("unchecked")
  public static Object copy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), copy(item)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(copy(item));
      }
      return copy;
    }
    return value;
  }
}
