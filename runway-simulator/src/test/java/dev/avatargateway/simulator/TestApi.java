package dev.avatargateway.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A thin JDK HttpClient wrapper that talks to a simulator the way the official SDK does. */
final class TestApi {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String VERSION = "2024-11-06";
  static final String PRESET_BODY =
      "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"runway-preset\",\"presetId\":\"influencer\"}}";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final URI base;

  TestApi(URI base) {
    this.base = base;
  }

  TestApi(RunwaySimulator simulator) {
    this(simulator.baseUrl());
  }

  /** A request with the official SDK's auth and version headers. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
        .header("X-Runway-Version", VERSION)
        .header("Accept", "application/json");
  }

  /** A request without any default headers. */
  HttpRequest.Builder bare(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
  }

  Response get(String path) {
    return send(request(path).GET());
  }

  Response delete(String path) {
    return send(request(path).DELETE());
  }

  Response post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json)));
  }

  Response createRaw(String json) {
    return post("/v1/realtime_sessions", json);
  }

  String create() {
    Response r = createRaw(PRESET_BODY);
    if (r.status() != 200) {
      throw new AssertionError("create failed: " + r);
    }
    return r.json().get("id").stringValue();
  }

  Response retrieve(String id) {
    return get("/v1/realtime_sessions/" + id);
  }

  Response consume(String id, String sessionKey) {
    return send(
        bare("/v1/realtime_sessions/" + id + "/consume")
            .header("Authorization", "Bearer " + sessionKey)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.noBody()));
  }

  Response send(HttpRequest.Builder request) {
    return send(request.build());
  }

  Response send(HttpRequest request) {
    try {
      var r = CLIENT.send(request, BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpClient client() {
    return CLIENT;
  }

  /** A received response. */
  record Response(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    String error() {
      return json().get("error").stringValue();
    }
  }
}
