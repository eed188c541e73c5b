package io.pomelo.sidecar.run;

import io.pomelo.sidecar.backend.HealthChecks;
import io.pomelo.sidecar.config.ShutdownConfig;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.state.RunningState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The end of a sidecar, in order: the lame duck ({@link LameDuck}: not ready, still serving), then the quiet (no
 * checks, watches or master), the drain ({@link Drain}), and for a stop the release of the listeners. A drain asked
 * for by the admin API and a stop share one sequence: whichever comes second joins it. Runs on {@code control}.
 */
final class Shutdown {

  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

  private final Vertx vertx;
  private final Context control;
  private final AtomicReference<RunningState> state;
  private final Tunnels tunnels;
  private final HealthChecks healthChecks;
  private final FileWatch watch;
  private final Supplier<PublicListeners> listeners;
  private final Supplier<MasterLink> master;
  private final Supplier<String> adminDeployment;
  private final Supplier<CertificateOrdering> ordering;
  private LameDuck lameDuck;
  private Future<Void> draining;
  private boolean stopping;
  private Future<Void> stopped;

  Shutdown(Vertx vertx, Context control, AtomicReference<RunningState> state, Tunnels tunnels,
           HealthChecks healthChecks, FileWatch watch, Supplier<PublicListeners> listeners,
           Supplier<MasterLink> master, Supplier<String> adminDeployment, Supplier<CertificateOrdering> ordering) {
    this.vertx = vertx;
    this.control = control;
    this.state = state;
    this.tunnels = tunnels;
    this.healthChecks = healthChecks;
    this.watch = watch;
    this.listeners = listeners;
    this.master = master;
    this.adminDeployment = adminDeployment;
    this.ordering = ordering;
  }

  /**
   * {@code POST /api/drain}: the lame duck ({@code shutdown.lameDuck}), then the drain ({@code shutdown.drain}); the
   * process keeps running, not ready, with its admin API, until it is stopped. Asking again changes nothing.
   *
   * @return completes at once, once the lame duck has begun, with the phase then; fails while the sidecar starts
   */
  Future<RunningState.Phase> drain() {
    Promise<RunningState.Phase> begun = Promise.promise();
    control.runOnContext(v -> {
      if (state.get().phase() == RunningState.Phase.STARTING) {
        // The start would make it SERVING again; there is nothing to drain yet, and no balancer sends anything.
        begun.fail("the sidecar is starting; ask again once it is ready");
        return;
      }
      ShutdownConfig shutdown = state.get().config().shutdown();
      begin(shutdown.lameDuck(), shutdown.drain());
      begun.complete(state.get().phase());
    });
    return begun.future();
  }

  /** The lame duck, the drain, then the listeners released; a drain already under way is joined, with its periods. */
  Future<Void> stop(Duration lameDuckFor, Duration drain) {
    Promise<Void> done = Promise.promise();
    control.runOnContext(v -> {
      if (stopped == null) {
        stopping = true;
        if (state.get().phase() == RunningState.Phase.DRAINING || state.get().phase() == RunningState.Phase.STARTING) {
          state.updateAndGet(s -> s.withPhase(RunningState.Phase.STOPPING));
        }
        stopped = begin(lameDuckFor, drain).transform(ignored -> release()).mapEmpty();
      }
      // A second stop (a test's clean-up, a repeated signal) waits for the first instead of releasing twice.
      stopped.onComplete(done);
    });
    return done.future();
  }

  /** Ends the lame duck now, if one runs (a second SIGTERM): the drain begins at once. */
  void endLameDuck() {
    control.runOnContext(v -> {
      if (lameDuck != null) {
        lameDuck.cut();
      }
    });
  }

  /** On {@code control}: starts the lame duck and then the drain, once; later calls get the same drain. */
  private Future<Void> begin(Duration lameDuckFor, Duration drain) {
    if (draining != null) {
      return draining;
    }
    if (state.get().phase() == RunningState.Phase.SERVING) {
      state.updateAndGet(s -> s.withPhase(RunningState.Phase.LAME_DUCK));
      if (!lameDuckFor.isZero()) {
        LOG.info("lame duck: /readyz answers 503; the public port keeps serving for {} ms", lameDuckFor.toMillis());
      }
    } else {
      // Not serving yet: there is no balancer to tell, and nothing to wait for.
      lameDuckFor = Duration.ZERO;
    }
    lameDuck = LameDuck.begin(vertx, control, lameDuckFor);
    draining = lameDuck.over().compose(v -> {
      RunningState.Phase next = stopping ? RunningState.Phase.STOPPING : RunningState.Phase.DRAINING;
      state.updateAndGet(s -> s.withPhase(next));
      LOG.info("{}: no new connections; {} open ones get {} ms to finish",
        next == RunningState.Phase.STOPPING ? "stopping" : "draining", tunnels.size(), drain.toMillis());
      quiet();
      return Drain.run(vertx, control, listeners.get(), tunnels, drain);
    });
    return draining;
  }

  /** Nothing looks for work any more: no health checks, no file watching, no master, no orders. */
  private void quiet() {
    healthChecks.stop();
    CertificateOrdering orders = ordering.get();
    if (orders != null) {
      orders.stop();
    }
    watch.close();
    MasterLink following = master.get();
    if (following != null) {
      following.stop();
    }
  }

  /** The public, admin and plain listeners undeployed. */
  private Future<?> release() {
    PublicListeners bound = listeners.get();
    String admin = adminDeployment.get();
    CertificateOrdering orders = ordering.get();
    return Future.join(bound == null ? Future.succeededFuture() : bound.undeploy(vertx),
      admin == null ? Future.succeededFuture() : vertx.undeploy(admin),
      orders == null ? Future.succeededFuture() : orders.undeploy(vertx));
  }
}
