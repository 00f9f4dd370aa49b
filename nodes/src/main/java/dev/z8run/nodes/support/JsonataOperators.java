package dev.z8run.nodes.support;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Parser;
import com.dashjoin.jsonata.Utils;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSONata's operators that dashjoin evaluates in one uninterrupted Java call over a whole value:
 * {@code =}, {@code !=} and {@code in} compare with {@link Object#equals}, and {@code $distinct}
 * hashes with {@link Object#hashCode}, both of which walk a value built of shared parts ({@code
 * [$a, $a]} nested thirty-four deep, a few hundred bytes) part by part, exponentially: minutes in
 * one step; {@code &} writes such a value as text in full before the step's result is checked.
 *
 * <p>Here an operator's syntax node becomes, as the evaluation first reaches it ({@link #onEntry}),
 * a call of a function with dashjoin's semantics: equality is Java's {@code equals} (numbers
 * compared as doubles at the top, by their own {@code equals} inside arrays and objects), decided
 * once per pair of parts ({@link Comparison}: a pair found equal is remembered by identity, so
 * shared structure compares in time linear in the number of distinct parts), on the evaluation's
 * clock; {@code &} measures a value's text before writing it, and so does a transform ({@code ~>
 * |path|update|}) before dashjoin's transform copies its input through that text. One per
 * expression, used by its one thread.
 */
final class JsonataOperators {
  /**
   * The most pairs of arrays or objects one comparison remembers as equal (1 Mi, some 64 MB): past
   * it a comparison goes on without remembering, on the evaluation's clock.
   */
  static final int MAX_REMEMBERED = JsonataBuiltins.MAX_ITEMS;

  /** The signature of dashjoin's transform function. */
  private static final String TRANSFORM_SIGNATURE = "<(oa):o>";

  /** How many values a comparison visits between two looks at the evaluation's clock. */
  private static final int CLOCK_EVERY = 4096;

  private static final VarHandle TYPE;
  private static final VarHandle VALUE;
  private static final VarHandle LHS;
  private static final VarHandle RHS;
  private static final VarHandle PROCEDURE;
  private static final VarHandle ARGUMENTS;
  private static final VarHandle AST;
  private static final VarHandle PREDICATE;
  private static final VarHandle STAGES;
  private static final VarHandle GROUP;
  private static final VarHandle CONDITION;
  private static final VarHandle THEN;

  static {
    try {
      MethodHandles.Lookup symbol =
          MethodHandles.privateLookupIn(Parser.Symbol.class, MethodHandles.lookup());
      TYPE = symbol.findVarHandle(Parser.Symbol.class, "type", String.class);
      VALUE = symbol.findVarHandle(Parser.Symbol.class, "value", Object.class);
      LHS = symbol.findVarHandle(Parser.Symbol.class, "lhs", Parser.Symbol.class);
      RHS = symbol.findVarHandle(Parser.Symbol.class, "rhs", Parser.Symbol.class);
      PROCEDURE = symbol.findVarHandle(Parser.Symbol.class, "procedure", Parser.Symbol.class);
      ARGUMENTS = symbol.findVarHandle(Parser.Symbol.class, "arguments", List.class);
      PREDICATE = symbol.findVarHandle(Parser.Symbol.class, "predicate", List.class);
      STAGES = symbol.findVarHandle(Parser.Symbol.class, "stages", List.class);
      GROUP = symbol.findVarHandle(Parser.Symbol.class, "group", Parser.Symbol.class);
      CONDITION = symbol.findVarHandle(Parser.Symbol.class, "condition", Parser.Symbol.class);
      THEN = symbol.findVarHandle(Parser.Symbol.class, "then", Parser.Symbol.class);
      AST =
          MethodHandles.privateLookupIn(Jsonata.class, MethodHandles.lookup())
              .findVarHandle(Jsonata.class, "ast", Parser.Symbol.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A literal's syntax node ({@code true}), copied to hold an operator's function. */
  private final Parser.Symbol literal;

  private final Jsonata.JFunction equal =
      new Jsonata.JFunction((input, args) -> equality(args.get(0), args.get(1), true), null);
  private final Jsonata.JFunction notEqual =
      new Jsonata.JFunction((input, args) -> equality(args.get(0), args.get(1), false), null);
  private final Jsonata.JFunction includes =
      new Jsonata.JFunction((input, args) -> includes(args.get(0), args.get(1)), null);
  private final Jsonata.JFunction concat =
      new Jsonata.JFunction((input, args) -> concat(args.get(0), args.get(1)), null);
  private final Jsonata.JFunction measuring =
      new Jsonata.JFunction((input, args) -> measuring(args.get(0)), null);

  /** The transforms' copies this class made, which dashjoin evaluates as they are. */
  private final Set<Parser.Symbol> transforms =
      java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  /** The evaluation in progress. */
  private JsonataExpression.Bounds bounds;

  private JsonataOperators() {
    this.literal = (Parser.Symbol) AST.get(Jsonata.jsonata("true"));
  }

  /** Replaces dashjoin's {@code $distinct} on {@code expression}; the operators follow on entry. */
  static JsonataOperators install(Jsonata expression) {
    JsonataOperators operators = new JsonataOperators();
    expression.registerFunction(
        "distinct",
        new Jsonata.JFunction((input, args) -> operators.distinct(arg(args, 0)), "<x:x>"));
    return operators;
  }

  /** Starts an evaluation: its comparisons run on {@code bounds}' clock. */
  void start(JsonataExpression.Bounds bounds) {
    this.bounds = bounds;
  }

  /**
   * Called as the evaluation enters {@code expression}: an {@code =}, {@code !=}, {@code in} or
   * {@code &} becomes a call of this class's function on the same two operands, evaluated as
   * dashjoin evaluates them (left, then right), and a transform ({@code |path|update|}) a call that
   * gives dashjoin's transform function behind a measure of its input ({@link #measuring}), before
   * dashjoin looks at the node's type.
   */
  void onEntry(Parser.Symbol expression) {
    Object type = TYPE.get(expression);
    if ("transform".equals(type) && !transforms.contains(expression)) {
      measureTransform(expression);
      return;
    }
    if (!"binary".equals(type)) {
      return;
    }
    Jsonata.JFunction function =
        switch (String.valueOf(VALUE.get(expression))) {
          case "=" -> equal;
          case "!=" -> notEqual;
          case "in" -> includes;
          case "&" -> concat;
          default -> null;
        };
    if (function == null) {
      return;
    }
    Parser.Symbol procedure = literal.create();
    VALUE.set(procedure, function);
    List<Parser.Symbol> operands = new ArrayList<>(2);
    operands.add((Parser.Symbol) LHS.get(expression));
    operands.add((Parser.Symbol) RHS.get(expression));
    PROCEDURE.set(expression, procedure);
    ARGUMENTS.set(expression, operands);
    TYPE.set(expression, "function");
  }

  /**
   * Makes {@code transform} {@code true ? measuring(copy) : ()}, where the copy, a transform
   * without the predicates and group that stay on the node, gives dashjoin's transform function.
   * Not a call itself: {@code ~>} passes its left side into a call on its right ({@code $x ~>
   * $f(y)}).
   */
  private void measureTransform(Parser.Symbol transform) {
    Parser.Symbol copy = stripped(transform);
    transforms.add(copy);
    Parser.Symbol procedure = literal.create();
    VALUE.set(procedure, measuring);
    List<Parser.Symbol> operands = new ArrayList<>(1);
    operands.add(copy);
    Parser.Symbol call = stripped(transform);
    PROCEDURE.set(call, procedure);
    ARGUMENTS.set(call, operands);
    TYPE.set(call, "function");
    CONDITION.set(transform, literal.create());
    THEN.set(transform, call);
    TYPE.set(transform, "condition");
  }

  private static Parser.Symbol stripped(Parser.Symbol expression) {
    Parser.Symbol copy = expression.create();
    PREDICATE.set(copy, null);
    STAGES.set(copy, null);
    GROUP.set(copy, null);
    return copy;
  }

  /**
   * Dashjoin's transform function {@code transform} (its signature, its result), called only once
   * the text of its input, which it copies through that text ({@code Functions.functionClone}),
   * measures at most {@link JsonataBuiltins#MAX_CHARS} characters, as {@code $clone} measures it.
   */
  private static Jsonata.JFunction measuring(Object transform) {
    Jsonata.JFunction function = (Jsonata.JFunction) transform;
    return new Jsonata.JFunction(
        (input, args) -> {
          JsonataBuiltins.checkText("transform |...|", args.isEmpty() ? null : args.get(0), false);
          return function.call(input, args);
        },
        TRANSFORM_SIGNATURE);
  }

  /**
   * Dashjoin's {@code evaluateEqualityExpression}: {@code =} when {@code equal}, else {@code !=}.
   */
  private Object equality(Object lhs, Object rhs, boolean equal) {
    if (lhs == null || rhs == null) {
      return false; // either side undefined, for = and != alike
    }
    return new Comparison(bounds).same(top(lhs), top(rhs)) == equal;
  }

  /** Dashjoin's {@code evaluateIncludesExpression}: {@code lhs} equal to an item of {@code rhs}. */
  private Object includes(Object lhs, Object rhs) {
    if (lhs == null || rhs == null) {
      return false;
    }
    List<?> items = rhs instanceof List<?> list ? list : List.of(rhs);
    Comparison comparison = new Comparison(bounds);
    Object left = top(lhs);
    for (Object item : items) {
      if (item != null && comparison.same(left, top(item))) {
        return true;
      }
    }
    return false;
  }

  /** As dashjoin's operands of {@code =}: a number as a double. */
  private static Object top(Object value) {
    return value instanceof Number n ? (Object) n.doubleValue() : value;
  }

  /**
   * Dashjoin's {@code evaluateStringConcat}: each side as {@code $string} writes it, the text of a
   * value measured before it is written, the result refused past {@link JsonataBuiltins#MAX_CHARS}.
   */
  private Object concat(Object lhs, Object rhs) {
    // Functions.string gives null for an empty wrapper, which Java's + writes as "null"
    String left = lhs == null ? "" : String.valueOf(text(lhs));
    String right = rhs == null ? "" : String.valueOf(text(rhs));
    long length = (long) left.length() + right.length();
    if (length > JsonataBuiltins.MAX_CHARS) {
      throw new com.dashjoin.jsonata.JException(
          "&: a string of "
              + length
              + " characters exceeds the "
              + JsonataBuiltins.MAX_CHARS
              + " characters one step may produce",
          -1);
    }
    return left.concat(right);
  }

  private static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (JsonataBuiltins.textSize(value) > JsonataBuiltins.MAX_CHARS) {
      throw new com.dashjoin.jsonata.JException(
          "&: the text of a value exceeds the "
              + JsonataBuiltins.MAX_CHARS
              + " characters one step may produce",
          -1);
    }
    return Functions.string(value, null);
  }

  /**
   * {@code $distinct(arr)}: dashjoin's, which keeps the first of each equal item in a {@code
   * LinkedHashSet}; here each item's hash is computed once per distinct part and items are compared
   * as {@code =} compares them.
   */
  private Object distinct(Object arr) {
    if (arr == null) {
      return null;
    }
    if (!(arr instanceof List<?> items) || items.size() <= 1) {
      return arr;
    }
    List<Object> results = arr instanceof Utils.JList ? Utils.createSequence() : new ArrayList<>();
    Comparison comparison = new Comparison(bounds);
    Map<Integer, List<Object>> byHash = new HashMap<>();
    for (Object item : items) {
      List<Object> kept = byHash.computeIfAbsent(comparison.hash(item), h -> new ArrayList<>(1));
      boolean seen = false;
      for (Object other : kept) {
        if (comparison.same(other, item)) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        kept.add(item);
        results.add(item);
      }
    }
    return results;
  }

  private static Object arg(List<?> args, int index) {
    return index < args.size() ? args.get(index) : null;
  }

  /**
   * One operator's comparisons: Java's {@code equals} and {@code hashCode} for JSONata's values,
   * each pair of arrays or objects decided once ({@link #MAX_REMEMBERED}), each part's hash
   * computed once, the evaluation's clock read every {@value #CLOCK_EVERY} values.
   */
  static final class Comparison {
    private final JsonataExpression.Bounds bounds;
    private final Set<Pair> equal = new HashSet<>();
    private final Map<Object, Integer> hashes = new IdentityHashMap<>();
    private int visited;

    Comparison(JsonataExpression.Bounds bounds) {
      this.bounds = bounds;
    }

    /** {@code a.equals(b)}, as {@link java.util.AbstractList} and AbstractMap decide it. */
    boolean same(Object a, Object b) {
      if (a == b) {
        return true;
      }
      if (a == null || b == null) {
        return false;
      }
      tick();
      if (a instanceof List<?> x) {
        return b instanceof List<?> y && x.size() == y.size() && remembered(x, y, this::sameItems);
      }
      if (a instanceof Map<?, ?> x) {
        return b instanceof Map<?, ?> y
            && x.size() == y.size()
            && remembered(x, y, this::sameEntries);
      }
      return a.equals(b);
    }

    private <T> boolean remembered(T a, T b, java.util.function.BiPredicate<T, T> decide) {
      Pair pair = new Pair(a, b);
      if (equal.contains(pair)) {
        return true;
      }
      if (!decide.test(a, b)) {
        return false;
      }
      if (equal.size() < MAX_REMEMBERED) {
        equal.add(pair);
      }
      return true;
    }

    private boolean sameItems(List<?> x, List<?> y) {
      Iterator<?> i = x.iterator();
      Iterator<?> j = y.iterator();
      while (i.hasNext() && j.hasNext()) {
        if (!same(i.next(), j.next())) {
          return false;
        }
      }
      return !(i.hasNext() || j.hasNext());
    }

    private boolean sameEntries(Map<?, ?> x, Map<?, ?> y) {
      for (Map.Entry<?, ?> entry : x.entrySet()) {
        Object value = entry.getValue();
        Object other = y.get(entry.getKey());
        if (value == null) {
          if (other != null || !y.containsKey(entry.getKey())) {
            return false;
          }
        } else if (other == null || !same(value, other)) {
          return false;
        }
      }
      return true;
    }

    /** {@code value.hashCode()}, as List and Map define it, once per distinct part. */
    int hash(Object value) {
      if (value == null) {
        return 0;
      }
      if (!(value instanceof List<?>) && !(value instanceof Map<?, ?>)) {
        return value.hashCode();
      }
      Integer known = hashes.get(value);
      if (known != null) {
        return known;
      }
      tick();
      int hash;
      if (value instanceof List<?> list) {
        hash = 1;
        for (Object item : list) {
          hash = 31 * hash + hash(item);
        }
      } else {
        hash = 0;
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          hash += java.util.Objects.hashCode(entry.getKey()) ^ hash(entry.getValue());
        }
      }
      hashes.put(value, hash);
      return hash;
    }

    private void tick() {
      if (++visited % CLOCK_EVERY == 0 && bounds != null) {
        bounds.check();
      }
    }
  }

  /** Two values by identity. */
  private record Pair(Object a, Object b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Pair p && p.a == a && p.b == b;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(a) + System.identityHashCode(b);
    }
  }
}
