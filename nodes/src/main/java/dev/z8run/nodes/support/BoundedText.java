package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeContext;
import java.util.regex.Pattern;

/**
 * The text a user's regular expression runs over, with a clock: a pattern such as {@code
 * ^(.*?,){11}P} backtracks for hours on sixty characters, on an engine worker that other flows
 * (other users') share. Java's matcher reads its input through {@link #charAt}; every {@value
 * #CHECK_EVERY} reads this looks at the clock. Past {@value JsonataExpression#RELEASE_MS} ms it
 * lets the worker go on with its other nodes ({@link NodeContext#releaseWorker}, as a Function node
 * past its budget does); past {@link JsonataExpression#TIMEOUT_MS} ms, the limit of a JSONata
 * expression, it ends the match with an {@link IllegalStateException}: an error on the node, naming
 * the pattern.
 *
 * <p>A match that reads fewer than {@value #CHECK_EVERY} characters never looks at the clock. One
 * per node (or rule), reused for every message: {@link #wrap} starts it again. Not thread-safe.
 */
public final class BoundedText implements CharSequence {
  /** Reads between two looks at the clock (a power of two). */
  static final int CHECK_EVERY = 4096;

  private final Pattern pattern;
  private final NodeContext context;
  private CharSequence text = "";
  private int reads;
  private long startNs;
  private boolean timing;
  private boolean released;

  /**
   * @param pattern the pattern this text is matched against (named in the error)
   * @param context the node's context, to release its worker; null: never released
   */
  public BoundedText(Pattern pattern, NodeContext context) {
    this.pattern = pattern;
    this.context = context;
  }

  /** {@code text}, with the clock started again. */
  public BoundedText wrap(CharSequence text) {
    this.text = text;
    reads = 0;
    timing = false;
    released = false;
    return this;
  }

  /**
   * {@code text}, on a clock started at {@code startNs} ({@link System#nanoTime}) rather than at
   * its first look: a match inside a JSONata evaluation ({@link JsonataRegex}) has what is left of
   * the evaluation's time.
   */
  BoundedText wrap(CharSequence text, long startNs) {
    wrap(text);
    timing = true;
    this.startNs = startNs;
    return this;
  }

  /** Whether {@code pattern} finds a match in {@code text}, within the limit. */
  public static boolean find(Pattern pattern, CharSequence text, NodeContext context) {
    return pattern.matcher(new BoundedText(pattern, context).wrap(text)).find();
  }

  @Override
  public char charAt(int index) {
    if ((++reads & (CHECK_EVERY - 1)) == 0) {
      check();
    }
    return text.charAt(index);
  }

  private void check() {
    long now = System.nanoTime();
    if (!timing) {
      timing = true;
      startNs = now;
      return;
    }
    long elapsedMs = (now - startNs) / 1_000_000;
    if (elapsedMs >= JsonataExpression.RELEASE_MS) {
      if (!released && context != null) {
        released = true;
        context.releaseWorker();
      }
      if (Thread.currentThread().isVirtual()) {
        // a web request running its flow inline: let the carrier serve other requests meanwhile
        Thread.yield();
      }
    }
    if (elapsedMs >= JsonataExpression.TIMEOUT_MS) {
      String source = pattern.pattern();
      throw new IllegalStateException(
          "regular expression '"
              + (source.length() > 80 ? source.substring(0, 77) + "..." : source)
              + "' ran past its time limit of "
              + JsonataExpression.TIMEOUT_MS
              + " ms on a text of "
              + text.length()
              + " characters (it backtracks: rewrite it so that no two repetitions can match the"
              + " same text)");
    }
  }

  @Override
  public int length() {
    return text.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return text.subSequence(start, end);
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
