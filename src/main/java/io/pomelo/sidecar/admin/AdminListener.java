package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.Route;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin REST API. It owns nothing: every answer is read from the same route table the proxy serves.
 */
public final class AdminListener extends VerticleBase {

  private final ListenerConfig listen;
  private final ActiveRoutes routes;
  private HttpServer server;

  public AdminListener(ListenerConfig listen, ActiveRoutes routes) {
    this.listen = listen;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/api/routes").handler(this::routes);
    router.route().last().handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal error"));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
      .requestHandler(router);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void routes(RoutingContext ctx) {
    JsonArray body = new JsonArray();
    for (Route route : routes.current().routes()) {
      body.add(RouteView.of(route));
    }
    json(ctx, 200, body.encodePrettily());
  }

  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message).put("status", status).encode());
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
