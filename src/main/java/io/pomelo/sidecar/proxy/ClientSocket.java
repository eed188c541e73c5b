package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's socket of a {@link Tunnel}, taken from Vert.x's HTTP server once a Pomelo server accepted the upgrade.
 * Vert.x's own way, {@code toNetSocket()}, leaves a {@code NetSocket} that keeps the whole HTTP connection reachable
 * for as long as the tunnel is open, for nothing: a tunnel relays at the Netty level and only needs the channel. So
 * the 101 is written here, Vert.x's HTTP handlers leave the pipeline, and the tunnel's handler is the last one.
 *
 * <p>That takeover reaches into Vert.x's pipeline by its handlers' names, which are not API: when they are not there
 * (a Vert.x that renamed them), the upgrade takes Vert.x's public path instead, {@code toNetSocket()}, with the
 * tunnel's handler just before Vert.x's socket handler, and a warning once. It costs that memory, and the
 * {@link EarlyBytes} guard (which stands where the decoder was) is not placed: bytes sent before the 101 are then
 * relayed, not refused.
 *
 * <p>What Vert.x would have done on the way is done here: the request's metrics end when the 101 is written (as
 * they do for Vert.x's own WebSocket upgrade), and the connection's metrics end, and count its errors, until it
 * closes. Vert.x's server still closes the channel at the end of a shutdown's grace period: it tracks channels,
 * not connections.
 */
final class ClientSocket {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSocket.class);

  /** Where Vert.x's HTTP/1.x server decodes requests, the place {@link EarlyBytes} takes. */
  static final String VERTX_DECODER = "httpDecoder";
  /** What Vert.x's HTTP/1.x server puts between TLS and its connection handler ({@code "handler"}). */
  private static final List<String> VERTX_HTTP_HANDLERS = List.of("httpEncoder", "chunkedWriter", "deflater");
  private static final String VERTX_HANDLER = "handler";
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  /** True in a test of the fallback: Vert.x's names are then treated as absent. */
  private static volatile boolean namesChanged;

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
   * True when the client's pipeline has the Vert.x handlers the takeover needs, so {@link EarlyBytes} may take the
   * decoder's place; else warns, once per process, that upgrades take Vert.x's public path.
   */
  static boolean canTakeOver(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    if (!namesChanged && pipeline.get(VERTX_DECODER) != null && pipeline.get(VERTX_HANDLER) != null) {
      return true;
    }
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn("Vert.x's HTTP pipeline lacks the handlers {} and {}: upgrades go through toNetSocket(), which keeps "
        + "more memory per open WebSocket and relays bytes sent before the 101 instead of refusing them",
        VERTX_DECODER, VERTX_HANDLER);
    }
    return false;
  }

  /** For a test: treats Vert.x's handler names as absent (or present again), and lets the warning come again. */
  static void pretendNamesChanged(boolean changed) {
    namesChanged = changed;
    WARNED.set(false);
  }

  /**
   * Answers {@code request} with a 101 carrying {@code headers} (the server's) and hands the socket to {@code end}:
   * Vert.x's HTTP handlers and the {@link EarlyBytes} guard (which stood in for the decoder, so nothing is held)
   * are removed and {@code end} is last. Runs on the connection's event loop, before the client could send anything
   * after the 101. Where {@link #canTakeOver} said no, Vert.x writes the 101 and stays behind {@code end}.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static ClientSocket take(HttpServerRequest request, Iterable<Map.Entry<String, String>> headers,
                           String endName, ChannelHandler end) {
    ConnectionBase connection = (ConnectionBase) request.connection();
    Channel channel = connection.channel();
    if (channel.pipeline().get(EarlyBytes.NAME) == null) {
      return takeThroughVertx(request, channel, headers, endName, end);
    }
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

  /**
   * Vert.x's public path: its socket handler stays last, and {@code end} stands just before it and takes every read,
   * so nothing reaches Vert.x's socket. Vert.x counts that socket's metrics itself.
   */
  private static ClientSocket takeThroughVertx(HttpServerRequest request, Channel channel,
                                               Iterable<Map.Entry<String, String>> headers, String endName,
                                               ChannelHandler end) {
    HttpServerResponse response = request.response();
    for (Map.Entry<String, String> header : headers) {
      response.headers().add(header.getKey(), header.getValue());
    }
    // On the connection's event loop Vert.x writes the 101 and swaps its handlers before this returns.
    Future<NetSocket> socket = request.toNetSocket();
    if (!socket.succeeded()) {
      throw new IllegalStateException("Vert.x did not hand the upgraded socket over", socket.cause());
    }
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addBefore(pipeline.lastContext().name(), endName, end);
    return new ClientSocket(channel, null, null, null);
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
