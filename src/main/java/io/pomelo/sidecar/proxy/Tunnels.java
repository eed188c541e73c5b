package io.pomelo.sidecar.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Every open tunnel of the process, across event loops: what a removed route's policy and graceful stop act on,
 * and what the admin API counts.
 */
public final class Tunnels {

  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
  private final Set<Promise<Void>> awaitingEmpty = ConcurrentHashMap.newKeySet();

  void opened(Tunnel tunnel) {
    open.add(tunnel);
  }

  void closed(Tunnel tunnel) {
    open.remove(tunnel);
    if (open.isEmpty()) {
      signalEmpty();
    }
  }

  /** Completes once no tunnel is open (at once if none is): what a stop's drain waits for. */
  public Future<Void> whenEmpty() {
    Promise<Void> empty = Promise.promise();
    awaitingEmpty.add(empty);
    if (open.isEmpty()) {
      signalEmpty();
    }
    return empty.future();
  }

  private void signalEmpty() {
    for (Promise<Void> p : awaitingEmpty) {
      if (awaitingEmpty.remove(p)) {
        p.tryComplete();
      }
    }
  }

  public int size() {
    return open.size();
  }

  /** The open tunnels now; for tests. */
  List<Tunnel> snapshot() {
    return List.copyOf(open);
  }

  /** Open tunnels that entered through one of these route paths. */
  public int countOnRoutes(Set<String> paths) {
    return (int) open.stream().filter(onRoutes(paths)).count();
  }

  /** Sends {@code close}'s frame on every tunnel that entered through one of {@code paths}; returns how many. */
  public int closeRoutes(Set<String> paths, SidecarClose close) {
    int n = 0;
    for (Tunnel tunnel : open) {
      if (onRoutes(paths).test(tunnel)) {
        tunnel.closeWith(close);
        n++;
      }
    }
    return n;
  }

  /** Sends {@code close}'s frame on every tunnel. */
  public void closeAll(SidecarClose close) {
    for (Tunnel tunnel : open) {
      tunnel.closeWith(close);
    }
  }

  /** Closes every tunnel's sockets at once, without a close frame: the last step of a stop. */
  public void abortAll() {
    for (Tunnel tunnel : open) {
      tunnel.close();
    }
  }

  private static Predicate<Tunnel> onRoutes(Set<String> paths) {
    return t -> paths.contains(t.route().path());
  }
}
