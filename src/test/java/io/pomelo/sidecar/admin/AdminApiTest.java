package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Every admin endpoint against a real sidecar and real backends, each answer checked against openapi.yaml. */
class AdminApiTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Sidecar sidecar;
  private AdminClient admin;
  private WebSocketClient client;
  private OpenApiDocument openApi;
  private Map<String, Map.Entry<String, Integer>> servers;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    EchoBackend c1 = await(EchoBackend.start(vertx, "c1"));
    EchoBackend c2 = await(EchoBackend.start(vertx, "c2"));
    fixture = new TestSidecar(dir);
    servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", c1.port()));
    servers.put("connector-server-2", Map.entry("connector", c2.port()));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers),
      List.of(new AliasConfig("/conn/", "connector", null, null)))));
    admin = new AdminClient(vertx, sidecar.adminPort(), null);
    client = fixture.webSocketClient(vertx);
    openApi = OpenApiDocument.load(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void routeCountersMoveByExactlyTheTrafficSent() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    // A masked client frame is 2 header bytes + 4 mask bytes + payload; the echo comes back unmasked.
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");
    CompletableFuture<Buffer> echoed = new CompletableFuture<>();
    ws.binaryMessageHandler(echoed::complete);
    ws.writeBinaryMessage(Buffer.buffer(new byte[200]));
    assertThat(await(echoed).length()).isEqualTo(200);
    long in = (2 + 4 + 5) + (2 + 2 + 4 + 200);
    long out = (2 + "gate:hello".length()) + (2 + 2 + 200);
    until(() -> gate().getLong("bytesOut") == out);

    AdminClient.Answer answer = admin.get("/api/routes");
    openApi.check("listRoutes", answer);
    JsonObject route = route(answer.array(), "/gate/");
    assertThat(route.getLong("bytesIn")).isEqualTo(in);
    assertThat(route.getLong("bytesOut")).isEqualTo(out);
    assertThat(route.getInteger("activeConnections")).isEqualTo(1);
    assertThat(route.getLong("totalConnections")).isEqualTo(1);
    JsonObject target = route.getJsonArray("targets").getJsonObject(0);
    assertThat(target.getString("id")).isEqualTo("gate-server-1");
    assertThat(target.getInteger("activeConnections")).isEqualTo(1);
    assertThat(target.getBoolean("healthy")).isTrue();
    // Only the path the client used counts: the server's own route saw nothing.
    assertThat(route(answer.array(), "/gate-server-1/").getLong("bytesIn")).isZero();

    await(ws.close((short) 4000, "bye"));
    // The client's close frame: 2 + 4 + code (2) + "bye" (3).
    until(() -> gate().getInteger("activeConnections") == 0 && gate().getLong("bytesIn") == in + 11);
    assertThat(gate().getLong("totalConnections")).isEqualTo(1);
    assertThat(gate().getJsonArray("targets").getJsonObject(0).getInteger("activeConnections")).isZero();
  }

  @Test
  void countersSurviveAReloadThatKeepsThePath() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "x")).isEqualTo("gate:x");
    until(() -> gate().getLong("bytesOut") == 2 + "gate:x".length());
    EchoBackend c3 = await(EchoBackend.start(vertx, "c3"));
    servers.put("connector-server-3", Map.entry("connector", c3.port()));
    fixture.serversJson(servers);
    // The file watcher may get there first; either way the new route appears.
    AdminClient.Answer reload = admin.send(HttpMethod.POST, "/api/reload", null);
    openApi.check("reload", reload);
    assertThat(reload.status()).isEqualTo(200);
    until(() -> sidecar.routes().byPath("/connector-server-3/") != null);

    JsonObject after = gate();
    assertThat(after.getLong("bytesOut")).isEqualTo(2 + "gate:x".length());
    assertThat(after.getInteger("activeConnections")).isEqualTo(1);
    JsonObject added = route(admin.get("/api/routes").array(), "/connector-server-3/");
    assertThat(added.getLong("totalConnections")).isZero();
    assertThat(added.getJsonArray("targets").getJsonObject(0).getBoolean("healthy")).isTrue();
  }

  @Test
  void serverTypeFilterAndAnEmptyMatchIsAnEmptyList() throws Exception {
    AdminClient.Answer connectors = admin.get("/api/routes?serverType=connector");
    openApi.check("listRoutes", connectors);
    assertThat(connectors.array().stream().map(r -> ((JsonObject) r).getString("path")))
      .containsExactly("/connector-server-1/", "/connector-server-2/", "/connector/", "/conn/");
    AdminClient.Answer none = admin.get("/api/routes?serverType=chat");
    openApi.check("listRoutes", none);
    assertThat(none.text().trim()).isEqualTo("[ ]");
  }

  @Test
  void oneServerWithEveryRouteThatReachesIt() throws Exception {
    AdminClient.Answer answer = admin.get("/api/routes/connector-server-2");
    openApi.check("getServer", answer);
    JsonObject body = answer.json();
    assertThat(body.getJsonObject("server").getString("id")).isEqualTo("connector-server-2");
    assertThat(body.getJsonObject("server").getString("serverType")).isEqualTo("connector");
    assertThat(body.getJsonArray("routes").stream().map(r -> ((JsonObject) r).getString("path")))
      .containsExactly("/connector-server-2/", "/connector/", "/conn/");

    AdminClient.Answer unknown = admin.get("/api/routes/connector-server-9");
    openApi.check("getServer", unknown);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).contains("connector-server-9");
  }

  @Test
  void statusProbesAndTheDocumentItself() throws Exception {
    AdminClient.Answer status = admin.get("/api/status");
    openApi.check("getStatus", status);
    JsonObject body = status.json();
    assertThat(body.getBoolean("ready")).isTrue();
    assertThat(body.getJsonObject("listen").getInteger("port")).isEqualTo(sidecar.publicPort());
    assertThat(body.getJsonObject("health").getBoolean("enabled")).isTrue();
    assertThat(body.getJsonObject("health").getJsonArray("serversDown")).isEqualTo(new JsonArray());
    assertThat(body.getJsonArray("certificates").getJsonObject(0).getLong("secondsUntilExpiry")).isPositive();
    assertThat(body.getJsonObject("lastReload").getString("trigger")).isEqualTo("start");

    openApi.check("healthz", admin.get("/healthz"));
    AdminClient.Answer ready = admin.get("/readyz");
    openApi.check("readyz", ready);
    assertThat(ready.status()).isEqualTo(200);

    AdminClient.Answer document = admin.get("/api/openapi.yaml");
    assertThat(document.status()).isEqualTo(200);
    assertThat(document.contentType()).isEqualTo("application/yaml");
    assertThat(document.text()).isEqualTo(Files.readString(OpenApiDocument.file()));

    AdminClient.Answer metrics = admin.get("/metrics");
    openApi.check("getMetrics", metrics);

    // Every path the document names is served, and nothing is served that it does not name.
    assertThat(openApi.contract().getPaths()).hasSize(11);
    AdminClient.Answer missing = admin.get("/api/nothing");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getInteger("status")).isEqualTo(404);
  }

  private JsonObject gate() {
    try {
      return route(admin.get("/api/routes").array(), "/gate/");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject route(JsonArray routes, String path) {
    for (int i = 0; i < routes.size(); i++) {
      if (routes.getJsonObject(i).getString("path").equals(path)) {
        return routes.getJsonObject(i);
      }
    }
    throw new AssertionError("no route " + path + " in " + routes.encodePrettily());
  }

}
