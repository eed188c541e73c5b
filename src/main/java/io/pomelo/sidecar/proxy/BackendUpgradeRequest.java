package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.pomelo.sidecar.backend.ServerDialer;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;

/**
 * The server half of a WebSocket upgrade on a plain Netty channel: dial the Pomelo server, write the client's
 * upgrade request, and parse the answer with Netty's HTTP decoder. Neither a Vert.x HTTP client connection nor a
 * Vert.x socket is made for it: an upgraded connection never goes back to a pool and only ever relays bytes, so
 * their request objects, queues and metrics would be memory held for nothing. The {@link ServerDialer} dials on the
 * caller's event loop, so the tunnel's two sockets share a thread.
 */
final class BackendUpgradeRequest {

  /** A server's refusal (with its body) larger than this is not relayed: the client gets a 502. */
  private static final int MAX_ANSWER_BODY = 64 * 1024;

  private final ServerDialer dialer;

  BackendUpgradeRequest(ServerDialer dialer) {
    this.dialer = dialer;
  }

  /** Fails when the TCP connection (or a TLS target's handshake) cannot be made: what a health check sees too. */
  Future<Channel> connect(Target target) {
    return dialer.connect(target);
  }

  /**
   * Writes {@code GET uri} with {@code headers} and completes with the server's whole answer; after a 101 the
   * channel's pipeline ends with a {@link BackendUpgradeAnswer} (holding any bytes that followed) where the tunnel goes.
   */
  Future<FullHttpResponse> send(Channel channel, String uri, MultiMap headers) {
    Promise<FullHttpResponse> answer = Promise.promise();
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(BackendUpgradeAnswer.DECODER, new HttpResponseDecoder());
    pipeline.addLast(BackendUpgradeAnswer.AGGREGATOR, new HttpObjectAggregator(MAX_ANSWER_BODY));
    pipeline.addLast(BackendUpgradeAnswer.NAME, new BackendUpgradeAnswer(answer));
    channel.writeAndFlush(HttpHead.encode(channel, "GET " + uri + " HTTP/1.1", headers));
    return answer.future();
  }
}
