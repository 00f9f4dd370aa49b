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

/** Node-RED's {@code http request} as the editor writes it, its {@code paytoqs} imported. */
class NodeRedHttpRequestImportTest {
  private static final String EXPORT =
      """
      [{"id":"tab1","type":"tab","label":"HTTP"},
       {"id":"ignore","type":"http request","z":"tab1","name":"","method":"GET","ret":"txt",
        "paytoqs":"ignore","url":"http://example.com/","tls":"","persist":false,"proxy":"",
        "insecureHTTPParser":false,"authType":"","senderr":false,"headers":[],
        "x":100,"y":40,"wires":[[]]},
       {"id":"query","type":"http request","z":"tab1","name":"","method":"GET","ret":"obj",
        "paytoqs":"query","url":"http://example.com/","headers":[],"x":100,"y":80,"wires":[[]]},
       {"id":"legacy","type":"http request","z":"tab1","name":"","method":"GET","ret":"txt",
        "paytoqs":true,"url":"http://example.com/","x":100,"y":120,"wires":[[]]},
       {"id":"body","type":"http request","z":"tab1","name":"","method":"GET","ret":"obj",
        "paytoqs":"body","url":"http://example.com/","headers":[],"x":100,"y":160,"wires":[[]]}]
      """;

  private static Map<String, Object> config(List<Flow> flows, String id) {
    FlowNode node =
        flows.stream()
            .flatMap(flow -> flow.nodes().stream())
            .filter(candidate -> candidate.id().equals(id))
            .findFirst()
            .orElseThrow();
    assertEquals("http-request", node.type());
    assertFalse(node.disabled());
    return node.config();
  }

  @Test
  void shouldImportPaytoqsQueryAndBody() {
    NodeRedImport.Result result = NodeRedImport.convert((List<?>) JsonCodec.parse(EXPORT));
    List<Flow> flows = result.flows();
    Map<String, Object> ignore = config(flows, "ignore");
    assertFalse(ignore.containsKey("payloadToQuery"));
    assertFalse(ignore.containsKey("payloadAsBody"));
    assertEquals(true, config(flows, "query").get("payloadToQuery"));
    assertFalse(config(flows, "query").containsKey("payloadAsBody"));
    assertEquals(true, config(flows, "legacy").get("payloadToQuery"));
    Map<String, Object> body = config(flows, "body");
    assertEquals(true, body.get("payloadAsBody"));
    assertFalse(body.containsKey("payloadToQuery"));
    assertEquals("json", body.get("responseType"));
    assertTrue(result.unsupported().isEmpty(), result.unsupported().toString());
  }
}
