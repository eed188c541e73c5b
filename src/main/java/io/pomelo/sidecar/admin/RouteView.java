package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What {@code GET /api/routes} says about one route. Its own type, so that internal changes never leak into a
 * response an operator's scripts parse.
 */
public final class RouteView {

  private RouteView() {
  }

  public static JsonObject of(Route route) {
    JsonArray targets = new JsonArray();
    for (Target t : route.targets()) {
      targets.add(new JsonObject().put("id", t.serverId()).put("host", t.host()).put("port", t.port()));
    }
    return new JsonObject()
      .put("path", route.path())
      .put("kind", route.kind().label())
      .put("serverType", route.serverType())
      .put("stripPrefix", route.stripPrefix())
      .put("targets", targets);
  }
}
