package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.admin.AdminClient;
import io.pomelo.sidecar.admin.OpenApiDocument;
import io.pomelo.sidecar.admin.RouteView;
import io.pomelo.sidecar.admin.StatusView;
import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.MasterConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Pomelo 2.2.7 cluster whose master the sidecar follows, found through the cluster's own master.json and
 * adminUser.json: servers added and stopped through Pomelo's CLI gain and lose routes, and a real client session
 * reaches an added connector through the sidecar. Ordered, because the last test restarts the cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class FollowingTheMasterTest {

  private static final String ENTRY = "connector.entryHandler.entry";

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static PomeloCluster cluster;
  private static Vertx vertx;
  private static TestSidecar fixture;
  private static Sidecar sidecar;
  private static AdminClient admin;
  private static OpenApiDocument openApi;

  @BeforeAll
  static void start() throws Exception {
    ClusterBehindSidecar pomelo = opened.add(ClusterBehindSidecar.start(workDir, PomeloCluster::start,
      (withFixture, ofCluster) -> following(withFixture, ofCluster, MasterConfig.defaults())));
    cluster = pomelo.cluster();
    vertx = pomelo.vertx();
    fixture = pomelo.fixture();
    sidecar = pomelo.sidecar();
    admin = new AdminClient(vertx, sidecar.adminPort(), null);
    openApi = OpenApiDocument.load(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  private static SidecarConfig following(TestSidecar withFixture, PomeloCluster ofCluster, MasterConfig master) {
    return withFixture.config(ofCluster.serversJson(), List.of(new AliasConfig("/conn/", "connector", null, null)))
      .withMaster(master);
  }

  @Test
  @Order(1)
  void theMasterBesideServersJsonIsFollowedWithNoKeys() throws Exception {
    Await.until("the master connected", () -> "connected".equals(master(sidecar).getString("state")));

    JsonObject master = master(sidecar);
    assertThat(master.getString("address")).isEqualTo("127.0.0.1:" + cluster.masterPort());
    assertThat(master.getString("lastListAt")).isNotNull();
    assertThat(master.getString("error")).isNull();
    assertThat(master.getJsonArray("addedServers")).isEmpty();
    assertThat(statusMaster().getString("state")).isEqualTo("connected");
    assertThat(sources(sidecar)).containsOnly("servers.json");
    assertThat(connected(sidecar)).isEqualTo(1.0);
  }

  @Test
  @Order(2)
  void aWrongPasswordIsRefusedClearlyAndServersJsonIsStillServed() throws Exception {
    String wrong = "wrong-password-5c1e";
    Sidecar refused = await(fixture.start(vertx, following(fixture, cluster, new MasterConfig(MasterConfig.Follow.TRUE, "", 0,
      PomeloCluster.ADMIN_USERNAME, wrong, null, true, Duration.ofSeconds(1)))));
    try {
      Await.until("refused", () -> "refused".equals(master(refused).getString("state")));

      assertThat(master(refused).getString("error"))
        .contains("refused user \"admin\"").doesNotContain(wrong);
      assertThat(StatusView.of(refused.view(), 0, "test").encode()).doesNotContain(wrong);
      assertThat(connected(refused)).isEqualTo(0.0);
      assertThat(enter(refused, "/connector-server-1/", 1).getString("serverId")).isEqualTo("connector-server-1");
    } finally {
      await(refused.stop(Duration.ZERO));
    }
  }

  @Test
  @Order(3)
  void aConnectorAddedWithPomeloAddIsReachedThroughItsIdAndItsTypeUntilItIsStopped() throws Exception {
    String id = "connector-server-added";
    long started = System.nanoTime();
    add("clientPort=" + Ports.free(), "id=" + id);
    Await.until("/" + id + "/ routed", () -> sidecar.routes().byPath("/" + id + "/") != null);
    System.out.printf("pomelo add %s -> routed by the sidecar: %d ms%n", id,
      Duration.ofNanos(System.nanoTime() - started).toMillis());

    assertThat(enter(sidecar, "/" + id + "/", 7).getString("serverId")).isEqualTo(id);
    Set<String> reached = new HashSet<>();
    for (int uid = 0; uid < 9 && !reached.contains(id); uid++) {
      reached.add(enter(sidecar, "/connector/", 100 + uid).getString("serverId"));
    }
    assertThat(reached).as("servers the type route reached").contains(id);
    assertThat(route("/connector/").getJsonArray("targets")).anySatisfy(t -> {
      JsonObject target = (JsonObject) t;
      assertThat(target.getString("id")).isEqualTo(id);
      assertThat(target.getString("source")).isEqualTo("master");
    });
    assertThat(statusMaster().getJsonArray("addedServers").getList()).containsExactly(id);

    PomeloClient open = await(PomeloClient.connect(vertx, uri(sidecar, "/" + id + "/"), clientOptions()));
    await(open.request(ENTRY, new JsonObject().put("uid", 8).put("msg", "before the stop")));
    assertThat(cluster.pomeloCli("stop", List.of(id)).output()).doesNotContain("Error");
    Await.until("/" + id + "/ removed", () -> sidecar.routes().byPath("/" + id + "/") == null);
    await(open.closed());
    assertThat(master(sidecar).getJsonArray("addedServers")).isEmpty();
    assertThat(route("/connector/").getJsonArray("targets")).hasSize(PomeloCluster.CONNECTOR_IDS.size());
  }

  @Test
  @Order(4)
  void aClusterCountAddExpandsAsServersJsonWould() throws Exception {
    int clientPort = twoFreePorts();
    add("clientPort=" + clientPort + "++", "clusterCount=2");
    // Pomelo names them as it names a servers.json entry with clusterCount: cluster-server-<type>-<n>.
    List<String> ids = List.of("cluster-server-connector-0", "cluster-server-connector-1");
    Await.until("both routed", () -> ids.stream().allMatch(i -> sidecar.routes().byPath("/" + i + "/") != null));

    assertThat(sidecar.routes().byPath("/" + ids.get(0) + "/").targets().get(0).port()).isEqualTo(clientPort);
    assertThat(sidecar.routes().byPath("/" + ids.get(1) + "/").targets().get(0).port()).isEqualTo(clientPort + 1);
    assertThat(enter(sidecar, "/" + ids.get(1) + "/", 9).getString("serverId")).isEqualTo(ids.get(1));
    for (String id : ids) {
      cluster.pomeloCli("stop", List.of(id));
    }
    Await.until("both removed", () -> ids.stream().allMatch(i -> sidecar.routes().byPath("/" + i + "/") == null));
  }

  @Test
  @Order(5)
  void aServerTheMasterStoppedIsNotChosenAndAMasterAwayKeepsTheRoutesUntilItIsFollowedAgain() throws Exception {
    String stopped = PomeloCluster.CONNECTOR_IDS.get(1);
    String added = "connector-server-before-crash";
    add("clientPort=" + Ports.free(), "id=" + added);
    Await.until("/" + added + "/ routed", () -> sidecar.routes().byPath("/" + added + "/") != null);
    assertThat(cluster.pomeloCli("stop", List.of(stopped)).output()).doesNotContain("Error");
    Await.until(stopped + " unlisted", () -> sidecar.view().live().backends().stream()
      .anyMatch(b -> b.key().serverId().equals(stopped) && b.unlisted()));
    assertThat(target("/connector/", stopped).getBoolean("unlisted")).isTrue();

    // servers.json's server keeps its own route; the type route leaves it out.
    assertThat(sidecar.routes().byPath("/" + stopped + "/")).isNotNull();
    assertThat(target("/connector/", stopped).getBoolean("healthy")).isFalse();
    for (int uid = 0; uid < 4; uid++) {
      assertThat(enter(sidecar, "/conn/", 200 + uid).getString("serverId")).isNotEqualTo(stopped);
    }

    cluster.killMaster();
    Await.until("the master unreachable", () -> "unreachable".equals(master(sidecar).getString("state")));
    assertThat(statusMaster().getString("error")).contains("127.0.0.1:" + cluster.masterPort());
    assertThat(sidecar.routes().byPath("/" + added + "/")).as("the last list is kept").isNotNull();
    assertThat(target("/connector/", stopped).containsKey("unlisted")).as("absences count only while it answers")
      .isFalse();
    assertThat(connected(sidecar)).isEqualTo(0.0);

    long restarting = System.nanoTime();
    cluster.restart();
    long restarted = System.nanoTime();
    Await.until("followed again", () -> "connected".equals(master(sidecar).getString("state"))
      && sidecar.routes().byPath("/" + added + "/") == null);
    System.out.printf("cluster restarted in %d ms, followed again %d ms later%n",
      Duration.ofNanos(restarted - restarting).toMillis(), Duration.ofNanos(System.nanoTime() - restarted).toMillis());
    // A restarted master lists its servers as their monitors register again.
    Await.until(stopped + " listed again", () -> sidecar.view().live().backends().stream().noneMatch(BackendState::unlisted));
    assertThat(target("/connector/", stopped).containsKey("unlisted")).isFalse();
    assertThat(enter(sidecar, "/" + stopped + "/", 300).getString("serverId")).isEqualTo(stopped);
  }

  private static void add(String... arguments) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("host=127.0.0.1", "port=" + Ports.free(),
      "clientHost=127.0.0.1", "frontend=true", "serverType=connector"));
    all.addAll(List.of(arguments));
    if (all.stream().anyMatch(a -> a.startsWith("clusterCount="))) {
      all.set(1, "port=" + twoFreePorts() + "++");
    }
    assertThat(cluster.pomeloCli("add", all).output()).contains("Successfully add server.");
  }

  /** A port whose next one is free too, for a clusterCount of 2. */
  private static int twoFreePorts() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = Ports.free();
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no two consecutive free ports in 50 tries");
  }

  /** Enters a connector for {@code uid} through the sidecar and returns its answer. */
  private static JsonObject enter(Sidecar through, String path, int uid) throws Exception {
    PomeloClient client = await(PomeloClient.connect(vertx, uri(through, path), clientOptions()));
    try {
      return await(client.request(ENTRY, new JsonObject().put("uid", uid).put("msg", "hello " + uid)));
    } finally {
      await(client.close());
    }
  }

  /** The gauge as Prometheus reads it. */
  private static double connected(Sidecar of) {
    return of.meters().scrape().lines().filter(l -> l.startsWith("pomelo_sidecar_master_connected "))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
  }

  private static JsonObject master(Sidecar of) {
    JsonObject master = StatusView.of(of.view(), 0, "test").getJsonObject("master");
    return master == null ? new JsonObject() : master;
  }

  /** The route as {@code GET /api/routes} answers it, checked against openapi.yaml. */
  private static JsonObject route(String path) throws Exception {
    AdminClient.Answer answer = admin.get("/api/routes");
    openApi.check("listRoutes", answer);
    return answer.array().stream().map(JsonObject.class::cast).filter(r -> r.getString("path").equals(path))
      .findFirst().orElseThrow();
  }

  /** {@code GET /api/status}'s master, checked against openapi.yaml. */
  private static JsonObject statusMaster() throws Exception {
    AdminClient.Answer answer = admin.get("/api/status");
    openApi.check("getStatus", answer);
    return answer.json().getJsonObject("master");
  }

  private static JsonObject target(String path, String id) throws Exception {
    JsonArray targets = route(path).getJsonArray("targets");
    return targets.stream().map(JsonObject.class::cast).filter(t -> t.getString("id").equals(id)).findFirst()
      .orElseThrow();
  }

  private static Set<String> sources(Sidecar of) {
    Set<String> sources = new HashSet<>();
    for (Route route : of.routes().routes()) {
      RouteView.of(route, of.view().live(), of.state().fromMaster()).getJsonArray("targets")
        .forEach(t -> sources.add(((JsonObject) t).getString("source")));
    }
    return sources;
  }

  private static URI uri(Sidecar through, String path) {
    return URI.create("wss://127.0.0.1:" + through.publicPort() + path);
  }

  private static WebSocketClientOptions clientOptions() {
    return new WebSocketClientOptions()
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(fixture.certificate().certFile().toString()));
  }
}
