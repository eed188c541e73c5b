package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.e2e.PomeloCluster;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.testing.Ports;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check} asks the master {@code run} would follow, a real Pomelo 2.2.7 cluster's, whether it answers. */
class MasterCheckTest {

  private static final String WRONG_PASSWORD = "wrong-password-9d47";

  @TempDir
  static Path clusterDir;
  private static PomeloCluster cluster;

  @TempDir
  Path dir;
  private Path config;

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    cluster = PomeloCluster.start(clusterDir);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void writeConfig() throws IOException {
    config = CheckCommandTest.sidecarYaml(dir, cluster.serversJson().toString());
  }

  @AfterEach
  void forgetStateDir() {
    System.clearProperty("pomelo-sidecar.state.dir");
  }

  /** With no master keys, Pomelo's master.json and adminUser.json beside servers.json say whom to ask. */
  @Test
  void theMasterBesideServersJsonAnswersWithItsFrontendServers() {
    String expected = "master: 127.0.0.1:" + cluster.masterPort() + " answers as " + PomeloCluster.ADMIN_USERNAME
      + ": " + cluster.frontends().size() + " frontend servers (" + cluster.frontends().stream()
      .sorted(Comparator.comparing(FrontendServer::serverType).thenComparing(FrontendServer::id))
      .map(FrontendServer::id).collect(Collectors.joining(", ")) + ")";

    CheckCommandTest.Result text = CheckCommandTest.run("check", "--config", config.toString());
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.err()).isEmpty();
    assertThat(text.out().lines()).contains(expected);

    // The JSON stays GET /api/routes' array; the line goes to stderr.
    CheckCommandTest.Result json = CheckCommandTest.run("check", "--config", config.toString(), "--json");
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(new JsonArray(json.out())).isNotEmpty();
    assertThat(json.err().lines()).containsExactly(expected);
  }

  @Test
  void aRefusedLoginFailsTheCheckWithFollowTrueAndNeverShowsThePassword() throws IOException {
    Files.writeString(config, Files.readString(config) + "master: {follow: true, username: "
      + PomeloCluster.ADMIN_USERNAME + ", password: " + WRONG_PASSWORD + "}\n");

    CheckCommandTest.Result result = CheckCommandTest.run("check", "--config", config.toString());

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().lines()).containsExactly("master: 127.0.0.1:" + cluster.masterPort() + ": the master at "
      + "127.0.0.1:" + cluster.masterPort() + " refused user \"admin\": client auth failed with username or "
      + "password error");
    // The routes are still printed: the files are fine, only the master is not.
    assertThat(result.out()).contains("/connector-server-1/").doesNotContain("master:");
    for (String secret : new String[] {WRONG_PASSWORD, md5(WRONG_PASSWORD)}) {
      assertThat(result.out()).doesNotContain(secret);
      assertThat(result.err()).doesNotContain(secret);
    }
  }

  /** With auto the sidecar serves servers.json without its master, so a master that is away is only a warning. */
  @Test
  void aMasterThatDoesNotAnswerIsAWarningWithAuto() throws IOException {
    int nobody = Ports.free();
    Files.writeString(config, Files.readString(config) + "master: {host: 127.0.0.1, port: " + nobody + "}\n");

    CheckCommandTest.Result result = CheckCommandTest.run("check", "--config", config.toString());

    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.err().lines()).singleElement().asString()
      .startsWith("warning: master: 127.0.0.1:" + nobody + ": cannot connect to the master at 127.0.0.1:" + nobody);
    assertThat(result.out()).doesNotContain("master:");
  }

  private static String md5(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
