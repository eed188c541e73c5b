package io.pomelo.sidecar.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates the sidecar orders itself from an ACME CA ({@code tls.acme}, RFC 8555), kept in the state directory
 * and renewed live. Read at start: a reload that sees this section changed keeps the running one.
 *
 * @param directory              the CA's directory URL; default Let's Encrypt production
 * @param email                  the account's contact, or null for none (the CA then cannot warn about expiry)
 * @param agreeToTerms           must be true: ordering means accepting the CA's terms of service
 * @param domains                the DNS names of the one certificate ordered, at least one; the first names it
 * @param keyType                the certificate's key; default ECDSA P-256
 * @param challenge              how the CA checks the names; default TLS-ALPN-01 on the public port
 * @param httpHost               the plain listener's address; default {@code listen.host}
 * @param httpPort               the plain listener (HTTP-01 answers, redirects to https) or -1 for none; default 80
 *                               with HTTP-01, none with TLS-ALPN-01
 * @param caCertificates         PEM certificates to trust for the directory besides the JDK's (a private CA), or null
 * @param externalAccountKeyId   the key id of an external account binding (RFC 8555 §7.3.4), or null
 * @param externalAccountKeyFile the file holding that binding's MAC key (base64url), or null; never logged
 */
public record AcmeConfig(URI directory, String email, boolean agreeToTerms, List<String> domains, KeyType keyType,
                         Challenge challenge, String httpHost, int httpPort, Path caCertificates,
                         String externalAccountKeyId, Path externalAccountKeyFile) {

  /** Let's Encrypt's production directory; staging is https://acme-staging-v02.api.letsencrypt.org/directory. */
  public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");

  public AcmeConfig {
    domains = List.copyOf(domains);
  }

  /** The key of an ordered certificate, by its name in sidecar.yaml. */
  public enum KeyType {
    EC256("ec256"), EC384("ec384"), RSA2048("rsa2048"), RSA4096("rsa4096");

    private final String yamlName;

    KeyType(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }
  }

  /** How the CA checks that the sidecar answers for a name. */
  public enum Challenge {
    /** RFC 8737: on the public TLS port, during a handshake for the {@code acme-tls/1} protocol. */
    TLS_ALPN_01("tls-alpn-01"),
    /** RFC 8555 §8.3: a plain HTTP request on port 80, answered by the plain listener. */
    HTTP_01("http-01");

    private final String yamlName;

    Challenge(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }
  }
}
