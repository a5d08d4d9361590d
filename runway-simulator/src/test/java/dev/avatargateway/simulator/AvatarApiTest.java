package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/avatars} and {@code GET /v1/avatars/{id}} (runway-api.md §3.1–3.4). */
class AvatarApiTest {
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  @Test
  void retrieveServesEveryRequiredMember() {
    String id = admin.createAvatar("Ada", AvatarStatus.READY);

    JsonNode a = api.get("/v1/avatars/" + id).json();

    assertThat(a.propertyNames())
        .containsExactlyInAnyOrder(
            "id",
            "name",
            "personality",
            "startScript",
            "voice",
            "referenceImageUri",
            "processedImageUri",
            "documentIds",
            "createdAt",
            "updatedAt",
            "status");
    assertThat(a.get("id").stringValue()).isEqualTo(id);
    assertThat(a.get("name").stringValue()).isEqualTo("Ada");
    assertThat(a.get("status").stringValue()).isEqualTo("READY");
    assertThat(a.get("startScript").isNull()).isTrue();
    assertThat(a.get("voice").get("type").stringValue()).isEqualTo("runway-live-preset");
    assertThat(a.get("documentIds").isArray()).isTrue();
    assertThat(a.get("createdAt").stringValue()).isEqualTo("2026-11-23T12:00:00.000Z");
  }

  @Test
  void failedAvatarsCarryAFailureReasonAndProcessingOnesNoProcessedImage() {
    JsonNode failed =
        api.get("/v1/avatars/" + admin.createAvatar("Cy", AvatarStatus.FAILED)).json();
    JsonNode processing =
        api.get("/v1/avatars/" + admin.createAvatar("Bo", AvatarStatus.PROCESSING)).json();

    assertThat(failed.get("status").stringValue()).isEqualTo("FAILED");
    assertThat(failed.get("failureReason").stringValue()).isNotBlank();
    assertThat(processing.get("status").stringValue()).isEqualTo("PROCESSING");
    assertThat(processing.has("failureReason")).isFalse();
    assertThat(processing.get("processedImageUri").isNull()).isTrue();
  }

  @Test
  void unknownAvatarIs404AndAMalformedIdIs400() {
    Response unknown = api.get("/v1/avatars/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).isEqualTo("Could not find Avatar");
    // Presets are not served here (runway-api.md §3.1): the id must be a UUID v4.
    Response preset = api.get("/v1/avatars/influencer");
    assertThat(preset.status()).isEqualTo(400);
    assertThat(preset.json().get("issues").get(0).get("path").get(0).stringValue()).isEqualTo("id");
  }

  @Test
  void listPagesNewestFirstWithAnOpaqueCursor() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(admin.createAvatar("A" + i, AvatarStatus.READY));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          api.get("/v1/avatars?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.get("data").forEach(a -> seen.add(a.get("id").stringValue()));
      assertThat(page.get("hasMore").booleanValue()).isEqualTo(!page.get("nextCursor").isNull());
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").stringValue();
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created.reversed());
  }

  @Test
  void limitDefaultsTo50() {
    for (int i = 0; i < 51; i++) {
      admin.createAvatar("A" + i, AvatarStatus.READY);
    }
    JsonNode page = api.get("/v1/avatars").json();
    assertThat(page.get("data").size()).isEqualTo(50);
    assertThat(page.get("hasMore").booleanValue()).isTrue();
  }

  @Test
  void anEmptyAccountListsNothing() {
    JsonNode page = api.get("/v1/avatars").json();
    assertThat(page.get("data").size()).isZero();
    assertThat(page.get("hasMore").booleanValue()).isFalse();
    assertThat(page.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void limitOutsideOneToHundredIsAQueryIssue() {
    assertIssue(api.get("/v1/avatars?limit=0"), "too_small", "limit");
    assertIssue(api.get("/v1/avatars?limit=101"), "too_big", "limit");
    assertIssue(api.get("/v1/avatars?limit=ten"), "invalid_type", "limit");
    assertThat(api.get("/v1/avatars?limit=100").status()).isEqualTo(200);
    assertThat(api.get("/v1/avatars?limit=1").status()).isEqualTo(200);
  }

  @Test
  void cursorMustBeOneToThousandCharsAndOneWeIssued() {
    assertIssue(api.get("/v1/avatars?cursor="), "too_small", "cursor");
    assertIssue(api.get("/v1/avatars?cursor=" + "c".repeat(1001)), "too_big", "cursor");
    Response forged = api.get("/v1/avatars?cursor=bm90LWEtY3Vyc29y");
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.error()).isEqualTo("Invalid cursor");
  }

  private static void assertIssue(Response r, String code, String param) {
    assertThat(r.status()).isEqualTo(400);
    JsonNode issue = r.json().get("issues").get(0);
    assertThat(issue.get("code").stringValue()).isEqualTo(code);
    assertThat(issue.get("path").get(0).stringValue()).isEqualTo(param);
  }
}
