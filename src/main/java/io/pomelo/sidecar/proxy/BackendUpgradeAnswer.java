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
 * Waits, at the end of a Pomelo server's channel pipeline, for its answer to the upgrade request: Netty's HTTP decoder and
 * aggregator parse it; this handler removes both as soon as the answer is whole, so what follows a 101 is bytes
 * again. Bytes the server sends right after its 101 (before the tunnel is wired) are held here, never lost, and
 * handed to the tunnel, which replaces this handler.
 */
final class BackendUpgradeAnswer extends ChannelInboundHandlerAdapter {

  static final String NAME = "pomelo-sidecar-upgrade-answer";
  static final String DECODER = "pomelo-sidecar-http-decoder";
  static final String AGGREGATOR = "pomelo-sidecar-http-aggregator";

  private final Promise<FullHttpResponse> answer;
  /** The whole answer, kept until the read batch ends: the decoder may still pass on bytes that followed it. */
  private FullHttpResponse received;
  /** True from the whole answer on: bytes after it are the server's first frames. */
  private boolean answered;
  private CompositeByteBuf held;

  BackendUpgradeAnswer(Promise<FullHttpResponse> answer) {
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
    if (msg instanceof FullHttpResponse response && !answered && !answer.future().isComplete()) {
      answered = true;
      // The decoder passes on what follows a 101 as ByteBufs (in this batch, or from its buffer when removed).
      ctx.pipeline().remove(AGGREGATOR);
      ctx.pipeline().remove(DECODER);
      if (response.decoderResult().isFailure()) {
        response.release();
        answer.tryFail(new IOException("not an HTTP answer: " + response.decoderResult().cause()));
      } else {
        received = response;
      }
    } else if (msg instanceof ByteBuf bytes && answered) {
      if (held == null) {
        held = ctx.alloc().compositeBuffer();
      }
      held.addComponent(true, bytes);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * The answer is handed on only now, after every byte of this read went through the decoder: handing it on from
   * channelRead would let the tunnel replace this handler while the decoder still had bytes to pass, and those
   * would then go past the tunnel.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    handOn();
    ctx.fireChannelReadComplete();
  }

  private void handOn() {
    if (received != null) {
      FullHttpResponse response = received;
      received = null;
      if (!answer.tryComplete(response)) {
        response.release();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // A refusal whose body ends with the connection is whole only now (the decoder passed it on just before).
    handOn();
    answer.tryFail(new IOException("the server closed the connection before answering the upgrade"));
    ctx.fireChannelInactive();
  }

  /** The end of the pipeline: nothing after this handler would take the error. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    answer.tryFail(cause);
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (received != null) {
      received.release();
      received = null;
    }
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
