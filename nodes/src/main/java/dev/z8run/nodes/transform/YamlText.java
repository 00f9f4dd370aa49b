package dev.z8run.nodes.transform;

import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * YAML text to JSON values and back (SnakeYAML, safe types only), written as Node-RED's js-yaml
 * writes it: block style, two-space indent, list items indented under their key.
 */
final class YamlText {
  /** Largest YAML text parsed; bounds alias expansion too (SnakeYAML's code point limit). */
  static final int MAX_CODE_POINTS = 8 * 1024 * 1024;

  /** JavaScript's {@code Date.toISOString()}: always the milliseconds, as js-yaml's dates print. */
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private YamlText() {}

  /** The value of a YAML document, as JsonCodec models JSON (maps, lists, Long, Double...). */
  static Object parse(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setMaxAliasesForCollections(50);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    return toJson(yaml.load(text));
  }

  /** The YAML text of a JSON value. */
  static String write(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setSplitLines(false);
    return new Yaml(new Representer(options), options).dump(value);
  }

  private static Object toJson(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> object = new LinkedHashMap<>();
      map.forEach((k, v) -> object.put(String.valueOf(k), toJson(v)));
      return object;
    }
    if (value instanceof List<?> list) {
      List<Object> array = new ArrayList<>(list.size());
      list.forEach(item -> array.add(toJson(item)));
      return array;
    }
    if (value instanceof Integer number) {
      return number.longValue();
    }
    if (value instanceof BigInteger number) {
      return number.doubleValue();
    }
    if (value instanceof Date date) {
      return ISO_MILLIS.format(Instant.ofEpochMilli(date.getTime()));
    }
    if (value instanceof byte[] bytes) {
      List<Object> array = new ArrayList<>(bytes.length);
      for (byte b : bytes) {
        array.add((long) (b & 0xff));
      }
      return array;
    }
    return value;
  }
}
