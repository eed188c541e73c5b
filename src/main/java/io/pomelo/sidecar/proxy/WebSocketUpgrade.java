package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.health.BackendState;
import io.pomelo.sidecar.health.CloseReason;
import io.pomelo.sidecar.health.LiveState;
import io.pomelo.sidecar.health.RouteCounters;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one WebSocket upgrade to a Pomelo server and, once it answers 101, turns both connections into a
 * {@link Tunnel}. The server's answer is the client's answer: its 101 headers (accept key, subprotocol, extensions)
 * reach the client unchanged, and a refusal reaches the client with the server's status and body.
 *
 * <p>Every upgrade ends in exactly one {@link #finish}: the route's count by status, the connection counts, the
 * access log line. A failed TCP connect marks the server down and a 101 marks it up (passive health).
 */
final class WebSocketUpgrade {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketUpgrade.class);

  /** Hop-by-hop headers (RFC 9110 7.6.1) that must not travel; Connection and Upgrade are set anew below. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
    "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

  private final Vertx vertx;
  private final HttpClient client;
  private final Tunnels tunnels;
  private final long upgradeTimeoutMillis;
  private final LiveState live;
  private final AccessLog accessLog;
  private final Refusals refusals;

  WebSocketUpgrade(Vertx vertx, HttpClient client, Tunnels tunnels, long upgradeTimeoutMillis, LiveState live,
                   AccessLog accessLog, Refusals refusals) {
    this.vertx = vertx;
    this.client = client;
    this.tunnels = tunnels;
    this.upgradeTimeoutMillis = upgradeTimeoutMillis;
    this.live = live;
    this.accessLog = accessLog;
    this.refusals = refusals;
  }

  /**
   * Counts and logs an upgrade that reaches no server: no route (404), or a type route with no healthy server
   * (502). The caller answers it.
   */
  void unserved(HttpServerRequest request, Route route, int status) {
    (route == null ? live.unmatched() : live.route(route.path())).upgraded(status);
    accessLog.upgrade(Instant.now(), request.remoteAddress(), request.path(), null, status, System.nanoTime(), 0, 0,
      null);
  }

  void forward(HttpServerRequest request, Route route, Target target) {
    Context context = vertx.getOrCreateContext();
    Attempt attempt = new Attempt(request, route, target, live.route(route.path()), live.backend(target));
    request.pause();
    MultiMap headers = withoutHopByHop(HttpHeaders.headers().addAll(request.headers()));
    headers.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    headers.set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
    ForwardedHeaders.set(headers, request);

    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.GET)
      .setHost(target.host())
      .setPort(target.port())
      .setURI(route.backendUri(request.uri()))
      .setHeaders(headers);

    client.request(options).onComplete(created -> {
      if (created.failed()) {
        // The TCP connection to the server failed or timed out: that is what a health check would have seen.
        if (live.healthAware()) {
          attempt.backend.markUnhealthy(Instant.now(), String.valueOf(created.cause().getMessage()));
        }
        fail(request, 502, target, created.cause());
        finish(attempt, 502, null);
        return;
      }
      HttpClientRequest upstream = created.result();
      // Failures arrive through connect()'s future; without a handler Vert.x also logs each one as an error.
      upstream.exceptionHandler(e -> { });
      // The reset surfaces as a StreamResetException whatever cause it is given, so the timer leaves its own mark.
      boolean[] timedOut = {false};
      long timer = vertx.setTimer(upgradeTimeoutMillis, id -> {
        timedOut[0] = true;
        upstream.reset(0, new TimeoutException("no answer to the upgrade within " + upgradeTimeoutMillis + " ms"));
      });
      // A client that leaves while the server is still answering must not leave the server's socket behind.
      request.connection().closeHandler(v -> upstream.reset());
      upstream.connect().onComplete(answered -> {
        vertx.cancelTimer(timer);
        if (answered.failed()) {
          // Not a health mark: a client that left mid-handshake resets the request and lands here too.
          int status = timedOut[0] ? 504 : 502;
          fail(request, status, target, answered.cause());
          finish(attempt, status, null);
        } else if (answered.result().statusCode() == 101) {
          if (live.healthAware()) {
            attempt.backend.markHealthy(Instant.now());
          }
          attempt.counters.upgraded(101);
          accept(request, answered.result(), attempt, context);
        } else {
          refuse(request, answered.result());
          finish(attempt, answered.result().statusCode(), null);
        }
      });
    });
  }

  private void accept(HttpServerRequest request, HttpClientResponse upstream, Attempt attempt, Context context) {
    NetSocket backend = upstream.netSocket();
    HttpServerResponse response = request.response();
    response.setStatusCode(101);
    response.headers().addAll(upstream.headers());
    try {
      request.toNetSocket().onComplete(upgraded -> {
        if (upgraded.failed()) {
          backend.close();
          finish(attempt, 101, CloseReason.CLIENT);
          return;
        }
        new Tunnel(attempt.route, upgraded.result(), backend, tunnels,
          context, attempt.counters, refusals, tunnel -> {
            attempt.bytesIn = tunnel.bytesFromClient();
            attempt.bytesOut = tunnel.bytesToClient();
            finish(attempt, 101, tunnel.closeReason());
          }).start();
      });
    } catch (RuntimeException e) {
      // Seen when the client went away during the server's handshake: toNetSocket throws instead of failing.
      backend.close();
      finish(attempt, 101, CloseReason.CLIENT);
    }
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
    accessLog.upgrade(attempt.startedAt, attempt.client, attempt.path, attempt.target, status, attempt.startedNanos,
      attempt.bytesIn, attempt.bytesOut, reason);
  }

  /** One upgrade from the client's request to its end; counted as a connection from the start. */
  private static final class Attempt {
    final Instant startedAt = Instant.now();
    final long startedNanos = System.nanoTime();
    final io.vertx.core.net.SocketAddress client;
    final String path;
    final Route route;
    final Target target;
    final RouteCounters counters;
    final BackendState backend;
    long bytesIn;
    long bytesOut;

    Attempt(HttpServerRequest request, Route route, Target target, RouteCounters counters, BackendState backend) {
      this.client = request.remoteAddress();
      this.path = request.path();
      this.route = route;
      this.target = target;
      this.counters = counters;
      this.backend = backend;
      counters.connectionStarted();
      backend.connectionStarted();
    }
  }

  /** The server said no (wrong path, bad key, full): the client hears exactly that, body included. */
  private static void refuse(HttpServerRequest request, HttpClientResponse upstream) {
    HttpServerResponse response = request.response().setStatusCode(upstream.statusCode());
    response.setStatusMessage(upstream.statusMessage());
    response.headers().addAll(withoutHopByHop(HttpHeaders.headers().addAll(upstream.headers())));
    response.putHeader(HttpHeaders.CONNECTION, "close");
    response.send(upstream).onFailure(e -> request.connection().close());
  }

  /** Removes the hop-by-hop headers; MultiMap names are case-insensitive, so no name is lower-cased per header. */
  private static MultiMap withoutHopByHop(MultiMap headers) {
    for (String name : HOP_BY_HOP) {
      headers.remove(name);
    }
    return headers;
  }

  static void fail(HttpServerRequest request, int status, Target target, Throwable cause) {
    LOG.debug("upgrade to {} ({}) failed: {}", target.serverId(), target.address(), cause.toString());
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.ended()) {
      request.connection().close();
      return;
    }
    response.setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
      .putHeader(HttpHeaders.CONNECTION, "close")
      .end(status + (status == 504 ? " Gateway Timeout" : " Bad Gateway") + ": " + target.serverId() + "\n");
  }
}
