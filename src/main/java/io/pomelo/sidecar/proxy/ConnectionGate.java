package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where each connection of the public port is admitted or refused: counted by the {@link ConnectionLimiter} when it
 * opens, timed by the {@link RequestHeadTimeout} until its request head is complete, and, when over a limit,
 * answered 503 or 429 on its first request before any Pomelo server is dialled. The answer needs a request to
 * answer, so a refused client still completes its TLS handshake; shedding floods below TLS is a firewall's job.
 *
 * <p>One instance per event loop; every method runs on it. Connections are known by their channel, never by Vert.x's
 * connection object, which an open tunnel must not keep reachable (see {@link ClientSocket}).
 */
final class ConnectionGate {

  private final ConnectionLimiter limiter;
  private final RequestHeadTimeout headTimeout;
  private final Refusals refusals;
  private final Map<Channel, Refusal> refused = new IdentityHashMap<>();

  ConnectionGate(ConnectionLimiter limiter, RequestHeadTimeout headTimeout, Refusals refusals) {
    this.limiter = limiter;
    this.headTimeout = headTimeout;
    this.refusals = refusals;
  }

  /** The HTTP server's connection handler: runs once per connection, after the TLS handshake. */
  void connected(HttpConnection connection) {
    SocketAddress peer = connection.remoteAddress();
    String address = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    Channel channel = ClientSocket.channelOf(connection);
    Refusal verdict = limiter.opened(address);
    if (verdict != null) {
      refused.put(channel, verdict);
    }
    headTimeout.connected(channel);
    // Not through HttpConnection#closeHandler: it holds one handler, which the upgrade path sets for itself, and a
    // tunnel's socket is no longer Vert.x's. The channel's own close future always completes.
    channel.closeFuture().addListener(f -> {
      limiter.closed(address);
      refused.remove(channel);
      headTimeout.closed(channel);
    });
  }

  /** False when the request was answered here (its connection was over a limit). */
  boolean admit(HttpServerRequest request) {
    headTimeout.headComplete(request);
    Refusal verdict = refused.get(ClientSocket.channelOf(request.connection()));
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
}
