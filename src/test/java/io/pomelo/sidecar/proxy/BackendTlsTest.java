package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.backend.Health;
import io.pomelo.sidecar.config.BackendTls;
import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RsaCertificate;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backends whose connectors speak TLS themselves: through the real listener to real TLS servers on loopback. */
@ExtendWith(VertxExtension.class)
class BackendTlsTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private CertificateConfig backendCertificate;
  private EchoBackend tlsBackend;
  private EchoBackend plainBackend;
  private Sidecar sidecar;
  private WebSocketClient client;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    fixture = new TestSidecar(dir);
    backendCertificate = RsaCertificate.write(dir.resolve("backend.crt"), dir.resolve("backend.key"), "backend.test");
    tlsBackend = await(EchoBackend.startTls(vertx, "wss-1", backendCertificate));
    plainBackend = await(EchoBackend.start(vertx, "plain-1"));
    client = fixture.webSocketClient(vertx);
    http = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(fixture.certificate().certFile().toString())));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /** Sidecar with type wss (the TLS backend), type plain marked tls, and type unmarked (the TLS backend again). */
  private void startSidecar(BackendTlsConfig trust) throws Exception {
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("wss-server-1", Map.entry("wss", tlsBackend.port()));
    servers.put("plain-server-1", Map.entry("plain", plainBackend.port()));
    servers.put("unmarked-server-1", Map.entry("unmarked", tlsBackend.port()));
    BackendTls tls = new BackendTls(true, "backend.test");
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST, Map.of(
      "wss", new TypeRoutesConfig(null, null, null, null, tls),
      "plain", new TypeRoutesConfig(null, null, null, null, tls)), List.of(), Map.of());
    ProxyConfig proxy = new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(60), trust);
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers), routes, proxy)
      .withHealth(new HealthConfig(true, Duration.ofMillis(200), Duration.ofSeconds(2)))));
  }

  private BackendState backend(String serverId) {
    return sidecar.view().live().backends().stream().filter(b -> b.key().serverId().equals(serverId)).findFirst()
      .orElseThrow();
  }

  private String get(String path) throws Exception {
    // The body is asked for on the event loop: asked later, a short answer may have ended already.
    return await(http.request(HttpMethod.GET, sidecar.publicPort(), "127.0.0.1", path)
      .compose(r -> r.send())
      .compose(response -> response.body().map(body -> response.statusCode() + " " + body)));
  }

  @Test
  void upgradeAndPlainHttpReachATlsBackendVerifiedAgainstTheCaFileWithTheServerName() throws Exception {
    startSidecar(TestSidecar.backendTrust(backendCertificate.certFile()));
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/wss/"));
    assertThat(echo(ws, "hello")).isEqualTo("wss-1:hello");
    assertThat(get("/wss/poll")).startsWith("200 wss-1 GET /wss/poll");
    // The certificate names only backend.test and the host dialled is 127.0.0.1: verification passed by the name.
    assertThat(tlsBackend.serverNames()).contains("backend.test").doesNotContain("null");
    until(() -> backend("wss-server-1").health() == Health.HEALTHY);
  }

  @Test
  void aCertificateFromAnotherCaGets502AndTheHealthCheckSaysWhy() throws Exception {
    CertificateConfig other = RsaCertificate.write(dir.resolve("other.crt"), dir.resolve("other.key"), "backend.test");
    startSidecar(TestSidecar.backendTrust(other.certFile()));
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/wss/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    assertThat(get("/wss/poll")).startsWith("502");
    until(() -> backend("wss-server-1").health() == Health.UNHEALTHY
      && String.valueOf(backend("wss-server-1").lastError()).contains("TLS handshake with backend.test failed"));
  }

  @Test
  void insecureReachesASelfSignedBackendWithoutVerifying() throws Exception {
    startSidecar(new BackendTlsConfig(null, List.of(), true));
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/wss/"));
    assertThat(echo(ws, "hi")).isEqualTo("wss-1:hi");
    assertThat(get("/wss/x")).startsWith("200 wss-1");
  }

  @Test
  void aPlainBackendMarkedTlsGets502NotAHang() throws Exception {
    startSidecar(new BackendTlsConfig(null, List.of(), true));
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/plain/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    assertThat(get("/plain/x")).startsWith("502");
    until(() -> backend("plain-server-1").health() == Health.UNHEALTHY);
  }

  @Test
  void aTlsBackendNotMarkedTlsAnswersWhatItWillWithoutAHang() throws Exception {
    startSidecar(new BackendTlsConfig(null, List.of(), true));
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/unmarked/")))
      .isInstanceOf(UpgradeRejectedException.class);
    // A TCP accept is all a plain check asks, so the unmarked route still counts as up: the README says so.
    until(() -> backend("unmarked-server-1").health() == Health.HEALTHY);
  }

  @Test
  void withoutAServerNameAnIpHostSendsNoSniAndIsCheckedAgainstTheIpSan() throws Exception {
    CertificateConfig byAddress = RsaCertificate.write(dir.resolve("ip.crt"), dir.resolve("ip.key"), "127.0.0.1");
    EchoBackend ipBackend = await(EchoBackend.startTls(vertx, "ip-1", byAddress));
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST, Map.of(
      "ip", new TypeRoutesConfig(null, null, null, null, new BackendTls(true, null))), List.of(), Map.of());
    ProxyConfig proxy = new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(60),
      TestSidecar.backendTrust(byAddress.certFile()));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(
      Map.of("ip-server-1", Map.entry("ip", ipBackend.port()))), routes, proxy)));

    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/ip/"));

    assertThat(echo(ws, "by address")).isEqualTo("ip-1:by address");
    // The JDK sends no SNI for an address; the name check passed on the certificate's IP SAN.
    assertThat(ipBackend.serverNames()).isNotEmpty().allMatch(name -> name == null || "null".equals(name));
  }
}
