package dev.avatargateway.gateway.core.internal.limits;

import java.util.Arrays;

/** One trusted-proxy entry: a single address or a CIDR block, IPv4 or IPv6. Immutable. */
public final class AddressRange {
  private final byte[] network;
  private final int prefixLength;

  private AddressRange(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare address (a /32 or /128).
   *
   * @throws IllegalArgumentException naming what is wrong, as a sentence fragment for a {@code
   *     ConfigException}
   */
  public static AddressRange parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("must be an IP address or a CIDR block, was empty");
    }
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    byte[] address = IpAddresses.parse(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException(
          "must be an IP address or a CIDR block such as 10.0.0.0/8 or 2001:db8::/32, was '"
              + trimmed
              + "'");
    }
    int maxPrefix = address.length * Byte.SIZE;
    if (slash < 0) {
      return new AddressRange(address, maxPrefix);
    }
    int prefix = parsePrefix(trimmed.substring(slash + 1));
    if (prefix < 1 || prefix > maxPrefix) {
      throw new IllegalArgumentException(
          "must have a prefix length of 1 to "
              + maxPrefix
              + " (/0 would trust every peer, so any client could choose its address), was '"
              + trimmed
              + "'");
    }
    byte[] network = IpAddresses.mask(address, prefix);
    if (!Arrays.equals(network, address)) {
      // Likely a typo (10.0.0.1/8 for 10.0.0.1/32) that would trust far more than intended.
      throw new IllegalArgumentException(
          "must have no bits set after the prefix: write "
              + IpAddresses.format(network)
              + "/"
              + prefix
              + " for the block or "
              + IpAddresses.format(address)
              + " for the one address, was '"
              + trimmed
              + "'");
    }
    return new AddressRange(network, prefix);
  }

  /** Whether the address (4 or 16 bytes) lies in this range; IPv4 never matches IPv6. */
  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int fullBytes = prefixLength / Byte.SIZE;
    for (int i = 0; i < fullBytes; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int remainingBits = prefixLength % Byte.SIZE;
    if (remainingBits == 0) {
      return true;
    }
    int mask = (0xff << (Byte.SIZE - remainingBits)) & 0xff;
    return (address[fullBytes] & mask) == (network[fullBytes] & 0xff);
  }

  private static int parsePrefix(String text) {
    if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(text);
  }

  @Override
  public String toString() {
    return IpAddresses.format(network) + "/" + prefixLength;
  }
}
