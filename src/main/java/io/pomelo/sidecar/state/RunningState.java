package io.pomelo.sidecar.state;

import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.tls.LoadedCertificate;

import java.time.Instant;
import java.util.List;

/**
 * Everything the sidecar is serving with, as one value: replaced whole, so whoever reports reads one consistent
 * snapshot rather than a mix of before and after a reload.
 *
 * @param phase        where the sidecar is in its life
 * @param config       the configuration in use (the adopted parts of the last reload)
 * @param environment  the Pomelo environment servers.json was read for; empty before the first read
 * @param certificates the certificates new handshakes get
 * @param routes       the route table and where it came from
 * @param lastReload   what the last reload did; null before the start finished
 * @param publicPort   the bound public port; 0 before the listener is bound
 * @param startedAt    when the process began to start
 * @param following    the Pomelo master followed, or null when none is
 */
public record RunningState(Phase phase, SidecarConfig config, String environment, List<LoadedCertificate> certificates,
                           ActiveRoutes.Snapshot routes, ReloadOutcome lastReload, int publicPort, Instant startedAt,
                           Following following) {

  /**
   * Where the sidecar is in its life: only {@code SERVING} is ready. {@code LAME_DUCK}: /readyz answers 503 while the
   * public port still accepts and serves; {@code DRAINING}: the port no longer accepts and open connections end
   * (after {@code POST /api/drain} the sidecar stays here until it is stopped); {@code STOPPING}: a stop drains.
   */
  public enum Phase { STARTING, SERVING, LAME_DUCK, DRAINING, STOPPING }

  public RunningState {
    certificates = List.copyOf(certificates);
  }

  /** Nothing read or bound yet. */
  public static RunningState starting(SidecarConfig config, Instant now) {
    return new RunningState(Phase.STARTING, config, "", List.of(),
      new ActiveRoutes.Snapshot(RouteTable.empty(), 0, Instant.EPOCH, ""), null, 0, now, null);
  }

  /** True once the table is loaded and the public listener is bound, until the stop begins. */
  public boolean ready() {
    return phase == Phase.SERVING && routes.generation() > 0;
  }

  public RunningState withPhase(Phase next) {
    return new RunningState(next, config, environment, certificates, routes, lastReload, publicPort,
      startedAt, following);
  }

  public RunningState withConfig(SidecarConfig next) {
    return new RunningState(phase, next, environment, certificates, routes, lastReload, publicPort,
      startedAt, following);
  }

  public RunningState withCertificates(List<LoadedCertificate> next) {
    return new RunningState(phase, config, environment, next, routes, lastReload, publicPort, startedAt, following);
  }

  /** A new route table as the next generation, read from servers.json for {@code env}. */
  public RunningState withTable(RouteTable table, String sha256, String env, Instant now) {
    return new RunningState(phase, config, env, certificates,
      new ActiveRoutes.Snapshot(table, routes.generation() + 1, now, sha256), lastReload, publicPort,
      startedAt, following);
  }

  /** The file changed (new digest) while the routes it gives did not: same generation. */
  public RunningState withDigest(String sha256) {
    return new RunningState(phase, config, environment, certificates,
      new ActiveRoutes.Snapshot(routes.table(), routes.generation(), routes.loadedAt(), sha256), lastReload,
      publicPort, startedAt, following);
  }

  public RunningState withLastReload(ReloadOutcome outcome) {
    return new RunningState(phase, config, environment, certificates, routes, outcome, publicPort,
      startedAt, following);
  }

  public RunningState withFollowing(Following next) {
    return new RunningState(phase, config, environment, certificates, routes, lastReload, publicPort, startedAt, next);
  }

  /** The ids of the routed servers that came from the master's list; none while no master is followed. */
  public List<String> fromMaster() {
    return following == null ? List.of() : following.addedServers();
  }

  /** Which routed servers came from the master; nothing to say while no master is followed. */
  public RunningState withAddedServers(List<String> ids) {
    return following == null ? this : withFollowing(following.withAddedServers(ids));
  }

  public RunningState serving(int port) {
    return new RunningState(Phase.SERVING, config, environment, certificates, routes, lastReload, port,
      startedAt, following);
  }
}
