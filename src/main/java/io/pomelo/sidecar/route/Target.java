package io.pomelo.sidecar.route;

import java.util.Objects;

/**
 * Where the sidecar dials for one Pomelo frontend server.
 *
 * @param serverId   Pomelo's server id ({@code connector-server-1})
 * @param serverType Pomelo's server type ({@code connector})
 * @param host       the host to dial, after wildcard and override rules ({@code 0.0.0.0} became {@code 127.0.0.1})
 * @param port       the server's {@code clientPort}
 */
public record Target(String serverId, String serverType, String host, int port) {

  public Target {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(serverType, "serverType");
    Objects.requireNonNull(host, "host");
  }

  /** {@code 127.0.0.1:3014}, with IPv6 literals in brackets. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
