package io.pomelo.sidecar.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.e2e.PomeloCluster;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master client against a real Pomelo 2.2.7 master (pomelo-admin 1.0.1): the list it reads, servers added and
 * stopped through Pomelo's own CLI, and a refused login.
 */
class MasterFollowingTest {

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static PomeloCluster cluster;
  private static Vertx vertx;

  private final List<MasterFollower> followers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    cluster = opened.add(PomeloCluster.start(workDir));
    vertx = opened.add(Vertx.vertx());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    opened.close();
  }

  @AfterEach
  void stopFollowers() throws Exception {
    for (MasterFollower follower : followers) {
      Await.await(follower.stop());
    }
  }

  @Test
  void listsTheRunningFrontendsWithTheirClientPorts() throws Exception {
    Recorder recorder = new Recorder();
    MasterFollower follower = follow(cluster.masterPort(), PomeloCluster.ADMIN_PASSWORD, recorder);

    Await.until("a first list", () -> follower.servers().isPresent());

    MasterServers servers = follower.servers().orElseThrow();
    assertThat(servers.frontends()).containsExactlyInAnyOrderElementsOf(cluster.frontends());
    assertThat(servers.liveIds()).containsExactly(PomeloCluster.CONNECTOR_IDS.get(0), PomeloCluster.CONNECTOR_IDS.get(1),
      PomeloCluster.GATE_ID, PomeloCluster.MASTER_ID);
    assertThat(servers.unusable()).isEmpty();
    assertThat(follower.status().state()).isEqualTo(MasterState.CONNECTED);
    assertThat(follower.status().error()).isNull();
    assertThat(follower.status().lastListAt()).isNotNull();
    assertThat(recorder.states()).containsExactly(MasterState.CONNECTED);
    assertThat(recorder.lists).hasSize(1);
  }

  @Test
  void aConnectorAddedThroughPomelosCliIsListedWithin2sAndLeavesWhenStopped() throws Exception {
    Recorder recorder = new Recorder();
    MasterFollower follower = follow(cluster.masterPort(), PomeloCluster.ADMIN_PASSWORD, recorder);
    Await.until("a first list", () -> follower.servers().isPresent());

    String id = "connector-server-added";
    int clientPort = Ports.free();
    long started = System.nanoTime();
    PomeloCluster.CliRun add = cluster.pomeloCli("add", List.of("host=127.0.0.1", "port=" + Ports.free(),
      "clientPort=" + clientPort, "clientHost=127.0.0.1", "frontend=true", "serverType=connector", "id=" + id));
    assertThat(add.output()).contains("Successfully add server.");
    Await.until(id + " listed", () -> recorder.firstSeen.containsKey(id));
    Duration listedAfter = Duration.ofNanos(recorder.firstSeen.get(id) - started);
    System.out.printf("pomelo add -> %s listed by the master client: %d ms (the CLI itself took %d ms)%n", id,
      listedAfter.toMillis(), add.took().toMillis());

    assertThat(follower.servers().orElseThrow().frontend(id))
      .contains(new FrontendServer(id, "connector", "127.0.0.1", "127.0.0.1", clientPort));
    assertThat(listedAfter).isLessThan(Duration.ofSeconds(2));

    long stopping = System.nanoTime();
    PomeloCluster.CliRun stop = cluster.pomeloCli("stop", List.of(id));
    assertThat(stop.output()).doesNotContain("Error");
    Await.until(id + " gone", () -> recorder.lastSeen(id) != null && follower.servers().orElseThrow().frontend(id).isEmpty());
    System.out.printf("pomelo stop %s -> gone from the list: %d ms%n", id,
      Duration.ofNanos(System.nanoTime() - stopping).toMillis());
    assertThat(follower.servers().orElseThrow().frontends()).containsExactlyInAnyOrderElementsOf(cluster.frontends());
    assertThat(follower.status().state()).isEqualTo(MasterState.CONNECTED);
  }

  @Test
  void aWrongPasswordIsRefusedWithTheMastersReasonAndNeverShown() throws Exception {
    String wrong = "not-the-password-7f3a";
    Recorder recorder = new Recorder();
    MasterFollower follower = follow(cluster.masterPort(), wrong, recorder);

    Await.until("refused", () -> follower.status().state() == MasterState.REFUSED);

    MasterStatus status = follower.status();
    assertThat(status.error())
      .isEqualTo("the master at 127.0.0.1:" + cluster.masterPort() + " refused user \"admin\": client auth failed"
        + " with username or password error")
      .doesNotContain(wrong)
      .doesNotContain(new AdminCredentials("admin", wrong, true).passwordToSend());
    assertThat(follower.servers()).isEmpty();
    assertThat(recorder.lists).isEmpty();
  }

  @Test
  void nothingListeningIsUnreachable() throws Exception {
    int port = Ports.free();
    MasterFollower follower = follow(port, PomeloCluster.ADMIN_PASSWORD, new Recorder());

    Await.until("unreachable", () -> follower.status().state() == MasterState.UNREACHABLE);

    assertThat(follower.status().error())
      .startsWith("cannot connect to the master at 127.0.0.1:" + port + ": ")
      .contains("Connection refused");
  }

  @Test
  void theMastersErrorsFailTheRequest() throws Exception {
    MasterConsoleClient client = Await.await(MasterConsoleClient.connect(vertx, endpoint(cluster.masterPort(),
      PomeloCluster.ADMIN_PASSWORD), Duration.ofSeconds(5)));
    try {
      Throwable unknownSignal = Await.await(client.request("__console__", new JsonObject().put("signal", "no-such"),
        Duration.ofSeconds(5)).transform(done -> io.vertx.core.Future.succeededFuture(done.cause())));
      assertThat(unknownSignal).hasMessage("the master answered with an error: The command cannot be recognized,"
        + " please check.");
      Throwable unknownModule = Await.await(client.request("noSuchModule", new JsonObject(), Duration.ofSeconds(5))
        .transform(done -> io.vertx.core.Future.succeededFuture(done.cause())));
      assertThat(unknownModule).hasMessage("the master answered with an error: unknown moduleId:noSuchModule");
    } finally {
      Await.await(client.close());
    }
  }

  private MasterFollower follow(int port, String password, MasterListener listener) {
    FollowSettings settings = new FollowSettings(Duration.ofSeconds(1), Duration.ofSeconds(15),
      Duration.ofMillis(200), Duration.ofSeconds(2));
    MasterFollower follower = new MasterFollower(vertx, endpoint(port, password), settings, listener).start();
    followers.add(follower);
    return follower;
  }

  private static MasterEndpoint endpoint(int port, String password) {
    return new MasterEndpoint("127.0.0.1", port, new AdminCredentials(PomeloCluster.ADMIN_USERNAME, password, true));
  }

  /** What the listener was told, with when each frontend id first and last appeared (System.nanoTime). */
  static final class Recorder implements MasterListener {
    final List<MasterStatus> statuses = new CopyOnWriteArrayList<>();
    final List<MasterServers> lists = new CopyOnWriteArrayList<>();
    final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> goneAt = new ConcurrentHashMap<>();

    @Override
    public void statusChanged(MasterStatus status) {
      statuses.add(status);
    }

    @Override
    public void serversChanged(MasterServers servers) {
      long now = System.nanoTime();
      lists.add(servers);
      servers.frontends().forEach(server -> firstSeen.putIfAbsent(server.id(), now));
      firstSeen.keySet().stream().filter(id -> servers.frontend(id).isEmpty())
        .forEach(id -> goneAt.putIfAbsent(id, now));
    }

    Long lastSeen(String id) {
      return goneAt.get(id);
    }

    List<MasterState> states() {
      return statuses.stream().map(MasterStatus::state).toList();
    }
  }
}
