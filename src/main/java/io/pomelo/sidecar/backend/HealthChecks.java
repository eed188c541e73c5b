package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.tls.BackendTrust;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active health check: every {@code health.interval}, a TCP connect to each backend of the current table,
 * closed as soon as it is made. A TCP connect is what Pomelo's connectors can all answer (hybridconnector,
 * sioconnector, mqtt alike) without a handshake of their own, and it is exactly what a client's upgrade needs first.
 * The set of backends is read from {@link LiveState} on every round, so checks follow reloads by themselves. The
 * connect is the upgrade's own ({@link ServerDialer}): a bare Netty channel, closed when it connects; for a backend
 * reached over TLS, when its handshake and certificate check succeed, because a TCP accept alone says nothing of those.
 */
public final class HealthChecks {

  private final Vertx vertx;
  private final LiveState live;
  private final HealthConfig config;
  /** A check still waiting for its connect is not started again: a slow server gets one at a time. */
  private final Set<TargetKey> inFlight = ConcurrentHashMap.newKeySet();
  private volatile ServerDialer dialer;
  private long timer = -1;

  private final BackendTrust trust;

  public HealthChecks(Vertx vertx, LiveState live, HealthConfig config) {
    this(vertx, live, config, new BackendTrust(BackendTlsConfig.defaults()));
  }

  /** @param trust how a TLS backend's certificate is checked: a TLS backend is healthy only when it verifies */
  public HealthChecks(Vertx vertx, LiveState live, HealthConfig config, BackendTrust trust) {
    this.vertx = vertx;
    this.live = live;
    this.config = config;
    this.trust = trust;
  }

  /** Starts the rounds, the first at once; call on the context the checks should run on. Off when disabled. */
  public void start() {
    if (!config.enabled() || dialer != null) {
      return;
    }
    dialer = new ServerDialer((VertxInternal) vertx, config.timeout(), trust);
    timer = vertx.setPeriodic(0, config.interval().toMillis(), id -> checkAll());
  }

  /** Checks every backend now, e.g. after a reload brought new ones, instead of waiting for the next round. */
  public void checkAll() {
    if (dialer == null) {
      return;
    }
    for (BackendState backend : live.backends()) {
      if (inFlight.add(backend.key())) {
        check(backend);
      }
    }
  }

  private void check(BackendState backend) {
    TargetKey key = backend.key();
    ServerDialer checking = dialer;
    checking.connect(key.target()).onComplete(ar -> {
      inFlight.remove(key);
      if (ar.succeeded()) {
        ar.result().close();
      }
      if (dialer != checking) {
        // Stopped meanwhile: the answer belongs to a round nobody waits for any more.
        return;
      }
      if (ar.succeeded()) {
        backend.markHealthy(Instant.now());
      } else {
        backend.markUnhealthy(Instant.now(), String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    dialer = null;
  }
}
