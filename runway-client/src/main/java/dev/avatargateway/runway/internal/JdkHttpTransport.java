package dev.avatargateway.runway.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/** Sends requests with the JDK's {@link HttpClient}: one attempt, no retries. */
public final class JdkHttpTransport implements HttpTransport {
  private final HttpClient client;

  /**
   * @param client shared by every copy of the Runway client; thread-safe
   */
  public JdkHttpTransport(HttpClient client) {
    this.client = client;
  }

  @Override
  public HttpResult send(OutgoingRequest request) throws TransportException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(request.uri())
            .timeout(request.timeout())
            .method(
                request.method(),
                request
                    .body()
                    .map(HttpRequest.BodyPublishers::ofByteArray)
                    .orElseGet(HttpRequest.BodyPublishers::noBody));
    if ("http".equalsIgnoreCase(request.uri().getScheme())) {
      // Over plain HTTP the JDK would try an h2c upgrade, adding Connection/Upgrade headers that
      // no Runway client sends; HTTPS negotiates HTTP/2 through ALPN instead.
      builder.version(HttpClient.Version.HTTP_1_1);
    }
    request.headers().forEach(h -> builder.header(h.name(), h.value()));
    try {
      HttpResponse<byte[]> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new HttpResult(
          response.statusCode(),
          response.headers(),
          new String(response.body(), StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw new TransportException(
          TransportException.Kind.CONNECT_TIMEOUT, "Connection timed out", e);
    } catch (HttpTimeoutException e) {
      throw new TransportException(TransportException.Kind.TIMEOUT, "Request timed out", e);
    } catch (ConnectException e) {
      if (e.getCause() instanceof HttpConnectTimeoutException) {
        throw new TransportException(
            TransportException.Kind.CONNECT_TIMEOUT, "Connection timed out", e);
      }
      throw new TransportException(
          TransportException.Kind.CONNECT_REFUSED, "Connection refused", e);
    } catch (IOException e) {
      throw new TransportException(TransportException.Kind.IO, "Connection error", e);
    }
  }
}
