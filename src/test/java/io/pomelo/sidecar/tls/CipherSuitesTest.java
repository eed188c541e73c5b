package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RsaCertificate;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.TlsHandshake.with;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public port agrees on TLS 1.2 suites with forward secrecy and AEAD only, speaks TLS 1.3 with each of its
 * suites, refuses TLS 1.1, and keeps all that across a certificate reload. The names are written out here, not read
 * from {@link ServerTls}, so that a change to the list has to change this test too.
 */
class CipherSuitesTest {

  private static final List<String> ECDSA_AGREED = List.of(
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  private static final List<String> RSA_AGREED = List.of(
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  /** RSA key exchange (no forward secrecy), with CBC and with GCM; and ECDHE with CBC. */
  private static final List<String> RSA_REFUSED = List.of(
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
  private static final List<String> ECDSA_REFUSED = List.of(
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384");
  private static final List<String> TLS13 = List.of(
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private SidecarConfig base;
  private CertificateConfig ec;
  private CertificateConfig rsa;
  private final AtomicReference<Future<SidecarConfig>> nextConfig = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    ec = SelfSignedCertificate.write(dir.resolve("ec.pem"), dir.resolve("ec.key"), List.of("ec.test"),
      Instant.now(), Duration.ofDays(1));
    rsa = RsaCertificate.write(dir.resolve("rsa.pem"), dir.resolve("rsa.key"), "rsa.test");
    base = fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withTls(new TlsConfig(List.of(ec, rsa)))
      .withReload(new ReloadConfig(false, ReloadConfig.RemovedRoutes.DRAIN, ReloadConfig.defaults().closeAfter()));
    nextConfig.set(Future.succeededFuture(base));
    sidecar = await(Sidecar.start(vertx, base, nextConfig::get, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void tls12AgreesOnForwardSecretAeadSuitesOnly() throws Exception {
    assertTls12Policy();
  }

  @Test
  void aCertificateReloadKeepsTheList() throws Exception {
    nextConfig.set(Future.succeededFuture(base.withTls(new TlsConfig(List.of(rsa, ec)))));
    ReloadOutcome outcome = await(sidecar.requestReload(ReloadRequest.everything("SIGHUP")));
    assertThat(outcome.certificatesReloaded()).isTrue();

    assertTls12Policy();
  }

  @Test
  void tls13IsSpokenWithEachOfItsSuites() throws Exception {
    for (String suite : TLS13) {
      for (String name : List.of("ec.test", "rsa.test")) {
        SSLSession session = with(sidecar.publicPort(), name, "TLSv1.3", suite);
        assertThat(session.getProtocol()).as(suite).isEqualTo("TLSv1.3");
        assertThat(session.getCipherSuite()).isEqualTo(suite);
      }
    }
    assertThat(with(sidecar.publicPort(), "ec.test", null).getProtocol()).as("the JDK's default offer")
      .isEqualTo("TLSv1.3");
  }

  /**
   * The JDK's client refuses TLS 1.1 itself, so a hand-made TLS 1.1 ClientHello asks instead: the answer must be a
   * protocol_version alert, not a ServerHello, and not the handshake_failure a TLS 1.1 short of suites would get.
   */
  @Test
  void tls11IsRefused() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sidecar.publicPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(tls11ClientHello());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] record = new byte[7];
      in.readFully(record);
      assertThat(record[0]).as("content type: alert").isEqualTo((byte) 21);
      assertThat(record[5]).as("alert level: fatal").isEqualTo((byte) 2);
      assertThat(record[6]).as("alert: protocol_version").isEqualTo((byte) 70);
    }
  }

  private void assertTls12Policy() throws Exception {
    for (String suite : ECDSA_AGREED) {
      assertThat(with(sidecar.publicPort(), "ec.test", "TLSv1.2", suite).getCipherSuite()).isEqualTo(suite);
    }
    for (String suite : RSA_AGREED) {
      assertThat(with(sidecar.publicPort(), "rsa.test", "TLSv1.2", suite).getCipherSuite()).isEqualTo(suite);
    }
    List<String> agreed = new ArrayList<>();
    for (String suite : RSA_REFUSED) {
      agreedTo(agreed, "rsa.test", suite);
    }
    for (String suite : ECDSA_REFUSED) {
      agreedTo(agreed, "ec.test", suite);
    }
    assertThat(agreed).as("suites without forward secrecy or AEAD that were agreed").isEmpty();
  }

  private void agreedTo(List<String> agreed, String name, String suite) throws Exception {
    try {
      with(sidecar.publicPort(), name, "TLSv1.2", suite);
      agreed.add(suite);
    } catch (SSLHandshakeException e) {
      // refused, as it should be
    }
  }

  /** A TLS 1.1 ClientHello (RFC 4346) offering the ECDHE and RSA CBC suites TLS 1.1 clients offer. */
  private static byte[] tls11ClientHello() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[]{3, 2});
    byte[] random = new byte[32];
    ThreadLocalRandom.current().nextBytes(random);
    body.writeBytes(random);
    body.write(0);
    body.writeBytes(new byte[]{0, 6, (byte) 0xc0, 0x09, (byte) 0xc0, 0x13, 0x00, 0x2f});
    body.writeBytes(new byte[]{1, 0});
    byte[] extensions = {
      0x00, 0x0a, 0, 4, 0, 2, 0, 0x17,
      0x00, 0x0b, 0, 2, 1, 0};
    body.writeBytes(new byte[]{0, (byte) extensions.length});
    body.writeBytes(extensions);
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    int handshakeLength = hello.length + 4;
    record.writeBytes(new byte[]{22, 3, 1, (byte) (handshakeLength >> 8), (byte) handshakeLength});
    record.writeBytes(new byte[]{1, 0, (byte) (hello.length >> 8), (byte) hello.length});
    record.writeBytes(hello);
    return record.toByteArray();
  }
}
