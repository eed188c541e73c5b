package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.TargetChoice;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The public listener's request handler: reads the current route table once, finds the route by longest prefix,
 * picks a target by health, load and engine.io session ({@link TargetChoice}), and hands the request to the WebSocket or the HTTP path.
 * One instance per event loop.
 */
final class RouteDispatch implements Handler<HttpServerRequest> {

  private static final String NO_ROUTE = "Not Found: no route for this path";

  private final ActiveRoutes routes;
  private final UpgradeForwarding upgrades;
  private final HttpForwarding http;
  /** Per event loop, so its round-robin position is never contended. */
  private final TargetChoice choice;
  private final RequestHeadTimeout headTimeout;
  private final RequestChecks checks;

  RouteDispatch(ActiveRoutes routes, UpgradeForwarding upgrades, HttpForwarding http, TargetChoice choice,
                RequestHeadTimeout headTimeout, RequestChecks checks) {
    this.routes = routes;
    this.upgrades = upgrades;
    this.http = http;
    this.choice = choice;
    this.headTimeout = headTimeout;
    this.checks = checks;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (LastAnswer.given(request)) {
      // Pipelined behind an answer that ends the connection, which is closing: never served.
      return;
    }
    // The head is complete whatever the checks decide: its clock stops before any of them can answer.
    headTimeout.headComplete(request);
    if (!checks.admit(request)) {
      return;
    }
    Route route = routes.current().match(request.path());
    if (route == null) {
      if (request.canUpgradeToWebSocket()) {
        upgrades.unserved(request, null, 404);
        // A refused upgrade leaves the connection in no state a client can rely on: nginx closes it too.
        PlainAnswer.last(request, 404, NO_ROUTE);
      } else {
        PlainAnswer.keepingOpen(request, 404, NO_ROUTE);
      }
      return;
    }
    if (!checks.admit(request, route)) {
      return;
    }
    // Parsed only where it can change the choice: the query and cookies of every request otherwise stay unread.
    boolean spreads = TargetChoice.spreads(route);
    Target target = choice.choose(route, spreads ? EngineIoSession.of(request) : null);
    if (target == null) {
      // Every server of the route failed its last check: dialling one would only make the client wait.
      if (request.canUpgradeToWebSocket()) {
        upgrades.unserved(request, route, 502);
      }
      PlainAnswer.last(request, 502, "Bad Gateway: no healthy server for " + route.path());
      return;
    }
    if (request.canUpgradeToWebSocket()) {
      upgrades.forward(request, route, target);
    } else {
      http.forward(request, route, target, spreads && EngineIoSession.handshake(request));
    }
  }
}
