package io.pomelo.sidecar.config;

import java.time.Duration;

/**
 * What the public port tolerates from clients ({@code limits:}). Every limit answers before any Pomelo server is
 * dialled. A count of 0 turns that limit off.
 *
 * @param requestLine             default 8192 bytes: a longer request line ({@code GET /path?query HTTP/1.1}) gets 414
 * @param headerSize              default 16384 bytes: larger request headers, all together, get 431
 * @param headerCount             default 100: more header fields get 431
 * @param requestHeadTimeout      default 10s: from the end of the TLS handshake (or of the previous response on a
 *                                kept-alive connection) until the request head is complete; a slower client
 *                                (slowloris) is disconnected without an answer
 * @param tlsHandshakeTimeout     default 10s: a TLS handshake that takes longer is abandoned
 * @param connections             default 50000: open connections on the public port; beyond it a new one gets 503
 * @param connectionsPerAddress   default 1000: open connections from one client address; beyond it 429. Generous
 *                                because a carrier NAT puts many players behind one address
 * @param connectionRatePerAddress default 100: new connections per second from one client address (a burst of as
 *                                many is allowed); beyond it 429
 */
public record LimitsConfig(int requestLine, int headerSize, int headerCount, Duration requestHeadTimeout,
                           Duration tlsHandshakeTimeout, int connections, int connectionsPerAddress,
                           int connectionRatePerAddress) {

  public static LimitsConfig defaults() {
    return new LimitsConfig(8192, 16384, 100, Duration.ofSeconds(10), Duration.ofSeconds(10), 50_000, 1000, 100);
  }

  public LimitsConfig withConnections(int total, int perAddress, int ratePerAddress) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHeadTimeout, tlsHandshakeTimeout, total,
      perAddress, ratePerAddress);
  }

  public LimitsConfig withTimeouts(Duration requestHead, Duration tlsHandshake) {
    return new LimitsConfig(requestLine, headerSize, headerCount, requestHead, tlsHandshake, connections,
      connectionsPerAddress, connectionRatePerAddress);
  }
}
