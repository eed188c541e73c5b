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

import java.util.List;

/** The registry that {@code /metrics} writes out, and the JVM's series bound into it once the sidecar is ready. */
public final class VertxMetrics {

  private VertxMetrics() {
  }

  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
