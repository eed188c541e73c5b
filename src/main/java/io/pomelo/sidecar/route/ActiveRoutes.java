package io.pomelo.sidecar.route;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * The route table the proxy routes with, read from wherever the running state keeps it; a reload replaces that in
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

  private final Supplier<Snapshot> source;

  public ActiveRoutes(Supplier<Snapshot> source) {
    this.source = source;
  }

  /** The table to route with. */
  public RouteTable current() {
    return source.get().table();
  }
}
