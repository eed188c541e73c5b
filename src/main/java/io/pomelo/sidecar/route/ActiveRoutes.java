package io.pomelo.sidecar.route;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one place the current route table lives. The proxy and the admin API both read it; a reload replaces it in
 * one step after the new table has been built and validated completely. A connection reads it once.
 */
public final class ActiveRoutes {

  /**
   * The table and where it came from.
   *
   * @param table      the routes
   * @param generation 0 before anything is loaded, 1 for the table loaded at start, +1 for each table a reload
   *                   installed (a reload that changes nothing keeps the number)
   * @param loadedAt   when this table was installed
   * @param sha256     digest of the servers.json bytes it was built from
   */
  public record Snapshot(RouteTable table, long generation, Instant loadedAt, String sha256) {
  }

  private final AtomicReference<Snapshot> current =
    new AtomicReference<>(new Snapshot(RouteTable.empty(), 0, Instant.EPOCH, ""));

  /** The table to route with. */
  public RouteTable current() {
    return current.get().table();
  }

  public Snapshot snapshot() {
    return current.get();
  }

  /** Installs {@code next} as a new generation and returns the snapshot it replaced. */
  public Snapshot install(RouteTable next, String sha256, Instant now) {
    Snapshot before;
    Snapshot after;
    do {
      before = current.get();
      after = new Snapshot(next, before.generation() + 1, now, sha256);
    } while (!current.compareAndSet(before, after));
    return before;
  }

  /** Records that the file changed (new digest) while the routes it gives did not. */
  public void touch(String sha256) {
    current.updateAndGet(s -> new Snapshot(s.table(), s.generation(), s.loadedAt(), sha256));
  }
}
