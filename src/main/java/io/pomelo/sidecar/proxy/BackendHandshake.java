package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The server half of a WebSocket upgrade on a plain TCP connection: dial the Pomelo server, write the client's
 * upgrade request, and parse the answer with Netty's HTTP decoder. No Vert.x HTTP client connection is made for
 * it: an upgraded connection never goes back to a pool, so the client's request objects, pool bookkeeping and the
 * switch to a raw socket afterwards were all cost and no use. The socket is dialled from the caller's event loop,
 * so the tunnel's two sockets share a thread.
 */
final class BackendHandshake {

  /** A server's refusal (with its body) larger than this is not relayed: the client gets a 502. */
  private static final int MAX_ANSWER_BODY = 64 * 1024;

  private final NetClient client;

  BackendHandshake(NetClient client) {
    this.client = client;
  }

  /** Fails only when the TCP connection cannot be made: what a health check would see too. */
  Future<NetSocketInternal> connect(Target target) {
    return client.connect(target.port(), target.host()).map(socket -> (NetSocketInternal) socket);
  }

  /**
   * Writes {@code GET uri} with {@code headers} and completes with the server's whole answer; after a 101 the
   * socket's pipeline holds an {@link UpgradeAnswer} (with any bytes that followed) where the tunnel goes.
   */
  Future<FullHttpResponse> send(NetSocketInternal socket, String uri, MultiMap headers) {
    Promise<FullHttpResponse> answer = Promise.promise();
    ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
    pipeline.addBefore("handler", UpgradeAnswer.DECODER, new HttpResponseDecoder());
    pipeline.addBefore("handler", UpgradeAnswer.AGGREGATOR, new HttpObjectAggregator(MAX_ANSWER_BODY));
    pipeline.addBefore("handler", UpgradeAnswer.NAME, new UpgradeAnswer(answer));
    socket.channelHandlerContext().channel().writeAndFlush(requestHead(socket, uri, headers));
    return answer.future();
  }

  /** Header values came through Vert.x's request decoder (no CR or LF); ISO-8859-1 gives back the exact bytes. */
  private static ByteBuf requestHead(NetSocketInternal socket, String uri, MultiMap headers) {
    StringBuilder head = new StringBuilder(512).append("GET ").append(uri).append(" HTTP/1.1\r\n");
    for (Map.Entry<String, String> header : headers) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    head.append("\r\n");
    ByteBuf bytes = socket.channelHandlerContext().alloc().buffer(head.length());
    bytes.writeCharSequence(head, StandardCharsets.ISO_8859_1);
    return bytes;
  }
}
