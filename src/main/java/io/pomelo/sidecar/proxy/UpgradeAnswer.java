package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Promise;

import java.io.IOException;

/**
 * Waits, in a Pomelo server's socket pipeline, for its answer to the upgrade request: Netty's HTTP decoder and
 * aggregator parse it; this handler removes both as soon as the answer is whole, so what follows a 101 is bytes
 * again. Bytes the server sends right after its 101 (before the tunnel is wired) are held here, never lost, and
 * handed to the tunnel, which replaces this handler.
 */
final class UpgradeAnswer extends ChannelInboundHandlerAdapter {

  static final String NAME = "pomelo-sidecar-upgrade-answer";
  static final String DECODER = "pomelo-sidecar-http-decoder";
  static final String AGGREGATOR = "pomelo-sidecar-http-aggregator";

  private final Promise<FullHttpResponse> answer;
  private CompositeByteBuf held;

  UpgradeAnswer(Promise<FullHttpResponse> answer) {
    this.answer = answer;
  }

  /** The bytes the server sent after its answer so far (may be null); the caller owns them. */
  ByteBuf takeHeld() {
    ByteBuf bytes = held;
    held = null;
    return bytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpResponse response && !answer.future().isComplete()) {
      // Removing the decoder passes on whatever it holds beyond the answer: it arrives here as a ByteBuf.
      ctx.pipeline().remove(AGGREGATOR);
      ctx.pipeline().remove(DECODER);
      if (response.decoderResult().isFailure()) {
        response.release();
        answer.tryFail(new IOException("not an HTTP answer: " + response.decoderResult().cause()));
      } else {
        answer.tryComplete(response);
      }
    } else if (msg instanceof ByteBuf bytes && answer.future().isComplete()) {
      if (held == null) {
        held = ctx.alloc().compositeBuffer();
      }
      held.addComponent(true, bytes);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    answer.tryFail(new IOException("the server closed the connection before answering the upgrade"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    answer.tryFail(cause);
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
