package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Retries a {@link HttpTransport} by the official SDK's rules (official-sdk-behaviour.md §1.4;
 * runway-api.md §5), with three differences that keep callers safe:
 *
 * <ul>
 *   <li>a request that could do paid work twice ({@link
 *       OutgoingRequest.RetrySafety#NOT_IDEMPOTENT}, i.e. create) is retried only when the upstream
 *       provably did nothing: the connection was never made, or it answered 429. The official SDK
 *       also retries a create after a 5xx or a time-out, which can leave a second paid session
 *       running that nobody knows about;
 *   <li>a server-asked delay longer than {@code maxRetryAfter} is not waited for: the response
 *       surfaces at once (the Node SDK sleeps through a 61 s {@code Retry-After});
 *   <li>no wait runs past the request's deadline, and every wait ends when the thread is
 *       interrupted.
 * </ul>
 */
public final class RetryingTransport implements HttpTransport {
  /** The first default back-off (official SDK: 0.5 s). */
  static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);

  /** The longest default back-off (official SDK: 8 s). */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

  /** Up to this fraction is taken off each default back-off, so that clients spread out (SDK). */
  static final double MAX_JITTER = 0.25;

  private static final int FIRST_SERVER_ERROR = 500;
  private static final int REQUEST_TIMEOUT = 408;
  private static final int CONFLICT = 409;
  private static final int TOO_MANY_REQUESTS = 429;

  private final HttpTransport delegate;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration maxRetryAfter;
  private final DoubleSupplier random;

  /**
   * @param delegate sends each attempt
   * @param clock tells the time for deadlines and HTTP-date delays
   * @param sleeper waits between attempts
   * @param maxRetryAfter the longest server-asked delay that is waited for
   * @param random uniform numbers in [0, 1) for jitter
   */
  public RetryingTransport(
      HttpTransport delegate,
      Clock clock,
      Sleeper sleeper,
      Duration maxRetryAfter,
      DoubleSupplier random) {
    this.delegate = delegate;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxRetryAfter = maxRetryAfter;
    this.random = random;
  }

  @Override
  public HttpResult send(OutgoingRequest request) throws TransportException, InterruptedException {
    for (int retry = 0; ; retry++) {
      OutgoingRequest attempt = request.withTimeout(attemptTimeout(request)).withRetry(retry);
      HttpResult response = null;
      TransportException failure = null;
      try {
        response = delegate.send(attempt);
      } catch (TransportException e) {
        failure = e;
      }
      Optional<Duration> delay =
          retry >= request.maxRetries()
              ? Optional.empty()
              : response != null
                  ? delayAfter(request, response, retry)
                  : delayAfter(request, failure, retry);
      if (delay.isEmpty() || !fitsBeforeDeadline(request, delay.get())) {
        if (response != null) {
          return response;
        }
        throw failure;
      }
      sleeper.sleep(delay.get());
    }
  }

  private Duration attemptTimeout(OutgoingRequest request) throws TransportException {
    if (request.deadline().isEmpty()) {
      return request.timeout();
    }
    Duration remaining = Duration.between(clock.instant(), request.deadline().get());
    if (remaining.isNegative() || remaining.isZero()) {
      throw new TransportException(
          TransportException.Kind.DEADLINE,
          "The deadline passed before the request was sent",
          null);
    }
    return remaining.compareTo(request.timeout()) < 0 ? remaining : request.timeout();
  }

  private boolean fitsBeforeDeadline(OutgoingRequest request, Duration delay) {
    if (request.deadline().isEmpty()) {
      return true;
    }
    Instant wakeUp = clock.instant().plus(delay);
    return wakeUp.isBefore(request.deadline().get());
  }

  private Optional<Duration> delayAfter(
      OutgoingRequest request, TransportException failure, int retry) {
    boolean safe =
        request.retrySafety() == OutgoingRequest.RetrySafety.IDEMPOTENT || failure.neverSent();
    return safe && failure.kind() != TransportException.Kind.DEADLINE
        ? Optional.of(backoff(retry))
        : Optional.empty();
  }

  private Optional<Duration> delayAfter(OutgoingRequest request, HttpResult response, int retry) {
    if (!shouldRetry(request, response)) {
      return Optional.empty();
    }
    Optional<Duration> asked = RetryDelays.serverAsked(response, clock);
    if (asked.isPresent()) {
      return asked.get().compareTo(maxRetryAfter) > 0 ? Optional.empty() : asked;
    }
    return Optional.of(backoff(retry));
  }

  private static boolean shouldRetry(OutgoingRequest request, HttpResult response) {
    if (response.isSuccess()) {
      return false;
    }
    Optional<String> told = response.header("x-should-retry");
    if (told.isPresent() && told.get().equalsIgnoreCase("false")) {
      return false;
    }
    int status = response.status();
    if (request.retrySafety() == OutgoingRequest.RetrySafety.NOT_IDEMPOTENT) {
      // A 429 is a refusal: the upstream did not create anything. Every other status, even one the
      // upstream marks x-should-retry: true, leaves open whether a session was created.
      return status == TOO_MANY_REQUESTS;
    }
    if (told.isPresent() && told.get().equalsIgnoreCase("true")) {
      return true;
    }
    return status == REQUEST_TIMEOUT
        || status == CONFLICT
        || status == TOO_MANY_REQUESTS
        || status >= FIRST_SERVER_ERROR;
  }

  /** {@code min(0.5 s * 2^retry, 8 s)}, less up to 25% jitter. */
  Duration backoff(int retry) {
    double millis =
        Math.min(INITIAL_BACKOFF.toMillis() * Math.pow(2, retry), (double) MAX_BACKOFF.toMillis());
    double jittered = millis * (1 - random.getAsDouble() * MAX_JITTER);
    return Duration.ofMillis(Math.round(jittered));
  }
}
