package dev.z8run.nodes.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into chunks of at most {@code size} characters that overlap by up to {@code overlap}
 * characters, cutting at the most meaningful boundary the strategy allows. Every chunk is a span of
 * the original text ({@code start} inclusive, {@code end} exclusive, in UTF-16 units as JavaScript
 * counts them), trimmed of blanks at its ends. Stateless.
 */
final class TextChunks {
  private TextChunks() {}

  /** A chunk: its text and where it is in the original. */
  record Chunk(String text, int start, int end) {}

  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?…。！？])[\"')\\]]*\\s+");
  private static final List<String> RECURSIVE =
      List.of("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ");

  /**
   * Splits {@code text}.
   *
   * @param strategy fixed, sentences, paragraphs, tokens or recursive
   * @param separator for paragraphs: what separates them (default a blank line); for recursive:
   *     tried before the usual separators; empty for the defaults
   */
  static List<Chunk> split(String text, String strategy, int size, int overlap, String separator) {
    List<int[]> pieces = new ArrayList<>();
    switch (strategy) {
      case "fixed" -> {
        return fixed(text, size, overlap);
      }
      case "sentences" -> sentences(text, 0, text.length(), size, pieces);
      case "paragraphs" ->
          pieces(
              text,
              0,
              text.length(),
              size,
              prepend(separator.isEmpty() ? "\n\n" : separator, List.of("\n", ". ", " ")),
              pieces);
      case "tokens" -> {
        // about four characters per token for English text (OpenAI's rule of thumb)
        size = Math.multiplyExact(size, 4);
        overlap = Math.multiplyExact(overlap, 4);
        pieces(text, 0, text.length(), size, RECURSIVE, pieces);
      }
      default ->
          pieces(
              text,
              0,
              text.length(),
              size,
              separator.isEmpty() ? RECURSIVE : prepend(separator, RECURSIVE),
              pieces);
    }
    return merge(text, pieces, size, overlap);
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    for (String s : rest) {
      if (!s.equals(first)) {
        all.add(s);
      }
    }
    return all;
  }

  private static List<Chunk> fixed(String text, int size, int overlap) {
    List<Chunk> chunks = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = boundary(text, Math.min(text.length(), start + size));
      if (end <= start) {
        end = Math.min(text.length(), start + size + 1);
      }
      add(text, start, end, chunks);
      if (end >= text.length()) {
        break;
      }
      start = Math.max(start + 1, boundary(text, end - overlap));
    }
    return chunks;
  }

  /** Moves an index off the middle of a surrogate pair. */
  private static int boundary(String text, int index) {
    if (index > 0
        && index < text.length()
        && Character.isLowSurrogate(text.charAt(index))
        && Character.isHighSurrogate(text.charAt(index - 1))) {
      return index - 1;
    }
    return index;
  }

  private static void sentences(String text, int from, int to, int size, List<int[]> pieces) {
    Matcher matcher = SENTENCE_END.matcher(text).region(from, to);
    int start = from;
    while (matcher.find()) {
      addPiece(text, start, matcher.end(), size, List.of("; ", ", ", " "), pieces);
      start = matcher.end();
    }
    addPiece(text, start, to, size, List.of("; ", ", ", " "), pieces);
  }

  /** Cuts [from, to) at {@code separators[0]}, pieces too long at the next separators. */
  private static void pieces(
      String text, int from, int to, int size, List<String> separators, List<int[]> pieces) {
    String separator = separators.get(0);
    int start = from;
    int at;
    while ((at = text.indexOf(separator, start)) >= 0 && at + separator.length() <= to) {
      addPiece(
          text,
          start,
          at + separator.length(),
          size,
          separators.subList(1, separators.size()),
          pieces);
      start = at + separator.length();
    }
    addPiece(text, start, to, size, separators.subList(1, separators.size()), pieces);
  }

  private static void addPiece(
      String text, int from, int to, int size, List<String> finer, List<int[]> pieces) {
    if (to <= from) {
      return;
    }
    if (to - from <= size) {
      pieces.add(new int[] {from, to});
    } else if (!finer.isEmpty()) {
      pieces(text, from, to, size, finer, pieces);
    } else {
      for (int start = from; start < to; ) {
        int end = boundary(text, Math.min(to, start + size));
        if (end <= start) {
          end = Math.min(to, start + size + 1);
        }
        pieces.add(new int[] {start, end});
        start = end;
      }
    }
  }

  /**
   * Joins consecutive pieces into chunks of at most {@code size}, backing up by {@code overlap}.
   */
  private static List<Chunk> merge(String text, List<int[]> pieces, int size, int overlap) {
    List<Chunk> chunks = new ArrayList<>();
    int i = 0;
    while (i < pieces.size()) {
      int start = pieces.get(i)[0];
      int end = pieces.get(i)[1];
      int j = i + 1;
      while (j < pieces.size() && pieces.get(j)[1] - start <= size) {
        end = pieces.get(j)[1];
        j++;
      }
      add(text, start, end, chunks);
      if (j >= pieces.size()) {
        break;
      }
      int k = j;
      while (k - 1 > i && end - pieces.get(k - 1)[0] <= overlap) {
        k--;
      }
      i = k;
    }
    return chunks;
  }

  private static void add(String text, int start, int end, List<Chunk> chunks) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end > start) {
      chunks.add(new Chunk(text.substring(start, end), start, end));
    }
  }
}
