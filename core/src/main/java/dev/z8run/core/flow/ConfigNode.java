package dev.z8run.core.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A configuration node kept with a flow: settings several nodes share (a broker, a TLS
 * configuration), as Node-RED keeps them beside its flows. The flow carries them so that an
 * imported Node-RED flow keeps them and exports them again; the engine does not deploy them.
 *
 * @param id unique within its flow
 * @param type the config node's type as it came (Node-RED's {@code mqtt-broker}, {@code
 *     tls-config}, ...)
 * @param name its label, may be empty
 * @param config its fields as plain JSON values, key order preserved
 */
public record ConfigNode(String id, String type, String name, Map<String, Object> config) {
  public ConfigNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    name = name == null ? "" : name;
    config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
  }
}
