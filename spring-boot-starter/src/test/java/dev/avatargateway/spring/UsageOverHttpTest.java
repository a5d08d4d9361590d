package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Today's use and the admins' endpoints over real HTTP, against the in-process simulator: a Spring
 * Security user's own use, the overview and every principal's sessions for the holder of an admin
 * key and for a Spring Security user with the admin authority, and the gateway's refusals (401
 * {@code unauthenticated} to everyone else, 400 {@code invalid_request} to a limit that is not
 * one).
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-usage;DB_CLOSE_DELAY=-1",
      "avatar-gateway.budgets.per-principal.minutes-per-day=600",
      "avatar-gateway.budgets.global.minutes-per-day=6000",
      "avatar-gateway.avatars.default-avatar=cat-character",
      "avatar-gateway.auth.admin.api-keys[0].name=ops",
      "avatar-gateway.auth.admin.api-keys[0].key=" + UsageOverHttpTest.ADMIN_KEY
    })
@AutoConfigureRunwaySimulator
class UsageOverHttpTest {
  static final String ADMIN_KEY = "adm_usage-over-http-0123456789";

  private static final String[] ALICE = Http.auth(TestApplication.USER, TestApplication.PASSWORD);
  private static final String[] BY_KEY = {"X-Api-Key", ADMIN_KEY};
  private static final String[] BY_AUTHORITY =
      Http.auth(TestApplication.ADMIN, TestApplication.ADMIN_PASSWORD);

  @LocalServerPort int port;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void aSpringSecurityUsersUseCountsItsConnectAndShowsOnlyItsOwnBudgets() throws Exception {
    long before =
        ((Number) Http.json(http.get(AvatarPaths.USAGE, ALICE)).get("sessions")).longValue();
    connect(ALICE);

    HttpResponse<String> response = http.get(AvatarPaths.USAGE, ALICE);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, Object> usage = Http.json(response);
    assertThat(usage)
        .containsEntry("principal", TestApplication.USER)
        .containsKeys("day", "resetsAt", "minutes", "spend");
    assertThat(((Number) usage.get("sessions")).longValue()).isEqualTo(before + 1);
    assertThat(((Number) usage.get("liveSessions")).intValue()).isPositive();
    // The global budgets are the whole gateway's spend: not a caller's to see.
    assertThat(budgetNames(usage)).containsExactly("perPrincipal.minutesPerDay");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
  }

  @Test
  void anAdminKeyAndTheAdminAuthorityBothReadTheOverview() throws Exception {
    connect(ALICE);

    for (String[] admin : List.of(BY_KEY, BY_AUTHORITY)) {
      HttpResponse<String> response = http.get(AvatarPaths.ADMIN_USAGE, admin);

      assertThat(response.statusCode()).as(admin[0] + ": " + response.body()).isEqualTo(200);
      Map<String, Object> overview = Http.json(response);
      Map<String, Object> global = map(overview.get("global"));
      assertThat(global).containsEntry("principal", null);
      assertThat(budgetNames(global)).containsExactly("global.minutesPerDay");
      assertThat(list(overview.get("principals")))
          .extracting(p -> map(p).get("principal"))
          .contains(TestApplication.USER);
    }
    HttpResponse<String> one = http.get(AvatarPaths.ADMIN_USAGE + "?limit=1", BY_KEY);
    assertThat(list(Http.json(one).get("principals"))).hasSize(1);
  }

  @Test
  void everyoneElseIsRefusedWithTheGatewaysUnauthenticated() throws Exception {
    for (String path : List.of(AvatarPaths.ADMIN_USAGE, AvatarPaths.ADMIN_SESSIONS)) {
      HttpResponse<String> user =
          http.get(path, ALICE[0], ALICE[1], "X-Request-Id", "req-not-admin");
      HttpResponse<String> nobody = http.get(path);
      HttpResponse<String> wrongKey = http.get(path, "X-Api-Key", ADMIN_KEY + "-not");

      for (HttpResponse<String> refused : List.of(user, nobody, wrongKey)) {
        assertThat(refused.statusCode()).as(path + " " + refused.body()).isEqualTo(401);
        assertThat(Http.json(refused))
            .containsEntry("code", "unauthenticated")
            .containsKey("error");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(refused.headers().firstValue("Cache-Control")).contains("no-store");
      }
      assertThat(Http.json(user)).containsEntry("requestId", "req-not-admin");
    }
  }

  @Test
  void aLimitThatIsNotOneIs400InvalidRequest() throws Exception {
    for (String limit : List.of("many", "0", "1001")) {
      HttpResponse<String> refused = http.get(AvatarPaths.ADMIN_USAGE + "?limit=" + limit, BY_KEY);

      assertThat(refused.statusCode()).as(limit).isEqualTo(400);
      assertThat(Http.json(refused)).containsEntry("code", "invalid_request");
    }
    HttpResponse<String> page = http.get(AvatarPaths.ADMIN_SESSIONS + "?limit=many", BY_KEY);
    assertThat(page.statusCode()).isEqualTo(400);
    assertThat(Http.json(page)).containsEntry("code", "invalid_request");
    HttpResponse<String> state = http.get(AvatarPaths.ADMIN_SESSIONS + "?state=nonsense", BY_KEY);
    assertThat(Http.json(state)).containsEntry("code", "invalid_request");
  }

  @Test
  void theAdminsListingIsFilteredByPrincipalAndStateAndAnAdminEndsAnyonesSession()
      throws Exception {
    String alices = connect(ALICE);
    String anonymous = connect();
    HttpResponse<String> ended = http.delete(AvatarPaths.SESSIONS + "/" + alices, ALICE);
    assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
    String endedState = (String) Http.json(ended).get("state");

    List<Map<String, Object>> alicesOnly = listed("?principal=alice", BY_KEY);
    List<Map<String, Object>> alicesEnded =
        listed("?principal=alice&state=" + endedState, BY_AUTHORITY);
    List<Map<String, Object>> anonymousEnded =
        listed("?principal=anonymous&state=" + endedState, BY_KEY);
    List<Map<String, Object>> anonymousOnes = listed("?principal=anonymous", BY_AUTHORITY);

    assertThat(alicesOnly).allMatch(s -> TestApplication.USER.equals(s.get("principal")));
    assertThat(alicesOnly).extracting(s -> s.get("sessionId")).contains(alices);
    assertThat(alicesEnded).allMatch(s -> endedState.equals(s.get("state")));
    assertThat(alicesEnded).extracting(s -> s.get("sessionId")).contains(alices);
    assertThat(anonymousEnded).extracting(s -> s.get("sessionId")).doesNotContain(alices);
    assertThat(anonymousEnded).allMatch(s -> "anonymous".equals(s.get("principal")));
    assertThat(anonymousOnes).extracting(s -> s.get("sessionId")).contains(anonymous);

    // The admin authority ends a session that is not its user's, as an admin key does.
    HttpResponse<String> byAdmin =
        http.delete(AvatarPaths.SESSIONS + "/" + anonymous, BY_AUTHORITY);
    assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(200);
    assertThat(Http.json(byAdmin)).containsEntry("outcome", "end_requested");
  }

  /** A connect in credentials mode; its Runway session id. */
  private String connect(String... headers) throws Exception {
    HttpResponse<String> response = http.post(AvatarPaths.CREDENTIALS, null, "", headers);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return (String) Http.json(response).get("sessionId");
  }

  private List<Map<String, Object>> listed(String query, String[] admin) throws Exception {
    HttpResponse<String> response = http.get(AvatarPaths.ADMIN_SESSIONS + query, admin);
    assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
    return list(Http.json(response).get("sessions")).stream().map(UsageOverHttpTest::map).toList();
  }

  private static List<Object> budgetNames(Map<String, Object> usage) {
    return list(usage.get("budgets")).stream().map(b -> map(b).get("budget")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    return (List<Object>) value;
  }
}
