package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The TLS-ALPN-01 answers (RFC 8737) waiting for the CA, by DNS name: a client that offers {@link #PROTOCOL} for one
 * of these names gets its challenge certificate during the handshake instead of the served one. Each answer's TLS
 * context is built when it is put, so a handshake never waits for one.
 */
public final class AlpnChallenges {

  /** The ALPN protocol an ACME server offers, and only it, when it validates a TLS-ALPN-01 challenge. */
  public static final String PROTOCOL = "acme-tls/1";

  // Read on every accepted connection and changed a few times per renewal: an immutable map swapped whole.
  private volatile Map<String, SslContext> contexts = Map.of();

  /** Answers {@code name} with this challenge certificate from now on, replacing an earlier answer for it. */
  public synchronized void put(String name, X509Certificate certificate, PrivateKey key) {
    SslContext context = contextOf(name, certificate, key);
    Map<String, SslContext> next = new HashMap<>(contexts);
    next.put(normal(name), context);
    contexts = Map.copyOf(next);
  }

  /** Stops answering {@code name}; nothing happens if it has no answer. */
  public synchronized void remove(String name) {
    Map<String, SslContext> next = new HashMap<>(contexts);
    if (next.remove(normal(name)) != null) {
      contexts = Map.copyOf(next);
    }
  }

  /** True when no challenge is pending: then connections are not even peeked at. */
  public boolean isEmpty() {
    return contexts.isEmpty();
  }

  /** The answer for the name a client sent, or null when none is pending. */
  SslContext contextFor(String sniName) {
    return sniName == null ? null : contexts.get(normal(sniName));
  }

  private static String normal(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static SslContext contextOf(String name, X509Certificate certificate, PrivateKey key) {
    try {
      return SslContextBuilder.forServer(key, certificate)
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols(ServerTls.PROTOCOLS)
        .ciphers(ServerTls.CIPHER_SUITES)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, PROTOCOL))
        .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot make the TLS-ALPN-01 context for '" + name + "': "
        + e.getMessage(), e);
    }
  }
}
