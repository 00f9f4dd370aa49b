package dev.z8run.nodes.transform;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Selector;

/**
 * {@code html}: picks elements out of an HTML document by a CSS selector (jsoup), as Node-RED's
 * HTML node (cheerio): the inner HTML, the text or the attributes of each element matched, all in
 * one array ({@code as: single}) or one message each ({@code multi}, a sequence with {@code
 * msg.parts}). The selector is {@code tag}, or {@code msg.select} when {@code tag} is empty.
 */
public final class HtmlNode extends PropertyNode {
  public static final NodeType TYPE =
      NodeType.builder("html")
          .category("parser")
          .description("Extracts elements of an HTML document by CSS selector.")
          .field(
              ConfigField.optional(
                  "property", FieldType.STRING, "payload", "The property holding the HTML."))
          .field(
              ConfigField.optional(
                  "outproperty",
                  FieldType.STRING,
                  "",
                  "The property set to the result; empty: the same as property."))
          .field(
              ConfigField.optional(
                  "tag",
                  FieldType.STRING,
                  "",
                  "The CSS selector (h1, .item, ul > li, a[href]); empty: msg.select."))
          .field(
              ConfigField.choice(
                  "ret",
                  "html",
                  List.of("html", "text", "attr", "compl"),
                  "Of each element: its inner HTML, its text, its attributes, or its attributes"
                      + " with the inner HTML under chr."))
          .field(
              ConfigField.choice(
                  "as",
                  "single",
                  List.of("single", "multi"),
                  "single: one message with an array; multi: one message per element."))
          .field(
              ConfigField.optional(
                  "chr", FieldType.STRING, "_", "For compl: the key of the inner HTML."))
          .factory(HtmlNode::new)
          .build();

  private static final java.util.regex.Pattern SELF_CLOSING =
      java.util.regex.Pattern.compile("(<[^<>/]+?) />");

  private final MessagePath outProperty;
  private final String tag;
  private final String ret;
  private final boolean multi;
  private final String chr;

  private HtmlNode(NodeContext context) {
    super(context);
    String out = context.configString("outproperty", "");
    outProperty = out.isBlank() ? property : MessagePath.of(out, "outproperty");
    tag = context.configString("tag", "");
    if (!tag.isBlank()) {
      try {
        Jsoup.parse("").select(tag);
      } catch (Selector.SelectorParseException invalid) {
        throw new IllegalArgumentException("tag: invalid CSS selector: " + invalid.getMessage());
      }
    }
    ret = context.configString("ret", "html");
    multi = context.configString("as", "single").equals("multi");
    chr = context.configString("chr", "_");
  }

  @Override
  void onValue(MessageFlyweight msg, Map<String, Object> body, Object value, Output out) {
    String selector = tag.isBlank() && body.get("select") instanceof String s ? s : tag;
    Document document = Jsoup.parse(value instanceof String text ? text : String.valueOf(value));
    Elements elements;
    try {
      elements = document.select(selector);
    } catch (Selector.SelectorParseException invalid) {
      throw new IllegalArgumentException("invalid CSS selector '" + selector + "'", invalid);
    }
    if (!multi) {
      List<Object> results = new ArrayList<>();
      for (Element element : elements) {
        results.add(result(element));
      }
      outProperty.set(body, results);
      MessageBodies.send(out, 0, body, msg);
      return;
    }
    String id = Long.toHexString(msg.executionId()) + "." + Long.toHexString(msg.messageId());
    for (int index = 0; index < elements.size(); index++) {
      Object result = result(elements.get(index));
      if ("".equals(result)) {
        continue; // Node-RED sends nothing for an empty result
      }
      Map<String, Object> copy = MessageBodies.parse(msg);
      outProperty.set(copy, result);
      Map<String, Object> parts = new LinkedHashMap<>();
      parts.put("id", id);
      parts.put("index", (long) index);
      parts.put("count", (long) elements.size());
      parts.put("type", "string");
      parts.put("ch", "");
      copy.put("parts", parts);
      MessageBodies.send(out, 0, copy, msg);
    }
  }

  private Object result(Element element) {
    return switch (ret) {
      case "text" -> element.wholeText();
      case "attr" -> attributes(element, new LinkedHashMap<>());
      case "compl" -> {
        Map<String, Object> complete = new LinkedHashMap<>();
        complete.put(chr, innerXml(element));
        yield attributes(element, complete);
      }
      default -> innerXml(element);
    };
  }

  private static Map<String, Object> attributes(Element element, Map<String, Object> into) {
    for (Attribute attribute : element.attributes()) {
      into.put(attribute.getKey(), attribute.getValue());
    }
    return into;
  }

  /** The inner HTML, trimmed and written as XML, as cheerio's {@code load(html).xml()}. */
  private static String innerXml(Element element) {
    Document fragment = Jsoup.parseBodyFragment(element.html().strip());
    fragment.outputSettings().syntax(Document.OutputSettings.Syntax.xml).prettyPrint(false);
    // cheerio closes empty elements as <img/>, jsoup as <img />
    return SELF_CLOSING.matcher(fragment.body().html()).replaceAll("$1/>");
  }
}
