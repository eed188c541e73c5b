package io.pomelo.sidecar.run;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.MasterConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.testing.TestSidecar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The master is trusted less than servers.json: what it may add to the routes, and what it may not. */
class MasterAdditionsTest {

  @TempDir
  Path dir;

  private static final FrontendServer GATE = new FrontendServer("gate-server-1", "gate", "10.0.0.5", null, 3010);
  private static final FrontendServer CONNECTOR = new FrontendServer("connector-server-1", "connector", "10.0.0.5",
    "10.0.0.5", 3050);

  private static ServersFile file() {
    return new ServersFile(Path.of("servers.json"), "production", List.of(GATE, CONNECTOR), 2, List.of(), "");
  }

  private static MasterServers listing(FrontendServer... added) {
    List<FrontendServer> all = new ArrayList<>(List.of(GATE, CONNECTOR));
    all.addAll(List.of(added));
    return new MasterServers(all, all.stream().map(FrontendServer::id).sorted().toList(), List.of());
  }

  private SidecarConfig config(List<String> allowedHosts) throws Exception {
    TestSidecar fixture = new TestSidecar(dir);
    return fixture.config(dir.resolve("servers.json"), List.of()).withMaster(new MasterConfig(
      MasterConfig.Follow.TRUE, "", 0, "", "", null, true, Duration.ofSeconds(1), allowedHosts));
  }

  private static FrontendServer connector(String id, String host, int port) {
    return new FrontendServer(id, "connector", host, host, port);
  }

  @Test
  void aServerOnAHostOfTheClusterJoinsItsTypeAndGetsItsRoute() throws Exception {
    MasterAdditions result = MasterAdditions.plan(config(List.of()), file(),
      listing(connector("connector-server-2", "10.0.0.5", 3051)));
    assertThat(result.added()).containsExactly("connector-server-2");
    assertThat(result.refused()).isEmpty();
    assertThat(result.plan().table().byPath("/connector-server-2/")).isNotNull();
    assertThat(result.plan().table().byPath("/connector/").targets()).hasSize(2);
  }

  @Test
  void aServerElsewhereOrOnTheSidecarsOwnPortsGetsNoRoute() throws Exception {
    SidecarConfig config = config(List.of("10.0.0.6")).withListen(new ListenerConfig("0.0.0.0", 8443))
      .withAdmin(new AdminConfig(new ListenerConfig("127.0.0.1", 9191)));
    MasterAdditions result = MasterAdditions.plan(config, file(), listing(
      connector("metadata", "169.254.169.254", 80),
      connector("allowed", "10.0.0.6", 3052),
      connector("admin-port", "10.0.0.5", 9191),
      connector("public-port", "10.0.0.5", 8443)));
    assertThat(result.added()).containsExactly("allowed");
    assertThat(result.refused()).containsExactly(
      "metadata: host 169.254.169.254 is not one servers.json uses nor in master.allowedHosts",
      "admin-port: clientPort 9191 is one of the sidecar's own",
      "public-port: clientPort 8443 is one of the sidecar's own");
  }

  @Test
  void aClashingServerIsLeftOutInsteadOfBlockingTheTable() throws Exception {
    // An id equal to the type name of two servers: /connector/ cannot be both.
    MasterAdditions result = MasterAdditions.plan(config(List.of()), file(), listing(
      connector("connector", "10.0.0.5", 3053), connector("connector-server-3", "10.0.0.5", 3054)));
    assertThat(result.added()).containsExactly("connector-server-3");
    assertThat(result.refused()).singleElement().satisfies(why -> assertThat(why).startsWith("connector: route /connector/"));
    assertThat(result.plan().table().byPath("/connector-server-3/")).isNotNull();
  }

  @Test
  void theFileWinsAndTheAdditionsAreBounded() throws Exception {
    FrontendServer moved = new FrontendServer("connector-server-1", "connector", "10.0.0.5", "10.0.0.5", 4000);
    FrontendServer[] many = IntStream.range(0, MasterAdditions.MOST + 5)
      .mapToObj(i -> connector("extra-" + i, "10.0.0.5", 5000 + i)).toArray(FrontendServer[]::new);
    List<FrontendServer> listed = new ArrayList<>(List.of(moved));
    listed.addAll(List.of(many));
    MasterAdditions result = MasterAdditions.plan(config(List.of()), file(),
      new MasterServers(listed, List.of(), List.of()));
    assertThat(result.plan().table().byPath("/connector-server-1/").targets().get(0).port()).isEqualTo(3050);
    assertThat(result.added()).hasSize(MasterAdditions.MOST);
    assertThat(result.refused()).hasSize(5).allSatisfy(why -> assertThat(why).contains("more than 256"));
  }
}
