package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.Target;

import java.util.List;

/**
 * Picks the backend for a new connection. A {@code /<serverId>/} route always gets its one server: the gate handed
 * that address out, and only a real attempt can tell the client more than a stale check. Every other route (a type,
 * an alias) takes the usable backend with the fewest connections; ties go round-robin, so equal servers share
 * evenly. When none is usable there is no choice, and the caller answers 502 without dialling. On a route that
 * spreads, a request of a known engine.io session goes to the server that made it, while that server is usable
 * ({@link SessionAffinity}).
 *
 * <p>One instance per event loop: the round-robin position is plain state, never shared.
 */
public final class TargetChoice {

  private final LiveState live;
  private int next;

  public TargetChoice(LiveState live) {
    this.live = live;
  }

  /** Whether requests on {@code route} are spread over several servers, so that a session needs pinning. */
  public static boolean spreads(Route route) {
    return route.kind() != RouteKind.SERVER && route.kind() != RouteKind.PORT && route.targets().size() > 1;
  }

  /** The target to dial, or null when the route spreads over servers and none of them is usable. */
  public Target choose(Route route) {
    return choose(route, null);
  }

  /**
   * Like {@link #choose(Route)}, but a request of engine.io session {@code sid} (null: none) goes to the server the
   * session is pinned to while that server is usable; when it is not, the pin is dropped and the choice is the usual.
   */
  public Target choose(Route route, String sid) {
    List<Target> targets = route.targets();
    if (route.kind() == RouteKind.SERVER || route.kind() == RouteKind.PORT) {
      return targets.get(0);
    }
    if (sid != null && targets.size() > 1) {
      SessionAffinity sessions = live.sessions();
      Target pinned = sessions.pinned(sid, route);
      if (pinned != null) {
        if (usable(pinned)) {
          return pinned;
        }
        // The session lived in that server's process: another server can only start a new one.
        sessions.forget(sid);
      }
    }
    next = (next + 1) & Integer.MAX_VALUE;
    Target best = fewest(targets, true);
    // As nginx does when every server is marked failed: a master that has just restarted lists nobody until their
    // monitors reconnect, and a healthy server it does not list yet beats a 502.
    return best != null ? best : fewest(targets, false);
  }

  /** The usable target with the fewest connections, from the rotating start; {@code listedOnly} skips unlisted ones. */
  private Target fewest(List<Target> targets, boolean listedOnly) {
    int size = targets.size();
    Target best = null;
    int fewest = Integer.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      Target candidate = targets.get((next + i) % size);
      BackendState state = live.backend(candidate);
      if (!healthy(state) || listedOnly && state.unlisted()) {
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

  private boolean usable(Target target) {
    return usable(live.backend(target));
  }

  private boolean usable(BackendState state) {
    return healthy(state) && !state.unlisted();
  }

  private boolean healthy(BackendState state) {
    return !live.healthAware() || state.health().usable();
  }
}
