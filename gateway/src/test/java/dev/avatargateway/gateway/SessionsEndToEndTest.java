package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SessionRecord;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The asynchronous start and the session endpoints over real HTTP, against a real gateway and its
 * embedded simulator: the event stream's order, single delivery of the credentials, a client that
 * leaves (or never comes), ownership, ending, paging and the heartbeat.
 */
class SessionsEndToEndTest {
  private static final String SESSIONS = "/api/avatar/sessions";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  private static final String ALICE_KEY = "alice-key-0123456789";
  private static final String BOB_KEY = "bob-key-0123456789ab";
  private static final String ADMIN_KEY = "admin-key-0123456789";

  /** Two callers and an admin, each with a key of its own. */
  private static final String KEYS =
      "auth:\n  mode: api-key\n  apiKeys:\n"
          + "    - {name: alice, key: "
          + ALICE_KEY
          + "}\n"
          + "    - {name: bob, key: "
          + BOB_KEY
          + "}\n"
          + "  admin:\n    apiKeys:\n      - {name: ops, key: "
          + ADMIN_KEY
          + "}\n";

  private GatewayHarness gateway;

  private GatewayHarness start(String yaml) {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST + yaml);
    return gateway;
  }

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private GatewayHarness.Response startSession(String... headers) {
    return gateway.postJson(SESSIONS, CAT, headers);
  }

  private String startedId(String... headers) {
    GatewayHarness.Response started = startSession(headers);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return started.json().get("id").asString();
  }

  private SessionRecord upstream(String upstreamId) {
    return gateway.upstream().session(upstreamId).orElseThrow();
  }

  private static String[] bearer(String key) {
    return new String[] {"Authorization", "Bearer " + key};
  }

  private GatewayHarness.Response send(String method, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return gateway.send(request.build());
  }

  @Test
  void aStartAnswers202AndItsStreamTellsCreatedReadyThenTheCredentials() {
    start("");

    GatewayHarness.Response started = startSession();

    assertThat(started.status()).isEqualTo(202);
    String id = started.json().get("id").asString();
    assertThat(started.json().propertyNames()).containsExactly("id", "events");
    assertThat(started.json().get("events").asString()).isEqualTo(SESSIONS + "/" + id + "/events");
    assertThat(started.header("Location")).isEqualTo(SESSIONS + "/" + id);
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
      List<EventStream.Event> events = stream.rest();

      assertThat(events)
          .extracting(EventStream.Event::name)
          .containsExactly("created", "ready", "credentials");
      String upstreamId = events.get(0).data().get("sessionId").asString();
      JsonNode credentials = events.get(2).data();
      assertThat(credentials.propertyNames())
          .containsExactly("sessionId", "serverUrl", "token", "roomName");
      assertThat(credentials.get("sessionId").asString()).isEqualTo(upstreamId);
      assertThat(events).extracting(EventStream.Event::id).containsExactly("1", "2", "3");
      assertThat(stream.ended()).isTrue();
      assertThat(upstream(upstreamId).status()).isEqualTo("RUNNING");
    }
    // The ledger's row is the session's: its id is the start's.
    JsonNode session = gateway.get(SESSIONS + "/" + id).json();
    assertThat(session.get("id").asString()).isEqualTo(id);
    assertThat(session.get("state").asString()).isEqualTo("consumed");
    assertThat(session.get("handedOverAt").isNull()).isFalse();
  }

  @Test
  void theCredentialsAreSentOnceAndLaterReadersGetTheStateOnly() {
    start("");
    String id = startedId();
    String events = SESSIONS + "/" + id + "/events";
    List<EventStream.Event> first;
    try (EventStream stream = EventStream.open(gateway, events)) {
      first = stream.rest();
    }
    assertThat(first.getLast().name()).isEqualTo("credentials");
    String token = first.getLast().data().get("token").asString();

    try (EventStream again = EventStream.open(gateway, events)) {
      List<EventStream.Event> second = again.rest();

      assertThat(second)
          .extracting(EventStream.Event::name)
          .containsExactly("created", "ready", "state");
      assertThat(second.getLast().id()).isEqualTo(first.getLast().id());
      assertThat(second.getLast().data().get("state").asString()).isEqualTo("consumed");
      assertThat(second.toString()).doesNotContain(token);
      assertThat(second.getLast().data().has("token")).isFalse();
    }
    // An EventSource reconnecting after the last event is told to stop (204), not sent it again.
    try (EventStream reconnect =
        EventStream.open(gateway, events, "Last-Event-ID", first.getLast().id())) {
      assertThat(reconnect.status()).isEqualTo(204);
    }
    // A reconnect in the middle gets only what it missed, never the credentials again.
    try (EventStream middle = EventStream.open(gateway, events, "Last-Event-ID", "1")) {
      assertThat(middle.rest())
          .extracting(EventStream.Event::name)
          .containsExactly("ready", "state");
    }
  }

  @Test
  void aClientThatLeavesBeforeReadyGetsItsSessionCancelledUpstream() {
    start("sessions:\n  readerGrace: 200ms\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    String id = startedId();
    String upstreamId;
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      EventStream.Event created = stream.next();
      assertThat(created.name()).isEqualTo("created");
      upstreamId = created.data().get("sessionId").asString();
      assertThat(upstream(upstreamId).status()).isEqualTo("NOT_READY");
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(upstream(upstreamId).status()).isEqualTo("CANCELLED"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode session = gateway.get(SESSIONS + "/" + id).json();
              assertThat(session.get("state").asString()).isEqualTo("cancelled");
              assertThat(session.get("outcome").asString()).isEqualTo("client_gone");
            });
    // A reader that comes back later learns how it ended.
    try (EventStream late = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      List<EventStream.Event> events = late.rest();
      assertThat(events.getLast().name()).isEqualTo("cancelled");
      assertThat(events.getLast().data().get("reason").asString()).isEqualTo("client_gone");
    }
  }

  @Test
  void withNoReaderAtReadyTheSessionIsCancelledAfterTheGrace() {
    start("sessions:\n  readerGrace: 300ms\n");

    String id = startedId();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(gateway.get(SESSIONS + "/" + id).json().get("state").asString())
                    .isEqualTo("cancelled"));
    String upstreamId = gateway.get(SESSIONS + "/" + id).json().get("sessionId").asString();
    assertThat(upstream(upstreamId).status()).isEqualTo("CANCELLED");
    try (EventStream late = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      List<EventStream.Event> events = late.rest();
      assertThat(events).extracting(EventStream.Event::name).doesNotContain("credentials");
      assertThat(events.getLast().name()).isEqualTo("cancelled");
      assertThat(events.getLast().data().get("reason").asString()).isEqualTo("client_gone");
    }
  }

  @Test
  void aFailedSessionEndsTheStreamWithFailed() {
    start("");
    gateway.upstream().failNextSessions(1, "INTERNAL", "Worker crashed");
    String id = startedId();

    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      List<EventStream.Event> events = stream.rest();

      EventStream.Event failed = events.getLast();
      assertThat(failed.name()).isEqualTo("failed");
      assertThat(failed.data().get("code").asString()).isEqualTo("session_failed");
      assertThat(failed.data().get("failureCode").asString()).isEqualTo("INTERNAL");
      assertThat(failed.data().get("error").asString()).doesNotContain("Worker crashed");
    }
  }

  @Test
  void refusalsBeforeTheStartIsAcceptedAreAnsweredAsConnectAnswersThem() {
    start(KEYS);

    GatewayHarness.Response anonymous = gateway.postJson(SESSIONS, CAT);
    GatewayHarness.Response badAvatar =
        gateway.postJson(SESSIONS, "{\"avatarId\":\"space-pirate\"}", bearer(ALICE_KEY));
    GatewayHarness.Response adminCannotStart = gateway.postJson(SESSIONS, CAT, bearer(ADMIN_KEY));

    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.code()).isEqualTo("unauthenticated");
    assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(badAvatar.status()).isEqualTo(400);
    assertThat(badAvatar.code()).isEqualTo("invalid_avatar");
    assertThat(adminCannotStart.status()).isEqualTo(401);
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void onlyTheOwnerSeesASessionAndAnAdminMayListAndEndIt() {
    start(KEYS);
    String id = startedId(bearer(ALICE_KEY));
    try (EventStream stream =
        EventStream.open(
            gateway, SESSIONS + "/" + id + "/events", "Authorization", "Bearer " + ALICE_KEY)) {
      assertThat(stream.rest().getLast().name()).isEqualTo("credentials");
    }

    // Bob is told what he would be told of a session that does not exist.
    GatewayHarness.Response bobGets = send("GET", SESSIONS + "/" + id, bearer(BOB_KEY));
    GatewayHarness.Response missing =
        send("GET", SESSIONS + "/3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10", bearer(BOB_KEY));
    assertThat(bobGets.status()).isEqualTo(404);
    assertThat(bobGets.code()).isEqualTo("not_found");
    assertThat(bobGets.json().get("error")).isEqualTo(missing.json().get("error"));
    try (EventStream bobReads =
        EventStream.open(
            gateway, SESSIONS + "/" + id + "/events", "Authorization", "Bearer " + BOB_KEY)) {
      assertThat(bobReads.status()).isEqualTo(404);
      assertThat(bobReads.json().get("code").asString()).isEqualTo("not_found");
    }
    assertThat(send("DELETE", SESSIONS + "/" + id, bearer(BOB_KEY)).status()).isEqualTo(404);
    assertThat(send("GET", SESSIONS, bearer(BOB_KEY)).json().get("sessions")).isEmpty();
    assertThat(send("GET", SESSIONS + "/" + id).status()).isEqualTo(401);

    GatewayHarness.Response aliceGets = send("GET", SESSIONS + "/" + id, bearer(ALICE_KEY));
    assertThat(aliceGets.status()).isEqualTo(200);
    assertThat(aliceGets.json().get("principal").asString()).isEqualTo("alice");

    // The admin's listing needs the admin key; a caller's key is not one.
    assertThat(send("GET", "/api/admin/sessions", bearer(ALICE_KEY)).status()).isEqualTo(401);
    JsonNode all = send("GET", "/api/admin/sessions?principal=alice", bearer(ADMIN_KEY)).json();
    assertThat(all.get("sessions")).hasSize(1);
    assertThat(all.get("sessions").get(0).get("id").asString()).isEqualTo(id);
    assertThat(
            send("GET", "/api/admin/sessions?principal=bob", bearer(ADMIN_KEY))
                .json()
                .get("sessions"))
        .isEmpty();
    assertThat(send("GET", "/api/admin/sessions?state=nonsense", bearer(ADMIN_KEY)).code())
        .isEqualTo("invalid_request");

    GatewayHarness.Response ended = send("DELETE", SESSIONS + "/" + id, bearer(ADMIN_KEY));
    assertThat(ended.status()).isEqualTo(200);
    assertThat(ended.json().get("state").asString()).isEqualTo("cancelled");
    assertThat(ended.json().get("outcome").asString()).isEqualTo("end_requested");
    assertThat(upstream(ended.json().get("sessionId").asString()).status()).isEqualTo("CANCELLED");
  }

  @Test
  void runwaysSessionIdNamesTheSessionTooForItsOwnerOnly() {
    start(KEYS);
    GatewayHarness.Response connected =
        gateway.postJson("/api/avatar/session-key", CAT, bearer(ALICE_KEY));
    assertThat(connected.status()).as(connected.body()).isEqualTo(200);
    String upstreamId = connected.json().get("sessionId").asString();

    // Another principal is told what it would be told of a session that does not exist.
    assertThat(send("GET", SESSIONS + "/" + upstreamId, bearer(BOB_KEY)).code())
        .isEqualTo("not_found");
    assertThat(send("DELETE", SESSIONS + "/" + upstreamId, bearer(BOB_KEY)).code())
        .isEqualTo("not_found");
    assertThat(send("GET", SESSIONS + "/not%20an%20id", bearer(ALICE_KEY)).code())
        .isEqualTo("not_found");

    GatewayHarness.Response read = send("GET", SESSIONS + "/" + upstreamId, bearer(ALICE_KEY));
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.json().get("sessionId").asString()).isEqualTo(upstreamId);
    String id = read.json().get("id").asString();
    assertThat(id).isNotEqualTo(upstreamId);

    GatewayHarness.Response ended = send("DELETE", SESSIONS + "/" + upstreamId, bearer(ALICE_KEY));
    assertThat(ended.status()).as(ended.body()).isEqualTo(200);
    assertThat(ended.json().get("id").asString()).isEqualTo(id);
    assertThat(ended.json().get("outcome").asString()).isEqualTo("end_requested");
    assertThat(upstream(upstreamId).status()).isEqualTo("CANCELLED");
  }

  @Test
  void deleteEndsAHandedOverSessionUpstreamAndIsIdempotent() {
    start("");
    GatewayHarness.Response connected = gateway.postJson("/api/avatar/connect", CAT);
    String upstreamId = connected.json().get("sessionId").asString();
    assertThat(upstream(upstreamId).status()).isEqualTo("RUNNING");
    // A connect's session is listed too, and can be ended like a start's.
    String id = gateway.get(SESSIONS).json().get("sessions").get(0).get("id").asString();

    GatewayHarness.Response first = send("DELETE", SESSIONS + "/" + id);
    GatewayHarness.Response second = send("DELETE", SESSIONS + "/" + id);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("state").asString()).isEqualTo("cancelled");
    assertThat(first.json().get("outcome").asString()).isEqualTo("end_requested");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().get("endedAt")).isEqualTo(first.json().get("endedAt"));
    assertThat(upstream(upstreamId).status()).isEqualTo("CANCELLED");
    assertThat(
            gateway.upstream().requests().stream().filter(r -> r.method().equals("DELETE")).count())
        .isOne();
  }

  @Test
  void deleteStopsAStartStillWaitingForReadyAndItsStreamSaysCancelled() {
    start("");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    String id = startedId();
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      EventStream.Event created = stream.next();
      assertThat(created.name()).isEqualTo("created");

      GatewayHarness.Response ended = send("DELETE", SESSIONS + "/" + id);

      assertThat(ended.status()).isEqualTo(200);
      assertThat(ended.json().get("state").asString()).isEqualTo("cancelled");
      EventStream.Event last = stream.next();
      assertThat(last.name()).isEqualTo("cancelled");
      assertThat(last.data().get("reason").asString()).isEqualTo("end_requested");
      assertThat(stream.next()).isNull();
      assertThat(upstream(created.data().get("sessionId").asString()).status())
          .isEqualTo("CANCELLED");
    }
  }

  @Test
  void anIdleStreamGetsAHeartbeatComment() {
    start("sessions:\n  heartbeatInterval: 100ms\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    String id = startedId();
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      assertThat(stream.next().name()).isEqualTo("created");

      stream.awaitComments(3);

      assertThat(stream.comments()).isGreaterThanOrEqualTo(3);
    }
    assertThat(send("DELETE", SESSIONS + "/" + id).status()).isEqualTo(200);
  }

  @Test
  void theListingIsTheCallersOwnNewestFirstInPages() {
    start("");
    List<String> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      GatewayHarness.Response connected = gateway.postJson("/api/avatar/connect", CAT);
      assertThat(connected.status()).isEqualTo(200);
      started.add(connected.json().get("sessionId").asString());
    }

    List<String> seen = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          gateway.get(SESSIONS + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      pages++;
      for (JsonNode session : page.get("sessions")) {
        seen.add(session.get("sessionId").asString());
        ids.add(session.get("id").asString());
      }
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    assertThat(ids).hasSize(5);
    assertThat(seen).containsExactlyElementsOf(started.reversed());
    assertThat(gateway.get(SESSIONS + "?cursor=not-a-cursor").code()).isEqualTo("invalid_request");
    assertThat(gateway.get(SESSIONS + "?limit=0").code()).isEqualTo("invalid_request");
    assertThat(gateway.get(SESSIONS + "?limit=101").code()).isEqualTo("invalid_request");
  }

  @Test
  void theSessionPathsSayWhatTheyAccept() {
    start("");

    GatewayHarness.Response put = send("PUT", SESSIONS + "/3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10");
    GatewayHarness.Response notAnId = send("GET", SESSIONS + "/nope");

    assertThat(put.status()).isEqualTo(405);
    assertThat(put.header("Allow")).isEqualTo("GET, DELETE, OPTIONS");
    assertThat(notAnId.status()).isEqualTo(404);
    assertThat(notAnId.code()).isEqualTo("not_found");
  }
}
