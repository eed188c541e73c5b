package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.e2e.SocketIoSessions.Comparison;
import io.pomelo.sidecar.testing.Closer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real socket.io-client 1.7.2 sessions against a real Pomelo sioconnector (Pomelo's default connector), direct and
 * through the sidecar at the same time under the same load: the sidecar may add no failures to what engine.io 1.8.2
 * on this Node does by itself. The {@code sio} type has {@code stripPrefix}, so {@code /sio-server-1/socket.io/}
 * reaches the server as {@code /socket.io/}.
 */
final class SocketIoThroughSidecarTest {

  private static final String SERVER = "sio-server-1";
  /** The load at five times the sessions, each from its own address as players are. */
  private static final SocketIoSessions POLLING = new SocketIoSessions(50, "polling", Duration.ofSeconds(5),
    Duration.ofSeconds(12), true);

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static ClusterBehindSidecar pomelo;

  @BeforeAll
  static void start() throws Exception {
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST,
      Map.of("sio", new TypeRoutesConfig(true, null)), List.of(), Map.of());
    pomelo = opened.add(ClusterBehindSidecar.start(workDir, PomeloCluster::startSio, (fixture, cluster) ->
      fixture.config(cluster.serversJson(), routes, Duration.ofSeconds(3), Duration.ofSeconds(10))));
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  @Test
  void pollingSessionsPassThroughOneServersRouteAsOftenAsDirect() throws Exception {
    Comparison run = compare(POLLING, "/" + SERVER + "/socket.io");

    run.assertNoFailuresAdded();
    assertThat(run.through().sessions()).allSatisfy(session ->
      assertThat(session.getJsonArray("serverIds").getList()).containsOnly(SERVER));
    // The polling handshake carried X-Forwarded-For: Pomelo's session has the player's address, not the sidecar's.
    assertEachSessionSeenFromItsOwnAddress(run.direct());
    assertEachSessionSeenFromItsOwnAddress(run.through());
  }

  @Test
  void aSessionThatPollsForAMinuteStaysUpWithEachPollHeldAWholePingInterval() throws Exception {
    // Requests at 0, 30 and 60 s: in between, each session's poll is held until engine.io's 25 s ping answers it.
    SocketIoSessions quiet = new SocketIoSessions(10, "polling", Duration.ofSeconds(30), Duration.ofSeconds(61),
      true);

    Comparison run = compare(quiet, "/" + SERVER + "/socket.io");

    run.assertNoFailuresAdded();
    assertThat(run.through().sessions()).filteredOn(session -> session.getBoolean("passed"))
      .isNotEmpty().allSatisfy(session -> assertThat(session.getInteger("answered")).isEqualTo(3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling,websocket"})
  void webSocketSessionsPassThroughOneServersRouteAsOftenAsDirect(String transports) throws Exception {
    SocketIoSessions load = new SocketIoSessions(10, transports, Duration.ofSeconds(2), Duration.ofSeconds(6), true);

    Comparison run = compare(load, "/" + SERVER + "/socket.io");

    run.assertNoFailuresAdded();
    // Polling first must have upgraded, or this would only repeat the polling test.
    assertThat(run.through().sessions()).filteredOn(session -> session.getBoolean("passed"))
      .allSatisfy(session -> assertThat(session.getString("transport")).isEqualTo("websocket"));
    // A websocket-only session's handshake is the upgrade, which carried X-Forwarded-For.
    assertEachSessionSeenFromItsOwnAddress(run.through());
  }

  @Test
  void aHundredPollingSessionsThroughTheTypeRouteStayOnTheServerThatMadeThem() throws Exception {
    SocketIoSessions load = new SocketIoSessions(100, "polling", Duration.ofSeconds(5), Duration.ofSeconds(12), true);

    Comparison run = compare(load, "/sio/socket.io");

    run.assertNoFailuresAdded();
    assertOneServerPerSessionAndBothUsed(run.through());
    // engine.io answers a request for a session it does not have with 400 "Session ID unknown", which
    // engine.io-client reports as an error described by that status.
    assertThat(run.through().sessions()).flatMap(session -> session.getJsonArray("errors").getList())
      .as("unknown sid").noneMatch(error -> String.valueOf(error).contains("(400)"));
  }

  @Test
  void pollingThenUpgradeThroughTheTypeRouteUpgradesOnTheServerThatMadeTheSession() throws Exception {
    SocketIoSessions load = new SocketIoSessions(10, "polling,websocket", Duration.ofSeconds(2),
      Duration.ofSeconds(6), true);

    Comparison run = compare(load, "/sio/socket.io");

    run.assertNoFailuresAdded();
    assertThat(run.through().sessions()).filteredOn(session -> session.getBoolean("passed"))
      .allSatisfy(session -> assertThat(session.getString("transport")).isEqualTo("websocket"));
    assertOneServerPerSessionAndBothUsed(run.through());
  }

  /** Each session answered by one server only, and the sessions spread over both: pinned, and still balanced. */
  private static void assertOneServerPerSessionAndBothUsed(SocketIoSessions.Summary through) {
    assertThat(through.sessions()).allSatisfy(session ->
      assertThat(session.getJsonArray("serverIds").size()).as("servers of %s", session).isLessThanOrEqualTo(1));
    assertThat(through.sessions()).flatMap(session -> session.getJsonArray("serverIds").getList())
      .containsAll(PomeloCluster.SIO_IDS);
  }

  /** Every answer a session had named its own address (127.1.x.y) as the one Pomelo's session holds. */
  private static void assertEachSessionSeenFromItsOwnAddress(SocketIoSessions.Summary summary) {
    assertThat(summary.sessions()).filteredOn(session -> session.getInteger("answered") > 0).isNotEmpty()
      .allSatisfy(session -> assertThat(session.getJsonArray("clientIps").getList()).as("%s", session)
        .containsExactly(session.getString("address")));
  }

  /** The same sessions run direct to {@link #SERVER} and through {@code path} on the sidecar, both at once. */
  private static Comparison compare(SocketIoSessions load, String path) {
    return load.compare(pomelo.cluster().directHttpUri(SERVER),
      URI.create("https://127.0.0.1:" + pomelo.sidecar().publicPort()), path,
      pomelo.fixture().certificate().certFile());
  }
}
