package io.pomelo.sidecar.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The public listener's trust manager: it asks no client for a certificate, so it trusts none. Stated instead of
 * left out because without one Netty hands the JDK's whole CA store to every server context as acceptable client
 * issuers, at a cost on every start and reload (bench/RESULTS.md) for a list no client is ever shown.
 */
final class NoClientCertificates implements X509TrustManager {

  private static final X509Certificate[] NONE = new X509Certificate[0];

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("pomelo-sidecar accepts no client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("the public listener is a server; it checks no server certificate");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NONE;
  }
}
