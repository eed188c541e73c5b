package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Everything the sidecar learns while it runs, beside the immutable route table: counts per route path, health,
 * connections and the Pomelo master's listing per backend, and which server holds each engine.io session. A reload
 * calls {@link #follow} with the new table: state for paths and backends that stay is kept, new ones start empty and
 * {@link Health#UNKNOWN}, and removed backends are forgotten.
 */
public final class LiveState {

  /** The counters of upgrades whose path matched no route (their 404s); a label no path can be. */
  public static final String UNMATCHED = "unmatched";

  private final Map<String, RouteCounters> routes = new ConcurrentHashMap<>();
  private final Map<TargetKey, BackendState> backends = new ConcurrentHashMap<>();
  private final RouteCounters unmatched = new RouteCounters(UNMATCHED);
  private final SessionAffinity sessions;
  private final boolean healthAware;
  /** Which server ids the Pomelo master lists; every id while no master answers. */
  private volatile Predicate<String> listed = id -> true;

  /** @param healthAware whether health marks are kept and used ({@code health.enabled}) */
  public LiveState(boolean healthAware) {
    this(healthAware, new SessionAffinity());
  }

  LiveState(boolean healthAware, SessionAffinity sessions) {
    this.healthAware = healthAware;
    this.sessions = sessions;
  }

  /**
   * Makes the state match {@code table}. A removed path's counters go when its last connection has ended (a
   * draining route keeps counting until then); a removed backend's health goes at once, since nothing chooses it.
   */
  public void follow(RouteTable table) {
    Set<TargetKey> keys = new HashSet<>();
    for (Route route : table.routes()) {
      routes.computeIfAbsent(route.path(), RouteCounters::new);
      for (Target target : route.targets()) {
        keys.add(TargetKey.of(target));
        backends.computeIfAbsent(TargetKey.of(target), BackendState::new).markListed(listed.test(target.serverId()));
      }
    }
    backends.keySet().retainAll(keys);
    routes.values().removeIf(c -> table.byPath(c.path()) == null && c.active() == 0);
  }

  /**
   * The counters of a route path. {@link #follow} runs before a table is installed, so every path of the current
   * table has them; a connection that read the previous table just before a reload removed its path gets counters
   * of its own that nothing keeps, rather than bringing a removed path back.
   */
  public RouteCounters route(String path) {
    RouteCounters counters = routes.get(path);
    return counters != null ? counters : new RouteCounters(path);
  }

  public RouteCounters unmatched() {
    return unmatched;
  }

  /** The state of a backend; like {@link #route}, a removed one is never brought back. */
  public BackendState backend(Target target) {
    TargetKey key = TargetKey.of(target);
    BackendState state = backends.get(key);
    return state != null ? state : new BackendState(key);
  }

  /** The backends of the current table, for the health checks. */
  public List<BackendState> backends() {
    return List.copyOf(backends.values());
  }

  /**
   * Marks each backend listed or not by the Pomelo master; {@code listed} stays in force for backends a later table
   * adds. {@code id -> true} when no master answers: then health alone decides.
   */
  public void listedBy(Predicate<String> listed) {
    this.listed = listed;
    backends.values().forEach(b -> b.markListed(listed.test(b.key().serverId())));
  }

  /** The engine.io sessions pinned to their servers, for routes that spread over several. */
  public SessionAffinity sessions() {
    return sessions;
  }

  /** False when {@code health.enabled} is off: every backend is then tried, and nothing is marked. */
  public boolean healthAware() {
    return healthAware;
  }
}
