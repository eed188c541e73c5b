package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.backend.CloseReason;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.backend.RouteCounters;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one client's WebSocket upgrade ({@link ClientUpgradeRequest}) to a Pomelo server
 * ({@link BackendUpgradeRequest}, {@link BackendUpgradeAnswer}) and, once it answers 101, turns both connections into
 * a {@link Tunnel}. The server's answer is the client's answer: its 101 headers (accept key, subprotocol, extensions)
 * reach the client unchanged, and a refusal reaches the client with the server's status and body.
 *
 * <p>Every upgrade ends in exactly one {@link #finish}: the route's count by status, the connection counts, the
 * access log line. A failed TCP connect marks the server down and a 101 marks it up (passive health).
 */
final class UpgradeForwarding {

  private static final Logger LOG = LoggerFactory.getLogger(UpgradeForwarding.class);

  private final Vertx vertx;
  private final BackendUpgradeRequest backend;
  private final Tunnels tunnels;
  private final long upgradeTimeoutMillis;
  private final LiveState live;
  private final AccessLog accessLog;
  private final Refusals refusals;
  private final ClientAddress clients;

  UpgradeForwarding(Vertx vertx, BackendUpgradeRequest backend, Tunnels tunnels, long upgradeTimeoutMillis,
                    LiveState live, AccessLog accessLog, Refusals refusals, ClientAddress clients) {
    this.vertx = vertx;
    this.backend = backend;
    this.tunnels = tunnels;
    this.upgradeTimeoutMillis = upgradeTimeoutMillis;
    this.live = live;
    this.accessLog = accessLog;
    this.refusals = refusals;
    this.clients = clients;
  }

  /**
   * Counts and logs an upgrade that reaches no server: no route (404), or a type route with no healthy server
   * (502). The caller answers it and closes the connection.
   */
  void unserved(HttpServerRequest request, Route route, int status) {
    (route == null ? live.unmatched() : live.route(route.path())).upgraded(status);
    accessLog.upgrade(Instant.now(), clients.of(request), request.path(), null, status, System.nanoTime(), 0, 0,
      null);
  }

  void forward(HttpServerRequest request, Route route, Target target) {
    // The event loop's own context, not the request's duplicate of it: a tunnel keeps it for as long as it is open.
    Context context = ((ContextInternal) vertx.getOrCreateContext()).unwrap();
    Attempt attempt = new Attempt(request, route, target, live.route(route.path()), live.backend(target),
      accessLog.enabled() ? clients.of(request) : null);
    Channel clientChannel = ClientSocket.channelOf(request.connection());
    if (ClientSocket.canTakeOver(clientChannel)) {
      // Not paused: the guard must keep reading, to see whatever the client sends before the 101.
      EarlyBytes.guard(clientChannel, () -> attempt.sentEarly(request, refusals));
      if (attempt.refused) {
        // The bytes came with the request head: refused before any server is dialled.
        finish(attempt, Refusal.EARLY_BYTES.status(), null);
        return;
      }
    }
    MultiMap headers = HopByHop.strip(HttpHeaders.headers().addAll(request.headers()));
    headers.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    headers.set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
    if (!headers.contains(HttpHeaders.HOST)) {
      headers.set(HttpHeaders.HOST, target.address());
    }
    ForwardedHeaders.set(headers, request, clients);
    // A client that leaves while the server is still answering must not leave the server's socket behind.
    request.connection().closeHandler(v -> attempt.clientLeft());

    backend.connect(target).onComplete(connected -> {
      if (attempt.refused) {
        endRefused(attempt, connected.succeeded() ? connected.result() : null);
        return;
      }
      if (connected.failed()) {
        // TCP (or a TLS target's handshake) failed or timed out: that is what a health check would have seen.
        if (live.healthAware()) {
          attempt.backend.markUnhealthy(Instant.now(), String.valueOf(connected.cause().getMessage()));
        }
        fail(request, 502, target, connected.cause());
        finish(attempt, 502, null);
        return;
      }
      Channel socket = connected.result();
      if (!attempt.dialled(socket)) {
        fail(request, 502, target, new IllegalStateException("the client left during the upgrade"));
        finish(attempt, 502, null);
        return;
      }
      boolean[] timedOut = {false};
      long timer = vertx.setTimer(upgradeTimeoutMillis, id -> {
        timedOut[0] = true;
        socket.close();
      });
      backend.send(socket, route.backendUri(request.uri()), headers).onComplete(answered -> {
        vertx.cancelTimer(timer);
        if (attempt.refused) {
          if (answered.succeeded()) {
            answered.result().release();
          }
          endRefused(attempt, socket);
          return;
        }
        if (answered.failed()) {
          // Not a health mark: a client that left mid-handshake closes the server's socket and lands here too.
          int status = timedOut[0] ? 504 : 502;
          Throwable cause = timedOut[0]
            ? new TimeoutException("no answer to the upgrade within " + upgradeTimeoutMillis + " ms")
            : answered.cause();
          socket.close();
          fail(request, status, target, cause);
          finish(attempt, status, null);
          return;
        }
        FullHttpResponse answer = answered.result();
        try {
          if (answer.status().code() == 101) {
            if (live.healthAware()) {
              attempt.backend.markHealthy(Instant.now());
            }
            attempt.counters.upgraded(101);
            accept(request, answer, socket, attempt, context);
          } else {
            socket.close();
            relayRefusal(request, answer);
            finish(attempt, answer.status().code(), null);
          }
        } finally {
          answer.release();
        }
      });
    });
  }

  private void accept(HttpServerRequest request, FullHttpResponse answer, Channel backend,
                      Attempt attempt, Context context) {
    Channel client = ClientSocket.channelOf(request.connection());
    if (!client.isActive()) {
      // The client went away during the server's handshake.
      backend.close();
      finish(attempt, 101, CloseReason.CLIENT);
      return;
    }
    Tunnel tunnel = new Tunnel(attempt.route, client, backend, tunnels, context, attempt.counters, refusals, t -> {
      attempt.bytesIn = t.bytesFromClient();
      attempt.bytesOut = t.bytesToClient();
      finish(attempt, 101, t.closeReason());
    });
    try {
      tunnel.start(request, answer.headers());
    } catch (RuntimeException e) {
      // Not seen: Vert.x did not hand the socket over as ClientSocket expects. The client must not hang on a half 101.
      LOG.warn("could not take the client's socket over for a tunnel", e);
      backend.close();
      client.close();
      finish(attempt, 101, CloseReason.ERROR);
    }
  }

  /** The end of an upgrade whose client sent bytes before the 101: its server's socket, if any, goes too. */
  private void endRefused(Attempt attempt, Channel server) {
    if (server != null) {
      server.close();
    }
    finish(attempt, Refusal.EARLY_BYTES.status(), null);
  }

  /**
   * The one end of every upgrade that was sent to a server; {@code reason} is null when it never became a tunnel.
   */
  private void finish(Attempt attempt, int status, CloseReason reason) {
    if (status != 101) {
      // A 101 was counted when it was answered, so that a connection counts in the total while it is open.
      attempt.counters.upgraded(status);
    }
    attempt.counters.connectionEnded();
    attempt.backend.connectionEnded();
    if (reason != null) {
      attempt.counters.closed(reason);
    }
    if (attempt.startedAt != null) {
      accessLog.upgrade(attempt.startedAt, attempt.client, attempt.path, attempt.target, status,
        attempt.startedNanos, attempt.bytesIn, attempt.bytesOut, reason);
    }
  }

  /**
   * One upgrade from the client's request to its end; counted as a connection from the start. Kept for as long as
   * its tunnel is open, so what only the access log reads is not kept when the log is off.
   */
  private static final class Attempt {
    final long startedNanos = System.nanoTime();
    /** These three are null when the access log is off. */
    final Instant startedAt;
    final io.vertx.core.net.SocketAddress client;
    final String path;
    final Route route;
    final Target target;
    final RouteCounters counters;
    final BackendState backend;
    long bytesIn;
    long bytesOut;
    /** True once the client sent bytes before the 101: it was answered 400, and no tunnel is made. */
    boolean refused;
    private Channel server;
    private boolean clientLeft;

    /** @param client for the access log, null when it is off */
    Attempt(HttpServerRequest request, Route route, Target target, RouteCounters counters, BackendState backend,
            SocketAddress client) {
      boolean logged = client != null;
      this.startedAt = logged ? Instant.now() : null;
      this.client = client;
      this.path = logged ? request.path() : null;
      this.route = route;
      this.target = target;
      this.counters = counters;
      this.backend = backend;
      counters.connectionStarted();
      backend.connectionStarted();
    }

    /** The client sent bytes before the 101: refused at once, and the server's socket (if any yet) is closed. */
    void sentEarly(HttpServerRequest request, Refusals refusals) {
      refused = true;
      refusals.record(Refusal.EARLY_BYTES);
      RefusalAnswer.send(request, Refusal.EARLY_BYTES, "Bad Request: bytes sent before the 101 (RFC 6455 4.1)");
      if (server != null) {
        server.close();
      }
    }

    /** The client's connection closed before the tunnel took it over: the server's socket goes too. */
    void clientLeft() {
      clientLeft = true;
      if (server != null) {
        server.close();
      }
    }

    /** Returns false (and closes the socket) when the client left while it was being dialled. */
    boolean dialled(Channel socket) {
      server = socket;
      if (clientLeft) {
        socket.close();
      }
      return !clientLeft;
    }
  }

  /** The server said no (wrong path, bad key, full): the client hears exactly that, body included. */
  private static void relayRefusal(HttpServerRequest request, FullHttpResponse answer) {
    HttpServerResponse response = request.response().setStatusCode(answer.status().code());
    response.setStatusMessage(answer.status().reasonPhrase());
    MultiMap headers = HttpHeaders.headers();
    for (Map.Entry<String, String> header : answer.headers()) {
      headers.add(header.getKey(), header.getValue());
    }
    // The length is the body's as Vert.x sends it; the server's framing (chunked, close-delimited) was undone.
    headers.remove(HttpHeaders.CONTENT_LENGTH);
    response.headers().addAll(HopByHop.strip(headers));
    // The request's decoder is gone (EarlyBytes took its place): the connection cannot carry another request.
    LastAnswer.begin(request);
    response.end(Buffer.buffer(ByteBufUtil.getBytes(answer.content()))).onComplete(v -> request.connection().close());
  }

  private static void fail(HttpServerRequest request, int status, Target target, Throwable cause) {
    LOG.debug("upgrade to {} ({}) failed: {}", target.serverId(), target.address(), cause.toString());
    PlainAnswer.last(request, status, (status == 504 ? "Gateway Timeout: " : "Bad Gateway: ") + target.serverId());
  }
}
