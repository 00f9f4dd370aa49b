package dev.z8run.nodes.function;

import java.util.ArrayList;
import java.util.List;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.ScriptStackElement;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

/**
 * A script error's stack and code as a Catch node's {@code msg.error} gives them, in V8's shape as
 * Node-RED's function node does: {@code "Error: boom\n at check (function 'f1':3)\n at function
 * 'f1':6"} (the error's text, then the script's frames, innermost first, with the body's line
 * numbers). Only frames of the node's own script are kept: no Java frame, no frame of the engine's
 * prelude, no path of the server.
 */
final class ScriptStack {
  /** Frames kept at most, as V8's default {@code Error.stackTraceLimit}. */
  static final int MAX_FRAMES = 10;

  private ScriptStack() {}

  /** The frame of one call: the function's name (null: the body itself) and its line. */
  private record Frame(String function, int line) {}

  /**
   * The stack of {@code failure}, thrown while the script of {@code where} ran, headed by {@code
   * text} (what the failure says), or null when the thrown value was not an error (a thrown string
   * or object, as in Node-RED) or the failure is the sandbox's (a limit, a Java exception). Call
   * with the script's context entered.
   */
  static String of(String where, Throwable failure, String text) {
    return switch (failure) {
      case EcmaError error -> render(where, text, frames(where, error.getScriptStack()));
      case JavaScriptException thrown when isError(thrown.getValue()) -> {
        List<Frame> frames = ownFrames(where, (Scriptable) thrown.getValue());
        yield render(
            where,
            text,
            // where it was thrown, when the script replaced the stack it got where it was created
            frames.isEmpty() ? frames(where, thrown.getScriptStack()) : frames);
      }
      default -> null;
    };
  }

  /**
   * The stack of a value the script passed on as its failure ({@code node.error(err, msg)}, {@code
   * node.done(err)}, a rejection), headed by {@code text}: for an error, the frames of its {@code
   * stack} property, from where it was created; null for anything else.
   */
  static String of(String where, Object value, String text) {
    return isError(value) ? render(where, text, ownFrames(where, (Scriptable) value)) : null;
  }

  /**
   * The frames of an error's {@code stack} property; none when reading it fails (a getter of the
   * script's that throws, or trips the sandbox's limits).
   */
  private static List<Frame> ownFrames(String where, Scriptable error) {
    Object stack = property(error, "stack");
    return stack instanceof CharSequence text ? parse(where, text.toString()) : List.of();
  }

  private static Object property(Scriptable object, String name) {
    try {
      return ScriptableObject.getProperty(object, name);
    } catch (RuntimeException | StackOverflowError | Sandbox.LimitExceeded unreadable) {
      return null;
    }
  }

  /** The {@code code} of an error (a string or a number), or null. */
  static Object code(Throwable failure) {
    return failure instanceof JavaScriptException thrown ? code(thrown.getValue()) : null;
  }

  /** The {@code code} of an error value (a string or a number), or null. */
  static Object code(Object value) {
    if (!isError(value)) {
      return null;
    }
    Object code = property((Scriptable) value, "code");
    if (code instanceof CharSequence text) {
      return text.toString();
    }
    if (code instanceof Number number) {
      double d = number.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
    }
    return null;
  }

  private static boolean isError(Object value) {
    return value instanceof Scriptable object && "Error".equals(object.getClassName());
  }

  private static List<Frame> frames(String where, ScriptStackElement[] elements) {
    List<Frame> frames = new ArrayList<>();
    for (ScriptStackElement element : elements) {
      if (frames.size() == MAX_FRAMES) {
        break;
      }
      if (where.equals(element.fileName) && element.lineNumber > 0) {
        frames.add(new Frame(element.functionName, element.lineNumber));
      }
    }
    return frames;
  }

  /**
   * The frames of this script in an error's {@code stack} as Rhino writes it, whichever of its
   * styles is set: {@code "\tat FILE:3 (check)"} (Rhino's), {@code " at check (FILE:3)"} (V8's) or
   * {@code "check()@FILE:3"} (Mozilla's). Lines of other files, or that the script rewrote into
   * something else, are left out.
   */
  private static List<Frame> parse(String where, String stack) {
    List<Frame> frames = new ArrayList<>();
    String file = where + ":";
    int lines = 0;
    for (String line : stack.split("\n", 1_000)) {
      if (frames.size() == MAX_FRAMES || ++lines > 1_000) {
        break;
      }
      int at = line.indexOf(file);
      if (at < 0) {
        continue;
      }
      int digits = at + file.length();
      int end = digits;
      while (end < line.length() && end - digits < 9 && Character.isDigit(line.charAt(end))) {
        end++;
      }
      if (end == digits) {
        continue;
      }
      int number = Integer.parseInt(line, digits, end, 10);
      String before = line.substring(0, at).strip();
      String after = line.substring(end).strip();
      String function = null;
      if (before.startsWith("at ") && before.endsWith("(")) {
        function = before.substring(3, before.length() - 1).strip(); // V8's
      } else if (before.endsWith("@")) {
        function = before.substring(0, before.length() - 1).replace("()", ""); // Mozilla's
      } else if (after.startsWith("(") && after.endsWith(")")) {
        function = after.substring(1, after.length() - 1); // Rhino's
      }
      frames.add(new Frame(function, number));
    }
    return frames;
  }

  private static String render(String where, String headline, List<Frame> frames) {
    StringBuilder stack = new StringBuilder(headline);
    for (Frame frame : frames) {
      stack.append("\n    at ");
      boolean named =
          frame.function() != null
              && !frame.function().isEmpty()
              && !frame.function().equals("anonymous");
      if (named) {
        stack.append(frame.function()).append(" (");
      }
      stack.append(where).append(':').append(frame.line());
      if (named) {
        stack.append(')');
      }
    }
    return stack.toString();
  }
}
