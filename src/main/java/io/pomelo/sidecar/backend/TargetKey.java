package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Target;

/**
 * What identifies a backend across reloads: the same server id at the same address is the same backend, so its
 * health and counts carry over; a server that moved is a new backend, and so is one now reached over TLS (or no
 * longer), because its health is that of the way we reach it.
 */
public record TargetKey(String serverId, String host, int port, boolean tls, String serverName) {

  public TargetKey(String serverId, String host, int port) {
    this(serverId, host, port, false, host);
  }

  /** A target to dial for this key; the server type plays no part in dialling. */
  Target target() {
    return new Target(serverId, "", host, port, tls, serverName);
  }

  public static TargetKey of(Target target) {
    return new TargetKey(target.serverId(), target.host(), target.port(), target.tls(), target.serverName());
  }
}
