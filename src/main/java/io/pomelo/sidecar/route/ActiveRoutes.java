package io.pomelo.sidecar.route;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one place the current route table lives. The proxy and the admin API both read it; a reload replaces it in
 * one step after the new table has been built and validated completely.
 */
public final class ActiveRoutes {

  private final AtomicReference<RouteTable> current = new AtomicReference<>(RouteTable.empty());

  public RouteTable current() {
    return current.get();
  }

  /** Installs {@code next} and returns the table it replaced. */
  public RouteTable swap(RouteTable next) {
    return current.getAndSet(next);
  }
}
