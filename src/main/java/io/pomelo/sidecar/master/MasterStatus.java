package io.pomelo.sidecar.master;

import java.time.Instant;
import java.util.Objects;

/**
 * One state of following the master, as {@code /api/status} would show it.
 *
 * @param address    the master's {@code host:port}
 * @param state      connected, refused, unreachable, ...
 * @param error      why it is refused or unreachable, in words (never the password); null otherwise
 * @param since      when this state began
 * @param lastListAt when the master last answered a list, or null if it never did
 */
public record MasterStatus(String address, MasterState state, String error, Instant since, Instant lastListAt) {

  public MasterStatus {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
  }

  /** Whether this differs from {@code other} in what an operator would be told: the state or the error. */
  boolean differsFrom(MasterStatus other) {
    return other == null || state != other.state || !Objects.equals(error, other.error);
  }
}
