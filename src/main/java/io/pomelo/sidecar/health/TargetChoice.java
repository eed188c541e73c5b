package io.pomelo.sidecar.health;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.Target;

import java.util.List;

/**
 * Picks the backend for a new connection. A {@code /<serverId>/} route always gets its one server: the gate handed
 * that address out, and only a real attempt can tell the client more than a stale check. Every other route (a type,
 * an alias) takes the usable backend with the fewest connections; ties go round-robin, so equal servers share
 * evenly. When none is usable there is no choice, and the caller answers 502 without dialling.
 *
 * <p>One instance per event loop: the round-robin position is plain state, never shared.
 */
public final class TargetChoice {

  private final LiveState live;
  private int next;

  public TargetChoice(LiveState live) {
    this.live = live;
  }

  /** The target to dial, or null when the route spreads over servers and none of them is usable. */
  public Target choose(Route route) {
    List<Target> targets = route.targets();
    if (route.kind() == RouteKind.SERVER || route.kind() == RouteKind.PORT) {
      return targets.get(0);
    }
    int size = targets.size();
    next = (next + 1) & Integer.MAX_VALUE;
    Target best = null;
    int fewest = Integer.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      Target candidate = targets.get((next + i) % size);
      BackendState state = live.backend(candidate);
      if (live.healthAware() && !state.health().usable()) {
        continue;
      }
      // Strictly fewer: among equals the first from the rotating start wins, which is the round-robin.
      if (state.active() < fewest) {
        fewest = state.active();
        best = candidate;
      }
    }
    return best;
  }
}
