package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.backend.RouteCounters;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * What {@code GET /api/routes} says about one route. Its own type, so that internal changes never leak into a
 * response an operator's scripts parse.
 */
public final class RouteView {

  private RouteView() {
  }

  /** The route as configured: what {@code check --json} prints, since nothing runs there. */
  public static JsonObject of(Route route) {
    JsonArray targets = new JsonArray();
    for (Target t : route.targets()) {
      targets.add(target(t));
    }
    return new JsonObject()
      .put("path", route.path())
      .put("kind", route.kind().label())
      .put("serverType", route.serverType())
      .put("stripPrefix", route.stripPrefix())
      .put("targets", targets);
  }

  /**
   * The route with its live counts and each target's health and connections.
   *
   * @param fromMaster the ids of the servers the Pomelo master added, not servers.json
   */
  public static JsonObject of(Route route, LiveState live, Collection<String> fromMaster) {
    RouteCounters counters = live.route(route.path());
    JsonArray targets = new JsonArray();
    for (Target t : route.targets()) {
      targets.add(server(t, live.backend(t), live.healthAware(), fromMaster));
    }
    return new JsonObject()
      .put("path", route.path())
      .put("kind", route.kind().label())
      .put("serverType", route.serverType())
      .put("stripPrefix", route.stripPrefix())
      .put("activeConnections", counters.active())
      .put("totalConnections", counters.total())
      .put("bytesIn", counters.bytesIn())
      .put("bytesOut", counters.bytesOut())
      .put("targets", targets);
  }

  /** One server with its health; also the {@code server} of {@code GET /api/routes/{serverId}}. */
  static JsonObject server(Target t, BackendState state, boolean healthAware, Collection<String> fromMaster) {
    JsonObject server = target(t)
      .put("serverType", t.serverType())
      .put("source", fromMaster.contains(t.serverId()) ? "master" : "servers.json")
      .put("healthy", (!healthAware || state.health().usable()) && !state.unlisted())
      .put("health", healthAware ? state.health().label() : "unchecked")
      .put("lastCheck", state.lastCheck() == null ? null : state.lastCheck().toString())
      .put("lastError", state.lastError())
      .put("activeConnections", state.active());
    // Only while the master answers without it: a table with no master reads as it always did.
    return state.unlisted() ? server.put("unlisted", true) : server;
  }

  private static JsonObject target(Target t) {
    JsonObject target = new JsonObject().put("id", t.serverId()).put("host", t.host()).put("port", t.port());
    // Only on TLS targets: a plain table reads as it always did.
    return t.tls() ? target.put("tls", true).put("tlsServerName", t.serverName()) : target;
  }
}
