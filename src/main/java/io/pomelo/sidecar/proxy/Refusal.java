package io.pomelo.sidecar.proxy;

/**
 * Why the public port turned a client away, with the HTTP status it answered; 0 where the connection was closed
 * without an answer (there was no complete request to answer, or no TLS to answer in).
 */
public enum Refusal {
  /** The TLS handshake failed or took longer than {@code limits.tlsHandshakeTimeout}. */
  TLS_HANDSHAKE(0),
  /** The first bytes were not TLS at all: plain HTTP, or garbage, sent to the TLS port. */
  NOT_TLS(0),
  /**
   * With {@code clients.proxyProtocol}, a connection that did not start with a valid PROXY protocol header: none,
   * a broken one, an oversized one. One that stays silent past {@code headerTimeout} is closed too, uncounted.
   */
  NO_PROXY_HEADER(0),
  /** A PROXY protocol header from a peer outside {@code clients.proxyProtocol.trustedSources}. */
  UNTRUSTED_PROXY(0),
  /** A request head not complete within {@code limits.requestHeadTimeout} (slowloris) or {@code keepAliveTimeout}. */
  REQUEST_HEAD_TIMEOUT(0),
  /** The request line was longer than {@code limits.requestLine}. */
  REQUEST_LINE_TOO_LONG(414),
  /** The request headers were larger than {@code limits.headerSize}. */
  HEADERS_TOO_LARGE(431),
  /** More header fields than {@code limits.headerCount}. */
  TOO_MANY_HEADERS(431),
  /** Not HTTP that could be parsed. */
  MALFORMED_REQUEST(400),
  /**
   * Framing two parsers could read differently (request smuggling): Transfer-Encoding on HTTP/1.0, beside
   * Content-Length or not ending in chunked; a repeated or non-numeric Content-Length; a missing or repeated Host;
   * a body on an upgrade.
   */
  BAD_FRAMING(400),
  /** Bytes after an upgrade request, before the 101: pipelined requests or frames no WebSocket client may send. */
  EARLY_BYTES(400),
  /** A path that could reach somewhere other than what it names: dot segments, encoded slashes. */
  BAD_PATH(400),
  /** A WebSocket upgrade with a bad Sec-WebSocket-Key or an unsupported Sec-WebSocket-Version. */
  BAD_UPGRADE(400),
  /** A request without an upgrade on a route with {@code webSocketOnly}. */
  UPGRADE_REQUIRED(426),
  /** An upgrade whose WeChat Referer names an app that {@code wechat.appIds} does not allow. */
  ORIGIN_NOT_ALLOWED(403),
  /** More open connections than {@code limits.connections}. */
  TOO_MANY_CONNECTIONS(503),
  /** More open connections from one address than {@code limits.connectionsPerAddress}. */
  TOO_MANY_FROM_ADDRESS(429),
  /** More new connections per second from one address than {@code limits.connectionRatePerAddress}. */
  TOO_FAST_FROM_ADDRESS(429),
  /** Not a refusal at the door: an established WebSocket closed after its route's idle timeout. */
  IDLE_TIMEOUT(0);

  private final int status;

  Refusal(int status) {
    this.status = status;
  }

  /** The HTTP status the client got, or 0 when its connection was closed without one. */
  public int status() {
    return status;
  }
}
