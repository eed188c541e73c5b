package io.pomelo.sidecar.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open tunnel of the process, across event loops: what graceful stop drains and what the admin API counts.
 */
public final class Tunnels {

  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();

  void opened(Tunnel tunnel) {
    open.add(tunnel);
  }

  void closed(Tunnel tunnel) {
    open.remove(tunnel);
  }

  public int size() {
    return open.size();
  }

  /** Closes every tunnel; each closes on its own event loop's terms, so this only starts the closing. */
  public void closeAll() {
    for (Tunnel tunnel : open) {
      tunnel.close();
    }
  }
}
