package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /openapi.json} describes the gateway as it runs: every route the server registered is in
 * it with its method, and every error code the gateway can answer is in the error schema. A route
 * or a code added without its description fails here.
 */
class OpenApiTest {
  private GatewayHarness gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void everyRegisteredRouteIsDescribed() {
    // With a demo page to serve, so that its routes are registered whether or not it was built.
    gateway = GatewayHarness.startServingDemoFrom("demo-fixture", "", java.util.Map.of());

    GatewayHarness.Response answer = gateway.get("/openapi.json");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    JsonNode doc = answer.json();
    assertThat(doc.get("openapi").asString()).startsWith("3.1");
    List<String> routes =
        gateway.app().routes().stream()
            .filter(route -> !route.startsWith("BEFORE") && !route.startsWith("AFTER"))
            .toList();
    assertThat(routes)
        .contains(
            "POST /api/avatar/sessions",
            "GET /openapi.json",
            "POST /api/avatar/credentials",
            "POST /api/avatar/session-key",
            "GET /demo/config.json",
            "GET /");
    List<String> missing = new ArrayList<>();
    for (String route : routes) {
      String[] parts = route.split(" ", 2);
      JsonNode path = doc.path("paths").path(parts[1]);
      if (path.path(parts[0].toLowerCase(Locale.ROOT)).isMissingNode()) {
        missing.add(route);
      }
    }
    assertThat(missing).as("routes missing from openapi.json").isEmpty();
  }

  @Test
  void everyErrorCodeIsInTheErrorSchema() {
    gateway = GatewayHarness.start("");

    JsonNode codes =
        gateway
            .get("/openapi.json")
            .json()
            .path("components")
            .path("schemas")
            .path("Error")
            .path("properties")
            .path("code")
            .path("enum");

    List<String> described = new ArrayList<>();
    codes.forEach(code -> described.add(code.asString()));
    assertThat(described)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList());
  }
}
