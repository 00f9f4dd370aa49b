package dev.z8run.nodes.support;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Parser;
import com.dashjoin.jsonata.Utils;
import com.dashjoin.jsonata.utils.DateTimeUtils;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSONata's regular expressions on a clock. Dashjoin runs {@code $match}, {@code $replace}, {@code
 * $split}, {@code $contains} and a regex applied as a function ({@code /re/(str)}) with one {@link
 * Matcher} call on a plain {@code String}, inside which the evaluation's step check never runs: a
 * pattern that backtracks would hold the worker for hours. Here every such match reads its text
 * through {@link BoundedText}, on the clock of the evaluation in progress ({@link
 * JsonataExpression.Bounds}): the worker is let go past {@link JsonataExpression#RELEASE_MS}, and
 * the match ends past {@link JsonataExpression#TIMEOUT_MS} with BoundedText's error naming the
 * pattern.
 *
 * <p>The four functions replace dashjoin's built-ins on the expression, with their signatures and
 * their results, quirks included (a {@code $match} limit of n gives n + 1 matches; {@code $replace}
 * with a limit reads a string pattern as a regular expression and starts again from the left each
 * time). A regex literal becomes a {@link Regex} function, which these accept, when the evaluation
 * first reaches it: dashjoin keeps it as a {@link Pattern} in the syntax tree, which this swaps
 * ({@link #onEntry}). One per expression, used by its one thread.
 */
final class JsonataRegex {
  /** A syntax node's value: the compiled Pattern of a regex literal. */
  private static final VarHandle SYMBOL_VALUE;

  static {
    try {
      SYMBOL_VALUE =
          MethodHandles.privateLookupIn(Parser.Symbol.class, MethodHandles.lookup())
              .findVarHandle(Parser.Symbol.class, "value", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The most matches one {@code $match} gives: 128 Ki, each an object of three values (some 250
   * bytes: 32 MB), where {@code $split}'s pieces are limited to {@link JsonataBuiltins#MAX_ITEMS}.
   */
  static final int MAX_MATCHES = JsonataBuiltins.MAX_ITEMS / 8;

  /** The evaluation in progress. */
  private JsonataExpression.Bounds bounds;

  /** Replaces dashjoin's four built-ins on {@code expression} with these. */
  static JsonataRegex install(Jsonata expression) {
    JsonataRegex regex = new JsonataRegex();
    expression.registerFunction(
        "match", new Jsonata.JFunction((input, args) -> regex.match(args), "<s-f<s:o>n?:a<o>>"));
    expression.registerFunction(
        "contains", new Jsonata.JFunction((input, args) -> regex.contains(args), "<s-(sf):b>"));
    expression.registerFunction(
        "replace", new Jsonata.JFunction((input, args) -> regex.replace(args), "<s-(sf)(sf)n?:s>"));
    expression.registerFunction(
        "split", new Jsonata.JFunction((input, args) -> regex.split(args), "<s-(sf)n?:a<s>>"));
    expression.registerFunction(
        "toMillis",
        new Jsonata.JFunction(
            (input, args) -> regex.toMillis((String) arg(args, 0), (String) arg(args, 1)),
            "<s-s?:n>"));
    return regex;
  }

  /** Starts an evaluation: its matches run on {@code bounds}' clock. */
  void start(JsonataExpression.Bounds bounds) {
    this.bounds = bounds;
  }

  /**
   * Called as the evaluation enters {@code expression}: a regex literal becomes a {@link Regex}.
   */
  void onEntry(Parser.Symbol expression) {
    if (SYMBOL_VALUE.get(expression) instanceof Pattern pattern) {
      SYMBOL_VALUE.set(expression, new Regex(pattern, this));
    }
  }

  /** A matcher of {@code pattern} over {@code text}, on the evaluation's clock. */
  private Matcher matcher(Pattern pattern, String text) {
    return pattern.matcher(new BoundedText(pattern, bounds.worker).wrap(text, bounds.startNs));
  }

  /** {@code $match(str, regex, limit)}: dashjoin's {@code Functions.match}. */
  private Object match(List<?> args) {
    String str = (String) arg(args, 0);
    Pattern regex = pattern(arg(args, 1), "match");
    Integer limit = (Integer) arg(args, 2);
    if (str == null) {
      return null;
    }
    if (limit != null && limit < 0) {
      throw new JException("D3040", -1, limit);
    }
    // dashjoin keeps the matches up to and including the one at index limit
    long wanted = limit == null ? Long.MAX_VALUE : limit + 1L;
    List<Object> result = Utils.createSequence();
    Matcher m = matcher(regex, str);
    while (result.size() < wanted && m.find()) {
      checkItems("$match", result.size(), MAX_MATCHES);
      List<String> groups = new ArrayList<>();
      for (int g = 1; g <= m.groupCount(); g++) {
        groups.add(m.group(g));
      }
      Map<String, Object> found = new LinkedHashMap<>();
      found.put("match", m.group());
      found.put("index", m.start());
      found.put("groups", groups);
      result.add(found);
    }
    return result;
  }

  /** {@code $contains(str, token)}: dashjoin's {@code Functions.contains}. */
  private Object contains(List<?> args) {
    String str = (String) arg(args, 0);
    Object token = arg(args, 1);
    if (str == null) {
      return null;
    }
    if (token instanceof String s) {
      return JsonataBuiltins.indexOf(str, s, 0) >= 0;
    }
    return matcher(pattern(token, "contains"), str).find();
  }

  /** {@code $replace(str, pattern, replacement, limit)}: dashjoin's {@code Functions.replace}. */
  private Object replace(List<?> args) {
    String str = (String) arg(args, 0);
    Object pattern = arg(args, 1);
    Object replacement = arg(args, 2);
    Integer limit = (Integer) arg(args, 3);
    if (str == null) {
      return null;
    }
    if (pattern instanceof String p && p.isEmpty()) {
      throw new JException("Second argument of replace function cannot be an empty string", 0);
    }
    if (limit == null) {
      if (pattern instanceof String p) {
        return JsonataBuiltins.replaceAll(str, p, (String) replacement);
      }
      Pattern regex = pattern(pattern, "replace");
      if (replacement instanceof String r) {
        return withoutMissingGroups(matcher(regex, str), r, true);
      }
      Matcher m = matcher(regex, str);
      StringBuilder result = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(result, replaceWith(replacement, m));
        JsonataBuiltins.checkProduced("$replace", result.length());
      }
      return m.appendTail(result).toString();
    }
    if (limit < 0) {
      throw new JException(
          "Fourth argument of replace function must evaluate to a positive number", 0);
    }
    // dashjoin replaces the first match, limit times over, each time in the text so far; a string
    // pattern goes to String.replaceFirst, which reads it as a regular expression
    Pattern regex = null;
    for (int i = 0; i < limit; i++) {
      bounds.check();
      if (regex == null) {
        regex = pattern instanceof String p ? Pattern.compile(p) : pattern(pattern, "replace");
      }
      String replaceWith = (String) replacement;
      Matcher m = matcher(regex, str);
      if (!m.find()) {
        break; // dashjoin goes on to the limit, finding nothing more in the same text
      }
      str =
          pattern instanceof String
              ? m.replaceFirst(replaceWith)
              : withoutMissingGroups(m, replaceWith, false);
      JsonataBuiltins.checkProduced("$replace", str.length());
    }
    return str;
  }

  /** {@code $split(str, separator, limit)}: dashjoin's {@code Functions.split}. */
  private Object split(List<?> args) {
    String str = (String) arg(args, 0);
    Object separator = arg(args, 1);
    Number limit = (Number) arg(args, 2);
    if (str == null) {
      return null;
    }
    if (limit != null && limit.intValue() < 0) {
      throw new JException("D3020", -1, str);
    }
    if (limit != null && limit.intValue() == 0) {
      return new ArrayList<String>();
    }
    List<String> result;
    if (separator instanceof String sep) {
      if (sep.isEmpty()) {
        result = new ArrayList<>();
        int most = limit != null ? limit.intValue() : Integer.MAX_VALUE;
        for (int i = 0; i < str.length() && i < most; i++) {
          checkItems("$split", result.size(), JsonataBuiltins.MAX_ITEMS);
          result.add("" + str.charAt(i));
        }
        return result;
      }
      result = pieces(str, null, sep, limit);
    } else {
      Pattern regex = pattern(separator, "split");
      result = pieces(str, matcher(regex, str), null, limit);
    }
    if (limit != null && limit.intValue() < result.size()) {
      result = result.subList(0, limit.intValue());
    }
    return result;
  }

  /**
   * {@code str} split at the matches of {@code m}, or at each {@code separator} when {@code m} is
   * null: as {@code Pattern.split(str, -1)} and {@code String.split} give them (an empty match at
   * the start gives no leading piece; no match, {@code str} alone), in an {@code Arrays.asList},
   * refused past {@link JsonataBuiltins#MAX_ITEMS} pieces as they are found; past one more than
   * {@code limit} the rest cannot be kept, and are not looked for.
   */
  private static List<String> pieces(String str, Matcher m, String separator, Number limit) {
    List<String> pieces = new ArrayList<>();
    long most = limit == null ? Long.MAX_VALUE : limit.longValue() + 1;
    int index = 0;
    while (pieces.size() < most) {
      int start;
      int end;
      if (m != null) {
        if (!m.find()) {
          break;
        }
        start = m.start();
        end = m.end();
        if (index == 0 && start == 0 && end == 0) {
          continue;
        }
      } else {
        start = JsonataBuiltins.indexOf(str, separator, index);
        if (start < 0) {
          break;
        }
        end = start + separator.length();
      }
      checkItems("$split", pieces.size(), JsonataBuiltins.MAX_ITEMS);
      pieces.add(str.substring(index, start));
      index = end;
    }
    if (index == 0) {
      return Arrays.asList(str);
    }
    pieces.add(str.substring(index));
    return Arrays.asList(pieces.toArray(new String[0]));
  }

  /**
   * Refuses another item past {@code most}: a short text split in one-character pieces takes some
   * forty bytes a character, matched character by character some 250.
   */
  private static void checkItems(String function, int items, int most) {
    if (items >= most) {
      throw new JException(
          function
              + ": more than "
              + most
              + " items exceed the "
              + most
              + " items one call may produce",
          -1);
    }
  }

  /**
   * {@code $toMillis(timestamp, picture)}: dashjoin's {@code Functions.dateTimeToMillis}, which
   * matches the timestamp against a regular expression made of the picture, a {@code [0-9]+} a
   * marker: adjacent markers backtrack ({@code [Y][M]…} fifty times over takes seconds on fifty
   * digits, a hundred minutes). The same expression is matched first on the evaluation's clock,
   * given half the time left, so that dashjoin's own match, as long, ends within the evaluation's
   * limit; a picture is limited as {@code $fromMillis}'s.
   */
  private Object toMillis(String timestamp, String picture) throws Throwable {
    if (timestamp != null && picture != null) {
      JsonataBuiltins.checkPicture("toMillis", picture, true);
      Pattern full = DatePictures.pattern(picture);
      long now = System.nanoTime();
      long leftNs = bounds.startNs + JsonataExpression.TIMEOUT_MS * 1_000_000 - now;
      long halfStartNs = now + leftNs / 2 - JsonataExpression.TIMEOUT_MS * 1_000_000;
      full.matcher(new BoundedText(full, bounds.worker).wrap(timestamp, halfStartNs)).find();
    }
    return Functions.dateTimeToMillis(timestamp, picture);
  }

  /** Dashjoin's regular expression of a date picture ({@code DateTimeUtils.parseDateTime}'s). */
  private static final class DatePictures {
    private static final MethodHandle ANALYSE;
    private static final MethodHandle GENERATE;
    private static final VarHandle PARTS;
    private static final VarHandle REGEX;

    static {
      try {
        MethodHandles.Lookup lookup =
            MethodHandles.privateLookupIn(DateTimeUtils.class, MethodHandles.lookup());
        Class<?> format = Class.forName(DateTimeUtils.class.getName() + "$PictureFormat");
        Class<?> matcher = Class.forName(DateTimeUtils.class.getName() + "$PictureMatcher");
        Class<?> part = Class.forName(DateTimeUtils.class.getName() + "$MatcherPart");
        ANALYSE =
            lookup.findStatic(
                DateTimeUtils.class,
                "analyseDateTimePicture",
                MethodType.methodType(format, String.class));
        GENERATE =
            lookup.findStatic(
                DateTimeUtils.class, "generateRegex", MethodType.methodType(matcher, format));
        PARTS = lookup.findVarHandle(matcher, "parts", java.util.Vector.class);
        REGEX = lookup.findVarHandle(part, "regex", String.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private DatePictures() {}

    /** The expression dashjoin matches a timestamp of {@code picture} against. */
    static Pattern pattern(String picture) throws Throwable {
      Object matcher = GENERATE.invoke(ANALYSE.invoke(picture));
      StringBuilder full = new StringBuilder("^");
      for (Object part : (List<?>) PARTS.get(matcher)) {
        full.append('(').append((String) REGEX.get(part)).append(')');
      }
      return Pattern.compile(full.append('$').toString(), Pattern.CASE_INSENSITIVE);
    }
  }

  /**
   * {@code m}'s text with {@code replacement} (JSONata's: {@code $$} a dollar) for every match, or
   * the first: as dashjoin's {@code safeReplaceAll} and {@code safeReplaceFirst}, a group the
   * pattern does not have ({@code $3} of two) is replaced by nothing.
   */
  private static String withoutMissingGroups(Matcher m, String replacement, boolean all) {
    String java = javaReplacement(replacement);
    for (int i = 0; i < 10; i++) {
      try {
        return all ? replaceAll(m, java) : m.replaceFirst(java);
      } catch (IndexOutOfBoundsException e) {
        String message = e.getMessage();
        if (!message.contains("No group")) {
          throw e;
        }
        java = java.replace("$" + message.charAt(message.length() - 1), "");
      }
    }
    return null;
  }

  /**
   * {@code m.replaceAll(replacement)}, refusing a result past {@link JsonataBuiltins#MAX_CHARS}:
   * each match may add the replacement's length.
   */
  private static String replaceAll(Matcher m, String replacement) {
    m.reset();
    StringBuilder result = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(result, replacement);
      JsonataBuiltins.checkProduced("$replace", result.length());
    }
    return m.appendTail(result).toString();
  }

  /** Dashjoin's {@code safeReplacement}: JSONata's {@code $$} and lone {@code $} as Java's. */
  private static String javaReplacement(String in) {
    return in.replaceAll("\\$\\$", "\\\\\\$")
        .replaceAll("([^\\\\]|^)\\$([^0-9^<])", "$1\\\\\\$$2")
        .replaceAll("\\$$", "\\\\\\$");
  }

  /**
   * What JSONata function {@code fn} gives for {@code found} ({@code {match, groups}}, the whole
   * match first among the groups, as dashjoin's {@code toJsonataMatch}); null unless a string.
   */
  private static String replaceWith(Object fn, MatchResult found) {
    Map<String, Object> match = new LinkedHashMap<>();
    match.put("match", found.group());
    List<String> groups = new ArrayList<>();
    for (int i = 0; i <= found.groupCount(); i++) {
      groups.add(found.group(i));
    }
    match.put("groups", groups);
    Object result;
    try {
      result = Functions.funcApply(fn, List.of(match));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
    return result instanceof String s ? s : null;
  }

  private static Object arg(List<?> args, int index) {
    return index < args.size() ? args.get(index) : null;
  }

  /**
   * The regular expression of argument {@code token} of {@code function}; a custom matcher
   * function, which dashjoin refuses too, is refused.
   */
  private static Pattern pattern(Object token, String function) {
    return switch (token) {
      case Regex regex -> regex.pattern;
      case Pattern pattern -> pattern;
      default ->
          throw new JException(
              "$" + function + ": the pattern must be a regular expression or a string", -1);
    };
  }

  /**
   * A regex literal, called as a function ({@code /a(b)/("xabab")}) as dashjoin calls a {@link
   * Pattern}: for each string argument its first match, {@code {match, start, end, groups, next}},
   * whose {@code next()} gives the following one.
   */
  static final class Regex extends Jsonata.JFunction {
    final Pattern pattern;
    private final JsonataRegex functions;

    Regex(Pattern pattern, JsonataRegex functions) {
      super(null, null);
      this.pattern = pattern;
      this.functions = functions;
    }

    @Override
    @SuppressWarnings("rawtypes") // dashjoin's signature
    public Object call(Object input, List args) {
      List<Object> results = new ArrayList<>();
      for (Object s : args) {
        if (s instanceof String text) {
          results.add(next(functions.matcher(pattern, text)));
        }
      }
      return results.size() == 1 ? results.get(0) : results;
    }

    private static Map<String, Object> next(Matcher matcher) {
      if (!matcher.find()) {
        return null;
      }
      String group = matcher.group();
      return Map.of(
          "match",
          group,
          "start",
          matcher.start(),
          "end",
          matcher.end(),
          "groups",
          List.of(group),
          "next",
          (Jsonata.Fn0<Map<String, Object>>) () -> next(matcher));
    }

    @Override
    public String toString() {
      return pattern.toString();
    }
  }
}
