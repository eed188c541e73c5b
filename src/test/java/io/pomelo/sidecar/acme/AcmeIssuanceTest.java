package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.admin.StatusView;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.testing.TlsHandshake;
import io.pomelo.sidecar.tls.SelfSignedCertificate;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * tls.acme against Debian's pebble, a real RFC 8555 CA that really validates: it dials the sidecar's public port
 * for TLS-ALPN-01 and its plain listener for HTTP-01, with pebble-challtestsrv resolving every name to 127.0.0.1.
 */
class AcmeIssuanceTest {

  private static final String NAME = "game.test";

  @TempDir
  Path dir;

  private Vertx vertx;
  private Pebble pebble;
  private EchoBackend backend;
  private int publicPort;
  private int plainPort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    backend = await(EchoBackend.start(vertx, "connector"));
    publicPort = Pebble.freePort();
    plainPort = Pebble.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
    if (pebble != null) {
      pebble.close();
    }
  }

  private void startPebble(long validitySeconds, List<String> blocked) throws Exception {
    pebble = Pebble.start(dir.resolve("pebble"), new Pebble.Settings(plainPort, publicPort, validitySeconds, blocked));
  }

  private SidecarConfig config(String challenge, String domain) throws Exception {
    TestSidecar fixture = new TestSidecar(dir);
    Path servers = fixture.serversJson(Map.of("connector-server-1", Map.entry("connector", backend.port())));
    Path yaml = dir.resolve("sidecar.yaml");
    Files.writeString(yaml, String.join("\n",
      "listen: {host: 127.0.0.1, port: " + publicPort + "}",
      "tls:",
      "  acme:",
      "    directory: " + pebble.directory(),
      "    caCertificates: " + pebble.listenerCertificate(),
      "    email: ops@example.com",
      "    agreeToTerms: true",
      "    domains: [" + domain + "]",
      "    challenge: " + challenge,
      "    httpHost: 127.0.0.1",
      "    httpPort: " + plainPort,
      "pomelo: {serversFile: " + servers + ", environment: development}",
      "routes: {aliases: []}",
      "admin: {host: 127.0.0.1, port: 0}",
      "state: {dir: " + dir.resolve("state") + "}") + "\n");
    return await(new SidecarConfigLoader(vertx, Map.of("HOME", dir.toString()), new Properties()).load(yaml));
  }

  /** Completes with the first reload that put new certificates in use. */
  private static Promise<ReloadOutcome> nextRotation(Sidecar sidecar) {
    Promise<ReloadOutcome> rotated = Promise.promise();
    sidecar.onReloadFinished(outcome -> {
      if (outcome.certificatesReloaded()) {
        rotated.tryComplete(outcome);
      }
    });
    return rotated;
  }

  private X509Certificate served(Sidecar sidecar) {
    List<io.pomelo.sidecar.tls.LoadedCertificate> all = sidecar.state().certificates();
    return all.get(all.size() - 1).leaf();
  }

  private Path roots() throws Exception {
    Path roots = dir.resolve("pebble-roots.pem");
    Files.writeString(roots, pebble.issuingRoots());
    return roots;
  }

  /** A WebSocket through the sidecar from a client that trusts only pebble's roots. */
  private WebSocket connect() throws Exception {
    // Dialled at 127.0.0.1, so no SNI and no name to check: the ordered certificate is the only one, and served.
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setVerifyHost(false)
      .setTrustOptions(new PemTrustOptions().addCertPath(roots().toString())));
    return await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(publicPort)
      .setURI("/connector-server-1/").setSsl(true)));
  }

  /** The certificate a client naming {@code name} in SNI gets, verified against pebble's roots. */
  private X509Certificate handshake(String name) throws Exception {
    SSLSession session = TlsHandshake.trusting(List.of(roots()), null, publicPort, name, null);
    return (X509Certificate) session.getPeerCertificates()[0];
  }

  private static X509Certificate leaf(WebSocket ws) throws Exception {
    return (X509Certificate) ws.sslSession().getPeerCertificates()[0];
  }

  /** The DNS names of a certificate (subjectAltName). */
  private static List<String> names(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream().filter(n -> Integer.valueOf(2).equals(n.get(0)))
      .map(n -> (String) n.get(1)).toList();
  }

  private ManagedStatus status(Sidecar sidecar) {
    return sidecar.orderedCertificates().get(0);
  }

  private void awaitStatus(Sidecar sidecar, String what, Predicate<ManagedStatus> condition) throws Exception {
    until(what, () -> !sidecar.orderedCertificates().isEmpty() && condition.test(status(sidecar)));
  }

  @Test
  void issuesOverTlsAlpn01OnThePublicPortAndARestartReusesItWithoutTheCa() throws Exception {
    startPebble(0, List.of());
    SidecarConfig config = config("tls-alpn-01", NAME);
    Instant begun = Instant.now();
    Sidecar sidecar = await(Sidecar.start(vertx, config));
    assertThat(status(sidecar).state()).isEqualTo("pending");
    assertThat(names(served(sidecar))).as("the stand-in, until the CA issues").contains(NAME);
    await(nextRotation(sidecar).future());
    System.out.println("AcmeIssuanceTest: first issuance over TLS-ALPN-01 took "
      + Duration.between(begun, Instant.now()).toMillis() + " ms");

    X509Certificate issued = handshake(NAME);
    assertThat(names(issued)).containsExactly(NAME);
    WebSocket ws = connect();
    assertThat(leaf(ws).getSerialNumber()).isEqualTo(issued.getSerialNumber());
    assertThat(echo(ws, "hi")).isEqualTo("connector:hi");
    assertThat(status(sidecar).state()).isEqualTo("valid");
    assertThat(status(sidecar).notAfter()).isEqualTo(issued.getNotAfter().toInstant());
    assertThat(status(sidecar).nextAttempt()).isAfter(Instant.now());
    assertThat(status(sidecar).lastError()).isNull();
    JsonObject shown = StatusView.of(sidecar.view(), 0, "test").getJsonArray("orderedCertificates").getJsonObject(0);
    assertThat(shown.getString("state")).isEqualTo("valid");
    assertThat(shown.getString("notAfter")).isEqualTo(issued.getNotAfter().toInstant().toString());
    assertThat(sidecar.meters().scrape())
      .contains("pomelo_sidecar_acme_certificate_expiry_timestamp_seconds{name=\"game.test\"} "
        + (double) issued.getNotAfter().toInstant().getEpochSecond())
      .contains("pomelo_sidecar_acme_renewal_failures_total{name=\"game.test\"} 0.0");

    Path store = dir.resolve("state").resolve("acme");
    try (var files = Files.walk(store)) {
      for (Path p : files.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        if (Files.isDirectory(p)) {
          assertThat(mode).as(p.toString()).isEqualTo("rwx------");
        } else if (p.getFileName().toString().contains("key")) {
          assertThat(mode).as(p.toString()).isEqualTo("rw-------");
        }
      }
    }

    // A restart with the CA gone: the stored certificate is served and the CA is not asked.
    await(sidecar.stop(Duration.ZERO));
    pebble.close();
    pebble = null;
    Sidecar again = await(Sidecar.start(vertx, config));
    assertThat(served(again).getSerialNumber()).isEqualTo(issued.getSerialNumber());
    awaitStatus(again, "the first look at the stored certificate", s -> s.state().equals("valid"));
    assertThat(status(again).failures()).isZero();
    assertThat(status(again).lastError()).isNull();
    // Pebble's certificates live for years: the next look is the six-hourly question for the CA's window.
    assertThat(status(again).nextAttempt()).isAfter(Instant.now().plus(Duration.ofHours(5)));
    await(again.stop(Duration.ZERO));
  }

  @Test
  void issuesOverHttp01OnThePlainListener() throws Exception {
    startPebble(0, List.of());
    Sidecar sidecar = await(Sidecar.start(vertx, config("http-01", NAME)));
    assertThat(sidecar.plainPort()).isEqualTo(plainPort);
    await(nextRotation(sidecar).future());
    assertThat(names(handshake(NAME))).containsExactly(NAME);
    WebSocket ws = connect();
    assertThat(echo(ws, "hi")).isEqualTo("connector:hi");
  }

  @Test
  void aShortLivedCertificateIsRenewedLiveWhileAWebSocketStaysOpen() throws Exception {
    // 15 s certificates: renewed 10 s in, two thirds of their lifetime.
    startPebble(15, List.of());
    Sidecar sidecar = await(Sidecar.start(vertx, config("tls-alpn-01", NAME)));
    await(nextRotation(sidecar).future());
    WebSocket open = connect();
    X509Certificate first = leaf(open);
    assertThat(echo(open, "before")).isEqualTo("connector:before");

    Promise<ReloadOutcome> renewed = nextRotation(sidecar);
    renewed.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    X509Certificate second = served(sidecar);
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(echo(open, "through")).as("the open WebSocket is untouched").isEqualTo("connector:through");
    assertThat(handshake(NAME).getSerialNumber()).isEqualTo(second.getSerialNumber());
  }

  @Test
  void aRefusalIsShownWithTheCasProblemAndTheLastGoodCertificateIsKept() throws Exception {
    startPebble(0, List.of("blocked.test"));
    // A stored certificate past two thirds of its lifetime: due for renewal at start.
    Path stored = dir.resolve("state").resolve("acme");
    SidecarConfig config = config("tls-alpn-01", "blocked.test");
    AcmeStore store = AcmeStore.of(config.stateDir(), config.tls().acme());
    store.makeDirectories();
    SelfSignedCertificate.write(store.certificate().certFile(), store.certificate().keyFile(),
      List.of("blocked.test"), Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(3));
    assertThat(stored).isDirectory();
    Sidecar sidecar = await(Sidecar.start(vertx, config));
    X509Certificate kept = served(sidecar);
    awaitStatus(sidecar, "the refusal", s -> s.failures() >= 1);
    ManagedStatus status = status(sidecar);
    assertThat(status.lastError()).contains("urn:ietf:params:acme:error:rejectedIdentifier");
    assertThat(status.state()).isEqualTo("valid");
    assertThat(status.nextAttempt()).isAfter(Instant.now());
    assertThat(served(sidecar).getSerialNumber()).isEqualTo(kept.getSerialNumber());
    assertThat(sidecar.meters().scrape()).containsPattern(
      "pomelo_sidecar_acme_renewal_failures_total\\{name=\"blocked.test\"} [1-9]");
    assertThat(ManagedCertificate.offline(config.stateDir(), config.tls().acme(), Instant.now()).lastError())
      .as("kept for check").contains("rejectedIdentifier");
  }
}
