package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real backends that go down and come back on the same port: the checks and the upgrades see it, and the type
 * route stops and starts choosing them.
 */
class HealthChecksTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private EchoBackend c1;
  private EchoBackend c2;
  private int port1;
  private int port2;
  private WebSocketClient client;
  private final List<WebSocket> open = new ArrayList<>();

  @BeforeEach
  void backends() throws Exception {
    vertx = Vertx.vertx();
    c1 = await(EchoBackend.start(vertx, "c1"));
    c2 = await(EchoBackend.start(vertx, "c2"));
    port1 = c1.port();
    port2 = c2.port();
    fixture = new TestSidecar(dir);
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private Sidecar start(Duration interval) throws Exception {
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("connector-server-1", Map.entry("connector", port1));
    servers.put("connector-server-2", Map.entry("connector", port2));
    SidecarConfig config = fixture.config(fixture.serversJson(servers), List.of())
      .withHealth(new HealthConfig(true, interval, Duration.ofMillis(500)));
    return await(fixture.start(vertx, config));
  }

  @Test
  void aServerThatGoesDownIsLeftOutUntilItComesBack() throws Exception {
    Sidecar sidecar = start(Duration.ofMillis(100));
    until(() -> health(sidecar, "connector-server-1") == Health.HEALTHY
      && health(sidecar, "connector-server-2") == Health.HEALTHY);

    await(c2.close());
    until(() -> health(sidecar, "connector-server-2") == Health.UNHEALTHY);
    assertThat(backend(sidecar, "connector-server-2").lastError()).isNotBlank();
    for (int i = 0; i < 4; i++) {
      assertThat(echo(sidecar, "/connector/")).startsWith("c1:");
    }

    c2 = await(EchoBackend.start(vertx, "c2", port2));
    until(() -> health(sidecar, "connector-server-2") == Health.HEALTHY);
    // c1 holds four open connections, c2 none: the fewest-connections rule sends the next ones to c2.
    assertThat(echo(sidecar, "/connector/")).startsWith("c2:");
    assertThat(echo(sidecar, "/connector/")).startsWith("c2:");
  }

  @Test
  void noHealthyServerIs502AtOnceWithoutDialling() throws Exception {
    Sidecar sidecar = start(Duration.ofMillis(100));
    await(c1.close());
    await(c2.close());
    until(() -> health(sidecar, "connector-server-1") == Health.UNHEALTHY
      && health(sidecar, "connector-server-2") == Health.UNHEALTHY);
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/connector/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
        assertThat(e.getStatus()).isEqualTo(502);
        assertThat(e.getBody().toString()).contains("no healthy server for /connector/");
      });
    assertThat(sidecar.view().live().route("/connector/").upgrades()).containsEntry(502, 1L);
    // Nothing was dialled, so nothing was started on either server.
    assertThat(backend(sidecar, "connector-server-1").active()).isZero();
  }

  @Test
  void upgradesMarkServersBothWaysBetweenChecks() throws Exception {
    // One round at start, then none within the test: only upgrades change the marks.
    Sidecar sidecar = start(Duration.ofHours(1));
    until(() -> health(sidecar, "connector-server-2") == Health.HEALTHY);

    await(c2.close());
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/connector-server-2/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    assertThat(health(sidecar, "connector-server-2")).isEqualTo(Health.UNHEALTHY);
    assertThat(echo(sidecar, "/connector/")).startsWith("c1:");

    c2 = await(EchoBackend.start(vertx, "c2", port2));
    // A server route always dials its server, so it is what brings the server back between checks.
    assertThat(echo(sidecar, "/connector-server-2/")).startsWith("c2:");
    assertThat(health(sidecar, "connector-server-2")).isEqualTo(Health.HEALTHY);
  }

  @Test
  void equalServersShareNewConnectionsEvenly() throws Exception {
    Sidecar sidecar = start(Duration.ofMillis(100));
    int toC1 = 0;
    for (int i = 0; i < 6; i++) {
      toC1 += echo(sidecar, "/connector/").startsWith("c1:") ? 1 : 0;
    }
    assertThat(toC1).isEqualTo(3);
    assertThat(backend(sidecar, "connector-server-1").active()).isEqualTo(3);
    assertThat(backend(sidecar, "connector-server-2").active()).isEqualTo(3);
  }

  /** Opens a WebSocket (kept open) and returns the backend's echo of one message. */
  private String echo(Sidecar sidecar, String path) throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), path));
    open.add(ws);
    return Await.echo(ws, "hi");
  }

  private static BackendState backend(Sidecar sidecar, String id) {
    return sidecar.view().live().backend(sidecar.routes().byPath("/" + id + "/").targets().get(0));
  }

  private static Health health(Sidecar sidecar, String id) {
    return backend(sidecar, id).health();
  }

}
