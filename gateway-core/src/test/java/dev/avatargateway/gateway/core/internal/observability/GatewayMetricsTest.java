package dev.avatargateway.gateway.core.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.runway.ConnectionUsage;
import dev.avatargateway.runway.RequestObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void inFlightGaugeReadsTheRunningCountAtEveryScrape() {
    AtomicInteger running = new AtomicInteger();
    metrics.connectsInFlight(running::get);
    assertThat(scrape()).contains("avatar_gateway_connects_in_flight 0.0");
    running.set(2);
    assertThat(scrape()).contains("avatar_gateway_connects_in_flight 2.0");
    running.set(0);
    assertThat(scrape()).contains("avatar_gateway_connects_in_flight 0.0");
  }

  @Test
  void upstreamConnectionGaugesReadTheClientsUsageAtEveryScrape() {
    AtomicInteger inFlight = new AtomicInteger(3);
    metrics.upstreamConnections(() -> new ConnectionUsage(64, inFlight.get(), 7, 0));
    assertThat(scrape())
        .contains("avatar_gateway_upstream_connections_in_use 3.0")
        .contains("avatar_gateway_upstream_connections_waiting 7.0")
        .contains("avatar_gateway_upstream_connections_max 64.0");
    inFlight.set(0);
    assertThat(scrape()).contains("avatar_gateway_upstream_connections_in_use 0.0");
  }

  @Test
  void readBudgetGaugeReadsTheRateInForceAtEveryScrape() {
    java.util.concurrent.atomic.AtomicReference<Double> rate =
        new java.util.concurrent.atomic.AtomicReference<>(50.0);
    metrics.readinessReadsPerSecond(rate::get);
    assertThat(scrape()).contains("avatar_gateway_readiness_reads_per_second 50.0");
    rate.set(25.0);
    assertThat(scrape()).contains("avatar_gateway_readiness_reads_per_second 25.0");
  }

  @Test
  void connectFinishedCountsByOutcomeAndCodeAndTimesByOutcome() {
    metrics.connectFinished("success", "ok", Duration.ofMillis(2_500));
    metrics.connectFinished("success", "ok", Duration.ofSeconds(200));
    metrics.connectFinished("error", "session_timeout", Duration.ofSeconds(30));

    assertThat(
            registry
                .get(GatewayMetrics.CONNECTS)
                .tags("outcome", "success", "code", "ok")
                .counter()
                .count())
        .isEqualTo(2);
    String scrape = scrape();
    assertThat(scrape)
        .contains("# TYPE avatar_gateway_connects_total counter")
        .contains("avatar_gateway_connects_total{code=\"ok\",outcome=\"success\"} 2.0")
        .contains("avatar_gateway_connects_total{code=\"session_timeout\",outcome=\"error\"} 1.0")
        .contains("# TYPE avatar_gateway_connect_duration_seconds histogram")
        .contains(
            "avatar_gateway_connect_duration_seconds_bucket{outcome=\"success\",le=\"0.1\"} 0")
        .contains(
            "avatar_gateway_connect_duration_seconds_bucket{outcome=\"success\",le=\"3.0\"} 1")
        .contains(
            "avatar_gateway_connect_duration_seconds_bucket{outcome=\"success\",le=\"120.0\"} 1")
        .contains(
            "avatar_gateway_connect_duration_seconds_bucket{outcome=\"success\",le=\"+Inf\"} 2")
        .contains("avatar_gateway_connect_duration_seconds_count{outcome=\"error\"} 1")
        .contains("avatar_gateway_connect_duration_seconds_sum{outcome=\"error\"} 30.0");
  }

  @Test
  void unknownOutcomesAndCodesBecomeOther() {
    metrics.connectFinished("maybe", "session 1234 exploded", Duration.ZERO);
    metrics.connectFinished(null, null, Duration.ZERO);

    assertThat(scrape())
        .contains("avatar_gateway_connects_total{code=\"other\",outcome=\"other\"} 2.0");
  }

  @Test
  void timeToReadyIsAHistogram() {
    metrics.timeToReady(Duration.ofMillis(4_200));

    assertThat(scrape())
        .contains("# TYPE avatar_gateway_session_time_to_ready_seconds histogram")
        .contains("avatar_gateway_session_time_to_ready_seconds_bucket{le=\"3.0\"} 0")
        .contains("avatar_gateway_session_time_to_ready_seconds_bucket{le=\"5.0\"} 1")
        .contains("avatar_gateway_session_time_to_ready_seconds_count 1")
        .contains("avatar_gateway_session_time_to_ready_seconds_sum 4.2");
  }

  @Test
  void upstreamCallsAreCountedByOperationAndStatusAndTimedByOperation() {
    metrics.upstreamCall("realtime_sessions.create", 200, Duration.ofMillis(40));
    metrics.upstreamCall("realtime_sessions.create", 429, Duration.ofMillis(5));
    metrics.upstreamCall("realtime_sessions.retrieve", 0, Duration.ofSeconds(10));
    metrics.upstreamCall("realtime_sessions.retrieve", 42, Duration.ofMillis(1));

    String scrape = scrape();
    assertThat(scrape)
        .contains("# TYPE avatar_gateway_upstream_requests_total counter")
        .contains(
            "avatar_gateway_upstream_requests_total{operation=\"realtime_sessions.create\",status=\"200\"} 1.0")
        .contains(
            "avatar_gateway_upstream_requests_total{operation=\"realtime_sessions.create\",status=\"429\"} 1.0")
        .contains(
            "avatar_gateway_upstream_requests_total{operation=\"realtime_sessions.retrieve\",status=\"0\"} 2.0")
        .contains("# TYPE avatar_gateway_upstream_request_duration_seconds histogram")
        .contains(
            "avatar_gateway_upstream_request_duration_seconds_bucket{operation=\"realtime_sessions.create\",le=\"0.05\"} 2")
        .contains(
            "avatar_gateway_upstream_request_duration_seconds_count{operation=\"realtime_sessions.retrieve\"} 2");
  }

  @Test
  void theClientObserverRecordsEveryAttempt() {
    RequestObserver observer = metrics.upstreamObserver();

    observer.onAttempt(
        new RequestObserver.Attempt("realtime_sessions.consume", 503, Duration.ofMillis(3), 0));
    observer.onAttempt(
        new RequestObserver.Attempt("realtime_sessions.consume", 200, Duration.ofMillis(3), 1));

    assertThat(
            registry
                .get(GatewayMetrics.UPSTREAM_REQUESTS)
                .tag("operation", "realtime_sessions.consume")
                .counters())
        .hasSize(2);
    assertThat(scrape())
        .contains(
            "avatar_gateway_upstream_requests_total{operation=\"realtime_sessions.consume\",status=\"503\"} 1.0");
  }

  @Test
  void rateLimitRejectionsAndCancelledSessionsAreCountedByNameAndReason() {
    metrics.rateLimitRejected("principal");
    metrics.rateLimitRejected("principal");
    metrics.rateLimitRejected("ip");
    metrics.upstreamSessionCancelled("timeout");
    metrics.upstreamSessionCancelled("client_gone");

    assertThat(scrape())
        .contains("avatar_gateway_rate_limit_rejections_total{limit=\"principal\"} 2.0")
        .contains("avatar_gateway_rate_limit_rejections_total{limit=\"ip\"} 1.0")
        .contains("avatar_gateway_upstream_sessions_cancelled_total{reason=\"timeout\"} 1.0")
        .contains("avatar_gateway_upstream_sessions_cancelled_total{reason=\"client_gone\"} 1.0");
  }

  @Test
  void freeTextLabelsStayBounded() {
    IntStream.range(0, BoundedTagValues.MAX_DISTINCT + 10)
        .forEach(i -> metrics.upstreamSessionCancelled("reason_" + i));
    metrics.upstreamSessionCancelled("Session 0f8e7c1a: client gone!");
    metrics.upstreamSessionCancelled("reason_0");

    assertThat(registry.get(GatewayMetrics.UPSTREAM_SESSIONS_CANCELLED).counters())
        .hasSize(BoundedTagValues.MAX_DISTINCT + 1);
    assertThat(
            registry
                .get(GatewayMetrics.UPSTREAM_SESSIONS_CANCELLED)
                .tag("reason", "other")
                .counter()
                .count())
        .isEqualTo(11);
    assertThat(
            registry
                .get(GatewayMetrics.UPSTREAM_SESSIONS_CANCELLED)
                .tag("reason", "reason_0")
                .counter()
                .count())
        .isEqualTo(2);
  }

  private String scrape() {
    return registry.scrape();
  }
}
