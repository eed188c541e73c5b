package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.testing.Closer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Pomelo 2.2.7 cluster behind a real sidecar, used the way a game client uses it: ask the gate at
 * {@code wss://host/gate/}, then connect to the connector path it hands out, all on the sidecar's one TLS port.
 *
 * <p>The client connects from 127.0.0.2 while the sidecar dials Pomelo from 127.0.0.1, so an app that reports
 * 127.0.0.2 can only have read it from the X-Real-IP header the sidecar added to the upgrade.
 */
final class PomeloThroughSidecarTest {

  private static final String ENTRY = "connector.entryHandler.entry";
  private static final String QUERY_ENTRY = "gate.gateHandler.queryEntry";
  private static final String CLIENT_ADDRESS = "127.0.0.2";

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static ClusterBehindSidecar pomelo;

  @BeforeAll
  static void start() throws Exception {
    pomelo = opened.add(ClusterBehindSidecar.start(workDir, PomeloCluster::start, (fixture, cluster) ->
      fixture.config(cluster.serversJson(), List.of(new AliasConfig("/conn/", "connector", null, null)))));
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  @Test
  void theGatesConnectorPathsLeadToEachConnectorThroughTheSidecar() throws Exception {
    PomeloClient gate = await(connect("/gate/"));
    JsonObject even;
    JsonObject odd;
    try {
      even = await(gate.request(QUERY_ENTRY, new JsonObject().put("uid", 10)));
      odd = await(gate.request(QUERY_ENTRY, new JsonObject().put("uid", 11)));
    } finally {
      await(gate.close());
    }
    assertThat(even.getString("port")).isEqualTo("/connector-server-1/");
    assertThat(odd.getString("port")).isEqualTo("/connector-server-2/");

    for (JsonObject answer : List.of(even, odd)) {
      String connectorId = answer.getString("port").replace("/", "");
      // What a client does with the answer: 'wss://' + host + port, here with the test's port number.
      URI entry = URI.create("wss://" + answer.getString("host") + ":" + pomelo.sidecar().publicPort()
        + answer.getString("port"));
      JsonObject response = enter(entry, answer == even ? 10 : 11);
      assertThat(response.getString("serverId")).isEqualTo(connectorId);
      assertThat(response.getString("clientIp")).isEqualTo(CLIENT_ADDRESS);
    }
  }

  @Test
  void theConnAliasReachesAConnector() throws Exception {
    JsonObject response = enter(uri("/conn/"), 30);
    assertThat(response.getString("serverId")).isIn(PomeloCluster.CONNECTOR_IDS);
    assertThat(response.getString("clientIp")).isEqualTo(CLIENT_ADDRESS);
  }

  @Test
  void theAppSeesTheClientsAddressNotTheSidecarsNorAForgedOne() throws Exception {
    // Pomelo's own view of the TCP peer is the sidecar; the app trusts 127.0.0.1 to tell it the real client.
    assertThat(sidecarDialsFrom()).isEqualTo("127.0.0.1");
    MultiMap forged = MultiMap.caseInsensitiveMultiMap().add("X-Real-IP", "203.0.113.66")
      .add("X-Forwarded-For", "203.0.113.66");
    PomeloClient client = await(PomeloClient.connect(pomelo.vertx(), uri("/connector-server-2/"), clientOptions(),
      forged));
    try {
      JsonObject response = await(client.request(ENTRY, new JsonObject().put("uid", 40).put("msg", "who am i")));
      assertThat(response.getString("serverId")).isEqualTo("connector-server-2");
      assertThat(response.getString("clientIp")).isEqualTo(CLIENT_ADDRESS);
    } finally {
      await(client.close());
    }
  }

  @Test
  void anIdleConnectionSurvivesTwoHeartbeatIntervalsThroughTheSidecar() throws Exception {
    PomeloClient client = await(connect("/connector-server-1/"));
    try {
      assertThat(client.heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
      // Pomelo drops a client whose heartbeats stop for two intervals (6 s); 7 s proves they cross the tunnel.
      Thread.sleep(7_000);
      assertThat(client.isClosed()).isFalse();
      assertThat(client.heartbeatsReceived()).isGreaterThanOrEqualTo(2);
      JsonObject response = await(client.request(ENTRY, new JsonObject().put("uid", 41).put("msg", "still here")));
      assertThat(response.getString("echo")).isEqualTo("still here");
    } finally {
      await(client.close());
    }
  }

  /** Enters a connector and waits for both the response and the push that follows it. */
  private static JsonObject enter(URI connector, int uid) throws Exception {
    PomeloClient client = await(PomeloClient.connect(pomelo.vertx(), connector, clientOptions()));
    try {
      Future<JsonObject> push = client.nextPush("onEntry");
      String msg = "hello " + uid;
      JsonObject response = await(client.request(ENTRY, new JsonObject().put("uid", uid).put("msg", msg)));
      assertThat(response.getInteger("code")).isEqualTo(200);
      assertThat(response.getString("echo")).isEqualTo(msg);
      JsonObject pushed = await(push);
      assertThat(pushed.getString("serverId")).isEqualTo(response.getString("serverId"));
      assertThat(pushed.getString("uid")).isEqualTo(String.valueOf(uid));
      return response;
    } finally {
      await(client.close());
    }
  }

  private static Future<PomeloClient> connect(String path) {
    return PomeloClient.connect(pomelo.vertx(), uri(path), clientOptions());
  }

  private static URI uri(String path) {
    return URI.create("wss://127.0.0.1:" + pomelo.sidecar().publicPort() + path);
  }

  /** Trusts only the test certificate and checks the name; binds the client side to {@link #CLIENT_ADDRESS}. */
  private static WebSocketClientOptions clientOptions() {
    return new WebSocketClientOptions()
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(pomelo.fixture().certificate().certFile().toString()))
      .setLocalAddress(CLIENT_ADDRESS);
  }

  /** The source address the kernel picks towards the Pomelo servers, which is what they see as the sidecar. */
  private static String sidecarDialsFrom() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), pomelo.cluster().gate().clientPort()),
        2000);
      return socket.getLocalAddress().getHostAddress();
    }
  }
}
