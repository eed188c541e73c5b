package io.pomelo.sidecar.run;

import io.pomelo.sidecar.admin.AdminClient;
import io.pomelo.sidecar.admin.OpenApiDocument;
import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.ShutdownConfig;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lame duck: from a stop or POST /api/drain, /readyz answers 503 at once while the public port still accepts
 * WebSocket upgrades; after it the port closes and open tunnels get 1001, as in the drain.
 */
class LameDuckTest {

  private static final Duration LAME_DUCK = Duration.ofMillis(1500);

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Sidecar sidecar;
  private WebSocketClient client;
  private AdminClient admin;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx, fixture.config(
        fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withAdmin(new AdminConfig(new ListenerConfig("127.0.0.1", 0)))
      .withShutdown(new ShutdownConfig(LAME_DUCK, Duration.ofMillis(500)))));
    client = fixture.webSocketClient(vertx);
    admin = new AdminClient(vertx, sidecar.adminPort(), null);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aDrainKeepsServingNewUpgradesForTheLameDuckThenClosesThePortAndKeepsTheProcess() throws Exception {
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    WebSocket before = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    CompletableFuture<Short> beforeClosed = closeCode(before);
    int port = sidecar.publicPort();

    long drainAt = System.nanoTime();
    AdminClient.Answer drain = admin.send(HttpMethod.POST, "/api/drain", null);
    openApi.check("drain", drain);
    assertThat(drain.status()).isEqualTo(202);
    assertThat(drain.json().getString("phase")).isEqualTo("lame-duck");
    assertThat(drain.json().getLong("lameDuckMillis")).isEqualTo(LAME_DUCK.toMillis());
    AdminClient.Answer ready = admin.get("/readyz");
    openApi.check("readyz", ready);
    assertThat(ready.status()).as("not ready at once").isEqualTo(503);
    assertThat(ready.json().getString("phase")).isEqualTo("lame-duck");

    // The balancer has not noticed yet: a new client still gets through, and the open one still works.
    WebSocket during = await(TestSidecar.connect(client, port, "/gate/"));
    assertThat(Duration.ofNanos(System.nanoTime() - drainAt)).isLessThan(LAME_DUCK);
    CompletableFuture<Short> duringClosed = closeCode(during);
    assertThat(echo(during, "in the lame duck")).isEqualTo("gate:in the lame duck");
    assertThat(echo(before, "still")).isEqualTo("gate:still");
    // Asking again changes nothing.
    assertThat(admin.send(HttpMethod.POST, "/api/drain", null).status()).isEqualTo(202);

    until("the public port closes after the lame duck", () -> refused(port));
    assertThat(Duration.ofNanos(System.nanoTime() - drainAt)).isGreaterThanOrEqualTo(LAME_DUCK);
    assertThat(beforeClosed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(duringClosed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1001);

    // The process stays, not ready, until it is stopped; a reload is refused.
    AdminClient.Answer drained = admin.get("/readyz");
    assertThat(drained.status()).isEqualTo(503);
    assertThat(drained.json().getString("phase")).isEqualTo("draining");
    assertThat(admin.get("/healthz").status()).isEqualTo(200);
    assertThat(admin.send(HttpMethod.POST, "/api/reload", null).status()).isEqualTo(503);
    AdminClient.Answer status = admin.get("/api/status");
    openApi.check("getStatus", status);
    assertThat(status.json().getString("phase")).isEqualTo("draining");
    await(sidecar.stop(Duration.ofSeconds(5)));
  }

  @Test
  void aStopIsNotReadyAtOnceAndAcceptsUntilTheLameDuckEnds() throws Exception {
    int port = sidecar.publicPort();
    WebSocket before = await(TestSidecar.connect(client, port, "/gate/"));
    CompletableFuture<Short> beforeClosed = closeCode(before);
    long stopAt = System.nanoTime();
    var stopped = sidecar.stop(LAME_DUCK, Duration.ofMillis(500));
    until("not ready", () -> status("/readyz") == 503);
    WebSocket during = await(TestSidecar.connect(client, port, "/gate/"));
    assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(LAME_DUCK);
    assertThat(echo(during, "stopping")).isEqualTo("gate:stopping");
    await(stopped);
    assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isGreaterThanOrEqualTo(LAME_DUCK);
    assertThat(beforeClosed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(refused(port)).isTrue();
  }

  @Test
  void endingTheLameDuckDrainsAtOnce() throws Exception {
    int port = sidecar.publicPort();
    long stopAt = System.nanoTime();
    var stopped = sidecar.stop(Duration.ofMinutes(5), Duration.ofMillis(200));
    until("not ready", () -> status("/readyz") == 503);
    assertThat(refused(port)).isFalse();
    sidecar.endLameDuck();
    await(stopped);
    assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(30));
    assertThat(refused(port)).isTrue();
  }

  private int status(String uri) {
    try {
      return admin.get(uri).status();
    } catch (Exception e) {
      return -1;
    }
  }

  private static CompletableFuture<Short> closeCode(WebSocket ws) {
    CompletableFuture<Short> code = new CompletableFuture<>();
    ws.closeHandler(v -> code.complete(ws.closeStatusCode()));
    return code;
  }

  private static boolean refused(int port) {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (IOException refused) {
      return true;
    }
  }
}
