package io.pomelo.sidecar.health;

import io.pomelo.sidecar.route.Target;

/**
 * What identifies a backend across reloads: the same server id at the same address is the same backend, so its
 * health and counts carry over; a server that moved is a new backend.
 */
public record TargetKey(String serverId, String host, int port) {

  public static TargetKey of(Target target) {
    return new TargetKey(target.serverId(), target.host(), target.port());
  }
}
