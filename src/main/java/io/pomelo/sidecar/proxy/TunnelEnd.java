package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.function.Consumer;

/**
 * One socket of a {@link Tunnel}, at the Netty level: the last handler of its pipeline (after TLS on the client's
 * socket, which Vert.x's HTTP server no longer handles; alone on the server's plain channel). A relayed read is never
 * copied to the heap or wrapped, and never dispatched through a Vert.x context.
 *
 * <p>Writes to the peer are flushed once per read batch, not once per read: when the event loop drains several
 * reads of this socket in one go, the peer gets one flush (one {@code writev}, or one TLS record run) for all of
 * them. While the peer's write queue is above its high-water mark this socket stops reading; the peer's
 * writability event starts it again. That is the whole back-pressure: the kernel's buffers fill, not the heap.
 */
final class TunnelEnd extends ChannelInboundHandlerAdapter {

  /** The name in the pipeline. */
  static final String NAME = "pomelo-sidecar-tunnel";

  private final Channel own;
  private final Channel peer;
  private final Consumer<ByteBuf> reads;
  private final Consumer<Throwable> errors;
  private boolean unflushed;

  /**
   * @param reads  takes each read; it owns the buffer and hands it to {@link #relay} or releases it
   * @param errors takes the socket's errors: nothing follows this handler
   */
  TunnelEnd(Channel own, Channel peer, Consumer<ByteBuf> reads, Consumer<Throwable> errors) {
    this.own = own;
    this.peer = peer;
    this.reads = reads;
    this.errors = errors;
  }

  /** Queues {@code bytes} on the peer (flushed at the end of the read batch) and pauses this side if it is full. */
  void relay(ByteBuf bytes) {
    peer.write(bytes, peer.voidPromise());
    unflushed = true;
    if (!peer.isWritable()) {
      own.config().setAutoRead(false);
    }
  }

  /** Flushes what {@link #relay} queued outside a read batch (bytes that arrived before the tunnel existed). */
  void flush() {
    if (unflushed) {
      unflushed = false;
      peer.flush();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      reads.accept(bytes);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    errors.accept(cause);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // This socket drained below its low-water mark: the peer, paused by relay(), may read again.
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }
}
