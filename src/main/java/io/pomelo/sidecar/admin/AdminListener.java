package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.state.RunningState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The admin REST API. It owns nothing: every answer is read from one snapshot of the running state, whose route table is the one
 * the proxy serves. GET only, except {@code POST /api/reload} and {@code POST /api/drain}. Errors are JSON too. Every request must name this
 * listener in Host ({@link AdminHosts}), and a browser's request from another site changes nothing
 * ({@link SameOriginWrites}); connections are few and short-lived ({@link AdminConnections}). With a token
 * configured, every endpoint but the probes and the {@link DashboardPage dashboard}'s files needs it;
 * {@code src/main/resources/openapi.yaml} describes them all.
 */
public final class AdminListener extends VerticleBase {

  /** Prometheus text exposition format 0.0.4, what every Prometheus version scrapes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final AdminConfig config;
  private final AdminView view;
  private final SidecarMeters meters;
  private HttpServer server;

  public AdminListener(AdminConfig config, AdminView view, SidecarMeters meters) {
    this.config = config;
    this.view = view;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    String openApi = openApi();
    AdminConnections connections = new AdminConnections(vertx, config.maxConnections(),
      config.idleTimeout().toMillis());
    Router router = Router.router(vertx);
    // First, so that every routed request stops its connection's head clock.
    router.route().handler(connections::headComplete);
    // Before anything answers: a browser page may reach this port, and only a wrong Host or Origin gives it away.
    router.route().handler(new AdminHosts(config));
    router.route().handler(new SameOriginWrites());
    // Probes come next and need no token: a load balancer or systemd cannot be given one.
    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "serving").encode()));
    router.get("/readyz").handler(this::ready);
    // The page's files hold no data; the API calls it makes need the token like any other.
    new DashboardPage().route(router);
    if (config.requiresToken()) {
      router.route().handler(new BearerToken(config.token()));
    }
    router.get("/api/routes").handler(this::routes);
    router.get("/api/routes/:serverId").handler(this::server);
    router.get("/api/status").handler(ctx -> json(ctx, 200, StatusView.of(view, actualPort(), version()).encodePrettily()));
    router.post("/api/reload").handler(this::reload);
    router.post("/api/drain").handler(this::drain);
    router.get("/api/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml")
      .end(openApi));
    router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT)
      .end(meters.scrape()));
    router.route().last().handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().path()));
    router.errorHandler(400, ctx -> error(ctx, 400, ctx.failure() == null ? "bad request"
      : String.valueOf(ctx.failure().getMessage())));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal error"));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.listener().host())
      .setPort(config.listener().port())
      // HTTP/1.x only: an HTTP/2 request carries no Host header for AdminHosts to check, and no tool needs it here.
      // Without h2c the connection handler also runs at once, not after the first bytes (the h2c preface sniff).
      .setHttp2ClearTextEnabled(false)
      .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
      .connectionHandler(connections::connected)
      .requestHandler(router);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void ready(RoutingContext ctx) {
    RunningState state = view.state().get();
    boolean ready = state.ready();
    json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not ready")
      .put("generation", state.routes().generation()).put("phase", StatusView.phase(state.phase())).encode());
  }

  /** Every route, or those of one server type with {@code ?serverType=}; [] when none. */
  private void routes(RoutingContext ctx) {
    String type = ctx.queryParams().get("serverType");
    JsonArray body = new JsonArray();
    RunningState state = view.state().get();
    for (Route route : state.routes().table().routes()) {
      if (type == null || type.equals(route.serverType())) {
        body.add(RouteView.of(route, view.live(), state.fromMaster()));
      }
    }
    json(ctx, 200, body.encodePrettily());
  }

  /**
   * One server: its own health and connections, and every route that can reach it (its {@code /<serverId>/}, its
   * type's, the aliases), each as {@code GET /api/routes} shows it.
   */
  private void server(RoutingContext ctx) {
    String id = ctx.pathParam("serverId");
    LiveState live = view.live();
    JsonObject server = null;
    JsonArray routes = new JsonArray();
    RunningState state = view.state().get();
    for (Route route : state.routes().table().routes()) {
      for (Target target : route.targets()) {
        if (target.serverId().equals(id)) {
          if (server == null) {
            server = RouteView.server(target, live.backend(target), live.healthAware(), state.fromMaster());
          }
          routes.add(RouteView.of(route, live, state.fromMaster()));
          break;
        }
      }
    }
    if (server == null) {
      error(ctx, 404, "no server " + id + " in the route table");
      return;
    }
    json(ctx, 200, new JsonObject().put("server", server).put("routes", routes).encodePrettily());
  }

  /** Reads everything again, like SIGHUP, and answers with the outcome: 200 when applied, 422 when kept back. */
  private void reload(RoutingContext ctx) {
    view.reload().apply(ReloadRequest.everything("admin API")).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, 503, String.valueOf(ar.cause().getMessage()));
        return;
      }
      int status = ar.result().result() == ReloadOutcome.Result.ERROR ? 422 : 200;
      json(ctx, status, StatusView.reload(ar.result()).encodePrettily());
    });
  }

  /**
   * Takes the sidecar out of its balancer: /readyz answers 503 from now on, the public port keeps serving for
   * shutdown.lameDuck, then stops accepting and drains (shutdown.drain, then 1001). The process stays, not ready,
   * until it is stopped: like HAProxy's "set server state drain" and Envoy's /drain_listeners, a drain is not an exit,
   * so that whoever asked can watch it finish and restart or stop it themselves. 202 at once, and again on a repeat.
   */
  private void drain(RoutingContext ctx) {
    view.drain().get().onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, 503, String.valueOf(ar.cause().getMessage()));
        return;
      }
      var shutdown = view.state().get().config().shutdown();
      json(ctx, 202, new JsonObject().put("phase", StatusView.phase(ar.result()))
        .put("lameDuckMillis", shutdown.lameDuck().toMillis())
        .put("drainMillis", shutdown.drain().toMillis()).encodePrettily());
    });
  }

  private static String openApi() {
    try (InputStream in = AdminListener.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
