package dev.avatargateway.gateway.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The targets and whether a run met them. A missed target is a finding, not an error: the
 * benchmarks print {@code PASS} or {@code FAIL} for each and still exit 0.
 */
final class Targets {
  private final List<String> lines = new ArrayList<>();
  private int met;
  private int missed;

  /**
   * Records and prints one target.
   *
   * @param target the target as the issue states it, e.g. {@code READY noticed p50 <= 50 ms}
   * @param ok whether the run met it
   * @param measured what the run measured, e.g. {@code 512.0 ms}
   */
  void check(String target, boolean ok, String measured) {
    String line = (ok ? "PASS  " : "FAIL  ") + target + ": " + measured;
    if (ok) {
      met++;
    } else {
      missed++;
    }
    lines.add(line);
    Bench.printf("%s%n", line);
  }

  /** Prints every target again, then the count, at the end of the output. */
  void summary() {
    Bench.printf("%n== Targets ==%n");
    lines.forEach(line -> Bench.printf("%s%n", line));
    Bench.printf(
        "targets met: %d of %d (a missed target is reported, not an error: exit code 0)%n",
        met, met + missed);
  }
}
