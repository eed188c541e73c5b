package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sample conf/servers.json shipped with the sidecar: two frontends and a backend, in both environments. */
class ServersSampleTest {

  @ParameterizedTest
  @ValueSource(strings = {"development", "production"})
  void sampleHasAGateAndAConnector(String environment) throws Exception {
    String projectDir = System.getProperty("sidecar.project.dir");
    Path base = projectDir == null ? Path.of("").toAbsolutePath() : Path.of(projectDir);

    ServersFile file = ServersFileReader.read(base.resolve("conf/servers.json"), environment);

    assertThat(file.frontends()).containsExactly(
      new FrontendServer("gate-server-1", "gate", "127.0.0.1", null, 3014),
      new FrontendServer("connector-server-1", "connector", "127.0.0.1", null, 3050));
    assertThat(file.serverCount()).isEqualTo(3);
    assertThat(file.warnings()).isEmpty();
  }
}
