package dev.avatargateway.gateway.core.internal.limits;

import java.util.Arrays;

/**
 * IP address literals, parsed and formatted by hand so that no input ever causes a DNS lookup
 * ({@code InetAddress.getByName} resolves anything that is not a literal, and {@code
 * InetAddress.ofLiteral} needs Java 22). Addresses are raw network-order bytes: 4 for IPv4, 16 for
 * IPv6. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}, as a dual-stack socket reports an
 * IPv4 peer) is returned as its 4 IPv4 bytes, so that one client has one key and IPv4 CIDRs match
 * it.
 */
final class IpAddresses {
  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;
  private static final int IPV6_GROUPS = 8;
  private static final int MAX_GROUP_HEX_DIGITS = 4;
  private static final int MAX_OCTET_DIGITS = 3;
  private static final int MAX_OCTET = 255;
  private static final int MAX_PORT = 65_535;

  /**
   * Longer than any literal with a zone id an operating system hands out: bounds the work spent on
   * a garbage {@code X-Forwarded-For} element before it is rejected.
   */
  private static final int MAX_LITERAL_LENGTH = 100;

  /** Bytes 0 to 9 are zero, bytes 10 and 11 are 0xff: RFC 4291 §2.5.5.2. */
  private static final int MAPPED_PREFIX_ZEROS = 10;

  private IpAddresses() {}

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal (RFC 4291 §2.2, with {@code ::} and an embedded
   * IPv4 tail; a {@code %zone} suffix is dropped: it names a local interface, not a client).
   *
   * @return the address bytes, or null when {@code text} is not exactly such a literal
   */
  static byte[] parse(String text) {
    if (text.isEmpty() || text.length() > MAX_LITERAL_LENGTH) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return parseIpv4(text);
    }
    int zone = text.indexOf('%');
    String address = zone < 0 ? text : text.substring(0, zone);
    if (zone >= 0 && zone == text.length() - 1) {
      return null;
    }
    byte[] ipv6 = parseIpv6(address);
    return ipv6 == null ? null : unmapIpv4(ipv6);
  }

  /**
   * Parses one element of a forwarding header or a socket peer: an address literal, optionally in
   * brackets and optionally with a port ({@code 192.0.2.1:4711}, {@code [2001:db8::1]:443}), as
   * some proxies write them. Surrounding whitespace is ignored.
   *
   * @return the address bytes, or null when the element is not such an address
   */
  static byte[] parseHost(String element) {
    String text = element.strip();
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      String rest = text.substring(close + 1);
      if (!rest.isEmpty() && !(rest.startsWith(":") && isPort(rest.substring(1)))) {
        return null;
      }
      String inner = text.substring(1, close);
      return inner.indexOf(':') < 0 ? null : parse(inner);
    }
    int colon = text.indexOf(':');
    if (colon >= 0 && colon == text.lastIndexOf(':')) {
      // Exactly one colon: only "IPv4:port" has that shape (an IPv6 literal has at least two).
      return isPort(text.substring(colon + 1)) ? parseIpv4(text.substring(0, colon)) : null;
    }
    return parse(text);
  }

  /**
   * Formats an address canonically: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, no leading
   * zeros, the longest run of two or more zero groups as {@code ::}).
   */
  static String format(byte[] address) {
    if (address.length == IPV4_BYTES) {
      return (address[0] & 0xff)
          + "."
          + (address[1] & 0xff)
          + "."
          + (address[2] & 0xff)
          + "."
          + (address[3] & 0xff);
    }
    int[] groups = new int[IPV6_GROUPS];
    for (int i = 0; i < IPV6_GROUPS; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < IPV6_GROUPS; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int end = i;
      while (end < IPV6_GROUPS && groups[end] == 0) {
        end++;
      }
      if (end - i > bestLength) {
        bestStart = i;
        bestLength = end - i;
      }
      i = end;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < IPV6_GROUPS; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  /** The address with every bit after the first {@code prefixLength} bits cleared. */
  static byte[] mask(byte[] address, int prefixLength) {
    byte[] masked = Arrays.copyOf(address, address.length);
    for (int bit = prefixLength; bit < masked.length * Byte.SIZE; bit++) {
      masked[bit / Byte.SIZE] &= (byte) ~(0x80 >>> (bit % Byte.SIZE));
    }
    return masked;
  }

  private static boolean isPort(String text) {
    if (text.isEmpty() || text.length() > 5) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (!isDigit(text.charAt(i))) {
        return false;
      }
    }
    return Integer.parseInt(text) <= MAX_PORT;
  }

  private static byte[] parseIpv4(String text) {
    byte[] out = new byte[IPV4_BYTES];
    return parseIpv4Into(text, out) ? out : null;
  }

  /** Strict dotted quad: four decimal octets, no sign, no leading zeros (not octal either). */
  private static boolean parseIpv4Into(String text, byte[] out) {
    int octet = 0;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i < text.length() && text.charAt(i) != '.') {
        continue;
      }
      if (octet == IPV4_BYTES) {
        return false;
      }
      int length = i - start;
      if (length == 0 || length > MAX_OCTET_DIGITS || (length > 1 && text.charAt(start) == '0')) {
        return false;
      }
      int value = 0;
      for (int j = start; j < i; j++) {
        char c = text.charAt(j);
        if (!isDigit(c)) {
          return false;
        }
        value = value * 10 + (c - '0');
      }
      if (value > MAX_OCTET) {
        return false;
      }
      out[octet++] = (byte) value;
      start = i + 1;
    }
    return octet == IPV4_BYTES;
  }

  private static byte[] parseIpv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    int[] groups = new int[IPV6_GROUPS];
    byte[] out = new byte[IPV6_BYTES];
    if (gap < 0) {
      int count = parseGroups(text, groups, true);
      if (count != IPV6_GROUPS) {
        return null;
      }
      writeGroups(groups, 0, count, out, 0);
      return out;
    }
    String head = text.substring(0, gap);
    String tail = text.substring(gap + 2);
    int headCount = head.isEmpty() ? 0 : parseGroups(head, groups, false);
    if (headCount < 0) {
      return null;
    }
    int[] tailGroups = new int[IPV6_GROUPS];
    int tailCount = tail.isEmpty() ? 0 : parseGroups(tail, tailGroups, true);
    // "::" stands for at least one zero group (RFC 4291 §2.2 point 2).
    if (tailCount < 0 || headCount + tailCount > IPV6_GROUPS - 1) {
      return null;
    }
    writeGroups(groups, 0, headCount, out, 0);
    writeGroups(tailGroups, 0, tailCount, out, IPV6_GROUPS - tailCount);
    return out;
  }

  /**
   * Parses colon-separated hex groups; when {@code ipv4TailAllowed}, the last element may be a
   * dotted quad, counted as two groups.
   *
   * @return the number of groups, or -1 when malformed
   */
  private static int parseGroups(String text, int[] groups, boolean ipv4TailAllowed) {
    int count = 0;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i < text.length() && text.charAt(i) != ':') {
        continue;
      }
      String group = text.substring(start, i);
      boolean last = i == text.length();
      if (last && ipv4TailAllowed && group.indexOf('.') >= 0) {
        byte[] quad = new byte[IPV4_BYTES];
        if (count + 2 > IPV6_GROUPS || !parseIpv4Into(group, quad)) {
          return -1;
        }
        groups[count++] = ((quad[0] & 0xff) << 8) | (quad[1] & 0xff);
        groups[count++] = ((quad[2] & 0xff) << 8) | (quad[3] & 0xff);
        return count;
      }
      if (group.isEmpty() || group.length() > MAX_GROUP_HEX_DIGITS || count == IPV6_GROUPS) {
        return -1;
      }
      int value = 0;
      for (int j = 0; j < group.length(); j++) {
        int digit = hexDigit(group.charAt(j));
        if (digit < 0) {
          return -1;
        }
        value = (value << 4) | digit;
      }
      groups[count++] = value;
      start = i + 1;
    }
    return count;
  }

  private static void writeGroups(int[] groups, int from, int count, byte[] out, int toGroup) {
    for (int i = 0; i < count; i++) {
      out[2 * (toGroup + i)] = (byte) (groups[from + i] >>> 8);
      out[2 * (toGroup + i) + 1] = (byte) groups[from + i];
    }
  }

  private static byte[] unmapIpv4(byte[] ipv6) {
    for (int i = 0; i < MAPPED_PREFIX_ZEROS; i++) {
      if (ipv6[i] != 0) {
        return ipv6;
      }
    }
    if (ipv6[10] != (byte) 0xff || ipv6[11] != (byte) 0xff) {
      return ipv6;
    }
    return Arrays.copyOfRange(ipv6, IPV6_BYTES - IPV4_BYTES, IPV6_BYTES);
  }

  /** ASCII only: {@code Character.digit} would also accept other scripts' digits. */
  private static int hexDigit(char c) {
    if (isDigit(c)) {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
