package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Plain HTTP on a route (socket.io long-polling, health pages): handed to vertx-http-proxy, which already gets
 * hop-by-hop headers, chunking and streaming right. The route and target were chosen once by the caller; the proxy
 * object is per request only because its origin is fixed at creation.
 */
final class HttpForwarding {

  private static final ProxyOptions OPTIONS = new ProxyOptions().setSupportWebSocket(false);

  private final HttpClient client;
  private final long timeoutMillis;

  HttpForwarding(HttpClient client, long timeoutMillis) {
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  void forward(HttpServerRequest request, Route route, Target target) {
    SocketAddress origin = SocketAddress.inetSocketAddress(target.port(), target.host());
    HttpProxy.reverseProxy(OPTIONS, client)
      .origin(ctx -> client.request(new RequestOptions().setServer(origin).setHost(target.host())
        .setPort(target.port()).setIdleTimeout(timeoutMillis)))
      .addInterceptor(new ProxyInterceptor() {
        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
          context.request().setURI(route.backendUri(request.uri()));
          // The client's Host, as on an upgrade; without this the server would see its own host:port.
          if (request.authority() != null) {
            context.request().setAuthority(request.authority());
          }
          ForwardedHeaders.set(context.request().headers(), request);
          return context.sendRequest();
        }
      })
      .handle(request);
  }
}
