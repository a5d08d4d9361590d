package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class UpstreamCreateGateTest {
  private final List<Limit> rejections = new CopyOnWriteArrayList<>();

  @Test
  void rejectsAtOnceWhenEverySlotIsTakenAndCountsWhatIsInFlight() {
    UpstreamCreateGate gate = gate(2);
    Permit first = gate.acquire();
    Permit second = gate.acquire();

    assertThat(gate.inFlight()).isEqualTo(2);
    assertThatThrownBy(gate::acquire)
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
            })
        .hasMessage("The service is busy starting other sessions. Please try again in a moment.");
    assertThat(rejections).containsExactly(Limit.UPSTREAM);
    assertThat(gate.inFlight()).isEqualTo(2);

    first.close();
    first.close(); // idempotent: frees one slot, not two
    assertThat(gate.inFlight()).isEqualTo(1);
    Permit third = gate.acquire();
    assertThatThrownBy(gate::acquire).isInstanceOf(GatewayException.class);

    second.close();
    third.close();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void zeroMeansNoCapButStillCounts() {
    UpstreamCreateGate gate =
        UpstreamCreateGate.inMemory(RateLimitConfig.unlimited(), rejections::add);
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      held.add(gate.acquire());
    }

    assertThat(gate.inFlight()).isEqualTo(500);
    held.forEach(Permit::close);
    assertThat(gate.inFlight()).isZero();
    assertThat(rejections).isEmpty();
  }

  @Test
  void theDefaultIsTwenty() {
    UpstreamCreateGate gate =
        UpstreamCreateGate.inMemory(RateLimitConfig.defaults(), rejections::add);
    for (int i = 0; i < 20; i++) {
      gate.acquire();
    }

    assertThatThrownBy(gate::acquire).isInstanceOf(GatewayException.class);
  }

  private UpstreamCreateGate gate(int max) {
    return new UpstreamCreateGate(max, rejections::add);
  }
}
