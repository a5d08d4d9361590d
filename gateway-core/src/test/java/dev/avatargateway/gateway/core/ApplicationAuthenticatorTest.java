package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An application's own authenticator ({@link GatewayCore.Builder#authenticator}, {@link
 * GatewayCore.Builder#authenticatorAround}): the principal it names is the one the ledger, the
 * budgets and the session endpoints see, and its refusal is the gateway's 401. Against the
 * simulator over real HTTP, on an in-memory ledger.
 */
class ApplicationAuthenticatorTest {
  /** The header the test application's "login" puts the user in. */
  private static final String USER_HEADER = "X-Test-User";

  /** The names of the platform threads a core starts (see the parts' thread factories). */
  private static final List<String> CORE_THREADS =
      List.of("readiness-poller", "avatar-gateway-", "line-poller");

  private static final String ALICE_KEY = "alice-key-0123456789abcdef";

  /** The application's authenticator: the user its login put in a header, else a refusal. */
  private static final Authenticator APPLICATION =
      headers ->
          headers
              .get(USER_HEADER)
              .map(user -> new Principal(user, "application"))
              .orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHENTICATED, "Log in first."));

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build());
  private final List<GatewayCore> cores = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    cores.forEach(GatewayCore::close);
    simulator.close();
  }

  @Test
  void theApplicationsPrincipalIsTheOneTheLedgerTheBudgetsAndTheSessionEndpointsSee() {
    GatewayCore core =
        built(
            builder()
                .authenticator(APPLICATION)
                .budgets(
                    new BudgetsConfig(new BudgetsConfig.PerPrincipal(1, null, null), null, null)));

    ConnectResult alices = core.connect(request(Map.of(USER_HEADER, "alice")));

    assertThat(core.ledgerForTests().findByUpstreamId(alices.sessionId()).orElseThrow().principal())
        .isEqualTo("alice");
    // Alice's one session a day is used; Bob's is not.
    GatewayException again =
        catchThrowableOfType(
            GatewayException.class, () -> core.connect(request(Map.of(USER_HEADER, "alice"))));
    assertThat(again.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    ConnectResult bobs = core.connect(request(Map.of(USER_HEADER, "bob")));
    assertThat(core.ledgerForTests().findByUpstreamId(bobs.sessionId()).orElseThrow().principal())
        .isEqualTo("bob");
    assertThat(core.usage("alice").sessions()).isEqualTo(1);
    // The session endpoints ask the same authenticator.
    Caller alice = new Caller(headers(Map.of(USER_HEADER, "alice")), "127.0.0.1", List.of());
    assertThat(core.sessions().list(alice, Optional.empty(), 10).sessions())
        .extracting(SessionInfo::principal)
        .containsExactly("alice");
    assertThat(core.sessions().usage(alice).principal()).contains("alice");
  }

  @Test
  void theApplicationsRefusalIsThe401UnauthenticatedWithItsChallengeAndStartsNothing() {
    GatewayCore core = built(builder().authenticator(APPLICATION));

    GatewayException refused =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request(Map.of())));

    assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(refused.code().status()).isEqualTo(401);
    assertThat(refused.code().code()).isEqualTo("unauthenticated");
    assertThat(core.wwwAuthenticate(refused)).contains("Bearer realm=\"avatar-gateway\"");
    RenderedAnswer answer = new JsonAnswers("/api/avatar/sessions").failure(refused, "req-1");
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.json())
        .isEqualTo(
            "{\"error\":\"Log in first.\",\"code\":\"unauthenticated\",\"requestId\":\"req-1\"}");
    assertThat(simulator.admin().sessions()).isEmpty();
    GatewayException onSessions =
        catchThrowableOfType(
            GatewayException.class,
            () ->
                core.sessions()
                    .list(
                        new Caller(headers(Map.of()), "127.0.0.1", List.of()),
                        Optional.empty(),
                        10));
    assertThat(onSessions.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
  }

  @Test
  void withTheRealRunwayTheApplicationsAuthenticatorNeedsNoAuthMode() {
    // auth.mode: none with a real secret stops start-up, unless the application authenticates.
    GatewayCore.Builder withoutOne = builder().simulatedUpstream(false);
    assertThat(catchThrowableOfType(ConfigException.class, withoutOne::build).getMessage())
        .contains("auth.mode");

    GatewayCore core = built(builder().simulatedUpstream(false).authenticator(APPLICATION));

    assertThat(core.connect(request(Map.of(USER_HEADER, "alice")))).isNotNull();
  }

  @Test
  void anAuthModeBesideTheApplicationsAuthenticatorIsRefusedNotIgnored() {
    GatewayCore.Builder both = builder().auth(apiKeys()).authenticator(APPLICATION);

    ConfigException e = catchThrowableOfType(ConfigException.class, both::build);

    assertThat(e.getMessage()).contains("auth.mode").contains("authenticatorAround");
  }

  @Test
  void aroundTheConfiguredOneTheApplicationsUserComesFirstAndTheApiKeysOtherwise() {
    GatewayCore core =
        built(
            builder()
                .auth(apiKeys())
                .authenticatorAround(
                    configured ->
                        headers ->
                            headers.get(USER_HEADER).isPresent()
                                ? APPLICATION.authenticate(headers)
                                : configured.authenticate(headers)));

    ConnectResult carol = core.connect(request(Map.of(USER_HEADER, "carol")));
    ConnectResult alice = core.connect(request(Map.of("Authorization", "Bearer " + ALICE_KEY)));
    GatewayException neither =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request(Map.of())));

    assertThat(core.ledgerForTests().findByUpstreamId(carol.sessionId()).orElseThrow().principal())
        .isEqualTo("carol");
    assertThat(core.ledgerForTests().findByUpstreamId(alice.sessionId()).orElseThrow().principal())
        .isEqualTo("alice");
    assertThat(neither.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
  }

  private static AuthConfig apiKeys() {
    return new AuthConfig(
        AuthConfig.Mode.API_KEY,
        null,
        List.of(new AuthConfig.ApiKey("alice", ALICE_KEY, null)),
        null);
  }

  private GatewayCore built(GatewayCore.Builder builder) {
    GatewayCore core = builder.build();
    cores.add(core);
    return core;
  }

  @Test
  void aCoreThatFailsToBuildLeavesNoThreadOfItsOwnRunning() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    GatewayCore.Builder failing =
        builder()
            .authenticatorAround(
                configured -> {
                  throw new IllegalStateException("the application's wrap failed");
                });

    IllegalStateException e = catchThrowableOfType(IllegalStateException.class, failing::build);

    assertThat(e).hasMessage("the application's wrap failed");
    // The readiness poller, the session starts, the ledger's keeper, the idempotency pruner: none
    // outlives the failed build (platform threads: the core's virtual ones end with their work).
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(thread -> !before.contains(thread) && thread.isAlive())
                    .extracting(Thread::getName)
                    .filteredOn(name -> CORE_THREADS.stream().anyMatch(name::startsWith))
                    .isEmpty());
  }

  private GatewayCore.Builder builder() {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    return GatewayCore.builder(runway).simulatedUpstream(true).ledger(H2BooksTest.inMemory());
  }

  private static RequestHeaders headers(Map<String, String> headers) {
    return name ->
        headers.entrySet().stream()
            .filter(header -> header.getKey().equalsIgnoreCase(name))
            .map(Map.Entry::getValue)
            .findFirst();
  }

  private static ConnectRequest request(Map<String, String> headers) {
    return new ConnectRequest(
        "req-app-auth",
        headers(headers),
        "127.0.0.1",
        List.of(),
        () -> new AvatarChoice(Optional.of("cat-character"), Optional.empty()),
        ClientPresence.UNKNOWN);
  }
}
