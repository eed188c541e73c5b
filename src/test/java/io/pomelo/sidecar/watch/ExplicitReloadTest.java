package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/reload re-reads the configuration too, and answers with what it did. */
class ExplicitReloadTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private HttpClient admin;
  private final AtomicReference<Future<SidecarConfig>> nextConfig = new AtomicReference<>();
  private SidecarConfig base;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    base = fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      // Watching off: only the explicit reload under test may change anything.
      .withReload(new ReloadConfig(false, ReloadConfig.RemovedRoutes.DRAIN, ReloadConfig.defaults().closeAfter()));
    nextConfig.set(Future.succeededFuture(base));
    sidecar = await(Sidecar.start(vertx, base, nextConfig::get, Map.of()));
    admin = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private JsonObject post(int expectedStatus) throws Exception {
    return await(admin.request(HttpMethod.POST, sidecar.adminPort(), "127.0.0.1", "/api/reload")
      .compose(req -> req.send().compose(resp -> {
        assertThat(resp.statusCode()).isEqualTo(expectedStatus);
        return resp.body();
      }))).toJsonObject();
  }

  @Test
  void aChangedAliasIsAddedAndReported() throws Exception {
    long generation = sidecar.state().routes().generation();
    nextConfig.set(Future.succeededFuture(base.withRoutes(new io.pomelo.sidecar.config.RoutesConfig(false,
      io.pomelo.sidecar.config.DialAddress.HOST, Map.of(), List.of(new AliasConfig("/g/", "gate", null, null)),
      Map.of()))));
    JsonObject outcome = post(200);
    assertThat(outcome.getString("trigger")).isEqualTo("admin API");
    assertThat(outcome.getString("result")).isEqualTo("ok");
    assertThat(outcome.getLong("generation")).isEqualTo(generation + 1);
    assertThat(outcome.getJsonObject("diff").getJsonArray("added").getList()).containsExactly("/g/");
    assertThat(sidecar.routes().byPath("/g/")).isNotNull();

    JsonObject again = post(200);
    assertThat(again.getString("result")).isEqualTo("unchanged");
    assertThat(again.getLong("generation")).isEqualTo(generation + 1);
  }

  @Test
  void aBadConfigurationKeepsEverythingAndSaysWhy() throws Exception {
    nextConfig.set(Future.failedFuture(new ConfigException("conf/sidecar.yaml", "listen.port", "99999",
      "must be a port number from 0 to 65535")));
    JsonObject outcome = post(422);
    assertThat(outcome.getString("result")).isEqualTo("error");
    assertThat(outcome.getJsonArray("errors").getList())
      .containsExactly("conf/sidecar.yaml: listen.port = 99999: must be a port number from 0 to 65535");
    assertThat(sidecar.routes().byPath("/gate/")).isNotNull();
    JsonObject status = await(admin.request(HttpMethod.GET, sidecar.adminPort(), "127.0.0.1", "/api/status")
      .compose(req -> req.send().compose(resp -> resp.body()))).toJsonObject();
    assertThat(status.getJsonObject("lastReload").getString("result")).isEqualTo("error");
  }

  @Test
  void listenerChangesNeedARestartAndSaySo() throws Exception {
    nextConfig.set(Future.succeededFuture(base.withListen(new ListenerConfig("127.0.0.1", 1))));
    JsonObject outcome = post(200);
    assertThat(outcome.getJsonArray("needsRestart").getList()).containsExactly("listen");
    assertThat(sidecar.config().listen().port()).isZero();
  }
}
