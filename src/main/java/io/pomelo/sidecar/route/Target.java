package io.pomelo.sidecar.route;

import java.util.Objects;

/**
 * Where the sidecar dials for one Pomelo frontend server.
 *
 * @param serverId   Pomelo's server id ({@code connector-server-1})
 * @param serverType Pomelo's server type ({@code connector})
 * @param host       the host to dial, after wildcard and override rules ({@code 0.0.0.0} became {@code 127.0.0.1})
 * @param port       the server's {@code clientPort}
 * @param tls        whether the server's connector speaks TLS, so the sidecar dials it over TLS
 * @param serverName the name sent as SNI and verified in its certificate: {@code tlsServerName}, else the host
 */
public record Target(String serverId, String serverType, String host, int port, boolean tls, String serverName) {

  public Target {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(serverType, "serverType");
    Objects.requireNonNull(host, "host");
    serverName = serverName == null ? host : serverName;
  }

  /** A target dialled in plain TCP. */
  public Target(String serverId, String serverType, String host, int port) {
    this(serverId, serverType, host, port, false, null);
  }

  /** {@code wss://127.0.0.1:3050} or {@code ws://…}: how the sidecar reaches it, for people reading a table. */
  public String url() {
    return (tls ? "wss://" : "ws://") + address();
  }

  /** {@code 127.0.0.1:3014}, with IPv6 literals in brackets. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
