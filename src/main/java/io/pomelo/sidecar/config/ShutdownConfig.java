package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * How the sidecar stops on SIGTERM and on {@code POST /api/drain} ({@code shutdown:}).
 *
 * @param lameDuck default 5s: /readyz answers 503 at once while the public port keeps accepting and serving this
 *                 long, so that a balancer's health check takes the sidecar out before any connection is refused;
 *                 make it longer than the balancer's check interval times its fall count. 0 turns it off
 * @param drain    default 20s: after the listener stops accepting, open WebSockets get this long to end by
 *                 themselves; the rest are then closed with WebSocket close code 1001 (going away). lameDuck plus
 *                 drain must stay below the unit's TimeoutStopSec (45s)
 */
public record ShutdownConfig(Duration lameDuck, Duration drain) {

  public static ShutdownConfig defaults() {
    return new ShutdownConfig(Duration.ofSeconds(5), Duration.ofSeconds(20));
  }
}
