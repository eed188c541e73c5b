package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How the sidecar verifies backends that speak TLS ({@code proxy.backendTls:}).
 *
 * @param caFile      default none, the JDK's trust store: a PEM bundle of the CAs backend certificates must chain to
 * @param authorities the certificates read from {@code caFile} when the configuration was read; empty without one
 * @param insecure    default false: true verifies neither chain nor name, for self-signed certificates on loopback
 */
public record BackendTlsConfig(Path caFile, List<X509Certificate> authorities, boolean insecure) {

  public BackendTlsConfig {
    authorities = List.copyOf(authorities);
  }

  public static BackendTlsConfig defaults() {
    return new BackendTlsConfig(null, List.of(), false);
  }
}
