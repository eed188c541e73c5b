package io.pomelo.sidecar.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import java.util.concurrent.Executor;

/**
 * Holds a connection's first bytes until its ClientHello is whole, then decides: a client that offers
 * {@link AlpnChallenges#PROTOCOL} for a name with a pending challenge is answered by the challenge's handler alone
 * and closed after its handshake; any other goes on to the normal handler with the bytes held back.
 */
final class ChallengePeek extends SslClientHelloHandler<SslContext> {

  /** Far above a real ClientHello (under 2 KiB even with post-quantum key shares); all a client can make us hold. */
  private static final int MAX_CLIENT_HELLO = 16 * 1024;

  private final SslHandler normal;
  private final Executor executor;
  private final AlpnChallenges challenges;

  ChallengePeek(SslHandler normal, Executor executor, AlpnChallenges challenges) {
    super(MAX_CLIENT_HELLO);
    this.normal = normal;
    this.executor = executor;
    this.challenges = challenges;
  }

  @Override
  protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
    ClientHelloOffer offer = clientHello == null ? null : ClientHelloOffer.read(clientHello);
    SslContext answer = offer != null && offer.protocols().contains(AlpnChallenges.PROTOCOL)
      ? challenges.contextFor(offer.serverName()) : null;
    return ctx.executor().newSucceededFuture(answer);
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
    SslContext answer = future.getNow();
    if (answer != null) {
      answer(ctx.pipeline(), answer);
    }
    // The bytes held back go on to whichever TLS handler now follows.
    ctx.pipeline().remove(this);
  }

  private void answer(ChannelPipeline pipeline, SslContext context) {
    if (pipeline.context(normal) == null) {
      pipeline.channel().close();
      return;
    }
    // What follows the TLS handler (Vert.x's handshake listener, later its codecs) must never see this connection.
    while (pipeline.last() != normal) {
      pipeline.removeLast();
    }
    SslHandler challenge = context.newHandler(pipeline.channel().alloc(), executor);
    challenge.setHandshakeTimeoutMillis(normal.getHandshakeTimeoutMillis());
    // The CA needs only the handshake; a failed one is closed by the handler itself, this covers both.
    challenge.handshakeFuture().addListener(done -> pipeline.channel().close());
    // Removing the normal handler fails its handshake, which ends the accept count taken for it.
    pipeline.replace(normal, pipeline.context(normal).name(), challenge);
  }
}
