package io.pomelo.sidecar.master;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link MasterFollower} paces itself.
 *
 * @param interval       time between two list requests while connected (default 1 s: {@code pomelo add} serves
 *                       within 2 s)
 * @param requestTimeout how long one login or request may take before the master counts as unreachable (default 15 s:
 *                       longer than the 10 s pomelo-admin's list waits for a silent server)
 * @param backoffMin     the first wait before reconnecting after a failure (default 1 s), doubled at each failure
 * @param backoffMax     the longest wait between reconnects (default 30 s)
 */
public record FollowSettings(Duration interval, Duration requestTimeout, Duration backoffMin, Duration backoffMax) {

  public FollowSettings {
    positive("interval", interval);
    positive("requestTimeout", requestTimeout);
    positive("backoffMin", backoffMin);
    positive("backoffMax", backoffMax);
    if (backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("backoffMax (" + backoffMax + ") cannot be less than backoffMin ("
        + backoffMin + ")");
    }
  }

  public static FollowSettings defaults() {
    return new FollowSettings(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(1),
      Duration.ofSeconds(30));
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }
}
