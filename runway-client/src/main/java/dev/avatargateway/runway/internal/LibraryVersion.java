package dev.avatargateway.runway.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This library's version, from a resource Maven fills in at build time. */
public final class LibraryVersion {
  private static final String VERSION = load();

  private LibraryVersion() {}

  /** The version, e.g. {@code 0.1.0}; {@code unknown} when run from unbuilt sources. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = LibraryVersion.class.getResourceAsStream("runway-client.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
