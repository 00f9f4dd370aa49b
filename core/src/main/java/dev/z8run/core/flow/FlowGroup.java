package dev.z8run.core.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A group drawn around some nodes of a flow, as Node-RED's groups: a name, a style and its members.
 * Layout only: the engine never sees groups. Its box is worked out from its members' positions, so
 * moving the members moves the group.
 *
 * @param id unique within its flow (among nodes and groups)
 * @param name the label shown on the group, may be empty
 * @param nodes ids of the member nodes, in document order
 * @param style Node-RED's group style as plain JSON values ({@code stroke}, {@code fill}, {@code
 *     label}, {@code color}, ...), key order preserved
 */
public record FlowGroup(String id, String name, List<String> nodes, Map<String, Object> style) {
  public FlowGroup {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    nodes = List.copyOf(nodes);
    style = style == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(style));
  }
}
