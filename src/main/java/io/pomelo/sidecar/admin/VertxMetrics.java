package io.pomelo.sidecar.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;
import java.util.List;

/**
 * A Vert.x whose own metrics (HTTP server and client, TCP, pools, JVM) go to the registry that {@code /metrics}
 * writes out. Labels are chosen, not defaulted: never the request path (every client URI would be a new series) and
 * never the remote address (every client would be one).
 */
public final class VertxMetrics {

  private VertxMetrics() {
  }

  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static Vertx vertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      // Bound by bindJvmMetrics once the sidecar is ready: nothing before READY needs them.
      .setJvmMetricsEnabled(false)
      // LOCAL tells the public listener from the admin one; the rest are small fixed sets.
      .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
      .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
      .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    return Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(metrics)
        // Native epoll where it loads (Linux): fewer copies and system calls per read than NIO, else NIO.
        .setPreferNativeTransport(true))
      .withMetrics(new MicrometerMetricsFactory(registry))
      .build();
  }

  /**
   * The JVM and process series Vert.x would bind with {@code setJvmMetricsEnabled(true)}, bound after the start
   * instead: they load about a hundred classes that only {@code /metrics} reads. The garbage collector's come from
   * {@link GcTotals}, read at scrape time, not from Micrometer's per-collection listeners. Closing the result
   * closes the binders that hold anything.
   */
  public static AutoCloseable bindJvmMetrics(MeterRegistry registry) {
    List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmCompilationMetrics(), new GcTotals(),
      new JvmInfoMetrics(), new JvmMemoryMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
      new UptimeMetrics());
    binders.forEach(b -> b.bindTo(registry));
    return () -> {
      for (MeterBinder b : binders) {
        if (b instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
    };
  }
}
