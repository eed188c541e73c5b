package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.pomelo.sidecar.config.KeyExchangeGroup;

import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * The public listener's BoringSSL context with {@code tls.groups} put on each connection before its handshake:
 * Vert.x's engine options have no such setting, Netty sets groups only on the contexts it builds itself, and its
 * system property would reach the backend dialler's contexts too. One native call per connection, a list of a few
 * names. The JDK's engine keeps its own groups (Java 17 has no setting per engine); the start says so.
 */
final class KeyExchangeContext extends DelegatingSslContext {

  private final String[] names;

  /** @param groups at least one, in the server's order of preference */
  KeyExchangeContext(SslContext context, List<KeyExchangeGroup> groups) {
    super(context);
    this.names = groups.stream().map(KeyExchangeGroup::boringSslName).toArray(String[]::new);
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openSsl && !SSL.setCurvesList(openSsl.sslPointer(), names)) {
      // Every name is one BoringSSL knows: a build without one would fail here, on the first handshake, loudly.
      throw new IllegalStateException("BoringSSL refused the key exchange groups " + String.join(", ", names));
    }
  }
}
