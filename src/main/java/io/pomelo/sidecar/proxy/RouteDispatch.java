package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The public listener's request handler: reads the current route table once, finds the route by longest prefix,
 * picks a target, and hands the request to the WebSocket or the HTTP path. One instance per event loop.
 */
final class RouteDispatch implements Handler<HttpServerRequest> {

  private final ActiveRoutes routes;
  private final WebSocketUpgrade webSockets;
  private final HttpForwarding http;
  private final RequestChecks checks;
  /** Round-robin position for type routes; per event loop, so no contention. */
  private int next;

  RouteDispatch(ActiveRoutes routes, WebSocketUpgrade webSockets, HttpForwarding http, RequestChecks checks) {
    this.routes = routes;
    this.webSockets = webSockets;
    this.http = http;
    this.checks = checks;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!checks.admit(request)) {
      return;
    }
    Route route = routes.current().match(request.path());
    if (route == null) {
      request.response().setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("404 Not Found: no route for this path\n");
      return;
    }
    if (!checks.admit(request, route)) {
      return;
    }
    Target target = pick(route);
    if (request.canUpgradeToWebSocket()) {
      webSockets.forward(request, route, target);
    } else {
      http.forward(request, route, target);
    }
  }

  private Target pick(Route route) {
    int size = route.targets().size();
    if (size == 1) {
      return route.targets().get(0);
    }
    next = (next + 1) & Integer.MAX_VALUE;
    return route.targets().get(next % size);
  }
}
