package io.pomelo.sidecar.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLEngine;
import java.util.concurrent.Executor;

/**
 * The public listener's context, whose handlers look at the ClientHello first while a TLS-ALPN-01 challenge is
 * pending, so that the CA's validation is answered on the public port without Vert.x ever seeing it.
 */
final class ChallengeAnsweringContext extends DelegatingSslContext {

  private final AlpnChallenges challenges;

  ChallengeAnsweringContext(SslContext context, AlpnChallenges challenges) {
    super(context);
    this.challenges = challenges;
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    // Vert.x's own wrapper around this context sets protocols and names on the engine.
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
    if (challenges.isEmpty()) {
      return super.newHandler(alloc, startTls, executor);
    }
    return new PeekingSslHandler(newEngine(alloc), startTls, executor, challenges);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls,
                                  Executor executor) {
    if (challenges.isEmpty()) {
      return super.newHandler(alloc, peerHost, peerPort, startTls, executor);
    }
    return new PeekingSslHandler(newEngine(alloc, peerHost, peerPort), startTls, executor, challenges);
  }
}
