package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * How the sidecar talks to Pomelo servers ({@code proxy:}).
 *
 * @param connectTimeout default 3s: a server that does not accept the TCP connection within it gets the client a 502;
 *                       a plain request that waits twice as long for a connection of a busy pool gets a 504
 * @param upgradeTimeout default 10s: a server that accepts but does not answer the WebSocket upgrade within it gets
 *                       the client a 504. It does not limit an established tunnel: {@code routes.idleTimeout}
 *                       does
 * @param responseTimeout default 60s: a plain HTTP request whose server sends nothing of its response for this long
 *                       gets the client a 504; long enough for socket.io's long-polls, which a server holds up to its
 *                       ping interval (25s by default)
 * @param backendTls     how backends that speak TLS are verified
 */
public record ProxyConfig(Duration connectTimeout, Duration upgradeTimeout, Duration responseTimeout,
                          BackendTlsConfig backendTls) {

  public ProxyConfig {
    backendTls = backendTls == null ? BackendTlsConfig.defaults() : backendTls;
  }

  public ProxyConfig(Duration connectTimeout, Duration upgradeTimeout, Duration responseTimeout) {
    this(connectTimeout, upgradeTimeout, responseTimeout, null);
  }

  public static ProxyConfig defaults() {
    return new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(60));
  }
}
