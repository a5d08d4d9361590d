package dev.avatargateway.gateway.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
  @Test
  void scrapeIncludesJvmAndProcessMetrics() {
    try (PrometheusMetrics metrics = new PrometheusMetrics()) {
      assertThat(metrics.scrape())
          .contains("jvm_memory_used_bytes{")
          .contains("jvm_gc_max_data_size_bytes")
          .contains("jvm_threads_live_threads")
          .contains("jvm_classes_loaded_classes")
          .contains("process_uptime_seconds")
          .contains("process_start_time_seconds")
          .contains("process_cpu_usage");
    }
  }
}
