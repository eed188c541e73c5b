package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where each connection of the public port is admitted or refused: counted by the {@link ConnectionLimiter} from
 * accept ({@link AcceptCounting}), timed by the {@link RequestHeadTimeout} from the end of its TLS handshake, and,
 * when it was over a limit at accept, given a {@link #verdict} that {@link RequestChecks} answers (503 or 429) on its
 * first request before any Pomelo server is dialled.
 * The answer needs a request to answer, so a refused client still completes its TLS handshake; shedding floods
 * below TLS is a firewall's job. With PROXY protocol, a connection is counted here, after its handshake, under the
 * address its header carried (at accept only the balancer's address is known), and one whose header came from an
 * untrusted peer is closed here, before any request is read.
 *
 * <p>One instance per event loop; every method runs on it. Connections are known by their channel, never by Vert.x's
 * connection object, which an open tunnel must not keep reachable (see {@link ClientSocket}).
 */
final class ConnectionGate {

  private final ConnectionLimiter limiter;
  private final RequestHeadTimeout headTimeout;
  private final ClientAddress clients;
  private final Refusals refusals;
  private final Map<Channel, Refusal> refused = new IdentityHashMap<>();

  ConnectionGate(ConnectionLimiter limiter, RequestHeadTimeout headTimeout, ClientAddress clients, Refusals refusals) {
    this.limiter = limiter;
    this.headTimeout = headTimeout;
    this.clients = clients;
    this.refusals = refusals;
  }

  /** The HTTP server's connection handler: runs once per connection, after the TLS handshake. */
  void connected(HttpConnection connection) {
    Channel channel = ClientSocket.channelOf(connection);
    Refusal untrusted = clients.refusal(connection);
    if (untrusted != null) {
      refusals.record(untrusted);
      // Kept as the verdict too: a request already decoded with the connection must not be served either.
      refused.put(channel, untrusted);
      channel.closeFuture().addListener(f -> refused.remove(channel));
      channel.close();
      return;
    }
    AcceptCounting.Admission admission = channel.attr(AcceptCounting.ADMISSION).getAndSet(null);
    Refusal verdict;
    if (admission != null) {
      verdict = admission.verdict();
    } else {
      // Not counted at accept (behind PROXY protocol, or a TLS engine that did not go through AcceptCounting):
      // counted from now on.
      SocketAddress peer = ClientAddress.of(connection);
      String key = limiter.keyOf(peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress());
      verdict = limiter.opened(key);
      channel.closeFuture().addListener(f -> limiter.closed(key));
    }
    if (verdict != null) {
      refused.put(channel, verdict);
    }
    headTimeout.connected(channel);
    // Not through HttpConnection#closeHandler: it holds one handler, which the upgrade path sets for itself, and a
    // tunnel's socket is no longer Vert.x's. The channel's own close future always completes.
    channel.closeFuture().addListener(f -> {
      refused.remove(channel);
      headTimeout.closed(channel);
    });
  }

  /** The refusal the request's connection earned at accept (it was over a limit), or null when it earned none. */
  Refusal verdict(HttpServerRequest request) {
    return refused.get(ClientSocket.channelOf(request.connection()));
  }
}
