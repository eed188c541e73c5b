package io.pomelo.sidecar.route;

import java.util.List;

/**
 * A route table together with what the planner noticed but accepted.
 *
 * @param table    the routes to serve
 * @param warnings servers that got no route of their own, with the reason
 */
public record RoutePlan(RouteTable table, List<String> warnings) {

  public RoutePlan {
    warnings = List.copyOf(warnings);
  }
}
