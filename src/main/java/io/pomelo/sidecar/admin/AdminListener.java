package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.Sidecar;
import io.pomelo.sidecar.config.ListenerConfig;
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
 * The admin REST API. It owns nothing: every answer is read from the running sidecar, whose route table is the one
 * the proxy serves. Errors are JSON too.
 */
public final class AdminListener extends VerticleBase {

  private final ListenerConfig listen;
  private final Sidecar sidecar;
  private HttpServer server;

  public AdminListener(ListenerConfig listen, Sidecar sidecar) {
    this.listen = listen;
    this.sidecar = sidecar;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "serving").encode()));
    router.get("/readyz").handler(this::ready);
    router.get("/api/routes").handler(this::routes);
    router.get("/api/status").handler(ctx -> json(ctx, 200, StatusView.of(sidecar, version()).encodePrettily()));
    router.post("/api/reload").handler(this::reload);
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

  private void ready(RoutingContext ctx) {
    boolean ready = sidecar.ready();
    json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not ready")
      .put("generation", sidecar.routeSnapshot().generation()).encode());
  }

  private void routes(RoutingContext ctx) {
    JsonArray body = new JsonArray();
    for (Route route : sidecar.routes().routes()) {
      body.add(RouteView.of(route));
    }
    json(ctx, 200, body.encodePrettily());
  }

  /** Reads everything again, like SIGHUP, and answers with the outcome: 200 when applied, 422 when kept back. */
  private void reload(RoutingContext ctx) {
    sidecar.requestReload("admin API", true).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, 503, String.valueOf(ar.cause().getMessage()));
        return;
      }
      int status = ar.result().result().equals(io.pomelo.sidecar.ReloadOutcome.ERROR) ? 422 : 200;
      json(ctx, status, StatusView.reload(ar.result()).encodePrettily());
    });
  }

  static String version() {
    String v = AdminListener.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message).put("status", status).encode());
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
