package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import java.util.Set;

/**
 * An engine whose every TLS context passes through a hook as Vert.x builds it (at bind, at each certificate
 * rotation): the one public Vert.x SPI that reaches the Netty context, so that the accept counting and the shared
 * ticket keys need no Vert.x internals.
 */
public final class HookedContexts extends SSLEngineOptions {

  /** What is done to each context: it may return the context itself or a wrapper of it. */
  public interface Hook {
    SslContext made(SslContext context);
  }

  private final SSLEngineOptions engine;
  private final Hook hook;

  public HookedContexts(SSLEngineOptions engine, Hook hook) {
    super(engine);
    this.engine = engine;
    this.hook = hook;
  }

  @Override
  public SSLEngineOptions copy() {
    return new HookedContexts(engine.copy(), hook);
  }

  @Override
  public SslContextFactory sslContextFactory() {
    return new Factory(engine.sslContextFactory(), hook);
  }

  /** The engine's factory, every setting passed on (the interface's defaults would drop them), then the hook. */
  private record Factory(SslContextFactory engine, Hook hook) implements SslContextFactory {

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
      return hook.made(engine.create());
    }
  }
}
