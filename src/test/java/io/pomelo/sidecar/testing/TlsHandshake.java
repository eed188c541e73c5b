package io.pomelo.sidecar.testing;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One handshake by the JDK's TLS client against a loopback port, with the SNI name, protocol and cipher suites a test
 * chooses. Each handshake has an SSL context of its own, so no session is ever resumed: a resumed session would name
 * the certificate of an earlier handshake. {@link #with} accepts every certificate, because its tests ask which one
 * came; {@link #trusting} also verifies it.
 */
public final class TlsHandshake {

  private TlsHandshake() {
  }

  /**
   * The session of a completed handshake, or the handshake's failure.
   *
   * @param serverName the SNI name, or null to send none
   * @param protocol   e.g. {@code TLSv1.2}, or null for the client's default
   * @param suites     the cipher suites offered (IANA names), none for the client's default
   */
  public static SSLSession with(int port, String serverName, String protocol, String... suites)
    throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[]{new AcceptAny()}, null);
    return handshake(context, port, serverName, protocol, suites);
  }

  /** A client context that accepts every server certificate, for tests that ask which one came. */
  public static SSLContext acceptingAny() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[]{new AcceptAny()}, null);
    return context;
  }

  /**
   * Like {@link #with}, but trusting only {@code trusted} (PEM files), so the certificate that came must also verify,
   * and answering a certificate request with {@code clientKeys} (null: none).
   */
  public static SSLSession trusting(List<Path> trusted, KeyManager[] clientKeys, int port, String serverName,
                                    String protocol) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(clientKeys, trustOnly(trusted), null);
    return handshake(context, port, serverName, protocol);
  }

  /** Trust managers that accept the certificates in these PEM files and nothing else. */
  static TrustManager[] trustOnly(List<Path> trusted) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (Path pem : trusted) {
      try (InputStream in = Files.newInputStream(pem)) {
        store.setCertificateEntry(pem.toString(), CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    return trust.getTrustManagers();
  }

  private static SSLSession handshake(SSLContext context, int port, String serverName, String protocol,
                                      String... suites) throws IOException {
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true)) {
      socket.setSoTimeout(10_000);
      var params = socket.getSSLParameters();
      params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      if (protocol != null) {
        params.setProtocols(new String[]{protocol});
      }
      if (suites.length > 0) {
        params.setCipherSuites(suites);
      }
      socket.setSSLParameters(params);
      socket.startHandshake();
      return socket.getSession();
    }
  }

  /** The common name of the certificate the server sent. */
  public static String commonName(SSLSession session) throws IOException {
    String dn = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
    return dn.replaceAll(".*CN=([^,]+).*", "$1");
  }

  /** The tests check which certificate came, not whether it is trusted. */
  private static final class AcceptAny implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
