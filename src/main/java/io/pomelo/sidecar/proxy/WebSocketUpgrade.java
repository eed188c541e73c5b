package io.pomelo.sidecar.proxy;

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

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one WebSocket upgrade to a Pomelo server and, once it answers 101, turns both connections into a
 * {@link Tunnel}. The server's answer is the client's answer: its 101 headers (accept key, subprotocol, extensions)
 * reach the client unchanged, and a refusal reaches the client with the server's status and body.
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
  private final Refusals refusals;

  WebSocketUpgrade(Vertx vertx, HttpClient client, Tunnels tunnels, long upgradeTimeoutMillis, Refusals refusals) {
    this.vertx = vertx;
    this.client = client;
    this.tunnels = tunnels;
    this.upgradeTimeoutMillis = upgradeTimeoutMillis;
    this.refusals = refusals;
  }

  void forward(HttpServerRequest request, Route route, Target target) {
    Context context = vertx.getOrCreateContext();
    request.pause();
    MultiMap headers = HttpHeaders.headers();
    for (Map.Entry<String, String> h : request.headers()) {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        headers.add(h.getKey(), h.getValue());
      }
    }
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
        // The TCP connection to the server failed or timed out.
        fail(request, 502, target, created.cause());
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
          fail(request, timedOut[0] ? 504 : 502, target, answered.cause());
        } else if (answered.result().statusCode() == 101) {
          accept(request, answered.result(), route, target, context);
        } else {
          refuse(request, answered.result());
        }
      });
    });
  }

  private void accept(HttpServerRequest request, HttpClientResponse upstream, Route route, Target target,
                      Context context) {
    NetSocket backend = upstream.netSocket();
    HttpServerResponse response = request.response();
    response.setStatusCode(101);
    response.headers().addAll(upstream.headers());
    try {
      request.toNetSocket().onComplete(upgraded -> {
        if (upgraded.failed()) {
          backend.close();
          return;
        }
        new Tunnel(route, target, request.remoteAddress(), upgraded.result(), backend, tunnels, context, refusals)
          .start();
      });
    } catch (RuntimeException e) {
      // Seen when the client went away during the server's handshake: toNetSocket throws instead of failing.
      backend.close();
    }
  }

  /** The server said no (wrong path, bad key, full): the client hears exactly that, body included. */
  private static void refuse(HttpServerRequest request, HttpClientResponse upstream) {
    HttpServerResponse response = request.response().setStatusCode(upstream.statusCode());
    response.setStatusMessage(upstream.statusMessage());
    for (Map.Entry<String, String> h : upstream.headers()) {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        response.headers().add(h.getKey(), h.getValue());
      }
    }
    response.putHeader(HttpHeaders.CONNECTION, "close");
    response.send(upstream).onFailure(e -> request.connection().close());
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
