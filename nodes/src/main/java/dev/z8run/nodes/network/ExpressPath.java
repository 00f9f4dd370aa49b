package dev.z8run.nodes.network;

import dev.z8run.nodes.support.BoundedText;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forms of an {@code http-in} path that Node-RED's http in takes from Express (path-to-regexp
 * 0.1) beyond {@code :name}: an optional parameter ({@code /orders/:id?}), a parameter with its own
 * pattern ({@code /orders/:id(\\d+)}), and {@code *}, any text slashes included, numbered from
 * {@code 0} ({@code /files/*}). Such a path is matched as a regular expression: compiled once when
 * the node is deployed (a pattern that does not compile fails the deploy) and again by the hook
 * route that serves it.
 */
public final class ExpressPath {
  /** {@code :name}, its own pattern in parentheses, and a {@code ?} that makes it optional. */
  private static final Pattern PARAM = Pattern.compile(":(\\w+)(\\(.*\\))?(\\?)?");

  private ExpressPath() {}

  /**
   * A matcher of {@code path} (as {@link #compile} says) on the clock of a user's regular
   * expression ({@link BoundedText}): a parameter's own pattern is the flow author's, and one that
   * backtracks would otherwise hold the request's thread for hours on a long path. Past the limit
   * the match throws {@link IllegalStateException}.
   */
  public static Matcher matcher(Pattern pattern, String path) {
    return pattern.matcher(new BoundedText(pattern, null).wrap(path));
  }

  /** Whether {@code path} uses Express's forms beyond {@code :name}. */
  public static boolean usesForms(String path) {
    return path != null
        && (path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('(') >= 0);
  }

  /**
   * The regular expression of an Express path, as path-to-regexp 0.1 makes it, matched against
   * {@code "/" + the request's path without its outer slashes}: each segment after a slash; {@code
   * :name} one segment, {@code :name(re)} what {@code re} matches, a {@code ?} after either makes
   * it and its slash optional; {@code *} any text; a trailing slash allowed; letters of either case
   * (Express's default, which Node-RED keeps). {@code keys} receives the parameters' names in group
   * order.
   *
   * @throws IllegalArgumentException naming the path when a parameter's pattern does not compile
   */
  public static Pattern compile(String path, List<String> keys) {
    String trimmed = path.strip();
    int start = 0;
    int end = trimmed.length();
    while (start < end && trimmed.charAt(start) == '/') {
      start++;
    }
    while (end > start && trimmed.charAt(end - 1) == '/') {
      end--;
    }
    trimmed = trimmed.substring(start, end);
    StringBuilder regex = new StringBuilder();
    int unnamed = 0;
    for (String segment : trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1)) {
      Matcher param = PARAM.matcher(segment);
      if (param.matches()) {
        keys.add(param.group(1));
        String capture = param.group(2) != null ? param.group(2) : "([^/]+?)";
        if (param.group(3) != null) {
          regex.append("(?:/").append(capture).append(")?");
        } else {
          regex.append('/').append(capture);
        }
        continue;
      }
      regex.append('/');
      int from = 0;
      for (int star = segment.indexOf('*'); star >= 0; star = segment.indexOf('*', from)) {
        if (star > from) {
          regex.append(Pattern.quote(segment.substring(from, star)));
        }
        regex.append("(.*)");
        keys.add(String.valueOf(unnamed++));
        from = star + 1;
      }
      if (from < segment.length()) {
        regex.append(Pattern.quote(segment.substring(from)));
      }
    }
    try {
      // Express's router is not case-sensitive by default (path-to-regexp's 'i' flag)
      return Pattern.compile("^" + regex + "/?$", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    } catch (java.util.regex.PatternSyntaxException bad) {
      throw new IllegalArgumentException(
          "path '/" + trimmed + "': not a pattern Express reads: " + bad.getDescription());
    }
  }
}
