package dev.avatargateway.gateway.core.internal.ledger;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What the ledger makes of a JDBC URL: which database it names, and how to show it safely. */
public final class LedgerUrls {
  /** The prefix of an embedded H2 database in a file. */
  public static final String H2_FILE = "jdbc:h2:file:";

  /** The prefix of an H2 database in memory (gone with the process: for tests). */
  public static final String H2_MEMORY = "jdbc:h2:mem:";

  /** The prefix of a PostgreSQL database. */
  public static final String POSTGRESQL = "jdbc:postgresql:";

  /**
   * A password given inside the URL: PostgreSQL's {@code ?password=...&} or H2's {@code
   * ;PASSWORD=...}. Its value runs to the next separator of either kind.
   */
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

  private LedgerUrls() {}

  /** The databases the ledger runs on. */
  public enum Kind {
    /** An embedded H2 database in a file: one gateway process. */
    H2_FILE,
    /** An H2 database in memory: for tests; nothing survives the process. */
    H2_MEMORY,
    /** PostgreSQL: any number of gateway processes. */
    POSTGRESQL;

    /** Whether this is one of the H2 kinds. */
    public boolean isH2() {
      return this != POSTGRESQL;
    }
  }

  /** The kind of database {@code url} names, or empty when the ledger does not support it. */
  public static Optional<Kind> kind(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith(H2_FILE)) {
      return Optional.of(Kind.H2_FILE);
    }
    if (lower.startsWith(H2_MEMORY)) {
      return Optional.of(Kind.H2_MEMORY);
    }
    if (lower.startsWith(POSTGRESQL)) {
      return Optional.of(Kind.POSTGRESQL);
    }
    return Optional.empty();
  }

  /**
   * The file path of an H2 file URL as written (before the first {@code ;}), or empty for any other
   * URL. H2 adds {@code .mv.db} to it.
   */
  public static Optional<String> h2FilePath(String url) {
    if (kind(url).orElse(null) != Kind.H2_FILE) {
      return Optional.empty();
    }
    String rest = url.substring(H2_FILE.length());
    int options = rest.indexOf(';');
    return Optional.of(options < 0 ? rest : rest.substring(0, options));
  }

  /**
   * Whether H2 accepts this file path: H2 2.x refuses a path that is implicitly relative to the
   * working directory ({@code data/x}); it must be absolute, or start with {@code ./}, {@code ../}
   * or {@code ~/}.
   */
  public static boolean isExplicitH2Path(String path) {
    return path.startsWith("./")
        || path.startsWith("../")
        || path.startsWith("~/")
        || path.startsWith(".\\")
        || path.startsWith("..\\")
        || Path.of(path).isAbsolute();
  }

  /**
   * The directory an H2 file database lives in (to create it before H2 opens the file), with {@code
   * ~} read as the user's home as H2 does.
   */
  public static Optional<Path> h2Directory(String url) {
    return h2FilePath(url)
        .map(
            path ->
                path.startsWith("~")
                    ? Path.of(System.getProperty("user.home") + path.substring(1))
                    : Path.of(path))
        .map(path -> path.toAbsolutePath().normalize())
        .map(Path::getParent);
  }

  /** The URL with any password parameter's value replaced by {@code ***}: for messages and logs. */
  public static String loggable(String url) {
    return url == null ? "null" : PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
  }
}
