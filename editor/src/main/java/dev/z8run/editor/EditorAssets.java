package dev.z8run.editor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The browser editor's files, bundled by the module's build into the {@value #ROOT} folder of the
 * class path: {@code index.html}, {@code app.js} (React Flow and the editor, esbuild's entry
 * bundle), {@code chunk-<hash>.js} (parts loaded on demand, such as CodeMirror), their source maps
 * and {@code app.css}. The server answers {@code /} with {@link #INDEX} and {@code /editor/<name>}
 * with the others.
 */
public final class EditorAssets {
  /** The class-path folder holding the files. */
  public static final String ROOT = "web/";

  /** The page the editor starts from. */
  public static final String INDEX = "index.html";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9]+)+");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "map", "application/json",
          "png", "image/png",
          "svg", "image/svg+xml");

  private EditorAssets() {}

  /** One file: its bytes and media type. */
  public record Asset(byte[] bytes, String mediaType) {}

  /**
   * The file called {@code name}, or empty when there is none or the name is not a plain file name
   * ({@code ../x} and folders are never looked up).
   */
  public static Optional<Asset> find(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in = EditorAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      return in == null ? Optional.empty() : Optional.of(new Asset(in.readAllBytes(), type));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + name, e);
    }
  }
}
