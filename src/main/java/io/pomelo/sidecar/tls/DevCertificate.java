package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The self-signed certificate of development mode: {@code localhost}, 127.0.0.1 and ::1, kept in the state
 * directory and reused until it is within 30 days of expiry, so a browser exception stays valid across restarts.
 */
public final class DevCertificate {

  static final String CERT_FILE = "dev-cert.pem";
  static final String KEY_FILE = "dev-key.pem";
  private static final Duration LIFETIME = Duration.ofDays(365);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private DevCertificate() {
  }

  /** Returns the pair in {@code stateDir}, making it first when it is missing, unreadable or about to expire. */
  public static CertificateConfig ensure(Path stateDir, Instant now) throws IOException {
    CertificateConfig pair = CertificateConfig.pem(stateDir.resolve(CERT_FILE), stateDir.resolve(KEY_FILE));
    try {
      CertificateLoader.load(pair, "dev", now.plus(RENEW_BEFORE));
      return pair;
    } catch (ConfigException e) {
      // missing, broken or expiring: make a new one
      return SelfSignedCertificate.write(pair.certFile(), pair.keyFile(), List.of("localhost", "127.0.0.1", "::1"),
        now, LIFETIME);
    }
  }
}
