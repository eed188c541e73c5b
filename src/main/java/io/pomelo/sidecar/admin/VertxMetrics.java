package io.pomelo.sidecar.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

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
      .setJvmMetricsEnabled(true)
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
}
