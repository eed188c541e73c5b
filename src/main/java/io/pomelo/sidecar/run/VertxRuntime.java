package io.pomelo.sidecar.run;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

/**
 * The Vert.x the sidecar runs on: its own metrics (HTTP server and client, TCP, pools) go to the registry that
 * {@code /metrics} writes out. Labels are chosen, not defaulted: never the request path (every client URI would be a
 * new series) and never the remote address (every client would be one).
 */
public final class VertxRuntime {

  private VertxRuntime() {
  }

  public static Vertx vertx(PrometheusMeterRegistry registry) {
    return vertx(registry, InheritedListeners.none());
  }

  /** @param inherited the sockets systemd passed: when there are any, the transport that serves on them */
  public static Vertx vertx(PrometheusMeterRegistry registry, InheritedListeners inherited) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      // Bound by bindJvmMetrics once the sidecar is ready: nothing before READY needs them.
      .setJvmMetricsEnabled(false)
      // LOCAL tells the public listener from the admin one; the rest are small fixed sets.
      .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
      .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
      .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    VertxBuilder builder = Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(metrics)
        // Native epoll where it loads (Linux): fewer copies and system calls per read than NIO, else NIO.
        .setPreferNativeTransport(true))
      .withMetrics(new MicrometerMetricsFactory(registry));
    if (inherited.any()) {
      builder.withTransport(inherited);
    }
    return builder.build();
  }
}
