package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A caller's request id is kept only when it cannot break a log line or a header. */
class RequestIdsTest {
  @Test
  void aWellFormedIdIsKept() {
    assertThat(RequestIds.accept("req-42")).isEqualTo("req-42");
    assertThat(RequestIds.accept("01HZX3:trace.span_1")).isEqualTo("01HZX3:trace.span_1");
    assertThat(RequestIds.accept("a".repeat(128))).hasSize(128);
  }

  @Test
  void anythingElseIsReplacedByANewUuid() {
    for (String bad :
        new String[] {null, "", "a".repeat(129), "has space", "line\nbreak", "quote\"", "ü"}) {
      String id = RequestIds.accept(bad);
      assertThat(id).as(String.valueOf(bad)).isNotEqualTo(bad);
      assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    }
  }
}
