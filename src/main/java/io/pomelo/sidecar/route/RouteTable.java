package io.pomelo.sidecar.route;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable set of routes the public listener serves. A connection reads the current table once and keeps
 * using it, so a reload never changes a decision half-way.
 */
public final class RouteTable {

  private static final RouteTable EMPTY = new RouteTable(List.of());

  private final List<Route> routes;
  private final Map<String, Route> byPath;
  private final int longestPath;

  public RouteTable(List<Route> routes) {
    this.routes = List.copyOf(routes);
    Map<String, Route> map = new HashMap<>();
    int longest = 0;
    for (Route route : this.routes) {
      if (map.put(route.path(), route) != null) {
        throw new IllegalArgumentException("two routes for " + route.path());
      }
      longest = Math.max(longest, route.path().length());
    }
    this.byPath = Collections.unmodifiableMap(map);
    this.longestPath = longest;
  }

  public static RouteTable empty() {
    return EMPTY;
  }

  /** Routes in the order they were planned: servers, then types, then aliases. */
  public List<Route> routes() {
    return routes;
  }

  public Route byPath(String path) {
    return byPath.get(path);
  }

  public Collection<String> paths() {
    return byPath.keySet();
  }

  /**
   * The route with the longest prefix of {@code path} that ends at a segment boundary, or null.
   * {@code /gate} (no trailing slash) matches {@code /gate/}: clients that build {@code 'wss://' + host + port}
   * from a gate answer without the slash still reach the server.
   *
   * <p>Cost is one hash lookup per path segment, at most up to the longest route's length.
   */
  public Route match(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    int end = Math.min(path.length(), longestPath);
    // Candidate prefixes end just after a '/', or at the end of the path (the "/gate" case).
    if (path.length() < longestPath) {
      Route exact = byPath.get(path.charAt(path.length() - 1) == '/' ? path : path + '/');
      if (exact != null) {
        return exact;
      }
    }
    for (int i = end - 1; i > 0; i--) {
      if (path.charAt(i) == '/') {
        Route route = byPath.get(path.substring(0, i + 1));
        if (route != null) {
          return route;
        }
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteTable other && routes.equals(other.routes);
  }

  @Override
  public int hashCode() {
    return routes.hashCode();
  }

  @Override
  public String toString() {
    return "RouteTable" + routes;
  }
}
