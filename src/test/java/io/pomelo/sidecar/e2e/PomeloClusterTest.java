package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.testing.Closer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves the fixture and the client against each other, with no sidecar in between: the gate hands
 * out both connectors, each answers and pushes, heartbeats keep a connection open, and the
 * forwarded client address reaches the app.
 */
@ExtendWith(VertxExtension.class)
final class PomeloClusterTest {

  private static final String ENTRY = "connector.entryHandler.entry";
  private static final String QUERY_ENTRY = "gate.gateHandler.queryEntry";

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static PomeloCluster cluster;

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    cluster = opened.add(PomeloCluster.start(workDir));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    opened.close();
  }

  @Test
  void clusterListsOneGateAndTwoConnectorsOnLoopback() {
    assertThat(cluster.frontends()).extracting(FrontendServer::id)
      .containsExactly("gate-server-1", "connector-server-1", "connector-server-2");
    assertThat(cluster.frontends()).allSatisfy(frontend -> assertThat(frontend.host()).isEqualTo("127.0.0.1"));
    assertThat(cluster.serversJson()).content().contains("\"clientPort\" : " + cluster.gate().clientPort());
  }

  @Test
  void gateSendsUidsToBothConnectorsByPath(Vertx vertx, VertxTestContext test) {
    PomeloClient.connect(vertx, cluster.directUri(PomeloCluster.GATE_ID))
      .compose(gate -> Future.all(
          gate.request(QUERY_ENTRY, new JsonObject().put("uid", 10)),
          gate.request(QUERY_ENTRY, new JsonObject().put("uid", 11)))
        .eventually(gate::close))
      .onComplete(test.succeeding(answers -> test.verify(() -> {
        JsonObject even = answers.resultAt(0);
        JsonObject odd = answers.resultAt(1);
        assertThat(even.getInteger("code")).isEqualTo(200);
        assertThat(even.getString("host")).isEqualTo("127.0.0.1");
        assertThat(even.getString("port")).isEqualTo("/connector-server-1/");
        assertThat(odd.getString("port")).isEqualTo("/connector-server-2/");
        test.completeNow();
      })));
  }

  @Test
  void eachConnectorAnswersThenPushes(Vertx vertx, VertxTestContext test) {
    Future.all(List.of(enterThroughGate(vertx, 20), enterThroughGate(vertx, 21)))
      .onComplete(test.succeeding(entries -> test.verify(() -> {
        assertThat(entries.<JsonObject>list()).extracting(entry -> entry.getString("serverId"))
          .containsExactly("connector-server-1", "connector-server-2");
        test.completeNow();
      })));
  }

  @Test
  void appSeesTheForwardedClientAddress(Vertx vertx, VertxTestContext test) {
    URI connector = cluster.directUri("connector-server-1");
    Future<JsonObject> realIp = entry(vertx, connector, 30, MultiMap.caseInsensitiveMultiMap()
      .add("X-Real-IP", "203.0.113.7"));
    // The rightmost hop is the one the proxy added; the left one could be forged by the client.
    Future<JsonObject> forwardedFor = entry(vertx, connector, 32, MultiMap.caseInsensitiveMultiMap()
      .add("X-Forwarded-For", "198.51.100.1, 203.0.113.8"));
    Future<JsonObject> direct = entry(vertx, connector, 34, MultiMap.caseInsensitiveMultiMap());
    Future.all(realIp, forwardedFor, direct)
      .onComplete(test.succeeding(ignored -> test.verify(() -> {
        assertThat(realIp.result().getString("clientIp")).isEqualTo("203.0.113.7");
        assertThat(forwardedFor.result().getString("clientIp")).isEqualTo("203.0.113.8");
        assertThat(direct.result().getString("clientIp")).isEqualTo("127.0.0.1");
        test.completeNow();
      })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void heartbeatsKeepAnIdleConnectionOpen(Vertx vertx, VertxTestContext test) {
    // Pomelo drops a client whose heartbeats stop for two intervals (6 s here); 7 s idle proves ours flow.
    Duration idle = Duration.ofSeconds(7);
    PomeloClient.connect(vertx, cluster.directUri("connector-server-2"))
      .compose(client -> vertx.timer(idle.toMillis(), TimeUnit.MILLISECONDS)
        .compose(ignored -> {
          test.verify(() -> {
            assertThat(client.heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
            assertThat(client.isClosed()).isFalse();
            assertThat(client.heartbeatsReceived()).isGreaterThanOrEqualTo(2);
          });
          return client.request(ENTRY, new JsonObject().put("uid", 41).put("msg", "still here"));
        })
        .eventually(client::close))
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertThat(response.getString("echo")).isEqualTo("still here");
        test.completeNow();
      })));
  }

  @Test
  void closeLeavesNoPomeloProcessBehind(@TempDir Path ownDir) throws Exception {
    PomeloCluster ownCluster = PomeloCluster.start(ownDir);
    List<ProcessHandle> started = ownCluster.liveProcesses();
    int gatePort = ownCluster.gate().clientPort();

    ownCluster.close();

    // The master and one process per server.
    assertThat(started).hasSize(4);
    assertThat(started).noneMatch(ProcessHandle::isAlive);
    assertThat(ownCluster.liveProcesses()).isEmpty();
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", gatePort), 500);
      }
    }).isInstanceOf(IOException.class);
  }

  // Asks the gate for a connector as a Pomelo client would, then enters it; the connector is reached
  // directly by the gate's path, as the sidecar would route it.
  private static Future<JsonObject> enterThroughGate(Vertx vertx, int uid) {
    return PomeloClient.connect(vertx, cluster.directUri(PomeloCluster.GATE_ID))
      .compose(gate -> gate.request(QUERY_ENTRY, new JsonObject().put("uid", uid)).eventually(gate::close))
      .compose(answer -> {
        String path = answer.getString("port");
        String connectorId = path.substring(1, path.length() - 1);
        return entry(vertx, cluster.directUri(connectorId), uid, MultiMap.caseInsensitiveMultiMap())
          .map(response -> {
            assertThat(response.getString("serverId")).isEqualTo(connectorId);
            return response;
          });
      });
  }

  // Sends entry and completes with its response once the push that follows it has arrived too.
  private static Future<JsonObject> entry(Vertx vertx, URI connector, int uid, MultiMap headers) {
    String msg = "hello " + uid;
    return PomeloClient.connect(vertx, connector, new WebSocketClientOptions(), headers)
      .compose(client -> {
        Future<JsonObject> push = client.nextPush("onEntry");
        return client.request(ENTRY, new JsonObject().put("uid", uid).put("msg", msg))
          .compose(response -> push.map(pushed -> {
            assertThat(response.getInteger("code")).isEqualTo(200);
            assertThat(response.getString("echo")).isEqualTo(msg);
            assertThat(pushed.getString("serverId")).isEqualTo(response.getString("serverId"));
            assertThat(pushed.getString("uid")).isEqualTo(String.valueOf(uid));
            return response;
          }))
          .eventually(client::close);
      });
  }
}
