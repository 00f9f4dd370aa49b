package dev.z8run.nodes.transform;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code csv}: converts between CSV text and objects, as Node-RED's CSV node (its default, legacy
 * parser). A string {@code msg.payload} is parsed into one object per line, keyed by the column
 * names of {@code temp} (or of the first line with {@code hdrin}, or {@code col1, col2, ...}), sent
 * as a message sequence ({@code multi: one}, with {@code msg.parts}) or as one array ({@code
 * mult}). An object or array payload becomes CSV text, its columns in the order of {@code temp} (or
 * {@code msg.columns}, or the first object's keys), with a header line by {@code hdrout}.
 *
 * <p>Node-RED's quirks are kept, since flows rely on them: quoted values lose their quotes, {@code
 * ""} inside quotes is one quote, numbers are parsed when {@code strings} is on, empty values are
 * left out unless {@code include_empty_strings} / {@code include_null_values}, lines that give no
 * value are not sent, and a message with {@code msg.reset} sends the header again ({@code hdrout:
 * once}). The node keeps the column names a header line gave for later messages, as Node-RED does.
 */
public final class CsvNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("csv")
          .category("parser")
          .description("Converts between CSV text and objects (one per line).")
          .field(
              ConfigField.optional(
                  "sep", FieldType.STRING, ",", "The column separator (\\t is a tab)."))
          .field(
              ConfigField.optional(
                  "temp",
                  FieldType.STRING,
                  "",
                  "Column names, comma-separated; empty: col1, col2, ... (parsing) or the"
                      + " objects' own keys (generating)."))
          .field(
              ConfigField.optional(
                  "hdrin",
                  FieldType.BOOLEAN,
                  false,
                  "Parsing: the first line holds the column names."))
          .field(
              ConfigField.choice(
                  "hdrout",
                  "none",
                  List.of("none", "all", "once"),
                  "Generating: a header line never, in every message, or once (again after a"
                      + " message with msg.reset)."))
          .field(
              ConfigField.choice(
                  "multi",
                  "one",
                  List.of("one", "mult"),
                  "Parsing: one message per line (a sequence with msg.parts), or one message with"
                      + " an array."))
          .field(
              ConfigField.optional(
                  "ret", FieldType.STRING, "\\n", "Generating: the line end (\\n or \\r\\n)."))
          .field(
              ConfigField.optional(
                      "skip", FieldType.INTEGER, 0L, "Parsing: lines to skip at the start.")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                  "strings", FieldType.BOOLEAN, true, "Parsing: numbers become numbers."))
          .field(
              ConfigField.optional(
                  "include_empty_strings",
                  FieldType.BOOLEAN,
                  false,
                  "Parsing: keep empty values as \"\"."))
          .field(
              ConfigField.optional(
                  "include_null_values",
                  FieldType.BOOLEAN,
                  false,
                  "Parsing: keep missing values as null."))
          .factory(CsvNode::new)
          .build();

  private static final char QUOTE = '"';

  /**
   * A cell that reads as a number: the language of Node-RED's {@code
   * ^-?(?!E)(?!0\d)\d*\.?\d*(E-?\+?)?\d+$}, without its backtracking: that pattern splits a run of
   * digits three ways before it gives up, so one cell of 2,000 digits and a letter took 19 s of a
   * worker, and 10,000 most of an hour. Written as three alternatives with possessive quantifiers,
   * it decides in one pass (a million digits: under 40 ms).
   */
  static final Pattern NUMBER =
      Pattern.compile(
          "^-?(?!E)(?!0\\d)(?:\\d++(?:\\.\\d++)?+|\\.\\d++|\\d*+\\.?+\\d*+E-?+\\+?+\\d++)$",
          Pattern.CASE_INSENSITIVE);

  private final NodeContext context;
  private final String sep;
  private final String ret;
  private final String configuredTemplate;
  private final boolean configuredNoTemplate;
  private final boolean hdrin;
  private final String hdrout;
  private final boolean multi;
  private final int skip;
  private final boolean parseNumbers;
  private final boolean includeEmpty;
  private final boolean includeNull;
  private final List<Object> store = new ArrayList<>();
  private List<String> template;
  private boolean goodTemplate = true;
  private boolean headerSent;
  private boolean warnedNoTemplate;

  private CsvNode(NodeContext context) {
    this.context = context;
    sep = unescape(context.configString("sep", ","));
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("sep: must not be empty");
    }
    ret = unescape(context.configString("ret", "\\n"));
    configuredTemplate = context.configString("temp", "");
    hdrin = context.configBoolean("hdrin", false);
    hdrout = context.configString("hdrout", "none");
    multi = !context.configString("multi", "one").equals("one");
    skip = (int) context.configLong("skip", 0);
    parseNumbers = context.configBoolean("strings", true);
    includeEmpty = context.configBoolean("include_empty_strings", false);
    includeNull = context.configBoolean("include_null_values", false);
    template = clean(configuredTemplate, ",");
    configuredNoTemplate = isEmptyTemplate(template);
  }

  private static String unescape(String text) {
    return text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r");
  }

  /** Column names: split on the separator outside quotes, quotes removed, trimmed. */
  private List<String> clean(String columns, String separator) {
    List<String> names = new ArrayList<>();
    for (String name : splitOutsideQuotes(columns.strip(), separator)) {
      names.add(name.replace("\"", "").strip());
    }
    goodTemplate = !(names.size() == 1 && names.get(0).isEmpty());
    return names;
  }

  private static List<String> splitOutsideQuotes(String text, String separator) {
    List<String> pieces = new ArrayList<>();
    boolean inside = false;
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == QUOTE) {
        inside = !inside;
      } else if (!inside && text.startsWith(separator, i)) {
        pieces.add(text.substring(from, i));
        from = i + separator.length();
        i = from - 1;
      }
    }
    pieces.add(text.substring(from));
    return pieces;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (body.containsKey("reset")) {
      headerSent = false;
    }
    if (!body.containsKey("payload")) {
      if (!body.containsKey("reset")) {
        out.forward(0, msg);
      }
      return;
    }
    Object payload = body.get("payload");
    if (payload instanceof String text) {
      parse(body, text, msg, out);
    } else if (payload instanceof Map<?, ?> || payload instanceof List<?>) {
      generate(body, payload, msg, out);
    } else {
      context.warn(
          "csv: msg.payload must be a CSV string or an object or array, not " + kind(payload));
    }
  }

  private static String kind(Object value) {
    return value == null ? "null" : JsonCodec.describe(value);
  }

  // ---- generating ----

  private void generate(
      Map<String, Object> body, Object payload, MessageFlyweight msg, Output out) {
    boolean laterPart =
        body.get("parts") instanceof Map<?, ?> parts
            && parts.get("index") instanceof Number index
            && index.longValue() > 0;
    if (!(configuredNoTemplate && laterPart)) {
      template = clean(configuredTemplate, ",");
    }
    List<Object> rows = payload instanceof List<?> list ? new ArrayList<>(list) : List.of(payload);
    List<String> lines = new ArrayList<>();
    if (!hdrout.equals("none") && !headerSent) {
      if (isEmptyTemplate(template)) {
        if (body.containsKey("columns")) {
          template = clean(textOf(body.get("columns")), ",");
        } else if (!rows.isEmpty() && rows.get(0) instanceof Map<?, ?> first) {
          template = new ArrayList<>();
          first.keySet().forEach(key -> template.add(String.valueOf(key)));
        }
      }
      List<String> header = new ArrayList<>();
      for (String name : template) {
        header.add(name.contains(sep) ? QUOTE + name + QUOTE : name);
      }
      lines.add(String.join(sep, header));
      if (hdrout.equals("once")) {
        headerSent = true;
      }
    }
    for (int s = 0; s < rows.size(); s++) {
      Object row = rows.get(s);
      if (row instanceof List<?> cells) {
        lines.add(cellsLine(cells));
      } else if (!(row instanceof Map<?, ?>)) {
        lines.add(cellsLine(rows));
        break;
      } else {
        lines.add(objectLine(body, (Map<?, ?>) row, rows));
      }
    }
    String csv = String.join(ret, lines) + ret;
    List<String> columns = new ArrayList<>();
    for (String name : template) {
      columns.add(name.contains(",") ? QUOTE + name + QUOTE : name);
    }
    body.put("payload", csv);
    body.put("columns", String.join(",", columns));
    MessageBodies.send(out, 0, body, msg);
  }

  private String cellsLine(List<?> cells) {
    List<String> line = new ArrayList<>();
    for (Object cell : cells) {
      String text = cell == null ? "null" : jsString(cell);
      line.add(cell(text, text.contains("\n")));
    }
    return String.join(sep, line);
  }

  private String objectLine(Map<String, Object> body, Map<?, ?> row, List<Object> rows) {
    if (isEmptyTemplate(template) && body.containsKey("columns")) {
      template = clean(textOf(body.get("columns")), ",");
    }
    List<String> line = new ArrayList<>();
    if (isEmptyTemplate(template)) {
      if (!warnedNoTemplate) {
        context.warn("csv: no columns template set, using the keys of the first object");
        warnedNoTemplate = true;
      }
      Map<?, ?> first = rows.get(0) instanceof Map<?, ?> map ? map : row;
      for (Object key : first.keySet()) {
        Object value = row.get(key);
        if (!row.containsKey(key) || value instanceof Map<?, ?> || value instanceof List<?>) {
          continue;
        }
        if (value == null) {
          continue;
        }
        String text = jsString(value);
        line.add(cell(text, String.valueOf(key).contains("\n")));
      }
      return String.join(sep, line);
    }
    for (String name : template) {
      if (name.isEmpty()) {
        line.add("");
        continue;
      }
      String text = row.containsKey(name) ? ensureString(row.get(name)) : "";
      line.add(cell(text, text.contains("\n")));
    }
    return String.join(sep, line);
  }

  /**
   * {@code text} as a CSV cell: quoted with its quotes doubled when it has any, quoted when it
   * holds the separator or {@code newline} says so (Node-RED looks at the key, not the value, for
   * an object's cell without a template).
   */
  private String cell(String text, boolean newline) {
    if (text.indexOf(QUOTE) >= 0) {
      return QUOTE + text.replace("\"", "\"\"") + QUOTE;
    }
    return text.contains(sep) || newline ? QUOTE + text + QUOTE : text;
  }

  private static boolean isEmptyTemplate(List<String> names) {
    return names.size() == 1 && names.get(0).isEmpty();
  }

  private static String textOf(Object value) {
    return value == null ? "" : value instanceof String text ? text : jsString(value);
  }

  /** Node-RED's {@code RED.util.ensureString}: objects (and null) as JSON, others as text. */
  private static String ensureString(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
      return JsonCodec.writeString(value);
    }
    return jsString(value);
  }

  /** A value as JavaScript's {@code String(value)} writes it. */
  static String jsString(Object value) {
    if (value instanceof Double number) {
      return number == Math.rint(number) && !Double.isInfinite(number) && Math.abs(number) < 1e21
          ? Long.toString(number.longValue())
          : number.toString();
    }
    if (value instanceof Map<?, ?>) {
      return "[object Object]";
    }
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      list.forEach(item -> parts.add(item == null ? "" : jsString(item)));
      return String.join(",", parts);
    }
    return String.valueOf(value);
  }

  // ---- parsing ----

  /** The state of one parse (Node-RED's k, j, o, a). */
  private final class Parse {
    final List<Object> values = new ArrayList<>();
    Map<String, Object> row = new LinkedHashMap<>();
    final List<Map<String, Object>> rows = new ArrayList<>();
    int column;

    Parse() {
      values.add("");
    }

    void endValue(boolean keepNull) {
      if (!goodTemplate) {
        setColumnName(column, "col" + (column + 1));
      }
      String name = column < template.size() ? template.get(column) : null;
      if (name == null || name.isEmpty()) {
        return;
      }
      Object value = keepNull ? null : values.get(column);
      if (value instanceof String text && parseNumbers && NUMBER.matcher(text.strip()).matches()) {
        value = number(text.strip());
      }
      if (value == null && includeNull
          || "".equals(value) && includeEmpty
          || value != null && !"".equals(value)) {
        row.put(name, value);
      }
    }

    void endLine() {
      if (!row.isEmpty()) {
        rows.add(row);
      }
      column = 0;
      values.clear();
      values.add("");
      row = new LinkedHashMap<>();
    }

    void append(char c) {
      values.set(column, values.get(column) == null ? "null" + c : values.get(column) + "" + c);
    }
  }

  private void setColumnName(int column, String name) {
    template = new ArrayList<>(template);
    while (template.size() <= column) {
      template.add("");
    }
    template.set(column, name);
  }

  private static Object number(String text) {
    double value = Double.parseDouble(text);
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : value;
  }

  private void parse(Map<String, Object> body, String line, MessageFlyweight msg, Output out) {
    Map<?, ?> parts = body.get("parts") instanceof Map<?, ?> map ? map : null;
    boolean hasParts = body.containsKey("parts") && parts != null;
    boolean first = true;
    boolean last = false;
    long lineCount = 0;
    if (hasParts) {
      long index = parts.get("index") instanceof Number n ? n.longValue() : 0;
      lineCount = index;
      if (index > skip) {
        first = false;
      }
      if (parts.get("count") instanceof Number count && index + 1 >= count.longValue()) {
        last = true;
      }
    }
    long lineEnds = line.chars().filter(c -> c == '\r' || c == '\n').count();
    StringBuilder header = new StringBuilder();
    if (hasParts && multi && lineEnds > 1) {
      first = true;
    }
    boolean outside = true;
    Parse p = new Parse();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (first && lineCount < skip) {
        if (c == '\n') {
          lineCount++;
        }
        continue;
      }
      if (hdrin && first) {
        if (c == '\n' || c == '\r' || line.length() - i == 1) {
          if (line.length() - i == 1) {
            header.append(c);
          }
          template = clean(header.toString(), sep);
          first = false;
        } else {
          header.append(c);
        }
      } else if (c == QUOTE) {
        outside = !outside;
        if (i > 0 && line.charAt(i - 1) == QUOTE && !outside) {
          p.append(QUOTE);
        }
      } else if (outside && line.startsWith(sep, i) && sep.length() == 1) {
        boolean empty = i == 0 || line.charAt(i - 1) == sep.charAt(0) || line.charAt(i - 1) == '\n';
        p.endValue(empty);
        p.column++;
        p.values.add(i == line.length() - 1 ? null : "");
      } else if ((c == '\n' || c == '\r') && outside) {
        p.endValue(i > 0 && line.charAt(i - 1) == sep.charAt(0));
        p.endLine();
        outside = true;
      } else {
        p.append(c);
      }
    }
    if (!outside) {
      context.warn("csv: the input has an unmatched quote");
    }
    p.endValue(p.values.get(p.column) == null);
    p.endLine();
    String columns = columnsText();
    if (multi) {
      if (hasParts && lineEnds <= 1) {
        store.addAll(p.rows);
        if (parts.get("index") instanceof Number index
            && parts.get("count") instanceof Number count
            && index.longValue() + 1 == count.longValue()) {
          body.put("payload", new ArrayList<>(store));
          body.put("columns", columns);
          body.remove("parts");
          MessageBodies.send(out, 0, body, msg);
          store.clear();
        }
      } else {
        body.put("payload", p.rows);
        body.put("columns", columns);
        MessageBodies.send(out, 0, body, msg);
      }
      return;
    }
    sendRows(body, p.rows, columns, hasParts, last, msg, out);
  }

  private void sendRows(
      Map<String, Object> body,
      List<Map<String, Object>> rows,
      String columns,
      boolean hasParts,
      boolean last,
      MessageFlyweight msg,
      Output out) {
    String id = Long.toHexString(msg.executionId()) + "." + Long.toHexString(msg.messageId());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> message = new LinkedHashMap<>(body);
      message.put("columns", columns);
      message.put("payload", rows.get(i));
      if (!hasParts) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("id", id);
        parts.put("index", (long) i);
        parts.put("count", (long) rows.size());
        message.put("parts", parts);
      } else if (body.get("parts") instanceof Map<?, ?> old) {
        Map<String, Object> parts = new LinkedHashMap<>();
        old.forEach((k, v) -> parts.put(String.valueOf(k), v));
        int shift = skip + (hdrin ? 1 : 0);
        if (parts.get("index") instanceof Number index) {
          parts.put("index", index.longValue() - shift);
        }
        if (parts.get("count") instanceof Number count) {
          parts.put("count", count.longValue() - shift);
        }
        message.put("parts", parts);
      }
      if (last) {
        message.put("complete", true);
      }
      MessageBodies.send(out, 0, message, msg);
    }
    if (hasParts && last && rows.isEmpty()) {
      MessageBodies.send(out, 0, Map.of("complete", true), null);
    }
  }

  private String columnsText() {
    List<String> names = new ArrayList<>();
    for (String name : template) {
      if (!name.isEmpty()) {
        names.add(name.contains(",") ? QUOTE + name + QUOTE : name);
      }
    }
    return String.join(",", names);
  }
}
