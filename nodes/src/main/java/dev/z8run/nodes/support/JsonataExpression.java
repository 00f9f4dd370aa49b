package dev.z8run.nodes.support;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import dev.z8run.core.node.NodeContext;
import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSONata expression (dashjoin's Java implementation of JSONata 2.x), compiled once at deploy and
 * evaluated against a parsed message, as Node-RED evaluates its JSONata fields against {@code msg}:
 * {@code payload.price * 2}, {@code $count(payload.items)}, {@code topic & "!"}.
 *
 * <p>Each evaluation is bounded: it stops with an error after {@link #TIMEOUT_MS} ms or {@link
 * #MAX_DEPTH} levels of recursion, so an expression such as {@code [1..100000000]} cannot stall the
 * worker for long; so is each regular expression it matches ({@code $match}, {@code $replace},
 * {@code $split}, {@code $contains}, {@code /re/(str)}: {@link JsonataRegex}), which dashjoin would
 * run in one uninterrupted call; so are its comparisons ({@code =}, {@code !=}, {@code in}, {@code
 * $distinct}: {@link JsonataOperators}) and built-ins dashjoin runs unbounded ({@link
 * JsonataBuiltins}). Results are returned in {@link JsonCodec}'s value model (an integral number as
 * a Long). Not thread-safe (one per node instance, used by its one thread).
 */
public final class JsonataExpression {
  /** Longest an evaluation may run. */
  public static final long TIMEOUT_MS = 1_000;

  /** Deepest recursion an evaluation may reach. */
  public static final int MAX_DEPTH = 200;

  private static final double MAX_EXACT = 0x1p53;

  private final String source;
  private final Jsonata expression;
  private final JsonataRegex regex;
  private final JsonataOperators operators;

  /** The node whose worker a long evaluation lets go of ({@link #releasing}), or null. */
  private NodeContext worker;

  /**
   * How long an author's expression (JSONata, or a regular expression: {@link BoundedText}) runs on
   * the worker before the worker goes on without it.
   */
  static final long RELEASE_MS = 10;

  private JsonataExpression(String source, Jsonata expression) {
    this.source = source;
    this.expression = expression;
    this.regex = JsonataRegex.install(expression);
    this.operators = JsonataOperators.install(expression);
    JsonataBuiltins.install(expression);
    // dashjoin's own pass over the result (its nulls as null) walks a result built of shared parts
    // part by part, exponentially, after the evaluation's bounds; toJson does it, bounded
    expression.setOutputConvertNulls(false);
  }

  /**
   * Compiles {@code source}; {@code where} names the config field in errors.
   *
   * @throws IllegalArgumentException with the parser's explanation
   */
  public static JsonataExpression compile(String where, String source) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException(where + ": a JSONata expression is required");
    }
    try {
      return new JsonataExpression(source, Jsonata.jsonata(source));
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(
          where + ": invalid JSONata expression: " + invalid.getMessage(), invalid);
    }
  }

  /**
   * Binds Node-RED's functions of its JSONata fields: {@code $flowContext(name)}, {@code
   * $globalContext(name)} (context properties, {@link ContextValues}) and {@code $env(name)}
   * ({@link EnvValues}, a node's own env values first). Returns this expression.
   */
  public JsonataExpression withNodeRedFunctions(
      dev.z8run.core.node.ContextStore flow,
      dev.z8run.core.node.ContextStore global,
      Map<String, Object> env,
      dev.z8run.core.node.NodeEnvironment environment) {
    expression.registerFunction("flowContext", (String name) -> jsonataValue(flow, name));
    expression.registerFunction("globalContext", (String name) -> jsonataValue(global, name));
    expression.registerFunction(
        "env",
        (String name) -> {
          if (env != null && env.containsKey(name)) {
            return env.get(name);
          }
          try {
            return EnvValues.lookup("$env", name, environment);
          } catch (IllegalArgumentException refused) {
            return null;
          }
        });
    return this;
  }

  /**
   * Lets the worker of {@code node} go on with its other nodes when an evaluation runs past {@value
   * #RELEASE_MS} ms ({@link NodeContext#releaseWorker}, as a Function node past its budget does),
   * rather than hold it up to {@link #TIMEOUT_MS}. Returns this expression.
   */
  public JsonataExpression releasing(NodeContext node) {
    this.worker = node;
    return this;
  }

  private static Object jsonataValue(dev.z8run.core.node.ContextStore store, String name) {
    if (store == null || name == null) {
      return null;
    }
    Object value = ContextValues.get(store, ContextValues.property("$context", name));
    return value == MessagePath.MISSING ? null : value;
  }

  /**
   * Evaluates against {@code input} (a parsed message or any JSON value).
   *
   * @return the result in JsonCodec's model; {@link MessagePath#MISSING} when the expression yields
   *     nothing (JSONata's undefined)
   * @throws IllegalStateException naming the expression when the evaluation fails
   */
  public Object evaluate(Object input) {
    return evaluate(input, Map.of());
  }

  /**
   * As {@link #evaluate(Object)}, with {@code variables} bound ({@code $A}, {@code $N} and {@code
   * $I} for Join's reduce mode).
   */
  public Object evaluate(Object input, Map<String, Object> variables) {
    // dashjoin reads a Java null as undefined: JSON's nulls go in as its NULL_VALUE (so that
    // payload.v is null and $count(payload.v) 1 for {"v": null}, as in JSONata)
    return convert(withNullValues(input), variables);
  }

  private Object convert(Object input, Map<String, Object> variables) {
    Object result;
    try {
      result = evaluateRaw(input, variables);
    } catch (RuntimeException | StackOverflowError failed) {
      throw new IllegalStateException(
          "JSONata expression '" + source + "' failed: " + failed.getMessage(), failed);
    }
    if (result == null) {
      return MessagePath.MISSING; // undefined: no result
    }
    if (result == Jsonata.NULL_VALUE) {
      return null;
    }
    if (JsonataBuiltins.treeSize(result) > JsonataBuiltins.MAX_CHARS) {
      // built of shared parts ({"a": $o, "b": $o} over and over), a result copies exponentially
      throw new IllegalStateException(
          "JSONata expression '"
              + source
              + "' gave more than "
              + JsonataBuiltins.MAX_CHARS
              + " values, more than one evaluation may produce");
    }
    return toJson(result);
  }

  /**
   * Evaluates against {@code input} with {@code variables} bound, on the evaluation's bounds, as
   * {@link #evaluate} does, and returns dashjoin's own result, unconverted (its sequences, nulls
   * and number types), or throws dashjoin's exception: what tests compare with dashjoin's.
   */
  Object evaluateRaw(Object input, Map<String, Object> variables) {
    return evaluateRaw(input, variables, System.nanoTime());
  }

  /**
   * As {@link #evaluateRaw(Object, Map)}, on a clock started at {@code startNs} ({@link
   * System#nanoTime}): a test starts it near the limit to reach it at once.
   */
  Object evaluateRaw(Object input, Map<String, Object> variables, long startNs) {
    Jsonata.Frame frame = expression.createFrame();
    Bounds bounds = new Bounds(frame, worker, regex, operators, startNs);
    regex.start(bounds);
    operators.start(bounds);
    variables.forEach(frame::bind);
    return expression.evaluate(input, frame);
  }

  /**
   * {@code value} with every null in its maps and lists as dashjoin's {@link Jsonata#NULL_VALUE}:
   * the maps and lists on the way to a null are copied, the rest (and the caller's value) is shared
   * as it is; without a null, {@code value} itself.
   */
  private static Object withNullValues(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = null;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Object item = entry.getValue();
        Object marked = item == null ? Jsonata.NULL_VALUE : withNullValues(item);
        if (marked != item) {
          if (copy == null) {
            copy = new LinkedHashMap<>(map);
          }
          copy.put(entry.getKey(), marked);
        }
      }
      return copy == null ? value : copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = null;
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        Object marked = item == null ? Jsonata.NULL_VALUE : withNullValues(item);
        if (marked != item) {
          if (copy == null) {
            copy = new ArrayList<>(list);
          }
          copy.set(i, marked);
        }
      }
      return copy == null ? value : copy;
    }
    return value;
  }

  /** A JSONata result as a plain JSON value: lists and maps copied, integral numbers as Long. */
  private Object toJson(Object value) {
    if (value == null || value == Jsonata.NULL_VALUE) {
      return null;
    }
    return switch (value) {
      case String s -> s;
      case Boolean b -> b;
      case Long l -> l;
      case Integer i -> i.longValue();
      case BigInteger b -> b;
      case BigDecimal b -> b;
      case Number n -> number(n.doubleValue());
      case Map<?, ?> map -> {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          copy.put(String.valueOf(entry.getKey()), toJson(entry.getValue()));
        }
        yield copy;
      }
      case List<?> list -> {
        List<Object> copy = new ArrayList<>(list.size());
        for (Object element : list) {
          copy.add(toJson(element));
        }
        yield copy;
      }
      default ->
          throw new IllegalStateException(
              "JSONata expression '"
                  + source
                  + "' gave a "
                  + value.getClass().getSimpleName()
                  + ", which is not JSON (a function?)");
    };
  }

  private Object number(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalStateException(
          "JSONata expression '" + source + "' gave " + d + ", which is not a JSON number");
    }
    if (d == Math.rint(d) && Math.abs(d) < MAX_EXACT) {
      return (long) d;
    }
    return d;
  }

  @Override
  public String toString() {
    return source;
  }

  /**
   * The evaluation's bounds, as dashjoin's own {@code Frame.setRuntimeBounds} sets them (the same
   * errors, at {@link #TIMEOUT_MS} and {@link #MAX_DEPTH}), and the worker let go of past {@link
   * #RELEASE_MS}. Counted at every step in and out of an expression, and read by the evaluation's
   * regular expressions ({@link JsonataRegex}).
   */
  static final class Bounds {
    /** When the evaluation started ({@link System#nanoTime}). */
    final long startNs;

    /** The node whose worker the evaluation lets go of, or null. */
    final NodeContext worker;

    private int depth;
    private boolean released;

    Bounds(
        Jsonata.Frame frame,
        NodeContext worker,
        JsonataRegex regex,
        JsonataOperators operators,
        long startNs) {
      this.worker = worker;
      this.startNs = startNs;
      frame.setEvaluateEntryCallback(
          (expression, input, environment) -> {
            regex.onEntry(expression);
            operators.onEntry(expression);
            if (!environment.isParallelCall) {
              depth++;
              check();
            }
          });
      frame.setEvaluateExitCallback(
          (expression, input, environment, result) -> {
            JsonataBuiltins.onExit(expression, result);
            if (!environment.isParallelCall) {
              depth--;
              check();
            }
          });
    }

    /**
     * Throws JSONata's error past {@link #MAX_DEPTH} or {@link #TIMEOUT_MS}; lets the worker go.
     */
    void check() {
      if (depth > MAX_DEPTH) {
        throw new JException(
            "Stack overflow error: Check for non-terminating recursive function.  Consider"
                + " rewriting as tail-recursive. Depth="
                + depth
                + " max="
                + MAX_DEPTH,
            -1);
      }
      long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
      if (elapsedMs > TIMEOUT_MS) {
        throw new JException("Expression evaluation timeout: Check for infinite loop", -1);
      }
      if (elapsedMs >= RELEASE_MS && !released && worker != null) {
        released = true;
        worker.releaseWorker();
      }
    }
  }
}
