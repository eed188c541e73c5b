package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ReloadConfig;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * acme4j's generic provider, reaching the CA's directory with the JDK's trusted roots and, for a private CA, the
 * certificates of {@code tls.acme.caCertificates} beside them.
 */
final class AcmeTrust extends GenericAcmeProvider {

  private final SSLContext context;

  private AcmeTrust(SSLContext context) {
    this.context = context;
  }

  /** @param caCertificates a PEM bundle to trust as well, or null for the JDK's roots alone */
  static AcmeTrust of(Path caCertificates) throws IOException {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      int i = 0;
      for (var manager : jdk.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          for (X509Certificate root : x509.getAcceptedIssuers()) {
            store.setCertificateEntry("jdk-" + i++, root);
          }
        }
      }
      if (caCertificates != null) {
        byte[] pem = BoundedFile.limitedBy(ReloadConfig.defaults()).read(caCertificates, "tls.acme.caCertificates");
        for (Certificate extra : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
          store.setCertificateEntry("extra-" + i++, extra);
        }
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return new AcmeTrust(context);
    } catch (GeneralSecurityException | ConfigException e) {
      throw new IOException("cannot trust tls.acme.caCertificates " + caCertificates + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected HttpConnector createHttpConnector(NetworkSettings settings) {
    return new HttpConnector(settings) {
      @Override
      public HttpClient.Builder createClientBuilder() {
        return super.createClientBuilder().sslContext(context);
      }
    };
  }
}
