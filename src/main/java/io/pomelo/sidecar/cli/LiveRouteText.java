package io.pomelo.sidecar.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The running table from {@code GET /api/routes} for a terminal: like {@link RouteTableText}, one line per target
 * with its health and connections, and the route's own counts on its first line.
 */
final class LiveRouteText {

  private static final List<String> HEADER = List.of("PATH", "TARGET", "SERVER", "HEALTH", "CONNS", "TYPE", "KIND",
    "ACTIVE", "TOTAL", "IN", "OUT");

  private LiveRouteText() {
  }

  static String render(JsonArray routes) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (int r = 0; r < routes.size(); r++) {
      JsonObject route = routes.getJsonObject(r);
      JsonArray targets = route.getJsonArray("targets", new JsonArray());
      for (int t = 0; t < targets.size(); t++) {
        JsonObject target = targets.getJsonObject(t);
        boolean first = t == 0;
        rows.add(List.of(
          first ? route.getString("path") : "",
          target.getString("host") + ":" + target.getInteger("port"),
          target.getString("id"),
          target.getString("health", target.getBoolean("healthy", true) ? "healthy" : "unhealthy"),
          String.valueOf(target.getInteger("activeConnections", 0)),
          first ? route.getString("serverType") : "",
          first ? route.getString("kind") : "",
          first ? String.valueOf(route.getInteger("activeConnections", 0)) : "",
          first ? String.valueOf(route.getLong("totalConnections", 0L)) : "",
          first ? bytes(route.getLong("bytesIn", 0L)) : "",
          first ? bytes(route.getLong("bytesOut", 0L)) : ""));
      }
    }
    return RouteTableText.columns(rows);
  }

  /** 512 B, 1.5 KiB, 20.0 MiB: a glance, not an invoice (the JSON has exact numbers). */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = n;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
