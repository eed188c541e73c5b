package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
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
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Everything through the real TLS listener to real WebSocket servers on loopback. */
@ExtendWith(VertxExtension.class)
class WebSocketProxyTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector;
  private Sidecar sidecar;
  private TestSidecar fixture;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate", "pomelo-v1"));
    connector = await(EchoBackend.start(vertx, "connector-1", "pomelo-v1"));
    fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector.port()));
    servers.put("dead-server-1", Map.entry("dead", Ports.free()));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers),
      List.of(new AliasConfig("/conn/", "connector", null, null)))));
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void echoesTextAndBinaryOnTwoRoutesToTwoServers() throws Exception {
    WebSocket toGate = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    WebSocket toConnector = await(TestSidecar.connect(client, sidecar.publicPort(), "/connector-server-1/"));
    assertThat(echo(toGate, "hello")).isEqualTo("gate:hello");
    assertThat(echo(toConnector, "hello")).isEqualTo("connector-1:hello");

    Buffer binary = Buffer.buffer(new byte[]{0, 1, 2, (byte) 0xff, 10, 13});
    CompletableFuture<Buffer> echoed = new CompletableFuture<>();
    toConnector.binaryMessageHandler(echoed::complete);
    toConnector.writeBinaryMessage(binary);
    assertThat(await(echoed)).isEqualTo(binary);
  }

  @Test
  void aliasAndTypeRoutesReachTheirServers() throws Exception {
    WebSocket viaAlias = await(TestSidecar.connect(client, sidecar.publicPort(), "/conn/"));
    assertThat(echo(viaAlias, "a")).isEqualTo("connector-1:a");
    WebSocket viaType = await(TestSidecar.connect(client, sidecar.publicPort(), "/connector/"));
    assertThat(echo(viaType, "b")).isEqualTo("connector-1:b");
  }

  @Test
  void pathGoesThroughUnchangedAndForwardedHeadersAreSet() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/?token=abc"));
    assertThat(echo(ws, "x")).isEqualTo("gate:x");
    assertThat(gate.upgradePaths()).containsExactly("/gate/?token=abc");
    var headers = gate.upgradeHeaders().get(0);
    assertThat(headers.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(headers.get("X-Real-IP")).isEqualTo("127.0.0.1");
    assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("https");
  }

  @Test
  void aClientCannotForgeForwardedFor() throws Exception {
    var options = new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(sidecar.publicPort()).setURI("/gate/").setSsl(true).addHeader("X-Forwarded-For", "6.6.6.6");
    WebSocket ws = await(client.connect(options));
    assertThat(echo(ws, "x")).isEqualTo("gate:x");
    assertThat(gate.upgradeHeaders().get(0).getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
  }

  @Test
  void subprotocolIsNegotiatedEndToEnd() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/", "pomelo-v1"));
    assertThat(ws.subProtocol()).isEqualTo("pomelo-v1");
    assertThat(gate.upgradeHeaders().get(0).get("Sec-WebSocket-Protocol")).isEqualTo("pomelo-v1");
  }

  @Test
  void closeStartedByTheClientReachesTheServerWithItsCode() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "x")).isEqualTo("gate:x");
    await(ws.close((short) 4000, "bye"));
    assertThat(await(gate.closeFromClient())).isEqualTo((short) 4000);
  }

  @Test
  void closeStartedByTheServerReachesTheClientWithItsCode() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    CompletableFuture<Short> code = new CompletableFuture<>();
    ws.closeHandler(v -> code.complete(ws.closeStatusCode()));
    ws.writeTextMessage("close:4321");
    assertThat(await(code)).isEqualTo((short) 4321);
    until("every tunnel closed", () -> sidecar.view().tunnels().size() == 0);
  }

  @Test
  void unknownPathGets404() {
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/nowhere/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));
  }

  @Test
  void deadServerGets502Fast() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/dead-server-1/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    // Refused on loopback: the answer must not wait for the 3 s connect timeout.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void plainHttpGetOnARouteIsProxied() throws Exception {
    var http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(fixture.certificate().certFile().toString())));
    String body = await(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(sidecar.publicPort()).setURI("/gate/socket.io/?EIO=3&transport=polling"))
      .compose(req -> req.send().compose(resp -> {
        assertThat(resp.statusCode()).isEqualTo(200);
        return resp.body();
      }))).toString();
    // The client's Host reaches the server, as on an upgrade (and as nginx's proxy_set_header Host $http_host).
    assertThat(body).isEqualTo("gate GET /gate/socket.io/?EIO=3&transport=polling xff=127.0.0.1 proto=https"
      + " host=127.0.0.1:" + sidecar.publicPort());
  }

  @Test
  void plainHttpToAnUnknownPathGets404() throws Exception {
    var http = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(fixture.certificate().certFile().toString())));
    int status = await(http.request(HttpMethod.GET, sidecar.publicPort(), "127.0.0.1", "/admin/api/routes")
      .compose(req -> req.send()).map(resp -> resp.statusCode()));
    assertThat(status).isEqualTo(404);
  }

}
