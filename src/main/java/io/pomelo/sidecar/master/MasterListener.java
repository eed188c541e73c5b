package io.pomelo.sidecar.master;

/**
 * Told what following the master finds, on the follower's context, in order. Each call is a change: the same state
 * with the same error, or an equal server list, is not reported twice.
 */
public interface MasterListener {

  /** The connection's state or error changed: log it once. */
  default void statusChanged(MasterStatus status) {
  }

  /** The master's list changed (the first answer counts as a change). Kept while the master is away. */
  default void serversChanged(MasterServers servers) {
  }
}
