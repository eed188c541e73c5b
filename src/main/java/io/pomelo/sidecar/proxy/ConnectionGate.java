package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where each connection of the public port is admitted or refused: counted by the {@link ConnectionLimiter} when it
 * opens, timed by the {@link RequestHeadTimeout} until its request head is complete, and, when over a limit,
 * answered 503 or 429 on its first request before any Pomelo server is dialled. The answer needs a request to
 * answer, so a refused client still completes its TLS handshake; shedding floods below TLS is a firewall's job.
 *
 * <p>One instance per event loop; every method runs on it.
 */
final class ConnectionGate {

  private final ConnectionLimiter limiter;
  private final RequestHeadTimeout headTimeout;
  private final Refusals refusals;
  private final Map<HttpConnection, Refusal> refused = new IdentityHashMap<>();

  ConnectionGate(ConnectionLimiter limiter, RequestHeadTimeout headTimeout, Refusals refusals) {
    this.limiter = limiter;
    this.headTimeout = headTimeout;
    this.refusals = refusals;
  }

  /** The HTTP server's connection handler: runs once per connection, after the TLS handshake. */
  void connected(HttpConnection connection) {
    SocketAddress peer = connection.remoteAddress();
    String address = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    Refusal verdict = limiter.opened(address);
    if (verdict != null) {
      refused.put(connection, verdict);
    }
    headTimeout.connected(connection);
    whenClosed(connection, () -> {
      limiter.closed(address);
      refused.remove(connection);
      headTimeout.closed(connection);
    });
  }

  /** False when the request was answered here (its connection was over a limit). */
  boolean admit(HttpServerRequest request) {
    headTimeout.headComplete(request);
    Refusal verdict = refused.get(request.connection());
    if (verdict == null) {
      return true;
    }
    refusals.refuse(request, verdict, switch (verdict) {
      case TOO_MANY_CONNECTIONS -> "Service Unavailable: too many connections";
      case TOO_MANY_FROM_ADDRESS -> "Too Many Requests: too many connections from your address";
      default -> "Too Many Requests: too many new connections from your address";
    });
    return false;
  }

  /**
   * Runs {@code action} when the connection's socket closes, however that happens. Not through
   * {@link HttpConnection#closeHandler}: it holds one handler, which the upgrade path sets for itself, and it is
   * never called once the connection became a WebSocket tunnel. The channel's own close future always completes.
   */
  private static void whenClosed(HttpConnection connection, Runnable action) {
    if (connection instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(f -> action.run());
    } else {
      connection.closeHandler(v -> action.run());
    }
  }
}
