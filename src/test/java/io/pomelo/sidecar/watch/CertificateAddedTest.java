package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.tls.SelfSignedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.TlsHandshake.commonName;
import static io.pomelo.sidecar.testing.TlsHandshake.with;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second domain added by a reload (SIGHUP): from then on its clients get its certificate, without a restart, and
 * the WebSockets already open keep going.
 */
class CertificateAddedTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private SidecarConfig base;
  private CertificateConfig a;
  private CertificateConfig b;
  private final AtomicReference<Future<SidecarConfig>> nextConfig = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    // 127.0.0.1 too, so the WebSocket client (which dials the address and checks the name) accepts it.
    a = SelfSignedCertificate.write(dir.resolve("a.pem"), dir.resolve("a.key"), List.of("a.test", "127.0.0.1"),
      Instant.now(), Duration.ofDays(1));
    b = SelfSignedCertificate.write(dir.resolve("b.pem"), dir.resolve("b.key"), List.of("b.test"),
      Instant.now(), Duration.ofDays(1));
    base = fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withTls(new TlsConfig(List.of(a)))
      // Watching off: only the reload under test may change anything.
      .withReload(new ReloadConfig(false, ReloadConfig.RemovedRoutes.DRAIN, ReloadConfig.defaults().closeAfter()));
    nextConfig.set(Future.succeededFuture(base));
    sidecar = await(Sidecar.start(vertx, base, nextConfig::get, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void theAddedNameGetsItsCertificateAndOpenTunnelsStay() throws Exception {
    WebSocketClient client = new TestSidecar(dir).webSocketClient(vertx, a.certFile());
    WebSocket open = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(open, "before")).isEqualTo("gate:before");
    assertThat(commonName(with(sidecar.publicPort(), "b.test", "TLSv1.3"))).as("not configured yet: the default")
      .isEqualTo("a.test");

    nextConfig.set(Future.succeededFuture(base.withTls(new TlsConfig(List.of(a, b)))));
    ReloadOutcome outcome = await(sidecar.requestReload(ReloadRequest.everything("SIGHUP")));
    assertThat(outcome.result()).isEqualTo(ReloadOutcome.Result.OK);
    assertThat(outcome.certificatesReloaded()).isTrue();

    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      assertThat(commonName(with(sidecar.publicPort(), "b.test", protocol))).as(protocol).isEqualTo("b.test");
      assertThat(commonName(with(sidecar.publicPort(), "a.test", protocol))).as(protocol).isEqualTo("a.test");
      assertThat(commonName(with(sidecar.publicPort(), null, protocol))).as(protocol).isEqualTo("a.test");
    }
    assertThat(echo(open, "after")).as("the tunnel opened before the reload").isEqualTo("gate:after");
    WebSocket later = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(later, "new")).isEqualTo("gate:new");
  }
}
