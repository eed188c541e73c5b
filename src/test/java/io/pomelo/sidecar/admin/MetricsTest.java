package io.pomelo.sidecar.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.run.VertxRuntime;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GET /metrics on a sidecar built as run builds it: Vert.x's metrics and the sidecar's in one registry. */
class MetricsTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private EchoBackend gate;
  private AdminClient admin;
  private WebSocketClient client;
  private AutoCloseable jvmMetrics;

  @BeforeEach
  void start() throws Exception {
    PrometheusMeterRegistry registry = VertxMetrics.registry();
    vertx = VertxRuntime.vertx(registry);
    gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    SidecarConfig config = fixture.config(fixture.serversJson(servers), List.of())
      .withHealth(new HealthConfig(true, Duration.ofMillis(100), Duration.ofMillis(500)));
    sidecar = await(Sidecar.prepare(vertx, config, null, Map.of(), registry).start());
    jvmMetrics = VertxMetrics.bindJvmMetrics(registry);
    admin = new AdminClient(vertx, sidecar.adminPort(), null);
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    jvmMetrics.close();
    await(vertx.close());
  }

  @Test
  void routeSeriesFollowTheTraffic() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/nowhere/")))
      .isInstanceOf(UpgradeRejectedException.class);

    List<PrometheusText.Sample> open = scrape();
    Map<String, String> gateRoute = Map.of("route", "/gate/");
    assertThat(value(open, "pomelo_sidecar_route_connections", gateRoute)).isEqualTo(1);
    assertThat(value(open, "pomelo_sidecar_upgrades_total", Map.of("route", "/gate/", "status", "101")))
      .isEqualTo(1);
    assertThat(value(open, "pomelo_sidecar_upgrades_total", Map.of("route", "unmatched", "status", "404")))
      .isEqualTo(1);
    assertThat(value(open, "pomelo_sidecar_route_bytes_total", Map.of("route", "/gate/", "direction", "in")))
      .isEqualTo(2 + 4 + 5);
    assertThat(value(open, "pomelo_sidecar_route_bytes_total", Map.of("route", "/gate/", "direction", "out")))
      .isEqualTo(2 + "gate:hello".length());
    assertThat(value(open, "pomelo_sidecar_server_up", Map.of("server", "gate-server-1"))).isEqualTo(1);
    assertThat(value(open, "pomelo_sidecar_certificate_expiry_seconds", Map.of("name", "localhost")))
      .isGreaterThan(0);
    assertThat(value(open, "pomelo_sidecar_reloads_total", Map.of("result", "error"))).isZero();
    assertThat(value(open, "pomelo_sidecar_engineio_sessions", Map.of())).isZero();
    assertThat(value(open, "pomelo_sidecar_ready", Map.of())).isEqualTo(1);
    assertThat(value(open, "pomelo_sidecar_master_connected", Map.of())).as("no master followed").isNaN();

    await(ws.close((short) 1000, "done"));
    until(() -> value(scrape(), "pomelo_sidecar_route_closes_total",
      Map.of("route", "/gate/", "reason", "client")) == 1);
    assertThat(value(scrape(), "pomelo_sidecar_route_connections", gateRoute)).isZero();

    assertThat(admin.send(HttpMethod.POST, "/api/reload", null).status()).isEqualTo(200);
    assertThat(value(scrape(), "pomelo_sidecar_reloads_total", Map.of("result", "unchanged"))).isEqualTo(1);

    await(gate.close());
    until(() -> value(scrape(), "pomelo_sidecar_server_up", Map.of("server", "gate-server-1")) == 0);
  }

  @Test
  void refusalsAreCountedByReason() throws Exception {
    double before = value(scrape(), "pomelo_sidecar_refusals_total", Map.of("reason", "bad_path", "status", "400"));
    for (String path : List.of("/gate/../x/", "/gate/%2e%2e/x/")) {
      assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), path)))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(400));
    }
    assertThat(value(scrape(), "pomelo_sidecar_refusals_total", Map.of("reason", "bad_path", "status", "400")))
      .isEqualTo(before + 2);
    assertThat(value(scrape(), "pomelo_sidecar_refusals_total",
      Map.of("reason", "too_many_connections", "status", "503"))).isZero();
  }

  @Test
  void labelsAreBoundedAndVertxSeriesArePresent() throws Exception {
    for (int i = 0; i < 3; i++) {
      String path = "/nowhere-" + i + "/";
      assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), path)))
        .isInstanceOf(UpgradeRejectedException.class);
    }
    admin.get("/api/routes/some-client-chosen-id");
    List<PrometheusText.Sample> samples = scrape();
    assertThat(samples).anyMatch(s -> s.name().startsWith("vertx_http_server_"));
    assertThat(samples).anyMatch(s -> s.name().startsWith("jvm_"));
    for (PrometheusText.Sample s : samples) {
      // No label a client chooses or is: not its address, not the path it asked for.
      assertThat(s.labels().keySet()).as(s.toString()).doesNotContainAnyElementsOf(Set.of("remote", "path"));
      assertThat(s.labels().values()).as(s.toString())
        .noneMatch(v -> v.contains("nowhere") || v.contains("some-client-chosen-id"));
    }
  }

  @Test
  void vertxConnectionAndRequestSeriesEndWithEachTunnel() throws Exception {
    // The tunnel takes the client's socket from Vert.x's HTTP server (ClientSocket): the 101 ends the request's
    // series as Vert.x's own WebSocket upgrade does, and the connection counts as open until the socket closes.
    // Every HTTP server of this Vert.x (public, admin, the echo backend) shares the series, hence the differences.
    List<PrometheusText.Sample> before = scrape();
    double connections = sum(before, "vertx_http_server_active_connections");
    double requests = sum(before, "vertx_http_server_active_requests");
    double upgrades = sum(before, "vertx_http_server_requests_total", "101");

    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");
    List<PrometheusText.Sample> open = scrape();
    // The client's connection to the sidecar and the sidecar's to the echo backend.
    assertThat(sum(open, "vertx_http_server_active_connections")).isEqualTo(connections + 2);
    assertThat(sum(open, "vertx_http_server_active_requests")).isEqualTo(requests);
    assertThat(sum(open, "vertx_http_server_requests_total", "101")).isEqualTo(upgrades + 2);

    await(ws.close());
    until(() -> sum(scrape(), "vertx_http_server_active_connections") == connections);
    assertThat(sum(scrape(), "vertx_http_server_active_requests")).isEqualTo(requests);
  }

  @Test
  void collectionsAreReadFromTheCollectorsAtScrapeTime() {
    List<PrometheusText.Sample> before = scrape();
    assertThat(before).filteredOn(s -> s.name().equals("jvm_gc_pause_seconds_count"))
      .isNotEmpty().allMatch(s -> !s.labels().getOrDefault("gc", "").isEmpty());
    double collections = sum(before, "jvm_gc_pause_seconds_count");

    System.gc();

    List<PrometheusText.Sample> after = scrape();
    assertThat(sum(after, "jvm_gc_pause_seconds_count")).isGreaterThan(collections);
    assertThat(sum(after, "jvm_gc_pause_seconds_sum")).isGreaterThan(0);
  }

  private static double sum(List<PrometheusText.Sample> samples, String name) {
    return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(PrometheusText.Sample::value).sum();
  }

  private static double sum(List<PrometheusText.Sample> samples, String name, String code) {
    return samples.stream().filter(s -> s.name().equals(name) && code.equals(s.labels().get("code")))
      .mapToDouble(PrometheusText.Sample::value).sum();
  }

  private List<PrometheusText.Sample> scrape() {
    try {
      AdminClient.Answer answer = admin.get("/metrics");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.contentType()).startsWith("text/plain; version=0.0.4");
      return PrometheusText.parse(answer.text());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double value(List<PrometheusText.Sample> samples, String name, Map<String, String> labels) {
    Double value = PrometheusText.value(samples, name, labels);
    if (value == null) {
      throw new AssertionError("no " + name + labels + " in the scrape");
    }
    return value;
  }
}
