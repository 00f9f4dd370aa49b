package dev.z8run.core.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalogue of node types: what the palette lists, what the validator checks flows against, and
 * where the planner finds factories. Thread-safe; types are registered at start-up (built-ins) or
 * when a plugin is installed.
 */
public final class NodeTypeRegistry {
  private final Map<String, NodeType> types = new ConcurrentHashMap<>();

  /**
   * Adds a node type.
   *
   * @throws IllegalArgumentException if a type with the same name is already registered
   */
  public NodeTypeRegistry register(NodeType type) {
    NodeType previous = types.putIfAbsent(type.name(), type);
    if (previous != null) {
      throw new IllegalArgumentException("node type '" + type.name() + "' is already registered");
    }
    return this;
  }

  /** Removes a node type (a plugin being uninstalled); returns whether it was there. */
  public boolean unregister(String name) {
    return types.remove(name) != null;
  }

  /** The type called {@code name}, or null. */
  public NodeType find(String name) {
    return name == null ? null : types.get(name);
  }

  public boolean contains(String name) {
    return name != null && types.containsKey(name);
  }

  /** Every registered type, sorted by category then name. */
  public List<NodeType> all() {
    List<NodeType> list = new ArrayList<>(types.values());
    list.sort(
        (a, b) -> {
          int byCategory = a.category().compareTo(b.category());
          return byCategory != 0 ? byCategory : a.name().compareTo(b.name());
        });
    return Collections.unmodifiableList(list);
  }

  public Collection<String> names() {
    return List.copyOf(types.keySet());
  }
}
