package io.pomelo.sidecar.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pomelo.sidecar.config.BackendTlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * The client side of TLS to backends whose connectors speak it: one Netty context per {@code proxy.backendTls}
 * (built once, not per connection), and a handler per connection with SNI and the name to verify.
 */
public final class BackendTrust {

  private final BackendTlsConfig config;
  private final SslContext context;
  private final ClientSSLOptions httpOptions;

  public BackendTrust(BackendTlsConfig config) {
    this.config = config;
    SslContextBuilder builder = SslContextBuilder.forClient()
      // The JDK's engine: what the rest of the sidecar's TLS uses, and its endpoint identification is the one known.
      .sslProvider(SslProvider.JDK)
      .protocols("TLSv1.3", "TLSv1.2");
    if (config.insecure()) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else if (!config.authorities().isEmpty()) {
      builder.trustManager(config.authorities());
    }
    try {
      this.context = builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the backend TLS context: " + e.getMessage(), e);
    }
    this.httpOptions = httpOptions(config);
  }

  /** The same trust for Vert.x's HTTP client (plain requests to a TLS backend); Vert.x sends SNI for a DNS name. */
  public ClientSSLOptions httpOptions() {
    return httpOptions;
  }

  private static ClientSSLOptions httpOptions(BackendTlsConfig config) {
    ClientSSLOptions options = new ClientSSLOptions()
      .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
      .setTrustAll(config.insecure())
      .setHostnameVerificationAlgorithm(config.insecure() ? "" : "HTTPS");
    if (!config.insecure() && !config.authorities().isEmpty()) {
      PemTrustOptions trust = new PemTrustOptions();
      for (X509Certificate authority : config.authorities()) {
        trust.addCertValue(Buffer.buffer(pem(authority)));
      }
      options.setTrustOptions(trust);
    }
    return options;
  }

  private static String pem(X509Certificate certificate) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode CA certificate " + certificate.getSubjectX500Principal(), e);
    }
  }

  public BackendTlsConfig config() {
    return config;
  }

  /**
   * A client handler for one connection to {@code serverName}: SNI when it is a DNS name (the JDK sends none for
   * an IP literal), and the certificate checked for that name or IP unless insecure.
   */
  public SslHandler handler(ByteBufAllocator alloc, String serverName, int port, Duration handshakeTimeout) {
    SslHandler handler = context.newHandler(alloc, serverName, port);
    SSLEngine engine = handler.engine();
    if (!config.insecure()) {
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }
}
