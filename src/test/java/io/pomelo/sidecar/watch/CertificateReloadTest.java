package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.FileWrites;
import io.pomelo.sidecar.testing.SpecialFiles;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.tls.DevCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** certbot-style renewal: the certificate files are replaced while WebSockets are open. */
class CertificateReloadTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private Path certFile;
  private Path keyFile;
  private CertificateConfig renewed;
  private TestSidecar fixture;
  private final List<WebSocketClient> clients = new java.util.ArrayList<>();
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    // The live files, as certbot keeps them: a copy of the first certificate.
    Path live = Files.createDirectories(dir.resolve("live"));
    certFile = live.resolve("fullchain.pem");
    keyFile = live.resolve("privkey.pem");
    Files.copy(fixture.certificate().certFile(), certFile);
    Files.copy(fixture.certificate().keyFile(), keyFile);
    renewed = DevCertificate.ensure(dir.resolve("renewed"), Instant.now());
    var config = fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withTls(new TlsConfig(List.of(CertificateConfig.pem(certFile, keyFile))))
      // 4 KiB: the test pair is under 1 KiB each, so a file over the limit is quick to write.
      .withReload(ReloadConfig.defaults().withMaxFileSize(4096));
    sidecar = await(fixture.start(vertx, config));
    client = freshClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void newHandshakesGetTheRenewedCertificateAndOpenConnectionsKeepGoing() throws Exception {
    WebSocket before = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    BigInteger oldSerial = serial(before);
    assertThat(echo(before, "a")).isEqualTo("gate:a");

    BigInteger newSerial = serialOf(renewed.certFile());
    assertThat(newSerial).isNotEqualTo(oldSerial);
    // certbot replaces both files; the key first here, so for a moment they do not match.
    FileWrites.ATOMIC_RENAME.write(keyFile, Files.readString(renewed.keyFile()));
    FileWrites.ATOMIC_RENAME.write(certFile, Files.readString(renewed.certFile()));
    until(() -> sidecar.state().certificates().get(0).leaf().getSerialNumber().equals(newSerial));
    assertThat(sidecar.state().lastReload().certificatesReloaded()).isTrue();

    // A new client: the first one would resume its TLS session, which still names the old certificate.
    WebSocket after = await(TestSidecar.connect(freshClient(),
      sidecar.publicPort(), "/gate/"));
    assertThat(serial(after)).isEqualTo(newSerial);
    assertThat(echo(after, "b")).isEqualTo("gate:b");
    assertThat(echo(before, "c")).isEqualTo("gate:c");
    assertThat(serial(before)).isEqualTo(oldSerial);
  }

  @Test
  void aBadCertificateKeepsTheOldOne() throws Exception {
    BigInteger serial = sidecar.state().certificates().get(0).leaf().getSerialNumber();
    Instant before = Instant.now();
    FileWrites.ATOMIC_RENAME.write(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    until(() -> sidecar.state().lastReload().at().isAfter(before)
      && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.ERROR));
    assertThat(sidecar.state().lastReload().errors()).anySatisfy(e -> assertThat(e).contains(certFile.toString())
      .contains("tls.certificates[0].certFile"));
    WebSocket ws = await(TestSidecar.connect(freshClient(),
      sidecar.publicPort(), "/gate/"));
    assertThat(serial(ws)).isEqualTo(serial);

    // A key that belongs to another certificate is refused too.
    Instant later = Instant.now();
    FileWrites.ATOMIC_RENAME.write(certFile, Files.readString(renewed.certFile()));
    until(() -> sidecar.state().lastReload().at().isAfter(later)
      && sidecar.state().lastReload().errors().stream().anyMatch(e -> e.contains("does not belong")));
    assertThat(sidecar.state().certificates().get(0).leaf().getSerialNumber()).isEqualTo(serial);
  }

  /** certbot's live/ files are symlinks into archive/, switched to the new numbered files at each renewal. */
  @Test
  void aRenewalThroughSymlinksIsApplied() throws Exception {
    BigInteger newSerial = serialOf(renewed.certFile());
    FileWrites.SYMLINK_SWITCH.write(keyFile, Files.readString(renewed.keyFile()));
    FileWrites.SYMLINK_SWITCH.write(certFile, Files.readString(renewed.certFile()));
    assertThat(Files.isSymbolicLink(certFile)).isTrue();
    until(() -> sidecar.state().certificates().get(0).leaf().getSerialNumber().equals(newSerial));
    WebSocket ws = await(TestSidecar.connect(freshClient(), sidecar.publicPort(), "/gate/"));
    assertThat(serial(ws)).isEqualTo(newSerial);
  }

  @Test
  void aFifoOrAFileOverTheLimitKeepsTheOldCertificateAndTheNextGoodPairIsApplied() throws Exception {
    BigInteger serial = sidecar.state().certificates().get(0).leaf().getSerialNumber();
    Instant before = Instant.now();
    Files.delete(certFile);
    SpecialFiles.fifo(certFile);
    String fifo = certFile + ": tls.certificates[0].certFile: is a FIFO, not a regular file";
    until(() -> sidecar.state().lastReload().at().isAfter(before) && sidecar.state().lastReload().errors().contains(fifo));
    assertThat(sidecar.state().lastReload().result()).isEqualTo(ReloadOutcome.Result.ERROR);
    assertThat(serial(await(TestSidecar.connect(freshClient(), sidecar.publicPort(), "/gate/")))).isEqualTo(serial);

    // PEM allows text around the blocks: a real chain padded to 5 KiB.
    Instant later = Instant.now();
    FileWrites.ATOMIC_RENAME.write(certFile, "#".repeat(5 * 1024 - 1) + "\n" + Files.readString(renewed.certFile()));
    String big = certFile + ": tls.certificates[0].certFile: is " + String.format(java.util.Locale.ROOT, "%.1f",
      Files.size(certFile) / 1024.0) + " KiB, over reload.maxFileSize (4 KiB)";
    until(() -> sidecar.state().lastReload().at().isAfter(later) && sidecar.state().lastReload().errors().contains(big));
    assertThat(sidecar.state().certificates().get(0).leaf().getSerialNumber()).isEqualTo(serial);

    BigInteger newSerial = serialOf(renewed.certFile());
    FileWrites.ATOMIC_RENAME.write(keyFile, Files.readString(renewed.keyFile()));
    FileWrites.ATOMIC_RENAME.write(certFile, Files.readString(renewed.certFile()));
    until(() -> sidecar.state().certificates().get(0).leaf().getSerialNumber().equals(newSerial));
  }

  /**
   * A client of its own, so no TLS session is resumed. Kept in a field: Vert.x closes a client, and its
   * connections, once the client object is garbage.
   */
  private WebSocketClient freshClient() {
    WebSocketClient fresh = fixture.webSocketClient(vertx, renewed.certFile());
    clients.add(fresh);
    return fresh;
  }

  private static BigInteger serial(WebSocket ws) throws Exception {
    return ((X509Certificate) ws.peerCertificates().get(0)).getSerialNumber();
  }

  private static BigInteger serialOf(Path pem) throws Exception {
    return ((X509Certificate) CertificateFactory.getInstance("X.509")
      .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)))).getSerialNumber();
  }

}
