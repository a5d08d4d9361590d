package dev.avatargateway.simulator.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.SimulatorAdmin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith}: default config, constructor and method injection. */
@ExtendWith(RunwaySimulatorExtension.class)
class DeclarativeRegistrationTest {
  private final URI baseUrl;

  DeclarativeRegistrationTest(URI baseUrl) {
    this.baseUrl = baseUrl;
  }

  @Test
  void servesTheApiWithTheDefaultKey(SimulatorAdmin admin) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(baseUrl.resolve("/v1/avatars"))
            .header("Authorization", "Bearer key_simulator")
            .header("X-Runway-Version", "2024-11-06")
            .build();
    try (HttpClient client = HttpClient.newHttpClient()) {
      assertThat(client.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
    assertThat(admin.requests()).hasSize(1);
  }
}
