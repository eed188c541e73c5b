package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.testing.RsaCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.TlsHandshake.commonName;
import static io.pomelo.sidecar.testing.TlsHandshake.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parsed keys reach both TLS engines through one context: the SNI name picks the certificate, the key type is
 * respected, and a rotation serves the new certificate.
 */
class CertificateKeysTest {

  private static final String RSA_ONLY = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
  private static final String ECDSA_ONLY = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

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
        List.of("game-b.test", "*.game-b.test"), now, Duration.ofDays(1)), "b", now),
      CertificateLoader.load(RsaCertificate.write(dir.resolve("c.pem"), dir.resolve("c.key"), "game-c.test"), "c",
        now));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  @Test
  void namesMapLikeVertxDoes() {
    CertificateChoice choice = new CertificateKeys(certificates).choice();
    assertThat(choice.forServerName("game-a.test")).isZero();
    assertThat(choice.forServerName("GAME-B.test")).isEqualTo(1);
    assertThat(choice.forServerName("eu.game-b.test")).isEqualTo(1);
    assertThat(choice.forServerName("a.eu.game-b.test")).as("a wildcard covers one label: the default").isZero();
    assertThat(choice.forServerName("other.test")).as("unknown: the default").isZero();
    assertThat(choice.forServerName(null)).as("no name: the default").isZero();
    assertThat(choice.forServerName("game-c.test")).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void bothEnginesServeByNameAndRotate(String engine) throws Exception {
    Assumptions.assumeTrue(engine.equals("jdk") || OpenSSLEngineOptions.isAvailable());
    SSLEngineOptions engineOptions = engine.equals("jdk") ? new JdkSSLEngineOptions() : new OpenSSLEngineOptions();
    ServerSSLOptions tls = ServerTls.options(certificates);
    NetServerOptions options = new NetServerOptions().setPort(0).setHost("127.0.0.1")
      .setSsl(true).setSslEngineOptions(engineOptions).setSni(tls.isSni())
      .setKeyCertOptions(tls.getKeyCertOptions()).setTrustOptions(tls.getTrustOptions())
      .setEnabledSecureTransportProtocols(tls.getEnabledSecureTransportProtocols());
    tls.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    NetServer server = vertx.createNetServer(options);
    server.connectHandler(socket -> socket.handler(socket::write));
    await(server.listen());
    int port = server.actualPort();

    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      assertThat(commonName(with(port, "game-a.test", protocol))).isEqualTo("game-a.test");
      assertThat(commonName(with(port, "eu.game-b.test", protocol))).isEqualTo("game-b.test");
      assertThat(commonName(with(port, "game-c.test", protocol))).as("the RSA certificate").isEqualTo("game-c.test");
      assertThat(commonName(with(port, "unknown.test", protocol))).isEqualTo("game-a.test");
      assertThat(commonName(with(port, null, protocol))).isEqualTo("game-a.test");
    }
    assertThat(commonName(with(port, "game-c.test", "TLSv1.2", RSA_ONLY))).isEqualTo("game-c.test");
    assertThat(commonName(with(port, "game-b.test", "TLSv1.2", ECDSA_ONLY))).isEqualTo("game-b.test");
    assertThatThrownBy(() -> with(port, "game-b.test", "TLSv1.2", RSA_ONLY))
      .as("an ECDSA name is not answered with the RSA key").isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> with(port, "game-c.test", "TLSv1.2", ECDSA_ONLY))
      .as("an RSA name is not answered with an ECDSA key").isInstanceOf(SSLHandshakeException.class);

    await(server.updateSSLOptions(ServerTls.options(List.of(certificates.get(1), certificates.get(0))), true));
    assertThat(commonName(with(port, null, "TLSv1.3"))).as("the new default after rotation").isEqualTo("game-b.test");
    assertThat(commonName(with(port, "game-a.test", "TLSv1.3"))).isEqualTo("game-a.test");
    assertThat(commonName(with(port, "game-c.test", "TLSv1.3"))).as("gone with the rotation: the default")
      .isEqualTo("game-b.test");
  }
}
