package io.pomelo.sidecar.run;

import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.proxy.SidecarClose;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.route.RouteTable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The removed-routes policy: {@code drain} leaves their connections be; {@code close-after} ends them later. */
final class RemovedRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(RemovedRoutes.class);

  private final Vertx vertx;
  private final Context control;
  private final Tunnels tunnels;
  private final Supplier<RouteTable> current;

  RemovedRoutes(Vertx vertx, Context control, Tunnels tunnels, Supplier<RouteTable> current) {
    this.vertx = vertx;
    this.control = control;
    this.tunnels = tunnels;
    this.current = current;
  }

  /** Acts on the connections of routes a reload just removed. */
  void removed(List<String> removed, ReloadConfig policy) {
    if (removed.isEmpty()) {
      return;
    }
    Set<String> paths = Set.copyOf(removed);
    int open = tunnels.countOnRoutes(paths);
    if (policy.removedRoutes() == ReloadConfig.RemovedRoutes.DRAIN || open == 0) {
      if (open > 0) {
        LOG.info("{} open connections on removed routes {} stay until they close (reload.removedRoutes: drain)",
          open, removed);
      }
      return;
    }
    LOG.info("{} open connections on removed routes {} will be closed with 1012 in {}", open, removed,
      policy.closeAfter());
    vertx.setTimer(Math.max(1, policy.closeAfter().toMillis()), id -> control.runOnContext(v -> {
      // A route added back in the meantime keeps its connections.
      Set<String> stillGone = paths.stream().filter(p -> current.get().byPath(p) == null)
        .collect(Collectors.toSet());
      int closed = tunnels.closeRoutes(stillGone, SidecarClose.ROUTE_REMOVED);
      if (closed > 0) {
        LOG.info("closed {} connections on removed routes {} with 1012", closed, stillGone);
      }
    }));
  }
}
