package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

import javax.net.ssl.KeyManagerFactory;
import java.util.List;
import java.util.function.Function;

/**
 * The checked certificates as Vert.x key material: one key manager that picks the certificate per handshake
 * ({@link CertificateChoice}), handed over as parsed keys. {@code PemKeyCertOptions} would re-encode each key into an
 * in-memory PKCS#12 store and read it back, and JDK 17 protects every such entry with 10 000 PBKDF2 iterations:
 * about a fifth of start-up. Immutable: a rotation builds a new one, so {@code copy()} is the instance itself and
 * equality is identity.
 */
final class CertificateKeys implements KeyCertOptions {

  private final CertificateChoice choice;
  private final KeyManagerFactory factory;

  CertificateKeys(List<LoadedCertificate> certificates) {
    choice = new CertificateChoice(certificates);
    KeyManagerFactory plain;
    try {
      // wrap() needs no keystore: the factory just hands out this manager.
      plain = KeyCertOptions.wrap(choice).getKeyManagerFactory(null);
    } catch (Exception e) {
      throw new IllegalStateException("wrapping a key manager failed", e);
    }
    // Without the cache BoringSSL is handed the chain and key as freshly encoded PEM, parsed again, on every
    // handshake. The JDK engine just asks the caching factory for the same key manager.
    factory = OpenSsl.isAvailable() ? new OpenSslCachingX509KeyManagerFactory(plain) : plain;
  }

  @Override
  public KeyCertOptions copy() {
    return this;
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
    return factory;
  }

  /**
   * None: a factory per name would make Vert.x build and keep a TLS context for every name a client sends, known
   * or not; the one key manager already answers every name.
   */
  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
    return null;
  }

  /** Which certificate a name gets: for tests. */
  CertificateChoice choice() {
    return choice;
  }
}
