package dev.z8run.nodes.function;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Gives Rhino (which parses generators and has Promises, but not {@code async} / {@code await}) the
 * async functions Node-RED's function bodies use, by rewriting the source: Node-RED runs every body
 * inside an {@code async function}, so {@code await} may appear at its top level.
 *
 * <ul>
 *   <li>{@code await X} becomes {@code (yield X)}: the operand is the unary expression that follows
 *       (prefix operators, a primary expression, then its member, call and template chain), and the
 *       parentheses keep the operator precedence {@code await} had;
 *   <li>an async body becomes a generator run by {@code __z8async} (defined by {@code prelude.js}):
 *       each value yielded goes through {@code Promise.resolve} (so a Promise, a thenable or a
 *       plain value), the generator resumes with its value, or has its rejection thrown in, and the
 *       Promise returned settles with the generator's result;
 *   <li>{@code async function f(a) {...}} becomes {@code function f(a) { return __z8async(function*
 *       () {...}, this, arguments); }}; {@code async (a) => {...}} and {@code async a => expr}
 *       become arrows returning {@code __z8async(function* () {...}, this)}.
 * </ul>
 *
 * <p>Strings, template literals, regular expressions and comments are copied as they are (an {@code
 * await} inside a template's {@code ${}} is not rewritten). Line breaks are kept, so the lines of
 * error messages still point into the body as written. Not handled: {@code for await}, async
 * methods ({@code {async m() {}}}) and async generators; Rhino then refuses them as a syntax error.
 */
final class AsyncTransform {
  private AsyncTransform() {}

  private static final Set<String> REGEX_AFTER_WORD =
      Set.of(
          "return",
          "typeof",
          "case",
          "in",
          "of",
          "new",
          "delete",
          "void",
          "throw",
          "else",
          "do",
          "yield",
          "await",
          "instanceof");
  private static final Set<String> PREFIX_WORDS = Set.of("typeof", "void", "delete", "await");
  private static final Set<String> PREFIX_PUNCT = Set.of("!", "~", "+", "-", "++", "--");

  private enum Kind {
    WORD,
    NUMBER,
    STRING,
    TEMPLATE,
    REGEX,
    PUNCT
  }

  /** A token: its text, and the blanks and comments before it ({@code space}). */
  private record Token(Kind kind, String text, String space) {
    boolean is(String s) {
      return (kind == Kind.PUNCT || kind == Kind.WORD) && text.equals(s);
    }

    boolean newlineBefore() {
      return space.indexOf('\n') >= 0;
    }
  }

  /** Whether {@code source} uses {@code async} or {@code await} as words outside strings. */
  static boolean needed(String source) {
    if (!source.contains("async") && !source.contains("await")) {
      return false;
    }
    List<Token> tokens = lex(source);
    for (int i = 0; i < tokens.size(); i++) {
      if (keyword(tokens, i, "await") || keyword(tokens, i, "async")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether token {@code i} is the word {@code word} as a keyword: not a property name ({@code
   * msg.await}, {@code {async: 1}}).
   */
  private static boolean keyword(List<Token> tokens, int i, String word) {
    if (!tokens.get(i).is(word)) {
      return false;
    }
    Token before = i > 0 ? tokens.get(i - 1) : null;
    Token after = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
    return (before == null || !(before.is(".") || before.is("?.")))
        && (after == null || !after.is(":"));
  }

  /**
   * A function body (Node-RED's {@code func} or {@code initialize}) as the body of a plain function
   * that returns the Promise of the async function Node-RED would have run; on one line with the
   * body's first, so line numbers stay.
   */
  static String asyncBody(String body) {
    return "return __z8async(function* () {" + rewrite(body) + "\n}, this, arguments);";
  }

  /** {@code source} with every async function and {@code await} rewritten. */
  static String rewrite(String source) {
    List<Token> tokens = lex(source);
    StringBuilder out = new StringBuilder(source.length() + 64);
    new Writer(tokens, out).range(0, tokens.size());
    return out.toString();
  }

  private static final class Writer {
    private final List<Token> tokens;
    private final StringBuilder out;

    Writer(List<Token> tokens, StringBuilder out) {
      this.tokens = tokens;
      this.out = out;
    }

    private Token at(int i) {
      return i < tokens.size() ? tokens.get(i) : null;
    }

    private boolean is(int i, String text) {
      Token token = at(i);
      return token != null && token.is(text);
    }

    private void emit(int i) {
      Token token = tokens.get(i);
      out.append(token.space()).append(token.text());
    }

    /** Writes tokens {@code [from, to)}, rewritten. */
    void range(int from, int to) {
      int i = from;
      while (i < to) {
        i = one(i, to);
      }
    }

    /** Writes what starts at token {@code i}; the index after it. */
    private int one(int i, int to) {
      Token token = tokens.get(i);
      if (keyword(tokens, i, "await")) {
        int end = Math.min(unaryEnd(i + 1), to);
        out.append(token.space()).append("(yield");
        range(i + 1, end);
        out.append(')');
        return end;
      }
      if (keyword(tokens, i, "async") && at(i + 1) != null && !at(i + 1).newlineBefore()) {
        if (is(i + 1, "function")) {
          return asyncFunction(i, to);
        }
        int arrow = arrowAfterParameters(i + 1);
        if (arrow > 0) {
          return asyncArrow(i, arrow, to);
        }
      }
      emit(i);
      return i + 1;
    }

    /** {@code async function name(params) {body}}: a function returning the runner's Promise. */
    private int asyncFunction(int i, int to) {
      out.append(tokens.get(i).space());
      int open = i + 1;
      while (open < to && !is(open, "(")) {
        open++;
      }
      int bodyOpen = close(open) + 1;
      if (!is(bodyOpen, "{") || bodyOpen >= to) {
        emit(i);
        return i + 1;
      }
      int bodyClose = close(bodyOpen);
      Token function = tokens.get(i + 1);
      out.append(function.text());
      range(i + 2, bodyOpen + 1); // the name and parameters, then "{"
      out.append(" return __z8async(function* () {");
      range(bodyOpen + 1, bodyClose);
      out.append(tokens.get(bodyClose).space()).append("}, this, arguments); }");
      return bodyClose + 1;
    }

    /** {@code async params => body}: an arrow returning the runner's Promise. */
    private int asyncArrow(int i, int arrow, int to) {
      out.append(tokens.get(i).space());
      Token first = tokens.get(i + 1);
      out.append(first.text());
      range(i + 2, arrow + 1); // the rest of the parameters and "=>"
      int body = arrow + 1;
      if (is(body, "{")) {
        int bodyClose = close(body);
        out.append(tokens.get(body).space()).append("__z8async(function* () {");
        range(body + 1, bodyClose);
        out.append(tokens.get(bodyClose).space()).append("}, this)");
        return bodyClose + 1;
      }
      int end = expressionEnd(body, to);
      out.append(" __z8async(function* () { return");
      range(body, end);
      out.append("; }, this)");
      return end;
    }

    /** Where an arrow's parameters start at {@code i}: the index of its {@code =>}, else -1. */
    private int arrowAfterParameters(int i) {
      Token token = at(i);
      if (token == null) {
        return -1;
      }
      int after;
      if (token.kind() == Kind.WORD) {
        after = i + 1;
      } else if (token.is("(")) {
        after = close(i) + 1;
      } else {
        return -1;
      }
      return is(after, "=>") ? after : -1;
    }

    /** The index just after an expression body starting at {@code i} (up to , ; or a closer). */
    private int expressionEnd(int i, int to) {
      int j = i;
      while (j < to) {
        Token token = tokens.get(j);
        if (token.is(",") || token.is(";") || token.is(")") || token.is("]") || token.is("}")) {
          return j;
        }
        j = token.is("(") || token.is("[") || token.is("{") ? close(j) + 1 : j + 1;
      }
      return to;
    }

    /**
     * The index just after the unary expression starting at {@code i} ({@code await}'s operand).
     */
    private int unaryEnd(int i) {
      int j = i;
      while (at(j) != null
          && ((at(j).kind() == Kind.WORD && PREFIX_WORDS.contains(at(j).text()))
              || (at(j).kind() == Kind.PUNCT && PREFIX_PUNCT.contains(at(j).text())))) {
        j++;
      }
      Token token = at(j);
      if (token == null) {
        return j;
      }
      if (token.is("new")) {
        return unaryEnd(j + 1);
      }
      if (token.is("function")) {
        int open = j + 1;
        while (at(open) != null && !is(open, "(")) {
          open++;
        }
        j = close(close(open) + 1) + 1;
      } else if (token.is("(") || token.is("[") || token.is("{")) {
        j = close(j) + 1;
      } else {
        j++;
      }
      while (at(j) != null) {
        Token next = at(j);
        if ((next.is(".") || next.is("?.")) && at(j + 1) != null) {
          j += is(j + 1, "(") || is(j + 1, "[") ? 1 : 2;
        } else if (next.is("(") || next.is("[")) {
          j = close(j) + 1;
        } else if (next.kind() == Kind.TEMPLATE) {
          j++;
        } else if ((next.is("++") || next.is("--")) && !next.newlineBefore()) {
          j++;
        } else {
          break;
        }
      }
      return j;
    }

    /** The index of the bracket closing the one at {@code open} (the last token if unclosed). */
    private int close(int open) {
      int depth = 0;
      for (int j = open; j < tokens.size(); j++) {
        Token token = tokens.get(j);
        if (token.kind() != Kind.PUNCT) {
          continue;
        }
        switch (token.text()) {
          case "(", "[", "{" -> depth++;
          case ")", "]", "}" -> {
            depth--;
            if (depth == 0) {
              return j;
            }
          }
          default -> {}
        }
      }
      return tokens.size() - 1;
    }
  }

  private static final String[] PUNCTUATORS = {
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=",
    "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "<<", ">>", "**"
  };

  /** Splits {@code source} into tokens; a trailing blank becomes a last empty punctuator. */
  static List<Token> lex(String source) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = source.length();
    while (i < n) {
      int spaceStart = i;
      i = skipSpace(source, i);
      String space = source.substring(spaceStart, i);
      if (i >= n) {
        tokens.add(new Token(Kind.PUNCT, "", space));
        break;
      }
      char c = source.charAt(i);
      int start = i;
      Kind kind;
      if (Character.isJavaIdentifierStart(c)) {
        while (i < n && Character.isJavaIdentifierPart(source.charAt(i))) {
          i++;
        }
        kind = Kind.WORD;
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
        while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '.')) {
          i++;
        }
        kind = Kind.NUMBER;
      } else if (c == '"' || c == '\'') {
        i = quoted(source, i, c);
        kind = Kind.STRING;
      } else if (c == '`') {
        i = template(source, i);
        kind = Kind.TEMPLATE;
      } else if (c == '/' && regexAllowed(tokens)) {
        i = regex(source, i);
        kind = Kind.REGEX;
      } else {
        i = punctuator(source, i);
        kind = Kind.PUNCT;
      }
      tokens.add(new Token(kind, source.substring(start, i), space));
    }
    return tokens;
  }

  private static int skipSpace(String s, int i) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        break;
      }
    }
    return i;
  }

  private static int quoted(String s, int i, char quote) {
    int j = i + 1;
    while (j < s.length() && s.charAt(j) != quote && s.charAt(j) != '\n') {
      j += s.charAt(j) == '\\' ? 2 : 1;
    }
    return Math.min(j + 1, s.length());
  }

  /** The end of a template literal, nested {@code ${...}} (with their own strings) included. */
  private static int template(String s, int i) {
    int j = i + 1;
    while (j < s.length()) {
      char c = s.charAt(j);
      if (c == '\\') {
        j += 2;
      } else if (c == '`') {
        return j + 1;
      } else if (c == '$' && j + 1 < s.length() && s.charAt(j + 1) == '{') {
        int depth = 1;
        j += 2;
        while (j < s.length() && depth > 0) {
          char d = s.charAt(j);
          if (d == '{') {
            depth++;
            j++;
          } else if (d == '}') {
            depth--;
            j++;
          } else if (d == '"' || d == '\'') {
            j = quoted(s, j, d);
          } else if (d == '`') {
            j = template(s, j);
          } else {
            j++;
          }
        }
      } else {
        j++;
      }
    }
    return s.length();
  }

  private static boolean regexAllowed(List<Token> tokens) {
    if (tokens.isEmpty()) {
      return true;
    }
    Token last = tokens.get(tokens.size() - 1);
    return switch (last.kind()) {
      case WORD -> REGEX_AFTER_WORD.contains(last.text());
      case NUMBER, STRING, TEMPLATE, REGEX -> false;
      case PUNCT -> !last.text().equals(")") && !last.text().equals("]");
    };
  }

  private static int regex(String s, int i) {
    int j = i + 1;
    boolean inClass = false;
    while (j < s.length() && s.charAt(j) != '\n') {
      char c = s.charAt(j);
      if (c == '\\') {
        j += 2;
        continue;
      }
      if (c == '[') {
        inClass = true;
      } else if (c == ']') {
        inClass = false;
      } else if (c == '/' && !inClass) {
        j++;
        break;
      }
      j++;
    }
    while (j < s.length() && Character.isLetter(s.charAt(j))) {
      j++;
    }
    return Math.min(j, s.length());
  }

  private static int punctuator(String s, int i) {
    for (String p : PUNCTUATORS) {
      if (s.startsWith(p, i)) {
        return i + p.length();
      }
    }
    return i + 1;
  }
}
