package io.pomelo.sidecar.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a reload changed, by route path.
 *
 * @param added      paths that are new
 * @param removed    paths that are gone; their open connections follow the removed-routes policy
 * @param retargeted paths whose servers changed; new connections go to the new servers, open ones stay
 * @param changed    paths whose other settings changed (kind, type, stripPrefix)
 */
public record RouteDiff(List<String> added, List<String> removed, List<String> retargeted, List<String> changed) {

  public static final RouteDiff NONE = new RouteDiff(List.of(), List.of(), List.of(), List.of());

  public RouteDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    retargeted = List.copyOf(retargeted);
    changed = List.copyOf(changed);
  }

  public static RouteDiff between(RouteTable before, RouteTable after) {
    Set<String> paths = new TreeSet<>(before.paths());
    paths.addAll(after.paths());
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> retargeted = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (String path : paths) {
      Route old = before.byPath(path);
      Route now = after.byPath(path);
      if (old == null) {
        added.add(path);
      } else if (now == null) {
        removed.add(path);
      } else if (!old.targets().equals(now.targets())) {
        retargeted.add(path);
      } else if (!old.equals(now)) {
        changed.add(path);
      }
    }
    return new RouteDiff(added, removed, retargeted, changed);
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && retargeted.isEmpty() && changed.isEmpty();
  }
}
