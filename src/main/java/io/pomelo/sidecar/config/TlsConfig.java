package io.pomelo.sidecar.config;

import java.util.List;

/**
 * The public listener's certificates ({@code tls:}). With more than one, the client's SNI name picks the
 * certificate whose names match; the first is the fallback for no name or an unknown one. Protocols are always
 * TLS 1.2 and 1.3, with the suites of {@code ServerTls.CIPHER_SUITES}.
 *
 * @param certificates at least one
 */
public record TlsConfig(List<CertificateConfig> certificates) {

  public TlsConfig {
    certificates = List.copyOf(certificates);
  }
}
