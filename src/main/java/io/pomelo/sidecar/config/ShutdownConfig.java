package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * How the sidecar stops on SIGTERM ({@code shutdown:}).
 *
 * @param drain default 20s: after the listener stops accepting, open WebSockets get this long to end by
 *              themselves; the rest are then closed with WebSocket close code 1001 (going away). Keep it below
 *              the unit's TimeoutStopSec (45s)
 */
public record ShutdownConfig(Duration drain) {

  public static ShutdownConfig defaults() {
    return new ShutdownConfig(Duration.ofSeconds(20));
  }
}
