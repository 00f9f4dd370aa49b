package dev.z8run.core.validate;

import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Checks one node's config against its type's schema: presence, JSON type, options, numeric bounds.
 * Fields the schema does not declare are allowed; an optional field set to null counts as absent.
 */
final class ConfigCheck {
  private ConfigCheck() {}

  /**
   * Adds a problem for every declared field that is missing, of the wrong type or not one of its
   * options.
   *
   * @return whether any problem was added
   */
  static boolean check(FlowNode node, NodeType type, String label, List<Problem> problems) {
    int before = problems.size();
    Map<String, Object> config = node.config();
    for (ConfigField field : type.config()) {
      Object value = config.get(field.name());
      if (value == null) {
        if (field.required()) {
          String absence = config.containsKey(field.name()) ? "is null" : "is missing";
          problems.add(
              problem(
                  node,
                  field,
                  Problem.CONFIG_MISSING,
                  label
                      + ": required field '"
                      + field.name()
                      + "' "
                      + absence
                      + "; set it to "
                      + expectation(field)));
        }
      } else if (!matches(field.type(), value)) {
        problems.add(
            problem(
                node,
                field,
                Problem.CONFIG_WRONG_TYPE,
                label
                    + ": field '"
                    + field.name()
                    + "' must be "
                    + expectation(field)
                    + ", got "
                    + JsonCodec.describe(value)));
      } else if (field.type() == FieldType.ENUM
          && !field.options().isEmpty()
          && !field.options().contains(value)) {
        problems.add(
            problem(
                node,
                field,
                Problem.CONFIG_BAD_OPTION,
                label
                    + ": field '"
                    + field.name()
                    + "' must be "
                    + expectation(field)
                    + ", got \""
                    + value
                    + "\""));
      } else if (field.bounded() && outOfRange(field, value)) {
        problems.add(
            problem(
                node,
                field,
                Problem.CONFIG_OUT_OF_RANGE,
                label
                    + ": field '"
                    + field.name()
                    + "' must be "
                    + field.range()
                    + ", got "
                    + JsonCodec.writeString(value)));
      }
    }
    List<String> oneOf = type.oneOfFields();
    if (!oneOf.isEmpty() && oneOf.stream().allMatch(name -> config.get(name) == null)) {
      problems.add(
          new Problem(
              node.id(),
              oneOf.get(0),
              Problem.CONFIG_MISSING,
              label
                  + ": needs one of the fields '"
                  + String.join("', '", oneOf)
                  + "'; none is set"));
    }
    return problems.size() > before;
  }

  /**
   * Whether {@code value}, a number or a string holding one, is outside the field's bounds. A blank
   * string is the field left empty; other strings are the node's to refuse.
   */
  private static boolean outOfRange(ConfigField field, Object value) {
    double number;
    if (value instanceof Number n) {
      number = n.doubleValue();
    } else if (value instanceof String text && !text.isBlank()) {
      try {
        number = Double.parseDouble(text.strip());
      } catch (NumberFormatException notNumber) {
        return false;
      }
    } else {
      return false;
    }
    return (field.min() != null && number < field.min().doubleValue())
        || (field.max() != null && number > field.max().doubleValue())
        || Double.isNaN(number);
  }

  private static Problem problem(FlowNode node, ConfigField field, String code, String message) {
    return new Problem(node.id(), field.name(), code, message);
  }

  static boolean matches(FieldType type, Object value) {
    return switch (type) {
      case STRING, CODE, SECRET, ENUM -> value instanceof String;
      case NUMBER -> value instanceof Number;
      case INTEGER -> value instanceof Number number && isIntegral(number);
      case BOOLEAN -> value instanceof Boolean;
      case OBJECT -> value instanceof Map<?, ?>;
      case ARRAY -> value instanceof List<?>;
      case ANY -> true;
    };
  }

  private static boolean isIntegral(Number number) {
    return switch (number) {
      case Long l -> true;
      case Integer i -> true;
      case Short s -> true;
      case Byte b -> true;
      case BigInteger b -> true;
      case BigDecimal d -> d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
      default -> {
        double d = number.doubleValue();
        yield Double.isFinite(d) && d == Math.rint(d);
      }
    };
  }

  /** What a value of the field must be, phrased to follow "must be". */
  private static String expectation(ConfigField field) {
    return switch (field.type()) {
      case STRING -> "a string";
      case CODE -> "a string of code";
      case SECRET -> "a string (usually vault:<key>)";
      case NUMBER -> "a number";
      case INTEGER -> "an integer";
      case BOOLEAN -> "true or false";
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case ANY -> "a value";
      case ENUM ->
          field.options().isEmpty()
              ? "a string"
              : "one of '" + String.join("', '", field.options()) + "'";
    };
  }
}
