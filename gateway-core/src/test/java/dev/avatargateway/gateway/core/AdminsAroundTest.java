package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An application's own admins ({@link GatewayCore.Builder#adminsAround}) beside the admin keys: who
 * it names may read every session and the overview and end anyone's session; who it refuses is not
 * an admin. Against the simulator over real HTTP, on an in-memory ledger.
 */
class AdminsAroundTest {
  /** The header the test application's "login" puts an admin's name in. */
  private static final String ADMIN_HEADER = "X-Test-Admin";

  private static final String ADMIN_KEY = "admin-key-0123456789abcdef";

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
  void theApplicationsAdminAndTheAdminKeyAreAdminsAndNobodyElse() {
    GatewayCore core = built(builder().auth(adminKey()).adminsAround(AdminsAroundTest::orHeader));
    ConnectResult anonymous = core.connect(request());

    for (Caller admin : List.of(caller(ADMIN_HEADER, "ops"), caller("X-Api-Key", ADMIN_KEY))) {
      assertThat(
              core.sessions()
                  .listAll(admin, Optional.empty(), Optional.empty(), Optional.empty(), 10)
                  .sessions())
          .extracting(SessionInfo::principal)
          .containsExactly(Principal.ANONYMOUS);
      assertThat(core.sessions().usageOverview(admin, 10).global().principal()).isEmpty();
    }
    GatewayException nobody =
        catchThrowableOfType(
            GatewayException.class, () -> core.sessions().usageOverview(caller(), 10));
    assertThat(nobody.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);

    // An admin ends anyone's session.
    assertThat(core.sessions().end(caller(ADMIN_HEADER, "ops"), anonymous.sessionId()).outcome())
        .isEqualTo("end_requested");
  }

  @Test
  void withoutAdminKeysTheWrapGetsOneThatRefusesEveryone() {
    GatewayCore core = built(builder().adminsAround(AdminsAroundTest::orHeader));

    assertThat(core.sessions().usageOverview(caller(ADMIN_HEADER, "ops"), 10)).isNotNull();
    GatewayException key =
        catchThrowableOfType(
            GatewayException.class,
            () -> core.sessions().usageOverview(caller("X-Api-Key", ADMIN_KEY), 10));
    assertThat(key.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
  }

  @Test
  void aWrapThatReturnsNullIsRefusedAtBuild() {
    GatewayCore.Builder builder = builder().adminsAround(keys -> null);

    NullPointerException e = catchThrowableOfType(NullPointerException.class, builder::build);

    assertThat(e.getMessage()).contains("adminsAround");
  }

  /** The application's admin when its header is there, else the admin keys decide. */
  private static Authenticator orHeader(Authenticator keys) {
    return headers ->
        headers.get(ADMIN_HEADER).isPresent()
            ? new Principal(headers.get(ADMIN_HEADER).get(), "application")
            : keys.authenticate(headers);
  }

  private static AuthConfig adminKey() {
    return new AuthConfig(
        AuthConfig.Mode.NONE,
        null,
        null,
        null,
        new AuthConfig.Admin(List.of(new AuthConfig.ApiKey("ops", ADMIN_KEY, null))));
  }

  private GatewayCore built(GatewayCore.Builder builder) {
    GatewayCore core = builder.build();
    cores.add(core);
    return core;
  }

  private GatewayCore.Builder builder() {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    return GatewayCore.builder(runway).simulatedUpstream(true).ledger(H2BooksTest.inMemory());
  }

  private static Caller caller(String... header) {
    Map<String, String> headers = header.length == 0 ? Map.of() : Map.of(header[0], header[1]);
    return new Caller(
        name ->
            headers.entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst(),
        "127.0.0.1",
        List.of());
  }

  private static ConnectRequest request() {
    return new ConnectRequest(
        "req-admins",
        caller().headers(),
        "127.0.0.1",
        List.of(),
        () -> new AvatarChoice(Optional.of("cat-character"), Optional.empty()),
        ClientPresence.UNKNOWN);
  }
}
