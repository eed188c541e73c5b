package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PomeloEnvironmentTest {

  @Test
  void configuredWinsOverNodeEnv() {
    assertThat(PomeloEnvironment.resolve("production", Map.of("NODE_ENV", "staging"))).isEqualTo("production");
  }

  @Test
  void nodeEnvWhenNothingIsConfigured() {
    assertThat(PomeloEnvironment.resolve(null, Map.of("NODE_ENV", "staging"))).isEqualTo("staging");
    assertThat(PomeloEnvironment.resolve(" ", Map.of("NODE_ENV", "staging"))).isEqualTo("staging");
  }

  @Test
  void developmentOtherwise() {
    assertThat(PomeloEnvironment.resolve(null, Map.of())).isEqualTo("development");
    assertThat(PomeloEnvironment.resolve("", Map.of("NODE_ENV", ""))).isEqualTo("development");
  }
}
