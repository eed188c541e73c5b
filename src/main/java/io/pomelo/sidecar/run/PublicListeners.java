package io.pomelo.sidecar.run;

import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.proxy.ConnectionLimiter;
import io.pomelo.sidecar.proxy.PublicListener;
import io.pomelo.sidecar.proxy.Refusals;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.tls.AlpnChallenges;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.ServerTls;
import io.pomelo.sidecar.tls.TicketKeyRing;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The public port: one {@link PublicListener} per event loop, deployed, re-certified and stopped together. */
final class PublicListeners {

  private final List<PublicListener> listeners;
  private final String deployment;

  private PublicListeners(List<PublicListener> listeners, String deployment) {
    this.listeners = List.copyOf(listeners);
    this.deployment = deployment;
  }

  /** Binds the public port on every event loop; fails, binding nothing, when the port cannot be had. */
  static Future<PublicListeners> deploy(Vertx vertx, SidecarConfig config, List<LoadedCertificate> certificates,
                                        ActiveRoutes routes, Tunnels tunnels, LiveState live,
                                        ConnectionLimiter limiter, Refusals refusals, TicketKeyRing ticketKeys,
                                        AlpnChallenges challenges) {
    List<PublicListener> made = new CopyOnWriteArrayList<>();
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return vertx.deployVerticle(() -> {
        PublicListener listener = new PublicListener(config, ServerTls.options(certificates), routes, tunnels,
          live, limiter, refusals, ServerTls.engineOptions(ticketKeys, challenges,
            config.tls().groups()));
        made.add(listener);
        return listener;
      }, new DeploymentOptions().setInstances(instances).setThreadingModel(ThreadingModel.EVENT_LOOP))
      .map(id -> new PublicListeners(made, id));
  }

  int port() {
    return listeners.get(0).actualPort();
  }

  /**
   * Puts new certificates in use on every event loop's listener, for new handshakes; open connections keep their
   * sessions.
   */
  Future<Void> useCertificates(List<LoadedCertificate> next) {
    List<Future<Boolean>> updates = new ArrayList<>();
    for (PublicListener listener : listeners) {
      updates.add(listener.updateTls(ServerTls.options(next)));
    }
    return Future.all(updates).mapEmpty();
  }

  /** Stops accepting at once; the listeners' own close waits up to {@code limit} for their connections. */
  void stopAccepting(Duration limit) {
    listeners.forEach(l -> l.stopAccepting(limit));
  }

  Future<Void> undeploy(Vertx vertx) {
    return vertx.undeploy(deployment);
  }
}
