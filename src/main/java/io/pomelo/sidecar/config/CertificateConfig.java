package io.pomelo.sidecar.config;

import java.nio.file.Path;

/**
 * One certificate with its private key: PEM files (what certbot writes as {@code fullchain.pem} and
 * {@code privkey.pem}) or a PKCS#12 keystore. Exactly one form is set.
 *
 * @param certFile PEM certificate chain, leaf first
 * @param keyFile  PEM private key (PKCS#8, PKCS#1 or SEC1)
 * @param keystore PKCS#12 file holding key and chain
 * @param password the keystore's password; never logged
 */
public record CertificateConfig(Path certFile, Path keyFile, Path keystore, String password) {

  public static CertificateConfig pem(Path certFile, Path keyFile) {
    return new CertificateConfig(certFile, keyFile, null, null);
  }

  public boolean isPem() {
    return certFile != null;
  }

  /** Hides the password: records print every field otherwise. */
  @Override
  public String toString() {
    return isPem() ? "pem(" + certFile + ", " + keyFile + ")" : "pkcs12(" + keystore + ")";
  }
}
