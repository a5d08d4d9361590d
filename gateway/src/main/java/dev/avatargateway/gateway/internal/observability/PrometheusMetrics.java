package dev.avatargateway.gateway.internal.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The standalone server's metrics registry: the core's meters, {@code
 * avatar_gateway_upstream_simulated}, and JVM and process metrics ({@code jvm_memory_*}, {@code
 * jvm_gc_*}, {@code jvm_threads_*}, {@code jvm_classes_*}, {@code jvm_info}, {@code
 * process_uptime_seconds}, {@code process_start_time_seconds}, {@code process_cpu_usage}, {@code
 * process_files_*}, {@code system_cpu_*}; virtual threads are not among {@code jvm_threads_*}),
 * served as Prometheus text by {@code GET /metrics}.
 */
public final class PrometheusMetrics implements AutoCloseable {
  /** The HTTP {@code Content-Type} of {@link #scrape()}'s text (Prometheus text format 0.0.4). */
  public static final String SCRAPE_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Exposed as {@code avatar_gateway_upstream_simulated}. */
  public static final String UPSTREAM_SIMULATED = "avatar.gateway.upstream.simulated";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  /** A registry with the JVM and process metrics bound. */
  public PrometheusMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * Exposes which upstream this gateway talks to as {@code avatar_gateway_upstream_simulated}: 1
   * for the embedded simulator, 0 for Runway, so that a dashboard or an alert can tell a gateway
   * that spends no credits (and serves no real avatars) from one that does. Call once.
   */
  public void upstreamSimulated(boolean simulated) {
    double value = simulated ? 1 : 0;
    Gauge.builder(UPSTREAM_SIMULATED, () -> value)
        .description("1 when the upstream is the embedded Runway simulator, 0 when it is Runway")
        .register(registry);
  }

  /** The registry, for the core's meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Every metric in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Unbinds the GC listeners and closes the registry. */
  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
