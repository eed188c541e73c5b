package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate chain and its key, read and checked, ready to hand to the TLS engine.
 *
 * @param source where it was read from
 * @param chain  leaf first
 * @param key    the leaf's private key; never printed
 */
public record LoadedCertificate(CertificateConfig source, List<X509Certificate> chain, PrivateKey key) {

  public LoadedCertificate {
    chain = List.copyOf(chain);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  @Override
  public String toString() {
    return "LoadedCertificate[" + source + ", " + leaf().getSubjectX500Principal() + "]";
  }
}
