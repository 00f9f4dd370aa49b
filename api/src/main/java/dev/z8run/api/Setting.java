package dev.z8run.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting of the server: where it is read (an environment variable, a system property, or a
 * system property that wins over the variable), its default, the values it accepts and what it
 * does. Every setting is declared once, in {@link Settings}; nothing else reads the environment or
 * the system properties.
 *
 * <p>Immutable. {@link #read(String)} turns the raw text (null or blank: unset) into the value or
 * throws {@link IllegalArgumentException} saying what was wrong, which {@link Settings#resolve}
 * collects for every setting before it refuses the start.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private final String variable;
  private final String property;
  private final String defaultText;
  private final String accepts;
  private final String description;
  private final Function<String, T> parser;
  private final T defaultValue;
  private final boolean secret;

  private Setting(
      String variable,
      String property,
      String defaultText,
      T defaultValue,
      String accepts,
      String description,
      Function<String, T> parser,
      boolean secret) {
    if (variable == null && property == null) {
      throw new IllegalArgumentException("a setting needs a variable or a property");
    }
    this.variable = variable;
    this.property = property;
    this.defaultText = defaultText;
    this.defaultValue = defaultValue;
    this.accepts = Objects.requireNonNull(accepts, "accepts");
    this.description = Objects.requireNonNull(description, "description");
    this.parser = parser;
    this.secret = secret;
  }

  /**
   * A whole number from {@code min} to {@code max}.
   *
   * @param property the system property that overrides {@code variable}, or null
   */
  public static Setting<Integer> integer(
      String variable, String property, int defaultValue, int min, int max, String description) {
    return integer(
        variable, property, defaultValue, Integer.toString(defaultValue), min, max, description);
  }

  /** As {@link #integer(String, String, int, int, int, String)}, with a default shown as text. */
  public static Setting<Integer> integer(
      String variable,
      String property,
      int defaultValue,
      String defaultText,
      int min,
      int max,
      String description) {
    return new Setting<>(
        variable,
        property,
        defaultText,
        defaultValue,
        min + " to " + max,
        description,
        text -> (int) whole(text, min, max),
        false);
  }

  /** A whole number from {@code min} to {@code max}, as a long (durations, sizes). */
  public static Setting<Long> longInteger(
      String variable, String property, long defaultValue, long min, long max, String description) {
    return new Setting<>(
        variable,
        property,
        Long.toString(defaultValue),
        defaultValue,
        min + " to " + max,
        description,
        text -> whole(text, min, max),
        false);
  }

  /** {@code true} or {@code false} (any case). */
  public static Setting<Boolean> flag(
      String variable, String property, boolean defaultValue, String description) {
    return new Setting<>(
        variable,
        property,
        Boolean.toString(defaultValue),
        defaultValue,
        "true, false",
        description,
        text -> {
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
          }
          throw new IllegalArgumentException("is neither true nor false");
        },
        false);
  }

  /** A text taken as it is (stripped); {@code defaultValue} may be null (no default). */
  public static Setting<String> text(
      String variable, String property, String defaultValue, String accepts, String description) {
    return new Setting<>(
        variable, property, defaultValue, defaultValue, accepts, description, text -> text, false);
  }

  /**
   * A secret of at least {@code minBytes} bytes (UTF-8): its value is never printed, in the table
   * or in an error. Unset is null.
   */
  public static Setting<String> secret(
      String variable, int minBytes, String accepts, String description) {
    return new Setting<>(
        variable,
        null,
        null,
        null,
        accepts,
        description,
        text -> {
          int bytes = text.getBytes(StandardCharsets.UTF_8).length;
          if (bytes < minBytes) {
            throw new IllegalArgumentException(
                "is " + bytes + " bytes; it must be at least " + minBytes);
          }
          return text;
        },
        true);
  }

  /**
   * A value {@code parser} makes from the text; it throws {@link IllegalArgumentException} saying
   * what is wrong. The default is {@code defaultText} parsed, or null when that is null.
   */
  public static <T> Setting<T> parsed(
      String variable,
      String property,
      String defaultText,
      String accepts,
      String description,
      Function<String, T> parser) {
    return new Setting<>(
        variable,
        property,
        defaultText,
        defaultText == null ? null : parser.apply(defaultText),
        accepts,
        description,
        parser,
        false);
  }

  /** The environment variable, or null when the setting is a system property only. */
  public String variable() {
    return variable;
  }

  /** The system property (it wins over the variable), or null. */
  public String property() {
    return property;
  }

  /** The name people use for it: the variable, else the property. */
  public String name() {
    return variable != null ? variable : property;
  }

  /** The default as documented, or null when there is none. */
  public String defaultText() {
    return defaultText;
  }

  /** The values it accepts, in words: {@code 1 to 256}, {@code true, false}. */
  public String accepts() {
    return accepts;
  }

  public String description() {
    return description;
  }

  /** Whether the value must never be shown. */
  public boolean isSecret() {
    return secret;
  }

  /**
   * The value of {@code text}: the default when it is null or blank.
   *
   * @throws IllegalArgumentException naming this setting and what is wrong with the text
   */
  public T read(String text) {
    if (text == null || text.isBlank()) {
      return defaultValue;
    }
    try {
      return parser.apply(text.strip());
    } catch (IllegalArgumentException bad) {
      String shown = isSecret() ? "(secret)" : "'" + text + "'";
      throw new IllegalArgumentException(
          name() + "=" + shown + " " + bad.getMessage() + " (accepts " + accepts + ")", bad);
    }
  }

  private static long whole(String text, long min, long max) {
    long number;
    try {
      number = Long.parseLong(text);
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException("is not a whole number");
    }
    if (number < min || number > max) {
      throw new IllegalArgumentException("is outside " + min + " to " + max);
    }
    return number;
  }

  @Override
  public String toString() {
    return name();
  }
}
