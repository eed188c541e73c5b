package io.pomelo.sidecar.master;

/** Where following the master stands. */
public enum MasterState {
  /** Not yet answered since {@link MasterFollower#start()}. */
  CONNECTING,
  /** Logged in, and the last list request was answered. */
  CONNECTED,
  /** The master refused the credentials; retried with back-off, since an operator may fix adminUser.json. */
  REFUSED,
  /** No connection, or no answer: the master is down, restarting, or hung. */
  UNREACHABLE,
  /** {@link MasterFollower#stop()} was called. */
  STOPPED
}
