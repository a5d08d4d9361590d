package dev.avatargateway.gateway.core.internal.limits;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the client's IP address. {@code X-Forwarded-For} is believed only as far as it was written
 * by trusted proxies: each proxy appends the address of whoever connected to it, so the header is
 * read from the right, past the trusted proxies, and the first address that is not one of them is
 * the client. Everything left of it was written by the client or its proxies and could be forged.
 * Without trusted proxies the header is ignored. No input causes a DNS lookup. Thread-safe.
 */
public final class ClientAddressResolver {
  private final List<AddressRange> trustedProxies;

  /**
   * @param trustedProxies addresses and CIDR blocks of the reverse proxies in front of the gateway
   *     ({@link RateLimitConfig#trustedProxies()}); empty to ignore {@code X-Forwarded-For}
   * @throws IllegalArgumentException when an entry is neither an address nor a CIDR block ({@link
   *     RateLimitConfig#validate()} reports it with its setting first)
   */
  public ClientAddressResolver(List<String> trustedProxies) {
    List<AddressRange> ranges = new ArrayList<>(trustedProxies.size());
    for (String entry : trustedProxies) {
      ranges.add(AddressRange.parse(entry));
    }
    this.trustedProxies = List.copyOf(ranges);
  }

  /**
   * The client's address, in canonical form (dotted quad, or RFC 5952 IPv6 such as {@code
   * 2001:db8::1}).
   *
   * <p>When the peer is a trusted proxy, {@code X-Forwarded-For} is walked from the right: trusted
   * addresses are skipped and the first untrusted one is the answer. If every address is trusted,
   * the leftmost is the answer (the request came from inside). If an element is not an address
   * (garbage, {@code unknown}, a host name), the walk stops at the last address known good: the
   * trusted proxy that handed over the garbage, never something the client wrote.
   *
   * @param peerAddress the TCP peer's address as the server reports it (brackets and a port are
   *     tolerated); returned unchanged if it is not an IP address (e.g. a Unix socket)
   * @param forwardedFor every {@code X-Forwarded-For} header value, in the order received (several
   *     header lines form one list, RFC 9110 §5.3); empty when absent
   */
  public String resolve(String peerAddress, List<String> forwardedFor) {
    byte[] peer = IpAddresses.parseHost(peerAddress);
    if (peer == null) {
      return peerAddress;
    }
    byte[] current = peer;
    for (int value = forwardedFor.size() - 1; value >= 0 && isTrusted(current); value--) {
      String header = forwardedFor.get(value);
      int end = header.length();
      while (end >= 0 && isTrusted(current)) {
        int comma = header.lastIndexOf(',', end - 1);
        String element = header.substring(comma + 1, end);
        end = comma;
        if (element.isBlank()) {
          continue; // empty list elements are allowed and carry nothing (RFC 9110 §5.6.1)
        }
        byte[] hop = IpAddresses.parseHost(element);
        if (hop == null) {
          return IpAddresses.format(current);
        }
        current = hop;
      }
    }
    return IpAddresses.format(current);
  }

  private boolean isTrusted(byte[] address) {
    for (AddressRange range : trustedProxies) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
