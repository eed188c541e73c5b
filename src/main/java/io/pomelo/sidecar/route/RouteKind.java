package io.pomelo.sidecar.route;

/** Why a route exists; the admin API shows it in lower case. */
public enum RouteKind {
  /** {@code /<serverId>/}: exactly one frontend server, the path a gate hands out. */
  SERVER,
  /** {@code /<serverType>/}: every frontend server of one type, shared between them. */
  TYPE,
  /** A path from the configuration that names a type or a server. */
  ALIAS,
  /**
   * {@code /ws/<clientPort>/} ({@code routes.clientPortPaths}): one server by its port, the URL pomelo-weixin-client
   * builds for nginx's {@code location /ws/3050/} recipe.
   */
  PORT;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
