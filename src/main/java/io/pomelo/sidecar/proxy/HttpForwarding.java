package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.SessionAffinity;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;

import java.util.concurrent.TimeoutException;

/**
 * Plain HTTP on a route (socket.io long-polling, health pages): handed to vertx-http-proxy, which gets chunking and
 * streaming right. The route and target were chosen once by the caller; the proxy object is per request only because
 * its origin is fixed at creation. Each phase has its clock: a new connection within {@code proxy.connectTimeout}, else
 * 502; a connection of the pool (all busy) within twice that, else 504 (twice, so that the pool's clock, which also
 * runs while a new connection is made, never beats the connect's own); the server's response within
 * {@code proxy.responseTimeout} of silence, else 504. An answer the sidecar made itself closes the client's connection.
 */
final class HttpForwarding {

  private static final ProxyOptions OPTIONS = new ProxyOptions().setSupportWebSocket(false);

  private final HttpClient client;
  private final ClientSSLOptions backendTls;
  private final SessionAffinity sessions;
  private final long connectTimeoutMillis;
  private final long responseTimeoutMillis;
  private final ClientAddress clientAddress;

  /** @param backendTls for a TLS target: Vert.x pools its connections apart from the plain ones (the key has both) */
  HttpForwarding(HttpClient client, ClientSSLOptions backendTls, SessionAffinity sessions, long connectTimeoutMillis,
                 long responseTimeoutMillis, ClientAddress clientAddress) {
    this.client = client;
    this.clientAddress = clientAddress;
    this.backendTls = backendTls;
    this.sessions = sessions;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.responseTimeoutMillis = responseTimeoutMillis;
  }

  /** @param handshake whether the server's answer may pin a new engine.io session to {@code target} */
  void forward(HttpServerRequest request, Route route, Target target, boolean handshake) {
    SocketAddress origin = SocketAddress.inetSocketAddress(target.port(), target.host());
    boolean[] fromServer = {false};
    // The client must hear that this connection ends, or it would send its next request on it.
    request.response().headersEndHandler(v -> {
      if (!fromServer[0]) {
        LastAnswer.begin(request);
      }
    });
    // Not endHandler: RequestHeadTimeout holds that one.
    request.response().bodyEndHandler(v -> {
      if (!fromServer[0]) {
        request.connection().close();
      }
    });
    HttpProxy.reverseProxy(OPTIONS, client)
      .origin(ctx -> client.request(originRequest(origin, target)))
      .addInterceptor(new ProxyInterceptor() {
        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
          context.request().setURI(route.backendUri(request.uri()));
          // The client's Host, as on an upgrade; without this the server would see its own host:port.
          if (request.authority() != null) {
            context.request().setAuthority(request.authority());
          }
          HopByHop.strip(context.request().headers());
          ForwardedHeaders.set(context.request().headers(), request, clientAddress);
          return context.sendRequest().map(response -> {
            fromServer[0] = true;
            return response;
          }).recover(e -> e instanceof TimeoutException
            ? Future.succeededFuture(context.request().release().response().setStatusCode(504)
              .setBody(Body.body(Buffer.buffer(PlainAnswer.text(504, "Gateway Timeout: " + target.serverId())),
                MediaType.parse(PlainAnswer.CONTENT_TYPE))))
            : Future.failedFuture(e));
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
          HopByHop.strip(context.response().headers());
          if (handshake && fromServer[0]) {
            String sid = EngineIoSession.setBy(context.response().headers());
            if (sid != null) {
              sessions.learn(sid, target);
            }
          }
          return context.sendResponse();
        }
      })
      .handle(request);
  }

  /** Dials {@code origin}; the host is the TLS server name (SNI, verification) and is replaced by the client's Host. */
  private RequestOptions originRequest(SocketAddress origin, Target target) {
    RequestOptions options = new RequestOptions().setServer(origin).setPort(target.port())
      .setConnectTimeout(2 * connectTimeoutMillis).setIdleTimeout(responseTimeoutMillis);
    if (!target.tls()) {
      return options.setHost(target.host());
    }
    return options.setHost(target.serverName()).setSsl(true).setSslOptions(backendTls);
  }
}
