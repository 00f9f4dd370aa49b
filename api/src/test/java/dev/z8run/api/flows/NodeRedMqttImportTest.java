package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.io.json.JsonCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node-RED's {@code mqtt in} and {@code mqtt out} as the editor writes them, imported. */
class NodeRedMqttImportTest {
  private static final String EXPORT =
      """
      [{"id":"tab1","type":"tab","label":"MQTT"},
       {"id":"b1","type":"mqtt-broker","name":"local","broker":"127.0.0.1","port":"1883",
        "clientid":"","autoConnect":false,"usetls":false,"protocolVersion":"5",
        "keepalive":"60","cleansession":true,"sessionExpiry":"120"},
       {"id":"dyn","type":"mqtt in","z":"tab1","name":"","topic":"","qos":"2",
        "datatype":"auto-detect","broker":"b1","nl":false,"rap":true,"rh":0,"inputs":1,
        "x":300,"y":40,"wires":[["out"]]},
       {"id":"stat","type":"mqtt in","z":"tab1","name":"","topic":"plant/#","qos":"1",
        "datatype":"utf8","broker":"b1","nl":"true","rap":"false","rh":"2","inputs":0,
        "x":100,"y":100,"wires":[["out"]]},
       {"id":"out","type":"mqtt out","z":"tab1","name":"","topic":"","qos":"","retain":"",
        "respTopic":"","correl":"","expiry":"","broker":"b1","x":500,"y":40,"wires":[]}]
      """;

  private static FlowNode node(List<Flow> flows, String id) {
    return flows.stream()
        .flatMap(flow -> flow.nodes().stream())
        .filter(node -> node.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldImportADynamicMqttInWithItsMqtt5Options() {
    NodeRedImport.Result result = NodeRedImport.convert((List<?>) JsonCodec.parse(EXPORT));
    List<Flow> flows = result.flows();
    FlowNode dynamic = node(flows, "dyn");
    assertEquals("mqtt-in", dynamic.type());
    assertFalse(dynamic.disabled(), "dynamic subscriptions are supported: the node runs");
    Map<String, Object> config = dynamic.config();
    assertEquals(1L, config.get("inputs"));
    assertFalse(config.containsKey("topic"), "no topic: subscriptions come by message");
    assertEquals(false, config.get("nl"));
    assertEquals(true, config.get("rap"));
    assertEquals(0L, config.get("rh"));

    Map<String, Object> fixed = node(flows, "stat").config();
    assertEquals("plant/#", fixed.get("topic"));
    assertEquals(true, fixed.get("nl"), "Node-RED's text \"true\" is a boolean here");
    assertEquals(false, fixed.get("rap"));
    assertEquals(2L, fixed.get("rh"));

    assertEquals("mqtt-out", node(flows, "out").type());
    assertTrue(result.unsupported().isEmpty(), result.unsupported().toString());
  }

  @Test
  void shouldMapTheBrokerConfigNodesAutoConnectAndSessionExpiry() {
    Map<String, Object> settings =
        NodeRedDataNodes.connection(
            new dev.z8run.core.flow.ConfigNode(
                "b1",
                "mqtt-broker",
                "local",
                Map.of("broker", "127.0.0.1", "autoConnect", false, "sessionExpiry", "120")));
    assertEquals(false, settings.get("autoConnect"));
    assertEquals("120", settings.get("sessionExpiry"));
  }
}
