package io.pomelo.sidecar.tls;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
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

/**
 * Every configured certificate in one key manager, so one TLS context serves them all: each handshake gets the
 * certificate its SNI name asks for, read from the handshake session while the engine picks its key. The alias of a
 * certificate is its place in the list, stable for the context's life, so Netty's key-material cache holds each chain
 * and key once. Names map as Vert.x maps them (DNS alternative names, {@code *.x} for one label under x, else the
 * subject CN), the first certificate that names a host wins, and the first is the default for clients that send no
 * or an unknown name.
 */
final class CertificateChoice extends X509ExtendedKeyManager {

  private static final int DEFAULT = 0;

  private final List<LoadedCertificate> certificates;
  private final List<String> aliases = new ArrayList<>();
  private final Map<String, Integer> exact = new HashMap<>();
  private final Map<String, Integer> wildcard = new HashMap<>();

  CertificateChoice(List<LoadedCertificate> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("at least one certificate is needed");
    }
    this.certificates = List.copyOf(certificates);
    for (int i = 0; i < this.certificates.size(); i++) {
      aliases.add(Integer.toString(i));
      for (String name : names(this.certificates.get(i).leaf())) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.")) {
          wildcard.putIfAbsent(lower.substring(2), i);
        } else {
          exact.putIfAbsent(lower, i);
        }
      }
    }
  }

  /** The place of the certificate for a client's SNI name; the default's for no name or an unknown one. */
  int forServerName(String serverName) {
    if (serverName == null) {
      return DEFAULT;
    }
    String name = serverName.toLowerCase(Locale.ROOT);
    Integer index = exact.get(name);
    if (index == null) {
      int dot = name.indexOf('.');
      if (dot > 0) {
        index = wildcard.get(name.substring(dot + 1));
      }
    }
    return index == null ? DEFAULT : index;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(keyType, socket instanceof SSLSocket tls ? tls.getHandshakeSession() : null);
  }

  /**
   * Null when the name's certificate has another key type: the engine then asks for the next type it can use, and a
   * TLS 1.2 client offering only RSA suites to an ECDSA name fails cleanly instead of being sent a key it cannot use.
   */
  private String choose(String keyType, SSLSession handshake) {
    int index = forServerName(requestedName(handshake));
    return fits(keyType, certificates.get(index).key()) ? aliases.get(index) : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    List<String> fitting = new ArrayList<>();
    for (int i = 0; i < certificates.size(); i++) {
      if (fits(keyType, certificates.get(i).key())) {
        fitting.add(aliases.get(i));
      }
    }
    return fitting.isEmpty() ? null : fitting.toArray(new String[0]);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    int index = aliases.indexOf(alias);
    return index < 0 ? null : certificates.get(index).chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    int index = aliases.indexOf(alias);
    return index < 0 ? null : certificates.get(index).key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;
  }

  /** The client's SNI host name, or null; both engines hand the name over in the session being negotiated. */
  private static String requestedName(SSLSession handshake) {
    if (!(handshake instanceof ExtendedSSLSession extended)) {
      return null;
    }
    List<SNIServerName> names;
    try {
      names = extended.getRequestedServerNames();
    } catch (IllegalArgumentException e) {
      // Netty's engine makes an SNIHostName of what BoringSSL let through ("game_x.test", "a..b"): such a name is
      // nobody's, so it gets the default, as before.
      return null;
    }
    for (SNIServerName name : names) {
      if (name instanceof SNIHostName host) {
        return host.getAsciiName();
      }
    }
    return null;
  }

  /** JDK and Netty name key types "EC", "RSA", or "EC_RSA" (the key's type, then the issuer's signature type). */
  private static boolean fits(String keyType, PrivateKey key) {
    if (keyType == null) {
      return true;
    }
    int underscore = keyType.indexOf('_');
    String wanted = underscore < 0 ? keyType : keyType.substring(0, underscore);
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    return wanted.equals(algorithm);
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
}
