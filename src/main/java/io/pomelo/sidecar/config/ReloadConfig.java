package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * What a reload does ({@code reload:}).
 *
 * @param watch         default true: servers.json and the certificate files are watched and reloaded on change
 * @param removedRoutes default {@code drain}: what happens to open connections of a route that a reload removed
 * @param closeAfter    default 30s: with {@code close-after}, how long they may stay before the sidecar closes them
 *                      with WebSocket close code 1012 (service restart)
 */
public record ReloadConfig(boolean watch, RemovedRoutes removedRoutes, Duration closeAfter) {

  /** The policy for connections on a route that no longer exists. */
  public enum RemovedRoutes {
    /** They stay until they close by themselves: a game in progress is never cut. */
    DRAIN,
    /** They get {@code closeAfter} to finish, then a 1012 close frame, so clients reconnect to a live route. */
    CLOSE_AFTER;

    public static RemovedRoutes parse(String text) {
      return switch (text) {
        case "drain" -> DRAIN;
        case "close-after" -> CLOSE_AFTER;
        default -> throw new IllegalArgumentException("must be drain or close-after");
      };
    }
  }

  public static ReloadConfig defaults() {
    return new ReloadConfig(true, RemovedRoutes.DRAIN, Duration.ofSeconds(30));
  }
}
