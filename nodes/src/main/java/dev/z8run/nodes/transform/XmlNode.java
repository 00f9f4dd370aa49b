package dev.z8run.nodes.transform;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code xml}: converts one message property between XML text and an object, as Node-RED's XML node
 * (xml2js's shapes, see {@link Xml2Js}): a string is parsed, an object or array is written as XML.
 * {@code msg.options} passes xml2js options ({@code explicitArray}, {@code headless}, ...). A
 * property of another kind is dropped with a warning; a missing one passes the message on
 * unchanged; text that is not XML is an error of the node.
 */
public final class XmlNode extends PropertyNode {
  public static final NodeType TYPE =
      NodeType.builder("xml")
          .category("parser")
          .description("Converts a message property between XML text and an object (xml2js shape).")
          .field(MessagePath.PROPERTY_FIELD)
          .field(
              ConfigField.optional(
                  "attr", FieldType.STRING, "", "The key holding attributes; empty: $."))
          .field(
              ConfigField.optional(
                  "chr", FieldType.STRING, "", "The key holding an element's text; empty: _."))
          .factory(XmlNode::new)
          .build();

  private final NodeContext context;
  private final String attrkey;
  private final String charkey;

  private XmlNode(NodeContext context) {
    super(context);
    this.context = context;
    attrkey = context.configString("attr", "");
    charkey = context.configString("chr", "");
  }

  @Override
  void onValue(MessageFlyweight msg, Map<String, Object> body, Object value, Output out) {
    Map<?, ?> given = body.get("options") instanceof Map<?, ?> options ? options : null;
    Xml2Js.Options options = Xml2Js.Options.of(attrkey, charkey, given);
    if (value instanceof String text) {
      try {
        property.set(body, Xml2Js.parse(text, options));
      } catch (IllegalArgumentException notXml) {
        throw new IllegalArgumentException(
            "msg." + property.text() + " is not XML: " + notXml.getMessage(), notXml);
      }
    } else if (value instanceof Map<?, ?> || value instanceof List<?>) {
      property.set(body, Xml2Js.build(value, options));
    } else {
      context.warn("xml: msg." + property.text() + " is neither XML text nor an object: dropped");
      return;
    }
    MessageBodies.send(out, 0, body, msg);
  }
}
