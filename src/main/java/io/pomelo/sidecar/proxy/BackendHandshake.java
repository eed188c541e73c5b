package io.pomelo.sidecar.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;

import java.time.Duration;

/**
 * The server half of a WebSocket upgrade on a plain Netty channel: dial the Pomelo server, write the client's
 * upgrade request, and parse the answer with Netty's HTTP decoder. Neither a Vert.x HTTP client connection nor a
 * Vert.x socket is made for it: an upgraded connection never goes back to a pool and only ever relays bytes, so
 * their request objects, queues (about 5 KiB each) and metrics were all cost and no use. The channel is dialled on
 * the caller's event loop, with Vert.x's transport (epoll) and name resolver, so the tunnel's two sockets share a
 * thread and a host name in servers.json never blocks it.
 */
final class BackendHandshake {

  /** A server's refusal (with its body) larger than this is not relayed: the client gets a 502. */
  private static final int MAX_ANSWER_BODY = 64 * 1024;

  private final VertxInternal vertx;
  /** Everything but the event loop, set once: each connect clones it onto the caller's loop. */
  private final Bootstrap template;

  BackendHandshake(VertxInternal vertx, Duration connectTimeout) {
    this.vertx = vertx;
    this.template = new Bootstrap()
      .channelFactory(vertx.transport().channelFactory(false))
      .resolver(vertx.nameResolver().nettyAddressResolverGroup())
      .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
      .option(ChannelOption.TCP_NODELAY, true)
      // Finds a Pomelo server that died without a FIN (host down, cable out) under an idle tunnel.
      .option(ChannelOption.SO_KEEPALIVE, true)
      .handler(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel channel) {
          // The handlers come with the request, in send().
        }
      });
  }

  /** Fails only when the TCP connection cannot be made: what a health check would see too. */
  Future<Channel> connect(Target target) {
    ContextInternal context = vertx.getOrCreateContext();
    Promise<Channel> connected = context.promise();
    ChannelFuture dialled = template.clone(context.nettyEventLoop()).connect(vertx.transport()
      .convert(SocketAddress.inetSocketAddress(target.port(), target.host())));
    dialled.addListener(done -> {
      if (done.isSuccess()) {
        connected.complete(dialled.channel());
      } else {
        connected.fail(done.cause());
      }
    });
    return connected.future();
  }

  /**
   * Writes {@code GET uri} with {@code headers} and completes with the server's whole answer; after a 101 the
   * channel's pipeline ends with an {@link UpgradeAnswer} (holding any bytes that followed) where the tunnel goes.
   */
  Future<FullHttpResponse> send(Channel channel, String uri, MultiMap headers) {
    Promise<FullHttpResponse> answer = Promise.promise();
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(UpgradeAnswer.DECODER, new HttpResponseDecoder());
    pipeline.addLast(UpgradeAnswer.AGGREGATOR, new HttpObjectAggregator(MAX_ANSWER_BODY));
    pipeline.addLast(UpgradeAnswer.NAME, new UpgradeAnswer(answer));
    channel.writeAndFlush(HttpHead.encode(channel, "GET " + uri + " HTTP/1.1", headers));
    return answer.future();
  }
}
