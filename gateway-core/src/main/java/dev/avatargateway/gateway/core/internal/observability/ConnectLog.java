package dev.avatargateway.gateway.core.internal.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The connect flow's own log lines (issue 3, section 3.4): one INFO summary per connect, and the
 * ERROR that tells the operator the upstream refused our secret. Thread-safe; one instance per
 * process.
 */
public final class ConnectLog {
  /** The summary line's message; its data are JSON fields (see {@link LogFields}). */
  public static final String SUMMARY_MESSAGE = "connect finished";

  /**
   * While the secret stays wrong every connect fails the same way: one ERROR line per this interval
   * says so without drowning the log (each connect's summary still carries its code).
   */
  public static final Duration MISCONFIGURED_REPEAT_INTERVAL = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(ConnectLog.class);

  private final Clock clock;
  private final AtomicReference<Instant> misconfiguredLoggedAt = new AtomicReference<>();

  /** With the system clock. */
  public ConnectLog() {
    this(Clock.systemUTC());
  }

  /**
   * @param clock decides when {@link #misconfigured(String)} may log again
   */
  public ConnectLog(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Logs the summary line: message {@value #SUMMARY_MESSAGE} with the fields {@code requestId} (as
   * the MDC entry, exactly once), {@code principal}, {@code avatarId}, {@code avatarType}, {@code
   * upstreamSessionId}, {@code outcome}, {@code code}, {@code failureCode}, {@code timeToReadyMs},
   * {@code totalMs}, {@code upstreamRequests} and {@code queued}; fields that are null in the
   * summary are left out.
   */
  public void log(ConnectSummary summary) {
    List<Object> fields = new ArrayList<>();
    optional(fields, LogFields.PRINCIPAL, summary.principal());
    optional(fields, LogFields.AVATAR_ID, summary.avatarId());
    optional(fields, LogFields.AVATAR_TYPE, summary.avatarType());
    optional(fields, LogFields.UPSTREAM_SESSION_ID, summary.upstreamSessionId());
    fields.add(kv(LogFields.OUTCOME, summary.outcome()));
    fields.add(kv(LogFields.CODE, summary.code()));
    optional(fields, LogFields.FAILURE_CODE, summary.failureCode());
    if (summary.timeToReady() != null) {
      fields.add(kv(LogFields.TIME_TO_READY_MS, summary.timeToReady().toMillis()));
    }
    fields.add(kv(LogFields.TOTAL_MS, summary.total().toMillis()));
    fields.add(kv(LogFields.UPSTREAM_REQUESTS, summary.upstreamRequests()));
    fields.add(kv(LogFields.QUEUED, summary.queued()));

    // The request id goes in through the MDC only: the HTTP layer has usually put it there
    // already, and a structured argument of the same name would write the member twice.
    String previous = MDC.get(LogFields.REQUEST_ID);
    MDC.put(LogFields.REQUEST_ID, summary.requestId());
    try {
      LOG.info(SUMMARY_MESSAGE, fields.toArray());
    } finally {
      if (previous == null) {
        MDC.remove(LogFields.REQUEST_ID);
      } else {
        MDC.put(LogFields.REQUEST_ID, previous);
      }
    }
  }

  /**
   * Logs, at ERROR, that the upstream refused the gateway's Runway secret (answered 401 or 403), so
   * every connect fails with {@code gateway_misconfigured} until the operator fixes it: the first
   * time, then at most once per {@link #MISCONFIGURED_REPEAT_INTERVAL}.
   *
   * @param whatToFix a plain sentence for the operator, e.g. "Set RUNWAYML_API_SECRET to a valid
   *     Runway API key (the upstream answered 401)."; masked like every log line, but should not
   *     quote the secret anyway
   * @return whether this call logged the line (false while suppressed)
   */
  public boolean misconfigured(String whatToFix) {
    Instant now = clock.instant();
    Instant last = misconfiguredLoggedAt.get();
    if (last != null && now.isBefore(last.plus(MISCONFIGURED_REPEAT_INTERVAL))) {
      return false;
    }
    if (!misconfiguredLoggedAt.compareAndSet(last, now)) {
      return false; // another thread logged it just now
    }
    LOG.error(
        "The upstream refused the gateway's Runway API secret; every connect fails until it is"
            + " fixed. {}",
        whatToFix,
        kv(LogFields.CODE, ErrorCode.GATEWAY_MISCONFIGURED.code()));
    return true;
  }

  private static void optional(List<Object> fields, String name, Object value) {
    if (value != null) {
      fields.add(kv(name, value));
    }
  }
}
