package dev.avatargateway.simulator.internal.server;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random UUID v4 request ids from a non-cryptographic generator: they only correlate log lines, and
 * {@link UUID#randomUUID()}'s SecureRandom showed up in the status-route profile.
 */
final class RequestIds {
  private static final long VERSION_MASK = 0xFFFF_FFFF_FFFF_0FFFL;
  private static final long VERSION_4 = 0x0000_0000_0000_4000L;
  private static final long VARIANT_MASK = 0x3FFF_FFFF_FFFF_FFFFL;
  private static final long VARIANT_IETF = 0x8000_0000_0000_0000L;

  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long high = (r.nextLong() & VERSION_MASK) | VERSION_4;
    long low = (r.nextLong() & VARIANT_MASK) | VARIANT_IETF;
    return new UUID(high, low).toString();
  }
}
