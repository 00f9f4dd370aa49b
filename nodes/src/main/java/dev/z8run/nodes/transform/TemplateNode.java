package dev.z8run.nodes.transform;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.reflect.SimpleObjectHandler;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.ContextValues;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code template}: sets a message property from a template, Node-RED's template node ({@code
 * field}, {@code syntax} mustache|plain, {@code output} str|json, {@code template}).
 *
 * <p>Mustache through mustache.java, compiled once at deploy, rendered with the parsed message as
 * its scope ({@code {{payload.name}}}, sections over arrays {@code {{#payload.items}}..{{/...}}}).
 * What the scope exposes is only the message's JSON: keys of objects and indexes of arrays, never
 * Java methods or fields; partials ({@code {{> name}}}) are refused (they would read files). {@code
 * {{x}}} escapes HTML, {@code {{{x}}}} does not; with {@code output: json} strings are escaped for
 * JSON instead, so that a template such as {@code {"name":"{{payload.name}}"}} stays valid. An
 * object or array inserted as a value is written as compact JSON.
 *
 * <p>As in Node-RED, {@code {{flow.x}}} and {@code {{global.x}}} read flow and global context and
 * {@code {{env.NAME}}} an environment variable (the node's own {@code env} values first; server
 * settings {@code Z8_*} read as empty); {@code fieldType} flow or global sets the result into that
 * context instead of the message, which passes on unchanged. A node whose {@code template} is empty
 * renders each message's {@code msg.template} instead (compiled again only when it changes).
 */
public final class TemplateNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("template")
          .category("function")
          .description("Sets a message property from a mustache template over the message.")
          .field(
              ConfigField.optional(
                  "field", FieldType.STRING, "payload", "The message property to set."))
          .field(
              ConfigField.choice(
                  "syntax",
                  "mustache",
                  List.of("mustache", "plain"),
                  "mustache: fill in {{...}} from the message; plain: the text as it is."))
          .field(
              ConfigField.choice(
                  "output",
                  "str",
                  List.of("str", "json", "yaml"),
                  "str: set the text; json: parse the text and set the JSON value; yaml: parse"
                      + " the text as YAML and set the value."))
          .field(ConfigField.optional("template", FieldType.CODE, "", "The template text."))
          .field(
              ConfigField.choice(
                  "fieldType",
                  "msg",
                  List.of("msg", "flow", "global"),
                  "Where field is set: a message property, or flow or global context."))
          .field(
              ConfigField.optional(
                  "env",
                  FieldType.OBJECT,
                  null,
                  "Env values {{env.NAME}} finds first (a subflow instance's env properties)."))
          .factory(TemplateNode::new)
          .build();

  private static final java.util.regex.Pattern STANDALONE_COMMENT =
      java.util.regex.Pattern.compile("(?m)^[ \\t]*\\{\\{![^}]*}}[ \\t]*(\\r?\\n|$)");

  private final NodeContext context;
  private final String fieldType;
  private final ContextValues.Property contextField;
  private final MessagePath field;
  private final Mustache mustache;
  private final byte[] plain;

  /** Node-RED: with no template of its own, the node renders each message's msg.template. */
  private final boolean fromMessage;

  private final boolean plainSyntax;

  /** The last msg.template compiled, and what it compiled to: a flow usually sends one or few. */
  private String lastTemplate;

  private Mustache lastCompiled;
  private final boolean json;
  private final boolean yaml;
  private final JsonPatch patch = new JsonPatch();

  private TemplateNode(NodeContext context) {
    this.context = context;
    fieldType = context.configString("fieldType", "msg");
    contextField =
        fieldType.equals("msg")
            ? null
            : ContextValues.property("field", context.configString("field", "payload"));
    field = MessagePath.of(context.configString("field", "payload"), "field");
    if (contextField == null && !field.keysOnly()) {
      throw new IllegalArgumentException(
          "field: '" + field.text() + "' has an array index; use object keys only");
    }
    json = context.configString("output", "str").equals("json");
    yaml = context.configString("output", "str").equals("yaml");
    String template = context.configString("template", "");
    fromMessage = template.isEmpty();
    plainSyntax = context.configString("syntax", "mustache").equals("plain");
    if (plainSyntax) {
      mustache = null;
      plain = value(template, json, yaml);
    } else {
      plain = null;
      mustache = compile(template, "template");
    }
  }

  private Mustache compile(String template, String what) {
    try {
      // mustache.js drops a line holding only a comment tag, as it does standalone sections
      String standalone = STANDALONE_COMMENT.matcher(template).replaceAll("");
      return new Factory(json).compile(new StringReader(standalone), context.nodeId());
    } catch (MustacheException | UncheckedIOException invalid) {
      throw new IllegalArgumentException(what + ": " + invalid.getMessage(), invalid);
    }
  }

  /** The value of msg.template's text for this message (a node without a template of its own). */
  private byte[] fromMessage(String template, Object message) {
    if (plainSyntax) {
      return value(template, json, yaml);
    }
    if (!template.equals(lastTemplate)) {
      lastCompiled = compile(template, "msg.template");
      lastTemplate = template;
    }
    StringWriter text = new StringWriter();
    lastCompiled.execute(text, scope(message));
    return value(text.toString(), json, yaml);
  }

  /** The rendered text as the JSON value to set. */
  private static byte[] value(String text, boolean json, boolean yaml) {
    if (yaml) {
      try {
        return JsonCodec.write(YamlText.parse(text));
      } catch (RuntimeException notYaml) {
        throw new IllegalArgumentException(
            "output is yaml but the text is not YAML: " + notYaml.getMessage(), notYaml);
      }
    }
    if (!json) {
      return JsonCodec.write(text);
    }
    try {
      return JsonCodec.write(JsonCodec.parse(text));
    } catch (RuntimeException notJson) {
      throw new IllegalArgumentException(
          "output is json but the text is not JSON: " + notJson.getMessage(), notJson);
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    byte[] value = plain;
    if (fromMessage && msg.jsonLength() > 0) {
      Map<String, Object> message = MessageBodies.parse(msg);
      if (message.get("template") instanceof String own) {
        value = fromMessage(own, message);
      }
    }
    if (value == null) {
      byte[] body = new byte[msg.jsonLength()];
      msg.buffer().getBytes(msg.jsonOffset(), body);
      StringWriter text = new StringWriter();
      mustache.execute(text, scope(JsonCodec.parse(body)));
      value = value(text.toString(), json, yaml);
    }
    if (contextField != null) {
      ContextStore store =
          fieldType.equals("flow") ? context.flowContext() : context.globalContext();
      ContextValues.set(store, contextField, JsonCodec.parse(value));
      out.forward(0, msg);
      return;
    }
    UnsafeBuffer bytes = new UnsafeBuffer(value);
    int patched =
        patch.prepare(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), field.keys(), value.length);
    if (patched < 0) {
      throw new IllegalArgumentException("message body is not a JSON object");
    }
    MessageBodies.sendPatched(out, 0, msg, patch, patched, bytes);
  }

  /** The message with Node-RED's {@code flow}, {@code global} and {@code env} beside it. */
  private Object scope(Object message) {
    Map<String, Object> scope = new LinkedHashMap<>();
    if (message instanceof Map<?, ?> map) {
      map.forEach((key, value) -> scope.put(String.valueOf(key), value));
    }
    scope.put("flow", new ContextScope(context.flowContext()));
    scope.put("global", new ContextScope(context.globalContext()));
    scope.put("env", new EnvScope(context.config().get("env"), context.environment()));
    return scope;
  }

  /** A context store as a mustache scope: {@code {{flow.count}}}. */
  private record ContextScope(ContextStore store) {}

  /** Environment variables as a mustache scope: {@code {{env.HOME}}}. */
  private record EnvScope(Object own, dev.z8run.core.node.NodeEnvironment environment) {
    Object get(String name) {
      if (own instanceof Map<?, ?> map && map.containsKey(name)) {
        return map.get(name);
      }
      try {
        return EnvValues.lookup("env", name, environment);
      } catch (IllegalArgumentException refused) {
        return "";
      }
    }
  }

  /** mustache.java set up for messages: JSON-only scopes, no partials, the chosen escaping. */
  private static final class Factory extends DefaultMustacheFactory {
    private final boolean json;

    Factory(boolean json) {
      this.json = json;
      setObjectHandler(new JsonScopes());
    }

    @Override
    public Reader getReader(String resourceName) {
      throw new MustacheException("partials are not supported: {{> " + resourceName + "}}");
    }

    @Override
    public void encode(String value, Writer writer) {
      if (!json) {
        super.encode(value, writer);
        return;
      }
      byte[] quoted = JsonCodec.write(value);
      try {
        writer.write(
            new String(quoted, 1, quoted.length - 2, java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException failed) {
        throw new UncheckedIOException(failed);
      }
    }
  }

  /**
   * Looks names up in maps (object keys) and lists (indexes, and {@code length}) only, and a
   * string's {@code length}; values print as JSON.
   */
  private static final class JsonScopes extends SimpleObjectHandler {
    @Override
    public Object get(String name, Object scope) {
      if (scope instanceof ContextScope context) {
        return context.store().get(name);
      }
      if (scope instanceof EnvScope env) {
        return env.get(name);
      }
      if (scope instanceof Map<?, ?> map) {
        return map.containsKey(name) ? map.get(name) : null;
      }
      if (scope instanceof List<?> list
          && !name.isEmpty()
          && name.chars().allMatch(Character::isDigit)) {
        // an index past the int range is past the end of any list
        long index = name.length() > 10 ? Long.MAX_VALUE : Long.parseLong(name);
        return index < list.size() ? list.get((int) index) : null;
      }
      // JavaScript's length of an array or a string, as Node-RED's mustache reads it
      if (name.equals("length") && scope instanceof List<?> list) {
        return (long) list.size();
      }
      if (name.equals("length") && scope instanceof String text) {
        return (long) text.length();
      }
      return null;
    }

    @Override
    public String stringify(Object object) {
      return object instanceof Map<?, ?> || object instanceof List<?>
          ? JsonCodec.writeString(object)
          : String.valueOf(object);
    }
  }
}
