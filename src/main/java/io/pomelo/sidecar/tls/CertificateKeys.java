package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The checked certificates as Vert.x key material, handed over as parsed keys. {@code PemKeyCertOptions} would
 * re-encode each key into an in-memory PKCS#12 store and read it back, and JDK 17 protects every such entry with
 * 10 000 PBKDF2 iterations: about a fifth of start-up. Server names are mapped the way Vert.x maps them
 * (DNS alternative names, {@code *.x} for one label under x, else the subject CN), the first certificate that
 * names a host wins, and the first certificate is the default for clients that send no or an unknown name.
 * Immutable: a rotation builds a new one, so {@code copy()} is the instance itself and equality is identity.
 */
final class CertificateKeys implements KeyCertOptions {

  private final KeyManagerFactory fallback;
  private final Map<String, KeyManagerFactory> exact = new HashMap<>();
  private final Map<String, KeyManagerFactory> wildcard = new HashMap<>();

  CertificateKeys(List<LoadedCertificate> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("at least one certificate is needed");
    }
    KeyManagerFactory first = null;
    for (LoadedCertificate cert : certificates) {
      KeyManagerFactory factory = factory(cert);
      if (first == null) {
        first = factory;
      }
      for (String name : names(cert.leaf())) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.")) {
          wildcard.putIfAbsent(lower.substring(2), factory);
        } else {
          exact.putIfAbsent(lower, factory);
        }
      }
    }
    fallback = first;
  }

  @Override
  public KeyCertOptions copy() {
    return this;
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
    return fallback;
  }

  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
    return this::forServerName;
  }

  /** The factory for a client's SNI name, or null so that Vert.x uses the default. */
  KeyManagerFactory forServerName(String serverName) {
    String name = serverName.toLowerCase(Locale.ROOT);
    KeyManagerFactory factory = exact.get(name);
    if (factory == null) {
      int dot = name.indexOf('.');
      if (dot > 0) {
        factory = wildcard.get(name.substring(dot + 1));
      }
    }
    return factory;
  }

  private static KeyManagerFactory factory(LoadedCertificate cert) {
    // wrap() needs no keystore: the factory just hands out this manager.
    KeyCertOptions wrapped = KeyCertOptions.wrap(new OneKey(cert.key(), cert.chain().toArray(new X509Certificate[0])));
    KeyManagerFactory plain;
    try {
      plain = wrapped.getKeyManagerFactory(null);
    } catch (Exception e) {
      throw new IllegalStateException("wrapping a key manager failed", e);
    }
    // Without the cache BoringSSL is handed the chain and key as freshly encoded PEM, parsed again, on every
    // handshake. The JDK engine just asks the caching factory for the same key manager.
    return OpenSsl.isAvailable() ? new OpenSslCachingX509KeyManagerFactory(plain) : plain;
  }

  private static List<String> names(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() == 2 && san.get(0) instanceof Integer type && type == 2) {
            names.add(san.get(1).toString());
          }
        }
      }
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
    } catch (CertificateParsingException | InvalidNameException e) {
      // CertificateLoader already parsed this certificate; a name we cannot read only loses its SNI mapping.
    }
    return names;
  }

  /**
   * One key and its chain under one alias. Extended, because the JDK engine ignores a plain X509KeyManager's
   * choice (its wrapper answers null for engines). The key type must match, or a TLS 1.2 client offering only
   * RSA suites would be sent an EC certificate instead of failing cleanly.
   */
  private static final class OneKey extends X509ExtendedKeyManager {

    private static final String ALIAS = "key";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    OneKey(PrivateKey key, X509Certificate[] chain) {
      this.key = key;
      this.chain = chain;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      if (keyType == null) {
        return ALIAS;
      }
      // JDK and netty name types "EC", "RSA", or "EC_RSA" (key type, then the issuer's signature type).
      int underscore = keyType.indexOf('_');
      String algorithm = underscore < 0 ? keyType : keyType.substring(0, underscore);
      return algorithm.equals(key.getAlgorithm()) ? ALIAS : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      String alias = chooseServerAlias(keyType, issuers, null);
      return alias == null ? null : new String[]{alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
