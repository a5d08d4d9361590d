package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The starter's endpoints over real HTTP, against the in-process simulator: both response modes, an
 * error's stable code and body, the avatars, a Spring Security principal in the ledger's budgets,
 * and the gateway's meters in the application's registry.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-connect;DB_CLOSE_DELAY=-1",
      "avatar-gateway.budgets.per-principal.minutes-per-day=600",
      "avatar-gateway.avatars.default-avatar=cat-character",
      "management.endpoints.web.exposure.include=health",
      "management.endpoint.health.show-details=always"
    })
@AutoConfigureRunwaySimulator
class ConnectOverHttpTest {
  /** A start reaches READY in about 1.5 s on the simulator; far beyond, short of hanging. */
  private static final Duration UNTIL_SETTLED = Duration.ofSeconds(20);

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;
  @Autowired GatewayCore core;
  @Autowired MeterRegistry registry;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void credentialsModeAnswersTheRoomAndConsumesTheSession() throws Exception {
    HttpResponse<String> response = http.post(AvatarPaths.CREDENTIALS, null, "");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, Object> body = Http.json(response);
    assertThat(body).containsKeys("sessionId", "serverUrl", "token", "roomName");
    assertThat(body).doesNotContainKey("sessionKey");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    String sessionId = (String) body.get("sessionId");
    assertThat(simulator.admin().session(sessionId)).isPresent();
  }

  @Test
  void sessionKeyModeAnswersTheKeyForTheBrowser() throws Exception {
    HttpResponse<String> response =
        http.post(
            AvatarPaths.SESSION_KEY,
            "application/json",
            "{\"avatarId\":\"cat-character\"}",
            "X-Request-Id",
            "req-42");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, Object> body = Http.json(response);
    assertThat(body).containsKeys("sessionId", "sessionKey");
    assertThat(body).doesNotContainKeys("token", "serverUrl");
    assertThat(response.headers().firstValue("X-Request-Id")).contains("req-42");
  }

  @Test
  void aFormPostIsRefusedWithTheGatewaysCodeAndBody() throws Exception {
    HttpResponse<String> response =
        http.post(
            AvatarPaths.CONNECT,
            "application/x-www-form-urlencoded",
            "avatarId=x",
            "X-Request-Id",
            "req-form");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(Http.json(response))
        .containsEntry("code", "unsupported_media_type")
        .containsEntry("requestId", "req-form")
        .containsKey("error");
  }

  @Test
  void anUnknownAvatarIsRefusedBeforeAnySessionIsCreated() throws Exception {
    int before = simulator.admin().sessions().size();

    HttpResponse<String> response =
        http.post(AvatarPaths.CONNECT, "application/json", "{\"avatarId\":\"no-such-avatar\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Http.json(response).get("code")).isNotNull().isNotEqualTo("internal_error");
    assertThat(simulator.admin().sessions()).hasSize(before);
  }

  @Test
  void presetsListTheAllowedAvatars() throws Exception {
    HttpResponse<String> response = http.get(AvatarPaths.PRESETS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Http.json(response).get("avatars"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .isNotEmpty();
  }

  @Test
  void theSpringSecurityUserIsThePrincipalInTheLedgersBudgets() throws Exception {
    long before = core.usage(TestApplication.USER).sessions();

    HttpResponse<String> response =
        http.post(
            AvatarPaths.CREDENTIALS,
            null,
            "",
            "Authorization",
            Http.basic(TestApplication.USER, TestApplication.PASSWORD));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(core.usage(TestApplication.USER).sessions()).isEqualTo(before + 1);
  }

  @Test
  void theGatewaysMetersAreInTheApplicationsRegistry() throws Exception {
    assertThat(http.post(AvatarPaths.CREDENTIALS, null, "").statusCode()).isEqualTo(200);

    assertThat(registry.find("avatar.gateway.connects").meters()).isNotEmpty();
    assertThat(registry.find("avatar.gateway.connects.in.flight").gauge()).isNotNull();
  }

  @Test
  void actuatorHealthShowsTheGatewayUp() throws Exception {
    HttpResponse<String> response = http.get("/actuator/health");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    Map<String, Object> components = (Map<String, Object>) Http.json(response).get("components");
    @SuppressWarnings("unchecked")
    Map<String, Object> gateway = (Map<String, Object>) components.get("avatarGateway");
    assertThat(gateway).containsEntry("status", "UP");
  }

  @Test
  void anAsynchronousStartIsAcceptedListedAndEndedByItsOwner() throws Exception {
    String[] alice = Http.auth(TestApplication.USER, TestApplication.PASSWORD);

    HttpResponse<String> accepted = http.post(AvatarPaths.SESSIONS, null, "", alice);

    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String id = (String) Http.json(accepted).get("id");
    assertThat(accepted.headers().firstValue("Location")).contains(AvatarPaths.SESSIONS + "/" + id);
    await()
        .atMost(UNTIL_SETTLED)
        .untilAsserted(
            () ->
                assertThat(Http.json(http.get(AvatarPaths.SESSIONS + "/" + id, alice)))
                    .containsEntry("principal", TestApplication.USER)
                    .doesNotContainEntry("handedOverAt", null));
    assertThat(Http.json(http.get(AvatarPaths.SESSIONS, alice)).get("sessions").toString())
        .contains(id);
    assertThat(http.get(AvatarPaths.SESSIONS + "/" + id).statusCode())
        .as("someone else's (anonymous) view")
        .isEqualTo(404);

    HttpResponse<String> ended = http.delete(AvatarPaths.SESSIONS + "/" + id, alice);

    assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
    assertThat(Http.json(ended)).containsEntry("outcome", "end_requested");
  }

  @Test
  void anAsynchronousStartsEventsEndWithItsCredentials() throws Exception {
    String[] alice = Http.auth(TestApplication.USER, TestApplication.PASSWORD);
    HttpResponse<String> accepted = http.post(AvatarPaths.SESSIONS, null, "", alice);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

    HttpResponse<Stream<String>> events =
        http.lines((String) Http.json(accepted).get("events"), alice);

    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(events.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    try (Stream<String> lines = events.body()) {
      List<String> names =
          lines
              .filter(line -> line.startsWith("event: "))
              .map(line -> line.substring("event: ".length()))
              .takeWhile(name -> !name.equals("credentials"))
              .toList();
      assertThat(names).contains("created", "ready");
    }
  }
}
