package io.pomelo.sidecar.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.MasterConfig;
import io.pomelo.sidecar.config.MasterConfig.Follow;
import io.pomelo.sidecar.config.PomeloConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.testing.TestSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whom the sidecar follows: sidecar.yaml's master keys over Pomelo's own files, and what auto and true make of gaps. */
class MasterDiscoveryTest {

  private static final String FILE_PASSWORD = "file-secret-71a3";
  private static final String YAML_PASSWORD = "yaml-secret-0c9e";

  @TempDir
  Path app;
  private Path config;
  private TestSidecar fixture;
  /** Every text a decision produced, to show that no password reaches any of them. */
  private final List<String> said = new ArrayList<>();

  @BeforeEach
  void configFolder() throws IOException {
    config = Files.createDirectories(app.resolve("config"));
    fixture = new TestSidecar(app);
  }

  @AfterEach
  void noPasswordInAnythingSaid() {
    assertThat(said).isNotEmpty().allSatisfy(text -> assertThat(text).doesNotContain(FILE_PASSWORD).doesNotContain(YAML_PASSWORD));
  }

  @Test
  void followFalseFollowsNothingEvenWithPomelosFiles() throws Exception {
    pomeloFiles("config");

    MasterDiscovery.Decision decision = decide(master(Follow.FALSE, "", 0, "", ""));

    assertThat(decision.endpoint()).isEmpty();
    assertThat(decision.why()).isEqualTo("master.follow is false");
    assertThat(decision.problems()).isEmpty();
  }

  @Test
  void autoWithoutMasterJsonFollowsNothingAndSaysWhereItLooked() throws Exception {
    MasterDiscovery.Decision decision = decide(MasterConfig.defaults());

    assertThat(decision.endpoint()).isEmpty();
    assertThat(decision.why()).contains(config.toString()).contains(config.resolve("development").toString());
    assertThat(decision.problems()).isEmpty();
  }

  @Test
  void autoWithMasterJsonButNoAdminUserJsonIsAWarningNamingTheFile() throws Exception {
    write("config/master.json", "{\"development\": {\"host\": \"127.0.0.1\", \"port\": 3005}}");

    MasterDiscovery.Decision decision = decide(MasterConfig.defaults());

    assertThat(decision.endpoint()).isEmpty();
    assertThat(decision.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.file()).isEqualTo(config.resolve("adminUser.json").toString());
      assertThat(problem.rule()).contains(config.resolve("development/adminUser.json").toString());
    });
  }

  @Test
  void trueWithoutMasterJsonOrHostAndPortIsAnErrorOnMasterFollow() {
    ConfigException e = catchThrowableOfType(() -> decide(master(Follow.TRUE, "", 0, "", "")),
      ConfigException.class);

    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.file()).isEqualTo(app.resolve("sidecar.yaml").toString());
      assertThat(problem.place()).isEqualTo("master.follow");
      assertThat(problem.rule()).contains("master.host and master.port");
    });
  }

  @Test
  void explicitHostPortAndCredentialsNeedNoFiles() throws Exception {
    MasterDiscovery.Decision decision = decide(master(Follow.TRUE, "10.0.0.9", 3105, "ops", YAML_PASSWORD));

    assertThat(decision.endpoint()).hasValue(new MasterEndpoint("10.0.0.9", 3105,
      new AdminCredentials("ops", YAML_PASSWORD, true)));
    assertThat(decision.why()).isEqualTo("sidecar.yaml's master.host and master.port");
    assertThat(decision.problems()).isEmpty();
  }

  /** A half-named user is a warning with auto, like bad Pomelo files, and an error with true. */
  @Test
  void aUsernameWithoutAPasswordIsAProblemOnMasterPassword() throws Exception {
    MasterDiscovery.Decision decision = decide(master(Follow.AUTO, "10.0.0.9", 3105, "ops", ""));
    assertThat(decision.endpoint()).isEmpty();
    assertThat(decision.problems()).extracting(ConfigProblem::place).containsExactly("master.password");

    ConfigException e = catchThrowableOfType(() -> decide(master(Follow.TRUE, "10.0.0.9", 3105, "ops", "")),
      ConfigException.class);
    assertThat(e.problems()).extracting(ConfigProblem::place).containsExactly("master.password");
  }

  @Test
  void theEnvironmentsFolderIsWherePomeloLooksNext() throws Exception {
    pomeloFiles("config/production");

    MasterDiscovery.Decision decision = decide(MasterConfig.defaults(), "production");

    assertThat(decision.endpoint()).hasValue(new MasterEndpoint("127.0.0.1", 3205,
      new AdminCredentials("admin", FILE_PASSWORD, true)));
    assertThat(decision.why()).contains(config.resolve("production/master.json").toString())
      .contains("user admin of " + config.resolve("production/adminUser.json"));
  }

  @Test
  void theMd5KeyReachesTheCredentialsWhereverTheyComeFrom() throws Exception {
    pomeloFiles("config");
    MasterConfig plain = MasterConfig.defaults();
    plain = new MasterConfig(plain.follow(), "", 0, "", "", null, false, plain.interval());

    assertThat(decide(plain).endpoint().orElseThrow().credentials())
      .isEqualTo(new AdminCredentials("admin", FILE_PASSWORD, false));
    MasterConfig explicit = new MasterConfig(Follow.TRUE, "", 0, "ops", YAML_PASSWORD, null, false,
      Duration.ofSeconds(1));
    MasterEndpoint endpoint = decide(explicit).endpoint().orElseThrow();
    // The file still says where the master is; sidecar.yaml says who to be.
    assertThat(endpoint).isEqualTo(new MasterEndpoint("127.0.0.1", 3205,
      new AdminCredentials("ops", YAML_PASSWORD, false)));
    assertThat(endpoint.credentials().passwordToSend()).isEqualTo(YAML_PASSWORD);
  }

  /** Reads master.json and adminUser.json from {@code folder}: the master on 3205, user admin. */
  private void pomeloFiles(String folder) throws IOException {
    write(folder + "/master.json", "{\"id\": \"master-server-1\", \"host\": \"127.0.0.1\", \"port\": 3205}");
    write(folder + "/adminUser.json", "[{\"id\": \"user-1\", \"username\": \"admin\", \"password\": \""
      + FILE_PASSWORD + "\", \"level\": 1}]");
  }

  private MasterDiscovery.Decision decide(MasterConfig master) throws ConfigException {
    return decide(master, "development");
  }

  private MasterDiscovery.Decision decide(MasterConfig master, String environment) throws ConfigException {
    SidecarConfig sidecar = fixture.config(config.resolve("servers.json"), List.of())
      .withPomelo(new PomeloConfig(config.resolve("servers.json"), environment))
      .withMaster(master);
    said.add(master.toString());
    MasterDiscovery.Decision decision;
    try {
      decision = MasterDiscovery.decide(sidecar, Map.of());
    } catch (ConfigException e) {
      said.add(e.getMessage());
      throw e;
    }
    said.add(decision.toString());
    said.add(decision.why());
    decision.problems().forEach(problem -> said.add(problem.toString()));
    return decision;
  }

  private static MasterConfig master(Follow follow, String host, int port, String username, String password) {
    return new MasterConfig(follow, host, port, username, password, null, true, Duration.ofSeconds(1));
  }

  private Path write(String name, String content) throws IOException {
    Path file = app.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }
}
