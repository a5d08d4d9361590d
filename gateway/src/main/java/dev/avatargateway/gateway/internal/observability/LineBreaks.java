package dev.avatargateway.gateway.internal.observability;

/**
 * Keeps a logged value on its line in the text format: every character that a terminal, a log
 * shipper or a viewer could take as the end of a line (CR, LF, vertical tab, form feed, NEL U+0085,
 * the separators U+2028 and U+2029) or as a terminal command (the other C0 and C1 control
 * characters, ESC among them) is written as an escape: {@code \r}, {@code \n}, or {@code \}{@code
 * uXXXX}. Otherwise a value a caller chose (a JWT's {@code sub}, an upstream's error message) could
 * end the line and write one that looks like the gateway's own. A tab stays: it ends no line.
 *
 * <p>Backslashes are not escaped, so the result is for reading, not for decoding: a value that
 * already held the text {@code \n} reads the same as one that held a line break, but neither can
 * start a line.
 */
final class LineBreaks {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LineBreaks() {}

  /**
   * The text with each such character escaped.
   *
   * @param text any text; null stays null
   * @return the same instance when there is nothing to escape
   */
  static String escape(String text) {
    if (text == null) {
      return null;
    }
    int first = firstToEscape(text);
    if (first < 0) {
      return text;
    }
    StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!needsEscape(c)) {
        escaped.append(c);
      } else if (c == '\n') {
        escaped.append("\\n");
      } else if (c == '\r') {
        escaped.append("\\r");
      } else {
        escaped
            .append("\\u")
            .append(HEX[(c >> 12) & 0xF])
            .append(HEX[(c >> 8) & 0xF])
            .append(HEX[(c >> 4) & 0xF])
            .append(HEX[c & 0xF]);
      }
    }
    return escaped.toString();
  }

  private static int firstToEscape(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (needsEscape(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** C0 controls but tab, DEL, C1 controls (NEL among them), U+2028 and U+2029. */
  private static boolean needsEscape(char c) {
    return (c < ' ' && c != '\t')
        || (c >= '\u007F' && c <= '\u009F')
        || c == '\u2028'
        || c == '\u2029';
  }
}
