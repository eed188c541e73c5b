package io.pomelo.sidecar.backend;

/** What the sidecar believes about one backend's client port. */
public enum Health {
  /** Not checked yet (new, or checks are off): treated as healthy, so a reload never holds back a new server. */
  UNKNOWN,
  /** The last TCP connect or WebSocket upgrade to it succeeded. */
  HEALTHY,
  /** The last TCP connect to it failed: type routes and aliases leave it out until a check succeeds. */
  UNHEALTHY;

  /** Whether a route that spreads over several servers may send a new connection here. */
  public boolean usable() {
    return this != UNHEALTHY;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
