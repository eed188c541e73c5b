package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * How the sidecar talks to Pomelo servers ({@code proxy:}).
 *
 * @param connectTimeout default 3s: a server that does not accept the TCP connection within it gets the client a 502
 * @param upgradeTimeout default 10s: a server that accepts but does not answer the request or the WebSocket
 *                       upgrade within it gets the client a 504. It does not limit an established tunnel: those
 *                       have no idle timeout, because game clients sit quiet for minutes
 */
public record ProxyConfig(Duration connectTimeout, Duration upgradeTimeout) {
}
