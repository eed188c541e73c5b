package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * Settings for the routes of one Pomelo server type ({@code routes.types.connector}); a null field inherits the
 * global value from {@link RoutesConfig}.
 *
 * @param stripPrefix   whether the backend sees the path without the route prefix
 * @param dial          which of the server's addresses to dial
 * @param webSocketOnly whether a request without a WebSocket upgrade gets 426 instead of being proxied
 * @param idleTimeout   how long an established WebSocket may pass no bytes before it is closed; zero: never
 * @param backendTls    {@code tls} and {@code tlsServerName}: whether this type's connectors speak TLS
 */
public record TypeRoutesConfig(Boolean stripPrefix, DialAddress dial, Boolean webSocketOnly, Duration idleTimeout,
                               BackendTls backendTls) {

  public TypeRoutesConfig {
    backendTls = backendTls == null ? BackendTls.INHERIT : backendTls;
  }

  public TypeRoutesConfig(Boolean stripPrefix, DialAddress dial, Boolean webSocketOnly, Duration idleTimeout) {
    this(stripPrefix, dial, webSocketOnly, idleTimeout, null);
  }

  public TypeRoutesConfig(Boolean stripPrefix, DialAddress dial) {
    this(stripPrefix, dial, null, null);
  }
}
