package dev.z8run.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a plugin says about itself: its name (which becomes its node type), ports, config schema,
 * the capabilities it asks for and the limits it runs under. Read from z8run's {@code
 * manifest.toml} or from the same document in JSON; the fields of z8run's {@code [plugin]} table
 * may also sit at the top level. See {@code docs/plugins.md} for every field.
 *
 * @param name the node type name: lower-case letters, digits, {@code -} and {@code _}, at most 64
 * @param config the node's config schema, checked by the validator like a built-in's
 */
public record PluginManifest(
    String name,
    String version,
    String description,
    String category,
    List<PortSpec> inputs,
    List<PortSpec> outputs,
    Capabilities capabilities,
    Limits limits,
    List<ConfigField> config) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TomlMapper TOML = new TomlMapper();

  public PluginManifest {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    config = List.copyOf(config);
  }

  /**
   * What the plugin may reach outside its sandbox; each grant links the matching {@code z8} host
   * functions and nothing else.
   *
   * @param log {@code z8.log}
   * @param httpHosts hosts {@code z8.http_request} may call: exact names or {@code *.domain}
   * @param fileRoot the directory {@code z8.file_read}/{@code z8.file_write} work under, or null
   * @param env environment variables {@code z8.env_get} may read
   * @param context {@code z8.context_get}/{@code z8.context_set} on the node's persistent context
   */
  public record Capabilities(
      boolean log, List<String> httpHosts, String fileRoot, List<String> env, boolean context) {
    public Capabilities {
      httpHosts = List.copyOf(httpHosts);
      env = List.copyOf(env);
    }

    /** Whether the capability called {@code name} ({@code log, http, files, env, context}). */
    public boolean grants(String name) {
      return switch (name) {
        case "log" -> log;
        case "http" -> !httpHosts.isEmpty();
        case "files" -> fileRoot != null;
        case "env" -> !env.isEmpty();
        case "context" -> context;
        default -> false;
      };
    }

    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("log", log);
      map.put("http", httpHosts);
      map.put("files", fileRoot);
      map.put("env", env);
      map.put("context", context);
      return map;
    }
  }

  /**
   * The limits every call of the plugin runs under.
   *
   * @param memoryPages the most 64 KiB pages its memory may have; {@code memory.grow} past it fails
   * @param timeoutMs the longest a call may run before it is interrupted
   * @param maxResultBytes the largest result (and host-function answer) accepted
   * @param maxInFlight calls of one node running at once; further messages wait
   */
  public record Limits(int memoryPages, long timeoutMs, int maxResultBytes, int maxInFlight) {
    public static final int MAX_MEMORY_PAGES = 16_384;
    public static final long MAX_TIMEOUT_MS = 60_000;
    public static final int MAX_RESULT_BYTES = 16 << 20;
    public static final int MAX_IN_FLIGHT = 64;

    public static Limits defaults() {
      return new Limits(256, 1_000, 1 << 20, 4);
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("memory_pages", memoryPages);
      map.put("timeout_ms", timeoutMs);
      map.put("max_result_bytes", maxResultBytes);
      map.put("max_in_flight", maxInFlight);
      return map;
    }
  }

  /**
   * Parses a manifest: JSON when the text starts with <code>{</code>, TOML otherwise.
   *
   * @throws PluginException naming the field at fault
   */
  public static PluginManifest parse(String text) throws PluginException {
    JsonNode root;
    String stripped = text == null ? "" : text.strip();
    boolean json = stripped.startsWith("{");
    try {
      root = json ? JSON.readTree(stripped) : TOML.readTree(stripped);
    } catch (IOException e) {
      throw new PluginException(
          "manifest is not valid "
              + (json ? "JSON" : "TOML")
              + ": "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage()),
          e);
    }
    if (root == null || !root.isObject()) {
      throw new PluginException("manifest must be a table (TOML) or an object (JSON)");
    }
    return new Reader(root).manifest();
  }

  /** The manifest as plain JSON values (maps, lists, strings, numbers), as the API lists it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("version", version);
    map.put("description", description);
    map.put("category", category);
    map.put("inputs", ports(inputs));
    map.put("outputs", ports(outputs));
    map.put("capabilities", capabilities.toMap());
    map.put("limits", limits.toMap());
    List<Object> fields = new ArrayList<>();
    for (ConfigField field : config) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("name", field.name());
      f.put("type", field.type().jsonName());
      f.put("default", field.defaultValue());
      f.put("required", field.required());
      f.put("description", field.description());
      if (!field.options().isEmpty()) {
        f.put("options", field.options());
      }
      fields.add(f);
    }
    map.put("config", fields);
    return map;
  }

  private static List<Object> ports(List<PortSpec> ports) {
    List<Object> list = new ArrayList<>();
    for (PortSpec port : ports) {
      list.add(Map.of("name", port.name(), "type", port.type().jsonName()));
    }
    return list;
  }

  /** Reads the tree field by field so that every error names its field. */
  private record Reader(JsonNode root) {
    PluginManifest manifest() throws PluginException {
      JsonNode plugin = root.path("plugin");
      String name = text(plugin, "name", null);
      if (name == null || !NAME.matcher(name).matches()) {
        throw new PluginException(
            "manifest field 'name' must be 1 to 64 of a-z 0-9 - _ starting with a letter or digit,"
                + " got "
                + (name == null ? "nothing" : "'" + name + "'"));
      }
      return new PluginManifest(
          name,
          text(plugin, "version", "0.0.0"),
          text(plugin, "description", ""),
          text(plugin, "category", "plugins"),
          ports("inputs", List.of(PortSpec.any("input"))),
          ports("outputs", List.of(PortSpec.any("output"))),
          capabilities(root.path("capabilities")),
          limits(root.path("limits"), root.path("capabilities")),
          config(root.path("config")));
    }

    /** A string from the top level, or else from the {@code [plugin]} table. */
    private String text(JsonNode plugin, String field, String fallback) throws PluginException {
      JsonNode node = root.has(field) ? root.get(field) : plugin.get(field);
      if (node == null || node.isNull()) {
        return fallback;
      }
      if (!node.isTextual()) {
        throw new PluginException("manifest field '" + field + "' must be a string");
      }
      return node.asText();
    }

    private List<PortSpec> ports(String field, List<PortSpec> fallback) throws PluginException {
      JsonNode node = root.get(field);
      if (node == null) {
        return fallback;
      }
      if (!node.isArray()) {
        throw new PluginException("manifest field '" + field + "' must be an array of ports");
      }
      List<PortSpec> ports = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode port = node.get(i);
        String where = field + "[" + i + "]";
        if (!port.path("name").isTextual() || port.path("name").asText().isBlank()) {
          throw new PluginException("manifest field '" + where + ".name' must be a string");
        }
        ports.add(
            new PortSpec(port.get("name").asText(), PortType.fromJson(port.path("type").asText())));
      }
      return ports;
    }

    private static Capabilities capabilities(JsonNode node) throws PluginException {
      if (!node.isMissingNode() && !node.isObject()) {
        throw new PluginException("manifest field 'capabilities' must be a table");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!List.of("log", "http", "files", "env", "context", "network", "filesystem")
                .contains(field)
            && !field.equals("memory_limit_mb")) {
          throw new PluginException(
              "manifest field 'capabilities."
                  + field
                  + "' is not a capability;"
                  + " known: log, http, files, env, context");
        }
      }
      if (node.path("network").asBoolean(false) || node.path("filesystem").asBoolean(false)) {
        throw new PluginException(
            "manifest capabilities 'network'/'filesystem' grant too much; name them:"
                + " http = [\"host\"], files = \"/root/dir\"");
      }
      JsonNode files = node.get("files");
      if (files != null && !files.isNull() && (!files.isTextual() || files.asText().isBlank())) {
        throw new PluginException("manifest field 'capabilities.files' must be a directory path");
      }
      return new Capabilities(
          bool(node, "log"),
          strings(node, "http"),
          files == null || files.isNull() ? null : files.asText(),
          strings(node, "env"),
          bool(node, "context"));
    }

    private static boolean bool(JsonNode node, String field) throws PluginException {
      JsonNode value = node.get(field);
      if (value != null && !value.isBoolean()) {
        throw new PluginException("manifest field 'capabilities." + field + "' must be a boolean");
      }
      return value != null && value.asBoolean();
    }

    private static List<String> strings(JsonNode node, String field) throws PluginException {
      JsonNode value = node.get(field);
      if (value == null) {
        return List.of();
      }
      if (!value.isArray()) {
        throw new PluginException(
            "manifest field 'capabilities." + field + "' must be an array of strings");
      }
      List<String> list = new ArrayList<>();
      for (JsonNode item : value) {
        if (!item.isTextual() || item.asText().isBlank()) {
          throw new PluginException(
              "manifest field 'capabilities." + field + "' must be an array of strings");
        }
        list.add(item.asText());
      }
      return list;
    }

    private static Limits limits(JsonNode node, JsonNode capabilities) throws PluginException {
      Limits d = Limits.defaults();
      long pages = number(node, "memory_pages", d.memoryPages(), 1, Limits.MAX_MEMORY_PAGES);
      if (!node.has("memory_pages") && capabilities.has("memory_limit_mb")) {
        pages = number(capabilities, "memory_limit_mb", 16, 1, Limits.MAX_MEMORY_PAGES / 16) * 16;
      }
      return new Limits(
          (int) pages,
          number(node, "timeout_ms", d.timeoutMs(), 1, Limits.MAX_TIMEOUT_MS),
          (int) number(node, "max_result_bytes", d.maxResultBytes(), 2, Limits.MAX_RESULT_BYTES),
          (int) number(node, "max_in_flight", d.maxInFlight(), 1, Limits.MAX_IN_FLIGHT));
    }

    private static long number(JsonNode node, String field, long fallback, long min, long max)
        throws PluginException {
      JsonNode value = node.get(field);
      if (value == null) {
        return fallback;
      }
      if (!value.canConvertToLong() || !value.isIntegralNumber()) {
        throw new PluginException("manifest limit '" + field + "' must be an integer");
      }
      long n = value.asLong();
      if (n < min || n > max) {
        throw new PluginException(
            "manifest limit '" + field + "' must be " + min + ".." + max + ", got " + n);
      }
      return n;
    }

    private static List<ConfigField> config(JsonNode node) throws PluginException {
      if (node.isMissingNode()) {
        return List.of();
      }
      if (!node.isArray()) {
        throw new PluginException("manifest field 'config' must be an array of fields");
      }
      List<ConfigField> fields = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode f = node.get(i);
        String where = "config[" + i + "]";
        if (!f.path("name").isTextual()) {
          throw new PluginException("manifest field '" + where + ".name' must be a string");
        }
        FieldType type;
        try {
          type = FieldType.valueOf(f.path("type").asText("any").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new PluginException(
              "manifest field '" + where + ".type' is not a field type: " + f.path("type"), e);
        }
        List<String> options = new ArrayList<>();
        for (JsonNode option : f.path("options")) {
          options.add(option.asText());
        }
        fields.add(
            new ConfigField(
                f.get("name").asText(),
                type,
                plain(f.get("default")),
                f.path("required").asBoolean(false),
                f.path("description").asText(""),
                options,
                f.path("min").isNumber() ? f.get("min").numberValue() : null,
                f.path("max").isNumber() ? f.get("max").numberValue() : null));
      }
      return fields;
    }

    /** A default value as the plain JSON values the validator compares with. */
    private static Object plain(JsonNode value) {
      if (value == null || value.isNull()) {
        return null;
      }
      if (value.isIntegralNumber()) {
        return value.asLong();
      }
      if (value.isNumber()) {
        return value.asDouble();
      }
      if (value.isBoolean()) {
        return value.asBoolean();
      }
      if (value.isTextual()) {
        return value.asText();
      }
      return JSON.convertValue(value, Object.class);
    }
  }
}
