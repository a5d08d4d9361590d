package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayConnectionException;
import dev.avatargateway.runway.RunwayInterruptedException;
import dev.avatargateway.runway.RunwayTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sends one API call: builds the headers every Runway request carries (runway-api.md §1,
 * official-sdk-behaviour.md §1.3), runs it through the retrying transport and turns failures into
 * the public exceptions.
 */
public final class ApiClient {
  /** The API version this client speaks (runway-api.md §1: required on every documented call). */
  public static final String RUNWAY_VERSION = "2024-11-06";

  private final URI baseUrl;
  private final Duration timeout;
  private final int maxRetries;
  private final HttpTransport transport;
  private final ErrorMapper errors;
  private final String userAgent;

  /**
   * @param baseUrl the API's base URL, without a trailing slash
   * @param timeout the default per-attempt time-out
   * @param maxRetries the default retry budget
   * @param transport sends requests (with retries)
   * @param redactor cleans upstream text in exceptions
   * @param clock reads HTTP dates
   */
  public ApiClient(
      URI baseUrl,
      Duration timeout,
      int maxRetries,
      HttpTransport transport,
      Redactor redactor,
      Clock clock) {
    this.baseUrl = baseUrl;
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    this.transport = transport;
    this.errors = new ErrorMapper(redactor, clock);
    this.userAgent =
        "avatar-gateway-runway-client/"
            + LibraryVersion.get()
            + " Java/"
            + Runtime.version().feature();
  }

  /**
   * Sends {@code call} and returns the body of its 2xx response.
   *
   * @throws dev.avatargateway.runway.RunwayException subclasses for every failure
   */
  public String execute(Call call, RequestOptions options) {
    List<OutgoingRequest.Header> headers = new ArrayList<>();
    headers.add(new OutgoingRequest.Header("Accept", call.accept()));
    headers.add(new OutgoingRequest.Header("Authorization", "Bearer " + call.bearer()));
    headers.add(new OutgoingRequest.Header("X-Runway-Version", RUNWAY_VERSION));
    headers.add(new OutgoingRequest.Header("User-Agent", userAgent));
    call.jsonBody()
        .ifPresent(
            b -> headers.add(new OutgoingRequest.Header("Content-Type", "application/json")));
    OutgoingRequest request =
        new OutgoingRequest(
            call.method(),
            URI.create(baseUrl + call.path()),
            headers,
            call.jsonBody().map(b -> b.getBytes(StandardCharsets.UTF_8)),
            options.timeout().orElse(timeout),
            options.deadline(),
            options.maxRetries().orElse(maxRetries),
            call.retrySafety(),
            call.operation(),
            0,
            Duration.ZERO);
    HttpResult response;
    try {
      response = transport.send(request);
    } catch (TransportException e) {
      String what = e.getMessage() + " (" + call.method() + " " + call.path() + ")";
      throw e.isTimeout()
          ? new RunwayTimeoutException(what, e)
          : new RunwayConnectionException(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunwayInterruptedException(
          "Interrupted during " + call.method() + " " + call.path(), e);
    }
    if (!response.isSuccess()) {
      throw errors.toException(response);
    }
    return response.body();
  }

  /**
   * One API call.
   *
   * @param method the HTTP method
   * @param path the path below the base URL, starting with {@code /v1/}
   * @param jsonBody the JSON body, if any (sent with {@code Content-Type: application/json})
   * @param bearer the API key, or the session key for consume
   * @param accept the {@code Accept} header ({@code *}{@code /*} on DELETE, as the SDK sends)
   * @param retrySafety whether repeating the call could do paid work twice
   * @param operation the call's name for observers, e.g. {@code realtime_sessions.create}
   */
  public record Call(
      String method,
      String path,
      Optional<String> jsonBody,
      String bearer,
      String accept,
      OutgoingRequest.RetrySafety retrySafety,
      String operation) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }
}
