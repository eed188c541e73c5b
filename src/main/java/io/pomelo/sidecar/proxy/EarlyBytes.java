package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Takes the place of the HTTP decoder on a client's connection once its upgrade request is complete: a WebSocket
 * client sends nothing more until the 101 (RFC 6455 4.1), so any byte that arrives before it is refused, never
 * decoded as a second request and never held for the tunnel. Reading stays on, so such bytes are seen whenever
 * they come; the decoder's own leftovers (bytes that came with the request head) arrive here when it is removed.
 */
final class EarlyBytes extends ChannelInboundHandlerAdapter {

  static final String NAME = "pomelo-sidecar-early-bytes";

  private final Runnable onBytes;
  private boolean seen;

  private EarlyBytes(Runnable onBytes) {
    this.onBytes = onBytes;
  }

  /**
   * Puts the guard where the decoder was, on a channel {@link ClientSocket#canTakeOver}. Runs on the connection's
   * event loop, from within the decoder's own delivery of the request (Netty defers the decoder's removal until that
   * returns); bytes that came with the request head reach {@code onBytes} before this returns.
   */
  static void guard(Channel channel, Runnable onBytes) {
    channel.pipeline().replace(ClientSocket.VERTX_DECODER, NAME, new EarlyBytes(onBytes));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LastHttpContent last && !last.content().isReadable()) {
      // The end of the upgrade request itself, which the decoder emitted with its head.
      ctx.fireChannelRead(msg);
      return;
    }
    boolean bytes = !(msg instanceof ByteBuf buf) || buf.isReadable();
    ReferenceCountUtil.release(msg);
    if (bytes && !seen) {
      seen = true;
      onBytes.run();
    }
  }
}
