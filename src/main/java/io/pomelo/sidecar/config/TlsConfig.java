package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The public listener's certificates ({@code tls:}). With more than one, the client's SNI name picks the
 * certificate whose names match; the first is the fallback for no name or an unknown one. Protocols are always
 * TLS 1.2 and 1.3, with the suites of {@code ServerTls.CIPHER_SUITES}.
 *
 * @param certificates      at least one, unless {@code acme} orders one
 * @param sessionTicketKeys default none: a file of session ticket keys (newest first; the first encrypts, the others
 *                          still decrypt), shared by every sidecar behind one balancer so that a client resumes on any
 *                          of them; none means keys of this process's own, made at start
 * @param acme              default none: certificates ordered from an ACME CA, served after those of
 *                          {@code certificates}
 * @param groups            default {@link KeyExchangeGroup#DEFAULTS}: the key exchanges agreed to, in the server's
 *                          order of preference; read at start
 */
public record TlsConfig(List<CertificateConfig> certificates, Path sessionTicketKeys, AcmeConfig acme,
                        List<KeyExchangeGroup> groups) {

  public TlsConfig {
    certificates = List.copyOf(certificates);
    groups = List.copyOf(groups);
  }

  public TlsConfig(List<CertificateConfig> certificates, Path sessionTicketKeys, AcmeConfig acme) {
    this(certificates, sessionTicketKeys, acme, KeyExchangeGroup.DEFAULTS);
  }

  public TlsConfig(List<CertificateConfig> certificates) {
    this(certificates, null, null);
  }

  public TlsConfig(List<CertificateConfig> certificates, Path sessionTicketKeys) {
    this(certificates, sessionTicketKeys, null);
  }

  /** These settings with the key exchanges {@code groups}. */
  public TlsConfig withGroups(List<KeyExchangeGroup> groups) {
    return new TlsConfig(certificates, sessionTicketKeys, acme, groups);
  }
}
