package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * Health checks of the Pomelo servers ({@code health:}).
 *
 * @param enabled  default true: each server's client port gets a TCP connect every {@code interval}, a failed
 *                 upgrade connect marks it down and a successful upgrade marks it up; type routes and aliases then
 *                 send new connections only to servers that are up. False: no checks, every server is tried
 * @param interval default 5s: time between two checks of the same server
 * @param timeout  default 1s: a connect that takes longer counts as failed
 */
public record HealthConfig(boolean enabled, Duration interval, Duration timeout) {

  public static HealthConfig defaults() {
    return new HealthConfig(true, Duration.ofSeconds(5), Duration.ofSeconds(1));
  }
}
