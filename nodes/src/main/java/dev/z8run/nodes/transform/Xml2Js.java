package dev.z8run.nodes.transform;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * XML text to JSON values and back in the shape of xml2js, the library Node-RED's XML node uses:
 * the root element as the one key of an object, attributes under {@code $}, text under {@code _}
 * (or the element is just its text when it has neither attributes nor children), and each child
 * name holding an array of the children of that name. {@link Options} are xml2js's, as Node-RED
 * passes them from {@code msg.options}.
 *
 * <p>Parsing is safe: no DTDs, no external entities (the JDK's SAX parser with secure processing).
 */
final class Xml2Js {
  private Xml2Js() {}

  /** The xml2js options this port reads (parser and builder). */
  record Options(
      String attrkey,
      String charkey,
      boolean explicitArray,
      boolean explicitRoot,
      boolean explicitCharkey,
      boolean trim,
      boolean normalize,
      boolean normalizeTags,
      boolean ignoreAttrs,
      boolean mergeAttrs,
      String rootName,
      boolean headless,
      boolean pretty,
      String indent,
      String newline) {

    /** xml2js's defaults, with Node-RED's keys and {@code msg.options} applied. */
    static Options of(String attrkey, String charkey, Map<?, ?> given) {
      Map<?, ?> o = given == null ? Map.of() : given;
      Map<?, ?> render = o.get("renderOpts") instanceof Map<?, ?> m ? m : Map.of();
      return new Options(
          !attrkey.isEmpty() ? attrkey : text(o, "attrkey", "$"),
          !charkey.isEmpty() ? charkey : text(o, "charkey", "_"),
          flag(o, "explicitArray", true),
          flag(o, "explicitRoot", true),
          flag(o, "explicitCharkey", false),
          flag(o, "trim", false),
          flag(o, "normalize", false),
          flag(o, "normalizeTags", false),
          flag(o, "ignoreAttrs", false),
          flag(o, "mergeAttrs", false),
          text(o, "rootName", "root"),
          flag(o, "headless", false),
          // Node-RED writes compact XML unless msg.options is given (then xml2js's pretty default)
          given != null && flag(render, "pretty", true),
          text(render, "indent", "  "),
          text(render, "newline", "\n"));
    }

    private static boolean flag(Map<?, ?> o, String key, boolean fallback) {
      return o.get(key) instanceof Boolean b ? b : fallback;
    }

    private static String text(Map<?, ?> o, String key, String fallback) {
      return o.get(key) instanceof String s ? s : fallback;
    }
  }

  // ---- parsing ----

  /** The xml2js value of {@code xml}. */
  static Object parse(String xml, Options options) {
    try {
      SAXParserFactory factory = SAXParserFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      SAXParser parser = factory.newSAXParser();
      Handler handler = new Handler(options);
      parser.parse(new InputSource(new StringReader(xml.strip())), handler);
      return handler.result;
    } catch (ParserConfigurationException | SAXException | IOException invalid) {
      throw new IllegalArgumentException(invalid.getMessage(), invalid);
    }
  }

  private static final class Element {
    final String name;
    final Map<String, Object> object = new LinkedHashMap<>();
    final StringBuilder text = new StringBuilder();

    Element(String name) {
      this.name = name;
    }
  }

  private static final class Handler extends DefaultHandler {
    private final Options options;
    private final Deque<Element> stack = new ArrayDeque<>();
    Object result;

    Handler(Options options) {
      this.options = options;
    }

    @Override
    public void startElement(String uri, String local, String qName, Attributes attributes) {
      String name = options.normalizeTags() ? qName.toLowerCase(Locale.ROOT) : qName;
      Element element = new Element(name);
      if (!options.ignoreAttrs() && attributes.getLength() > 0) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (int i = 0; i < attributes.getLength(); i++) {
          attrs.put(attributes.getQName(i), attributes.getValue(i));
        }
        if (options.mergeAttrs()) {
          attrs.forEach((k, v) -> element.object.put(k, options.explicitArray() ? listOf(v) : v));
        } else {
          element.object.put(options.attrkey(), attrs);
        }
      }
      stack.push(element);
    }

    private static List<Object> listOf(Object value) {
      List<Object> list = new ArrayList<>();
      list.add(value);
      return list;
    }

    @Override
    public void characters(char[] ch, int start, int length) {
      if (!stack.isEmpty()) {
        stack.peek().text.append(ch, start, length);
      }
    }

    @Override
    public void endElement(String uri, String local, String qName) {
      Element element = stack.pop();
      Object value = value(element);
      if (stack.isEmpty()) {
        if (options.explicitRoot()) {
          Map<String, Object> root = new LinkedHashMap<>();
          root.put(element.name, value);
          result = root;
        } else {
          result = value;
        }
        return;
      }
      Map<String, Object> parent = stack.peek().object;
      Object existing = parent.get(element.name);
      if (existing == null && !parent.containsKey(element.name)) {
        parent.put(element.name, options.explicitArray() ? listOf(value) : value);
      } else if (existing instanceof List<?> list && options.explicitArray()) {
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) list;
        values.add(value);
      } else if (existing instanceof ArrayList<?> list && isRepeat(parent, element.name)) {
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) list;
        values.add(value);
      } else {
        List<Object> values = new RepeatList();
        values.add(existing);
        values.add(value);
        parent.put(element.name, values);
      }
    }

    private static boolean isRepeat(Map<String, Object> parent, String name) {
      return parent.get(name) instanceof RepeatList;
    }

    private Object value(Element element) {
      String text = element.text.toString();
      Map<String, Object> object = element.object;
      String emptyText = "";
      if (text.isBlank()) {
        emptyText = text;
      } else {
        if (options.trim()) {
          text = text.strip();
        }
        if (options.normalize()) {
          text = text.replaceAll("\\s{2,}", " ").strip();
        }
        if (object.isEmpty() && !options.explicitCharkey()) {
          return text;
        }
        object.put(options.charkey(), text);
      }
      return object.isEmpty() ? emptyText : object;
    }
  }

  /** Children of one name gathered without explicitArray (xml2js makes them an array). */
  private static final class RepeatList extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;
  }

  // ---- building ----

  /** The XML text of {@code value}, as xml2js's Builder writes it. */
  static String build(Object value, Options options) {
    String rootName = options.rootName();
    Object root = value;
    if (value instanceof Map<?, ?> map && map.size() == 1 && rootName.equals("root")) {
      Map.Entry<?, ?> only = map.entrySet().iterator().next();
      rootName = String.valueOf(only.getKey());
      root = only.getValue();
    }
    Node tree = new Node(rootName);
    render(tree, root, options);
    StringBuilder out = new StringBuilder();
    if (!options.headless()) {
      out.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
      if (options.pretty()) {
        out.append(options.newline());
      }
    }
    tree.write(out, options, 0);
    return out.toString();
  }

  /** An element being built: attributes, then children (elements or text) in order. */
  private static final class Node {
    final String name;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<Object> children = new ArrayList<>();

    Node(String name) {
      this.name = name;
    }

    Node element(String childName) {
      Node child = new Node(childName);
      children.add(child);
      return child;
    }

    void write(StringBuilder out, Options options, int depth) {
      String pad = options.pretty() ? options.indent().repeat(depth) : "";
      out.append(pad).append('<').append(name);
      attributes.forEach(
          (k, v) -> out.append(' ').append(k).append("=\"").append(escapeAttribute(v)).append('"'));
      if (children.isEmpty()) {
        out.append("/>");
      } else if (children.stream().allMatch(child -> child instanceof String)) {
        out.append('>');
        children.forEach(text -> out.append(escapeText((String) text)));
        out.append("</").append(name).append('>');
      } else {
        out.append('>');
        for (Object child : children) {
          if (options.pretty()) {
            out.append(options.newline());
          }
          if (child instanceof Node node) {
            node.write(out, options, depth + 1);
          } else {
            if (options.pretty()) {
              out.append(options.indent().repeat(depth + 1));
            }
            out.append(escapeText((String) child));
          }
        }
        if (options.pretty()) {
          out.append(options.newline()).append(pad);
        }
        out.append("</").append(name).append('>');
      }
    }
  }

  private static void render(Node element, Object value, Options options) {
    if (value == null) {
      return;
    }
    if (!(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
      element.children.add(CsvNode.jsString(value));
      return;
    }
    if (value instanceof List<?> list) {
      for (Object child : list) {
        if (child instanceof Map<?, ?> map) {
          map.forEach((k, v) -> render(element.element(String.valueOf(k)), v, options));
        }
      }
      return;
    }
    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
      String key = String.valueOf(entry.getKey());
      Object child = entry.getValue();
      if (key.equals(options.attrkey())) {
        if (child instanceof Map<?, ?> attrs) {
          attrs.forEach(
              (k, v) ->
                  element.attributes.put(String.valueOf(k), v == null ? "" : CsvNode.jsString(v)));
        }
      } else if (key.equals(options.charkey())) {
        element.children.add(child == null ? "" : CsvNode.jsString(child));
      } else if (child instanceof List<?> entries) {
        for (Object item : entries) {
          if (item instanceof String text) {
            element.element(key).children.add(text);
          } else {
            render(element.element(key), item, options);
          }
        }
      } else if (child instanceof Map<?, ?> || child == null) {
        render(element.element(key), child, options);
      } else {
        element.element(key).children.add(CsvNode.jsString(child));
      }
    }
  }

  private static String escapeText(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#xD;");
  }

  private static String escapeAttribute(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace("\"", "&quot;")
        .replace("\t", "&#x9;")
        .replace("\n", "&#xA;")
        .replace("\r", "&#xD;");
  }
}
