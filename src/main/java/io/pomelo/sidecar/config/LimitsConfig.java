package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * What the public port tolerates from clients ({@code limits:}). Every limit answers before any Pomelo server is
 * dialled. A count of 0 turns that limit off.
 *
 * @param requestLine             default 8192 bytes: a longer request line ({@code GET /path?query HTTP/1.1}) gets 414
 * @param headerSize              default 16384 bytes: larger request headers, all together, get 431
 * @param headerCount             default 100: more header fields get 431
 * @param requestHeadTimeout      default 10s: from the end of the TLS handshake until the first request head is
 *                                complete; a slower client (slowloris) is disconnected without an answer
 * @param tlsHandshakeTimeout     default 10s: a TLS handshake that takes longer is abandoned
 * @param connections             default 50000: open connections on the public port; beyond it a new one gets 503
 * @param connectionsPerAddress   default 1000: open connections from one client address; beyond it 429. Generous
 *                                because a carrier NAT puts many players behind one address
 * @param connectionRatePerAddress default 100: new connections per second from one client address (a burst of as
 *                                many is allowed); beyond it 429
 * @param keepAliveTimeout        default 30s: from the end of a response until the next request head on the same
 *                                connection is complete; then the connection is closed without an answer
 * @param ipv6Prefix              default 64: IPv6 clients count against the per-address limits by this many leading
 *                                bits of their address, because one subscriber is handed a whole /64
 */
public record LimitsConfig(int requestLine, int headerSize, int headerCount, Duration requestHeadTimeout,
                           Duration tlsHandshakeTimeout, int connections, int connectionsPerAddress,
                           int connectionRatePerAddress, Duration keepAliveTimeout, int ipv6Prefix) {

  public static LimitsConfig defaults() {
    return new LimitsConfig(8192, 16384, 100, Duration.ofSeconds(10), Duration.ofSeconds(10), 50_000, 1000, 100,
      Duration.ofSeconds(30), 64);
  }

  public LimitsConfig withConnections(int total, int perAddress, int ratePerAddress) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHeadTimeout, tlsHandshakeTimeout, total,
      perAddress, ratePerAddress, keepAliveTimeout, ipv6Prefix);
  }

  public LimitsConfig withTimeouts(Duration requestHead, Duration tlsHandshake) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHead, tlsHandshake, connections,
      connectionsPerAddress, connectionRatePerAddress, keepAliveTimeout, ipv6Prefix);
  }

  public LimitsConfig withKeepAliveTimeout(Duration keepAlive) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHeadTimeout, tlsHandshakeTimeout,
      connections, connectionsPerAddress, connectionRatePerAddress, keepAlive, ipv6Prefix);
  }

  public LimitsConfig withIpv6Prefix(int bits) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHeadTimeout, tlsHandshakeTimeout,
      connections, connectionsPerAddress, connectionRatePerAddress, keepAliveTimeout, bits);
  }
}
