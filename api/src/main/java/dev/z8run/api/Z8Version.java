package dev.z8run.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build, written by Maven into {@code z8run-version.properties}. */
public final class Z8Version {
  static final String RESOURCE = "/z8run-version.properties";
  private static final String UNKNOWN = "unknown";

  private Z8Version() {}

  /**
   * The project version, or {@code "unknown"} when the resource is missing or was not filtered (a
   * run straight from an IDE that skipped Maven's resource processing).
   */
  public static String current() {
    try (InputStream in = Z8Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", UNKNOWN).strip();
      return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
