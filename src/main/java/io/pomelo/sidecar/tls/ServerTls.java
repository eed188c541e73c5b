package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.KeyExchangeGroup;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;

import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Builds the public listener's TLS options from checked certificates. The engine gets the bytes that were
 * checked, not the paths, so a file replaced between the check and the handshake can never slip in unchecked.
 */
public final class ServerTls {

  /** TLS 1.0 and 1.1 are off: WeChat and every current browser speak 1.2 or 1.3. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /**
   * Mozilla's "intermediate" list without its DHE suites: forward secrecy (ECDHE) and AEAD (GCM, ChaCha20-Poly1305)
   * only, so no RSA key exchange and no CBC. TLS 1.3's three suites must be named too: without them Netty turns
   * TLS 1.3 off.
   */
  public static final List<String> CIPHER_SUITES = List.of(
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private ServerTls() {
  }

  /**
   * The public listener's TLS: these certificates, {@link #PROTOCOLS} and {@link #CIPHER_SUITES}, no client
   * certificates.
   */
  public static ServerSSLOptions options(List<LoadedCertificate> certificates) {
    ServerSSLOptions options = new ServerSSLOptions()
      .setKeyCertOptions(new CertificateKeys(certificates))
      .setTrustOptions(TrustOptions.wrap(new NoClientCertificates()))
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      // Vert.x's SNI builds and keeps a context per name a client sends; the one key manager picks by name instead,
      // and a reload that adds a certificate needs nothing more (Vert.x reads this flag only when it binds).
      .setSni(false);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /**
   * BoringSSL (netty-tcnative, in the jar for Linux x86_64 and aarch64) when it loads, sealing session tickets with
   * {@code ticketKeys}: a TLS 1.3 handshake and the record encryption cost a fraction of the JDK engine's. Elsewhere
   * the JDK's engine, which takes no shared ticket keys nor {@code groups}. Either answers the pending
   * {@code challenges} in the handshake.
   */
  public static SSLEngineOptions engineOptions(TicketKeyRing ticketKeys, AlpnChallenges challenges,
                                               List<KeyExchangeGroup> groups) {
    if (!OpenSSLEngineOptions.isAvailable()) {
      return new HookedContexts(new JdkSSLEngineOptions(),
        context -> new ChallengeAnsweringContext(context, challenges));
    }
    // No session cache on the server: returning clients resume from their session tickets (TLS 1.3 and 1.2),
    // which hold the session themselves. The cache only cost memory (BoringSSL's copy of every recent session,
    // up to 20 480) and a Java callback per handshake.
    return new HookedContexts(new OpenSSLEngineOptions().setSessionCacheEnabled(false), context -> {
      ticketKeys.register(context);
      return new ChallengeAnsweringContext(new KeyExchangeContext(context, groups), challenges);
    });
  }

  /** For the start-up log line. */
  public static String engineName() {
    return OpenSSLEngineOptions.isAvailable() ? "BoringSSL" : "JDK TLS";
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
