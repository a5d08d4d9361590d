package dev.avatargateway.spring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP to the application under test, and its JSON answers as maps. */
final class Http {
  /** Far beyond a connect to the simulator (about 1.5 s to READY), short of hanging a build. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final int port;

  Http(int port) {
    this.port = port;
  }

  HttpResponse<String> post(String path, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    return send(path, "GET", headers);
  }

  /** A response read line by line as it arrives (an event stream). */
  HttpResponse<Stream<String>> lines(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(REQUEST_TIMEOUT)
            .GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines());
  }

  HttpResponse<String> delete(String path, String... headers)
      throws IOException, InterruptedException {
    return send(path, "DELETE", headers);
  }

  /** Any method without a body ({@code OPTIONS} for a preflight). */
  HttpResponse<String> send(String path, String method, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(REQUEST_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, Object> json(HttpResponse<String> response) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.readValue(response.body(), Map.class);
    return map;
  }

  static String[] auth(String user, String password) {
    return new String[] {"Authorization", basic(user, password)};
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
