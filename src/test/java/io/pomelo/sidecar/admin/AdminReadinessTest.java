package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * /readyz through a whole life: an admin listener deployed on a prepared sidecar answers before the table is
 * loaded and the public listener is bound (and refuses a drain then), then while serving, then while stopping.
 */
class AdminReadinessTest {

  @TempDir
  Path dir;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void notReadyBeforeTheTableAndTheListenerThenReadyThenNotWhileStopping() throws Exception {
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    Sidecar sidecar = Sidecar.prepare(vertx, fixture.config(
        fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of()),
      null, Map.of(), VertxMetrics.registry());
    AdminListener listener = new AdminListener(new AdminConfig(new ListenerConfig("127.0.0.1", 0)), sidecar.view(),
      sidecar.meters());
    await(vertx.deployVerticle(listener));
    AdminClient admin = new AdminClient(vertx, listener.actualPort(), null);
    OpenApiDocument openApi = OpenApiDocument.load(vertx);

    AdminClient.Answer before = admin.get("/readyz");
    openApi.check("readyz", before);
    assertThat(before.status()).isEqualTo(503);
    assertThat(before.json().getLong("generation")).isZero();
    assertThat(admin.get("/healthz").status()).isEqualTo(200);
    assertThat(sidecar.publicPort()).isZero();
    // A drain before the start would be undone by it: refused, and nothing changes.
    AdminClient.Answer early = admin.send(io.vertx.core.http.HttpMethod.POST, "/api/drain", null);
    openApi.check("drain", early);
    assertThat(early.status()).isEqualTo(503);

    await(sidecar.start());
    AdminClient.Answer after = admin.get("/readyz");
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.json().getLong("generation")).isEqualTo(1);

    sidecar.stop(Duration.ofSeconds(5));
    until(() -> {
      try {
        return admin.get("/readyz").status() == 503;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
