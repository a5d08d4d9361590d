package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.RequestObserver;
import java.time.Duration;

/**
 * Reports every attempt that passes through it to a {@link RequestObserver}. It sits inside the
 * connection limit, so that an attempt's duration is the exchange alone and its wait for a
 * connection is reported apart.
 */
public final class ObservingTransport implements HttpTransport {
  private final HttpTransport delegate;
  private final RequestObserver observer;

  /**
   * @param delegate sends the attempt
   * @param observer told about each attempt
   */
  public ObservingTransport(HttpTransport delegate, RequestObserver observer) {
    this.delegate = delegate;
    this.observer = observer;
  }

  @Override
  public HttpResult send(OutgoingRequest request) throws TransportException, InterruptedException {
    long start = System.nanoTime();
    int status = 0;
    try {
      HttpResult result = delegate.send(request);
      status = result.status();
      return result;
    } finally {
      observer.onAttempt(
          new RequestObserver.Attempt(
              request.operation(),
              status,
              Duration.ofNanos(System.nanoTime() - start),
              request.retry(),
              request.connectionWait()));
    }
  }
}
