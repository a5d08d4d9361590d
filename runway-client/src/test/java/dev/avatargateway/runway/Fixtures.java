package dev.avatargateway.runway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the copied upstream files under src/test/resources/upstream (see SOURCE.md there). */
final class Fixtures {
  private Fixtures() {}

  static String upstream(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/upstream/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
