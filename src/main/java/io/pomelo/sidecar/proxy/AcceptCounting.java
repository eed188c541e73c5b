package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Counts every connection of the public port against the {@link ConnectionLimiter} from the moment it is accepted,
 * not from the end of its TLS handshake: otherwise a flood of handshakes that never finish would hold sockets that
 * no limit sees. Vert.x has no hook at accept, but it asks the TLS context for one handler per accepted connection,
 * with the peer's address: this wraps the engine's context (a public Vert.x SPI) and counts there. A handshake that
 * fails or never finishes ends the count; one that succeeds hands it to the {@link ConnectionGate} through the
 * channel's {@link #ADMISSION} attribute, and the channel's close ends it.
 */
final class AcceptCounting extends SSLEngineOptions {

  /** Set on a channel when its handshake succeeded: it was counted at accept, with this verdict. */
  static final AttributeKey<Admission> ADMISSION = AttributeKey.valueOf("pomelo-sidecar.admission");

  /** The limiter's verdict on an accepted connection: null when it may be served, else the limit it broke. */
  record Admission(Refusal verdict) {
  }

  private final SSLEngineOptions engine;
  private final ConnectionLimiter limiter;

  AcceptCounting(SSLEngineOptions engine, ConnectionLimiter limiter) {
    super(engine);
    this.engine = engine;
    this.limiter = limiter;
  }

  @Override
  public SSLEngineOptions copy() {
    return new AcceptCounting(engine.copy(), limiter);
  }

  @Override
  public SslContextFactory sslContextFactory() {
    return new Factory(engine.sslContextFactory(), limiter);
  }

  /** The engine's factory, whose contexts count the connections they make handlers for. */
  private record Factory(SslContextFactory engine, ConnectionLimiter limiter) implements SslContextFactory {

    @Override
    public SslContextFactory useAlpn(boolean useAlpn) {
      engine.useAlpn(useAlpn);
      return this;
    }

    @Override
    public SslContextFactory clientAuth(ClientAuth clientAuth) {
      engine.clientAuth(clientAuth);
      return this;
    }

    @Override
    public SslContextFactory forClient(boolean forClient) {
      engine.forClient(forClient);
      return this;
    }

    @Override
    public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
      engine.keyMananagerFactory(kmf);
      return this;
    }

    @Override
    public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
      engine.trustManagerFactory(tmf);
      return this;
    }

    @Override
    public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
      engine.enabledCipherSuites(enabledCipherSuites);
      return this;
    }

    @Override
    public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
      engine.applicationProtocols(applicationProtocols);
      return this;
    }

    @Override
    public SslContextFactory serverName(String serverName) {
      engine.serverName(serverName);
      return this;
    }

    @Override
    public SslContext create() throws SSLException {
      return new CountingContext(engine.create(), limiter);
    }
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
