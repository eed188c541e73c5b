package io.pomelo.sidecar.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLEngine;
import java.util.concurrent.Executor;

/**
 * The normal TLS handler of a connection accepted while a challenge is pending: it puts a {@link ChallengePeek} in
 * front of itself, which either hands the connection back to it or replaces it with the challenge's handler.
 */
final class PeekingSslHandler extends SslHandler {

  private final Executor executor;
  private final AlpnChallenges challenges;

  PeekingSslHandler(SSLEngine engine, boolean startTls, Executor executor, AlpnChallenges challenges) {
    super(engine, startTls, executor);
    this.executor = executor;
    this.challenges = challenges;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    ctx.pipeline().addBefore(ctx.name(), null, new ChallengePeek(this, executor, challenges));
    super.handlerAdded(ctx);
  }
}
