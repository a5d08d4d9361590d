package dev.avatargateway.runway.internal;

/** Sends one request and returns the response, whatever its status. */
@FunctionalInterface
public interface HttpTransport {
  /**
   * Sends one attempt of {@code request}.
   *
   * @throws TransportException when no response was received
   * @throws InterruptedException when the calling thread was interrupted while waiting
   */
  HttpResult send(OutgoingRequest request) throws TransportException, InterruptedException;
}
