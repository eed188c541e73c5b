package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.List;
import java.util.Map;

/**
 * The client's socket of a {@link Tunnel}, taken from Vert.x's HTTP server once a Pomelo server accepted the upgrade.
 * Vert.x's own way, {@code toNetSocket()}, leaves the socket to a {@code NetSocket} that keeps the whole HTTP
 * connection reachable (its request, response, headers and queues: about 5 KiB an open tunnel) for nothing: a
 * tunnel relays at the Netty level and only needs the channel. So the 101 is written here, Vert.x's HTTP handlers
 * leave the pipeline, and the tunnel's handler is the last one. Nothing of Vert.x's connection stays reachable.
 *
 * <p>What Vert.x would have done on the way is done here: the request's metrics end when the 101 is written (as
 * they do for Vert.x's own WebSocket upgrade), and the connection's metrics end, and count its errors, until it
 * closes. Vert.x's server still closes the channel at the end of a shutdown's grace period: it tracks channels,
 * not connections.
 */
final class ClientSocket {

  /** What Vert.x's HTTP/1.x server puts between TLS and its connection handler ({@code "handler"}). */
  private static final List<String> VERTX_HTTP_HANDLERS = List.of("httpEncoder", "chunkedWriter", "deflater");
  private static final String VERTX_HANDLER = "handler";

  private final Channel channel;
  /** Null when Vert.x's metrics are off. */
  @SuppressWarnings("rawtypes")
  private final TCPMetrics metrics;
  private final Object metric;
  private final SocketAddress remote;

  @SuppressWarnings("rawtypes")
  private ClientSocket(Channel channel, TCPMetrics metrics, Object metric, SocketAddress remote) {
    this.channel = channel;
    this.metrics = metrics;
    this.metric = metric;
    this.remote = remote;
  }

  /** The channel under a connection of Vert.x's HTTP server: what the sidecar keys a connection by. */
  static Channel channelOf(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }

  /**
   * Answers {@code request} with a 101 carrying {@code headers} (the server's) and hands the socket to {@code end}:
   * Vert.x's HTTP handlers and the {@link EarlyBytes} guard (which stood in for the decoder, so nothing is held)
   * are removed and {@code end} is last. Runs on the connection's event loop, before the client could send anything
   * after the 101.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static ClientSocket take(HttpServerRequest request, Iterable<Map.Entry<String, String>> headers,
                           String endName, ChannelHandler end) {
    ConnectionBase connection = (ConnectionBase) request.connection();
    Channel channel = connection.channel();
    NetworkMetrics metrics = connection.metrics();
    if (metrics instanceof HttpServerMetrics http) {
      // Vert.x may not have seen the request end (EarlyBytes passes it on after the head); an upgrade has no body.
      Object requestMetric = ((HttpServerRequestInternal) request).metric();
      HttpResponse response = (HttpResponse) request.response().setStatusCode(101);
      if (!request.isEnded()) {
        http.requestEnd(requestMetric, (HttpRequest) request, 0);
      }
      http.responseBegin(requestMetric, response);
      http.responseEnd(requestMetric, response, 0);
    }
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addBefore(VERTX_HANDLER, endName, end);
    pipeline.remove(VERTX_HANDLER);
    WebSocketServerExtensionHandler extensions = pipeline.get(WebSocketServerExtensionHandler.class);
    if (extensions != null) {
      pipeline.remove(extensions);
    }
    for (String name : VERTX_HTTP_HANDLERS) {
      if (pipeline.get(name) != null) {
        pipeline.remove(name);
      }
    }
    pipeline.remove(EarlyBytes.NAME);
    channel.writeAndFlush(HttpHead.encode(channel, "HTTP/1.1 101 Switching Protocols", headers), channel.voidPromise());
    return new ClientSocket(channel, metrics instanceof TCPMetrics tcp ? tcp : null, connection.metric(),
      connection.remoteAddress());
  }

  Channel channel() {
    return channel;
  }

  /** Counts an error of the socket as Vert.x's connection would have. */
  @SuppressWarnings("unchecked")
  void failed(Throwable cause) {
    if (metrics != null) {
      metrics.exceptionOccurred(metric, remote, cause);
    }
  }

  /** Closes the socket; Vert.x's count of open connections drops now. Called once. */
  @SuppressWarnings("unchecked")
  void close() {
    if (metrics != null) {
      metrics.disconnected(metric, remote);
    }
    channel.close();
  }
}
