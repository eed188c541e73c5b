package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.pomelo.sidecar.tls.HookedContexts;
import io.vertx.core.net.SSLEngineOptions;

import javax.net.ssl.SSLEngine;
import java.util.concurrent.Executor;

/**
 * Counts every connection of the public port against the {@link ConnectionLimiter} from the moment it is accepted,
 * not from the end of its TLS handshake: otherwise a flood of handshakes that never finish would hold sockets that
 * no limit sees. Vert.x has no hook at accept, but it asks the TLS context for one handler per accepted connection,
 * with the peer's address: this wraps the engine's context (a public Vert.x SPI) and counts there. A handshake that
 * fails or never finishes ends the count; one that succeeds hands it to the {@link ConnectionGate} through the
 * channel's {@link #ADMISSION} attribute, and the channel's close ends it.
 */
final class AcceptCounting {

  /** Set on a channel when its handshake succeeded: it was counted at accept, with this verdict. */
  static final AttributeKey<Admission> ADMISSION = AttributeKey.valueOf("pomelo-sidecar.admission");

  /** The limiter's verdict on an accepted connection: null when it may be served, else the limit it broke. */
  record Admission(Refusal verdict) {
  }

  private AcceptCounting() {
  }

  /** {@code engine} with every context it builds counting the connections it makes handlers for. */
  static SSLEngineOptions around(SSLEngineOptions engine, ConnectionLimiter limiter) {
    return new HookedContexts(engine, context -> new CountingContext(context, limiter));
  }

  /** Netty's own context, handing out its own handlers; only the counting is added. */
  private static final class CountingContext extends DelegatingSslContext {

    private final ConnectionLimiter limiter;

    CountingContext(SslContext context, ConnectionLimiter limiter) {
      super(context);
      this.limiter = limiter;
    }

    @Override
    protected void initEngine(SSLEngine engine) {
      // Vert.x's own wrapper around this context sets protocols and names on the engine.
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls,
                                    Executor executor) {
      SslHandler handler = super.newHandler(alloc, peerHost, peerPort, startTls, executor);
      String key = limiter.keyOf(peerHost == null ? "unknown" : peerHost);
      Refusal verdict = limiter.opened(key);
      handler.handshakeFuture().addListener(f -> {
        if (f.isSuccess() && f.getNow() instanceof Channel channel) {
          channel.attr(ADMISSION).set(new Admission(verdict));
          channel.closeFuture().addListener(c -> limiter.closed(key));
        } else {
          limiter.closed(key);
        }
      });
      return handler;
    }
  }
}
