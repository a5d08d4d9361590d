package dev.avatargateway.simulator.internal;

import dev.avatargateway.simulator.SimulatorException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Validates the browser origins the consume route admits ({@code SimulatorConfig
 * consumeCorsOrigins}): {@code *}, or exact origins {@code scheme://host[:port]} in the form a
 * browser sends them in its {@code Origin} header (RFC 6454 §6.1: lower-case scheme and host, no
 * default port, no path).
 */
public final class Origins {
  /** The entry that admits every origin. */
  public static final String ANY = "*";

  private static final String SETTING = "consumeCorsOrigins";
  // RFC 6454 §6.1: the serialised origin leaves out the scheme's default port.
  private static final int HTTP_DEFAULT_PORT = 80;
  private static final int HTTPS_DEFAULT_PORT = 443;

  private Origins() {}

  /**
   * Validates and normalises a list of entries: each is {@link #ANY} or an http(s) origin; {@link
   * #ANY} stands alone; duplicates collapse.
   *
   * @return the entries as a browser would spell them (lower case, default port left out), in the
   *     given order
   * @throws SimulatorException naming the first bad entry
   */
  public static List<String> normalizeAll(List<String> entries) {
    Objects.requireNonNull(entries, SETTING);
    Set<String> out = new LinkedHashSet<>();
    for (String entry : entries) {
      out.add(normalize(entry));
    }
    if (out.contains(ANY) && out.size() > 1) {
      throw new SimulatorException(
          SETTING + ": \"*\" admits every origin and cannot be combined with others, was " + out);
    }
    return List.copyOf(out);
  }

  /**
   * One entry, normalised.
   *
   * @throws SimulatorException when it is neither {@link #ANY} nor an http(s) origin
   */
  public static String normalize(String entry) {
    if (entry == null || entry.isBlank()) {
      throw new SimulatorException(SETTING + " entries must not be blank");
    }
    String value = entry.strip();
    if (value.equals(ANY)) {
      return ANY;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw notAnOrigin(value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean http = scheme.equals("http");
    if ((!http && !scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || !uri.getRawPath().isEmpty()
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw notAnOrigin(value);
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1 || (http && port == HTTP_DEFAULT_PORT) || (!http && port == HTTPS_DEFAULT_PORT);
    return scheme
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  private static SimulatorException notAnOrigin(String value) {
    return new SimulatorException(
        SETTING
            + ": \""
            + value
            + "\" is neither \"*\" nor an origin http(s)://host[:port] without a path"
            + " (e.g. http://localhost:5173)");
  }
}
