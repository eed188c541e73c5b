package io.pomelo.sidecar.state;

/**
 * One ask for a reload.
 *
 * @param trigger what asked, as logged and shown: "files changed", "SIGHUP", "admin API"
 * @param scope   what is read again
 */
public record ReloadRequest(String trigger, Scope scope) {

  /** Watched files alone, or the configuration file too. */
  public enum Scope {
    /** servers.json and the certificates: a watched file changed. */
    FILES,
    /** The configuration file as well: an operator asked (SIGHUP, the admin API). */
    EVERYTHING
  }

  public static ReloadRequest files(String trigger) {
    return new ReloadRequest(trigger, Scope.FILES);
  }

  public static ReloadRequest everything(String trigger) {
    return new ReloadRequest(trigger, Scope.EVERYTHING);
  }

  /** The broader of two requests, under both triggers: what a coalesced run reads. */
  public ReloadRequest and(ReloadRequest other) {
    String both = trigger.contains(other.trigger) ? trigger : trigger + ", " + other.trigger;
    return new ReloadRequest(both, scope == Scope.EVERYTHING || other.scope == Scope.EVERYTHING
      ? Scope.EVERYTHING : Scope.FILES);
  }
}
