package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends {@code POST /api/avatar/connect} as a browser would, one JDK HTTP/1.1 client for every
 * caller: the JDK opens one connection per concurrent request, so 2,000 callers are 2,000
 * connections to the gateway.
 */
final class ConnectClient implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int HTTP_OK = 200;
  private static final String BODY = "{\"avatarId\":\"cat-character\"}";

  private final HttpClient http;
  private final HttpRequest request;

  /**
   * @param gateway the gateway's base URL
   * @param timeout how long one connect (and opening its connection) may take
   */
  ConnectClient(URI gateway, Duration timeout) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            // Completions run on the client's selector thread instead of hopping to a pool: the
            // load generator then costs less CPU, which on 2 cores the gateway gets
            // (BENCHMARKS.md, simulator section).
            .executor(Runnable::run)
            .build();
    this.request =
        HttpRequest.newBuilder(gateway.resolve("/api/avatar/connect"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
  }

  /** One connect, timed; never throws for an HTTP or I/O failure (it is an outcome). */
  Outcome connect() throws InterruptedException {
    Instant sentAt = Instant.now();
    long start = System.nanoTime();
    try {
      HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
      long nanos = System.nanoTime() - start;
      return Outcome.of(sentAt, nanos, response.statusCode(), response.body());
    } catch (IOException e) {
      long nanos = System.nanoTime() - start;
      return new Outcome(
          sentAt,
          nanos,
          0,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "",
          Optional.empty());
    }
  }

  /**
   * The clients leave: every connection to the gateway is closed now, without waiting for anything
   * in flight.
   */
  void closeConnections() throws InterruptedException {
    http.shutdownNow();
    http.awaitTermination(Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    http.close();
  }

  /**
   * One connect as the caller saw it.
   *
   * @param sentAt wall-clock time the request was sent (to compare with the simulator's instants)
   * @param latencyNanos from sending the request to having the whole answer
   * @param status the HTTP status; 0 when no answer came
   * @param detail {@code ok}, or the status and error code, or the I/O failure
   * @param code the answer's {@code code} ({@code overloaded}, ...); empty on success, for an
   *     answer without one and when no answer came
   * @param sessionId the upstream session, on success
   */
  record Outcome(
      Instant sentAt,
      long latencyNanos,
      int status,
      String detail,
      String code,
      Optional<String> sessionId) {

    static Outcome of(Instant sentAt, long nanos, int status, String body) {
      JsonNode json;
      try {
        json = JSON.readTree(body);
      } catch (JacksonException e) {
        return new Outcome(sentAt, nanos, status, status + " (not JSON)", "", Optional.empty());
      }
      if (status == HTTP_OK
          && !text(json, "serverUrl").isEmpty()
          && !text(json, "token").isEmpty()
          && !text(json, "roomName").isEmpty()
          && !text(json, "sessionId").isEmpty()) {
        return new Outcome(sentAt, nanos, status, "ok", "", Optional.of(text(json, "sessionId")));
      }
      // The message too: it tells an unreachable upstream from a failed session, for instance.
      return new Outcome(
          sentAt,
          nanos,
          status,
          status + " " + text(json, "code") + " (" + text(json, "error") + ")",
          text(json, "code"),
          Optional.empty());
    }

    private static String text(JsonNode json, String field) {
      JsonNode value = json.path(field);
      return value.isString() ? value.asString() : "";
    }

    /** Whether the caller got complete credentials. */
    boolean ok() {
      return sessionId.isPresent();
    }

    /**
     * The status and code, e.g. {@code 200}, {@code 503 overloaded}, or {@code no answer
     * (HttpTimeoutException)}: what the overload benchmark counts by.
     */
    String statusAndCode() {
      if (status == 0) {
        int colon = detail.indexOf(':');
        return "no answer (" + (colon < 0 ? detail : detail.substring(0, colon)) + ")";
      }
      if (ok()) {
        return Integer.toString(status);
      }
      return code.isEmpty() ? status + " (no code)" : status + " " + code;
    }

    /** When the whole answer had arrived, on the wall clock. */
    Instant answeredAt() {
      return sentAt.plusNanos(latencyNanos);
    }
  }
}
