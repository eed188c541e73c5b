package io.pomelo.sidecar.route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One path prefix on the public port and the servers behind it.
 *
 * @param path        the prefix, always starting and ending with {@code /} ({@code /gate/})
 * @param kind        why the route exists
 * @param serverType  the Pomelo type of every target
 * @param targets     one target for a server route; one or more for a type route or an alias of a type
 * @param stripPrefix whether the backend sees the path without the prefix ({@code /gate/x} becomes {@code /x})
 * @param webSocketOnly whether a request without a WebSocket upgrade gets 426 instead of being proxied as HTTP
 * @param idleTimeout how long an established WebSocket may be silent both ways before it is closed; zero: never
 */
public record Route(String path, RouteKind kind, String serverType, List<Target> targets, boolean stripPrefix,
                    boolean webSocketOnly, Duration idleTimeout) {

  public Route {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(serverType, "serverType");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("route " + path + " has no target");
    }
  }

  /** A route that also takes plain HTTP and has no idle timeout. */
  public Route(String path, RouteKind kind, String serverType, List<Target> targets, boolean stripPrefix) {
    this(path, kind, serverType, targets, stripPrefix, false, Duration.ZERO);
  }

  /** The URI the backend receives for a request URI that matched this route. */
  public String backendUri(String requestUri) {
    if (!stripPrefix) {
      return requestUri;
    }
    // path ends with '/'; keep that slash so "/gate/x?y" becomes "/x?y" and "/gate" becomes "/".
    int cut = Math.min(path.length() - 1, requestUri.length());
    String rest = requestUri.substring(cut);
    return rest.startsWith("/") ? rest : "/" + rest;
  }
}
