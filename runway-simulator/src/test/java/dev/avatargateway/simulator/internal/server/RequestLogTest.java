package dev.avatargateway.simulator.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.RecordedRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestLogTest {
  @Test
  void keepsOnlyTheMostRecent10000OldestFirst() {
    RequestLog log = new RequestLog();
    for (int i = 0; i < RequestLog.CAPACITY + 5; i++) {
      log.add(new RecordedRequest(Instant.EPOCH, "GET", "/v1/x" + i, "", Map.of(), ""));
    }

    List<RecordedRequest> kept = log.snapshot();

    assertThat(kept).hasSize(10_000);
    assertThat(kept.get(0).path()).isEqualTo("/v1/x5");
    assertThat(kept.get(kept.size() - 1).path()).isEqualTo("/v1/x10004");
    log.clear();
    assertThat(log.snapshot()).isEmpty();
  }
}
