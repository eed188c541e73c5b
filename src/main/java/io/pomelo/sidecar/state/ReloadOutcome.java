package io.pomelo.sidecar.state;

import io.pomelo.sidecar.route.RouteDiff;
import io.pomelo.sidecar.route.RouteTable;

import java.time.Instant;
import java.util.List;

/**
 * What one reload did; the admin API shows the last one, and every reload logs one line from it.
 *
 * @param trigger              what asked for it: "start", "files changed", "SIGHUP", "admin API"
 * @param at                   when it finished
 * @param generation           the route table's generation after it
 * @param result               {@code ok} (everything read is in use), {@code unchanged} (nothing differed) or
 *                             {@code error} (something was bad and the last good state of that part is kept)
 * @param errors               each problem with file, place and rule; empty unless {@code error}
 * @param diff                 the route changes it installed
 * @param certificatesReloaded whether new certificates are now used for new handshakes
 * @param ticketKeysRotated    whether other session ticket keys now seal and open tickets
 * @param needsRestart         changed configuration keys that only a restart applies (listen, admin, ...)
 */
public record ReloadOutcome(String trigger, Instant at, long generation, Result result, List<String> errors,
                            RouteDiff diff, boolean certificatesReloaded, boolean ticketKeysRotated,
                            List<String> needsRestart) {

  /** How a reload ended; {@link #label} is what the admin API, the logs and the metrics show. */
  public enum Result {
    OK, UNCHANGED, ERROR;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The start, told as the first reload: every route of {@code table} added, the certificates loaded. */
  public static ReloadOutcome started(long generation, RouteTable table) {
    return new ReloadOutcome("start", Instant.now(), generation, Result.OK, List.of(),
      RouteDiff.between(RouteTable.empty(), table), true, false, List.of());
  }

  public ReloadOutcome {
    errors = List.copyOf(errors);
    needsRestart = List.copyOf(needsRestart);
  }

  /** One log line: what changed, or why nothing did. */
  public String summary() {
    StringBuilder b = new StringBuilder("reload (").append(trigger).append("): ").append(result.label())
      .append(", generation ").append(generation);
    if (!diff.isEmpty()) {
      b.append(", added ").append(diff.added()).append(", removed ").append(diff.removed())
        .append(", retargeted ").append(diff.retargeted());
      if (!diff.changed().isEmpty()) {
        b.append(", changed ").append(diff.changed());
      }
    }
    if (certificatesReloaded) {
      b.append(", new certificates");
    }
    if (ticketKeysRotated) {
      b.append(", new session ticket keys");
    }
    if (!needsRestart.isEmpty()) {
      b.append(", needs a restart to apply: ").append(needsRestart);
    }
    return b.toString();
  }
}
