package io.pomelo.sidecar.tls;

import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The parsed keys reach both TLS engines, SNI picks by name, and a rotation serves the new certificate. */
class CertificateKeysTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private List<LoadedCertificate> certificates;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    Instant now = Instant.now();
    certificates = List.of(
      CertificateLoader.load(SelfSignedCertificate.write(dir.resolve("a.pem"), dir.resolve("a.key"),
        List.of("game-a.test"), now, Duration.ofDays(1)), "a", now),
      CertificateLoader.load(SelfSignedCertificate.write(dir.resolve("b.pem"), dir.resolve("b.key"),
        List.of("game-b.test", "*.game-b.test"), now, Duration.ofDays(1)), "b", now));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  @Test
  void namesMapLikeVertxDoes() {
    CertificateKeys keys = new CertificateKeys(certificates);
    assertThat(keys.forServerName("game-a.test")).isNotNull();
    assertThat(keys.forServerName("GAME-B.test")).isSameAs(keys.forServerName("eu.game-b.test"));
    assertThat(keys.forServerName("a.eu.game-b.test")).as("a wildcard covers one label").isNull();
    assertThat(keys.forServerName("other.test")).isNull();
    assertThat(keys.getKeyManagerFactory(vertx)).isSameAs(keys.forServerName("game-a.test"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void bothEnginesServeByNameAndRotate(String engine) throws Exception {
    SSLEngineOptions engineOptions = engine.equals("jdk") ? new JdkSSLEngineOptions() : new OpenSSLEngineOptions();
    Assumptions.assumeTrue(engine.equals("jdk") || OpenSSLEngineOptions.isAvailable());
    NetServer server = vertx.createNetServer(new NetServerOptions().setPort(0).setHost("127.0.0.1")
      .setSsl(true).setSslEngineOptions(engineOptions)
      .setKeyCertOptions(ServerTls.options(certificates).getKeyCertOptions()).setSni(true));
    server.connectHandler(socket -> socket.handler(socket::write));
    await(server.listen());

    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      assertThat(served(server.actualPort(), "game-a.test", protocol)).isEqualTo("game-a.test");
      assertThat(served(server.actualPort(), "eu.game-b.test", protocol)).isEqualTo("game-b.test");
      assertThat(served(server.actualPort(), null, protocol)).isEqualTo("game-a.test");
    }

    await(server.updateSSLOptions(ServerTls.options(List.of(certificates.get(1), certificates.get(0))), true));
    assertThat(served(server.actualPort(), null, "TLSv1.3")).as("the new default after rotation")
      .isEqualTo("game-b.test");
  }

  private static String served(int port, String serverName, String protocol) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[]{new TrustEverything()}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      var params = socket.getSSLParameters();
      if (serverName != null) {
        params.setServerNames(List.of(new SNIHostName(serverName)));
      }
      params.setProtocols(new String[]{protocol});
      socket.setSSLParameters(params);
      socket.startHandshake();
      String dn = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      return dn.replaceAll(".*CN=([^,]+).*", "$1");
    }
  }

  /** The test checks which certificate came, not whether it is trusted. */
  private static final class TrustEverything implements X509TrustManager {
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
