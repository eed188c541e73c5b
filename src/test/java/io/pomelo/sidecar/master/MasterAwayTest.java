package io.pomelo.sidecar.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.e2e.PomeloCluster;
import io.pomelo.sidecar.testing.Await;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A master killed under the follower: unreachable, said once, and the last list kept. */
class MasterAwayTest {

  @TempDir
  Path workDir;
  private PomeloCluster cluster;
  private Vertx vertx;
  private MasterFollower follower;

  @BeforeEach
  void start() throws Exception {
    cluster = PomeloCluster.start(workDir);
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (follower != null) {
      Await.await(follower.stop());
    }
    Await.await(vertx.close());
    cluster.close();
  }

  @Test
  void aKilledMasterIsUnreachableAndTheLastListIsKept() throws Exception {
    MasterFollowingTest.Recorder recorder = new MasterFollowingTest.Recorder();
    follower = new MasterFollower(vertx, new MasterEndpoint("127.0.0.1", cluster.masterPort(),
      new AdminCredentials(PomeloCluster.ADMIN_USERNAME, PomeloCluster.ADMIN_PASSWORD, true)),
      new FollowSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(1)),
      recorder).start();
    Await.until("connected", () -> follower.status().state() == MasterState.CONNECTED);
    MasterServers before = follower.servers().orElseThrow();

    long killed = System.nanoTime();
    cluster.killMaster();
    Await.until("unreachable", () -> follower.status().state() == MasterState.UNREACHABLE);
    System.out.printf("master killed -> unreachable: %d ms (%s)%n",
      Duration.ofNanos(System.nanoTime() - killed).toMillis(), follower.status().error());

    assertThat(follower.status().error()).isEqualTo("the master at 127.0.0.1:" + cluster.masterPort()
      + " closed the connection");
    assertThat(follower.servers()).contains(before);
    assertThat(before.frontends()).containsExactlyInAnyOrderElementsOf(cluster.frontends());
    assertThat(recorder.lists).containsExactly(before);

    // Reconnecting keeps failing, now with "Connection refused", yet the list stays and the state is said once
    // per change of wording, not per attempt.
    Await.until("a reconnect refused", () -> follower.status().error().contains("Connection refused"));
    long attempts = follower.connectAttempts();
    Await.until("three more reconnects", () -> follower.connectAttempts() >= attempts + 3);
    assertThat(recorder.states()).containsExactly(MasterState.CONNECTED, MasterState.UNREACHABLE,
      MasterState.UNREACHABLE);
    assertThat(follower.status().error()).startsWith("cannot connect to the master at 127.0.0.1:"
      + cluster.masterPort() + ": ").contains("Connection refused").doesNotContain(PomeloCluster.ADMIN_PASSWORD);
    assertThat(follower.servers()).contains(before);
  }
}
