package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * What a reload does ({@code reload:}).
 *
 * @param watch         default true: servers.json and the certificate files are watched and reloaded on change
 * @param removedRoutes default {@code drain}: what happens to open connections of a route that a reload removed
 * @param closeAfter    default 30s: with {@code close-after}, how long they may stay before the sidecar closes them
 *                      with WebSocket close code 1012 (service restart)
 * @param maxFileSize   default 4 MiB: the most bytes servers.json, a certificate, key or keystore file, or the admin
 *                      token file may have; a larger file, or one that is not a regular file, is refused unread
 */
public record ReloadConfig(boolean watch, RemovedRoutes removedRoutes, Duration closeAfter, long maxFileSize) {

  public static final long DEFAULT_MAX_FILE_SIZE = 4L << 20;
  /** Files are read into one array, and no input of the sidecar's comes near this. */
  public static final long MOST_MAX_FILE_SIZE = 1L << 30;

  public ReloadConfig {
    if (maxFileSize <= 0 || maxFileSize > MOST_MAX_FILE_SIZE) {
      throw new IllegalArgumentException("maxFileSize must be more than 0 and at most 1 GiB: " + maxFileSize);
    }
  }

  /** With the default {@code maxFileSize}. */
  public ReloadConfig(boolean watch, RemovedRoutes removedRoutes, Duration closeAfter) {
    this(watch, removedRoutes, closeAfter, DEFAULT_MAX_FILE_SIZE);
  }

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
    return new ReloadConfig(true, RemovedRoutes.DRAIN, Duration.ofSeconds(30), DEFAULT_MAX_FILE_SIZE);
  }

  public ReloadConfig withMaxFileSize(long value) {
    return new ReloadConfig(watch, removedRoutes, closeAfter, value);
  }
}
