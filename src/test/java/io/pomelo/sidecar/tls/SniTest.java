package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.testing.TlsHandshake;
import io.vertx.core.Vertx;
import io.vertx.core.net.OpenSSLEngineOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.TlsHandshake.commonName;
import static org.assertj.core.api.Assertions.assertThat;

/** Several domains on one port: the client's SNI name picks the certificate; the first is the default. */
class SniTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private List<Path> trusted;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    CertificateConfig a = SelfSignedCertificate.write(dir.resolve("a.pem"), dir.resolve("a.key"),
      List.of("game-a.test"), Instant.now(), Duration.ofDays(1));
    CertificateConfig b = SelfSignedCertificate.write(dir.resolve("b.pem"), dir.resolve("b.key"),
      List.of("game-b.test", "*.game-b.test"), Instant.now(), Duration.ofDays(1));
    sidecar = await(fixture.start(vertx,
      fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
        .withTls(new TlsConfig(List.of(a, b)))));
    trusted = List.of(a.certFile(), b.certFile());
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void theClientsNamePicksTheCertificate() throws Exception {
    assertThat(commonName(handshake("game-a.test", null))).isEqualTo("game-a.test");
    assertThat(commonName(handshake("game-b.test", null))).isEqualTo("game-b.test");
    assertThat(commonName(handshake("eu.game-b.test", null))).isEqualTo("game-b.test");
    assertThat(commonName(handshake(null, null))).as("no SNI: the first certificate").isEqualTo("game-a.test");
  }

  @Test
  void bothTls12AndTls13AreSpokenWithSni() throws Exception {
    // TLS 1.1's refusal is CipherSuitesTest's: the JDK client refuses 1.1 itself, so it cannot show the server's.
    assertThat(handshake("game-a.test", "TLSv1.3").getProtocol()).isEqualTo("TLSv1.3");
    assertThat(handshake("game-a.test", "TLSv1.2").getProtocol()).isEqualTo("TLSv1.2");
  }

  @Test
  void noClientIsAskedForACertificate() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    X509ExtendedKeyManager clientKeys = new X509ExtendedKeyManager() {
      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        asked.incrementAndGet();
        return null;
      }

      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return null;
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return null;
      }
    };
    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      handshake("game-a.test", protocol, new KeyManager[] {clientKeys});
    }

    assertThat(asked).as("certificate requests seen by the client").hasValue(0);
  }

  /**
   * Names the JDK's {@code SNIHostName} refuses (an underscore, an empty label) reach BoringSSL as sent: they get the
   * default certificate, as unknown names do, not a failed handshake. OpenSSL's s_client sends them as given.
   */
  @Test
  void namesTheJdkRefusesGetTheDefaultCertificate() throws Exception {
    Assumptions.assumeTrue(OpenSSLEngineOptions.isAvailable(), "the JDK's engine refuses such names itself");
    for (String name : List.of("game_x.test", "a..game-b.test")) {
      Path out = dir.resolve("s_client.out");
      Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + sidecar.publicPort(),
        "-servername", name).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      process.getOutputStream().close();
      boolean ended = process.waitFor(Await.SECONDS, TimeUnit.SECONDS);
      process.destroyForcibly();
      assertThat(ended).as("s_client ended: the handshake with %s finished", name).isTrue();
      assertThat(Files.readString(out)).as(name).contains("subject=CN = game-a.test");
    }
  }

  private SSLSession handshake(String serverName, String protocol) throws Exception {
    return handshake(serverName, protocol, null);
  }

  private SSLSession handshake(String serverName, String protocol, KeyManager[] keys) throws Exception {
    return TlsHandshake.trusting(trusted, keys, sidecar.publicPort(), serverName, protocol);
  }
}
