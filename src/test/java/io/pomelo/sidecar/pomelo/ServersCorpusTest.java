package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.pomelo.JsValue.JsNull;
import io.pomelo.sidecar.pomelo.JsValue.JsNumber;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import io.pomelo.sidecar.pomelo.JsValue.JsString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real servers.json in ../shared/servers-corpus, for every environment its expected/ twin lists: the
 * frontends and server count must be what Pomelo 2.2.7's own loader produced.
 */
class ServersCorpusTest {

  static Path corpus() {
    String projectDir = System.getProperty("sidecar.project.dir");
    Path base = projectDir == null ? Path.of("").toAbsolutePath() : Path.of(projectDir);
    return base.resolve("../shared/servers-corpus").normalize();
  }

  static Stream<Arguments> fileAndEnvironment() throws Exception {
    // The corpus is shared material that must not be copied into the project; where it is absent (a clone on its
    // own) this check is reported as skipped, never as passed. The project's own fixtures still test the parser.
    Assumptions.assumeTrue(Files.isDirectory(corpus()), "no servers.json corpus at " + corpus());
    List<Arguments> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(corpus())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        for (String environment : expected(file).keys()) {
          cases.add(Arguments.of(file.getFileName().toString(), environment));
        }
      }
    }
    assertThat(cases).as("corpus at " + corpus()).hasSizeGreaterThan(19);
    return cases.stream();
  }

  /** Shows up as skipped, with the reason, in a clone without the corpus beside it; the cases below then vanish. */
  @Test
  void theCorpusIsBesideTheProject() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(corpus()), "no servers.json corpus at " + corpus());
    try (Stream<Path> files = Files.list(corpus())) {
      assertThat(files.filter(f -> f.toString().endsWith(".json")).count()).isPositive();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fileAndEnvironment")
  void readsLikePomelo(String fileName, String environment) throws Exception {
    Path file = corpus().resolve(fileName);
    JsObject expected = (JsObject) expected(file).get(environment);

    ServersFile read = ServersFileReader.parse(fileName, file, Files.readAllBytes(file), environment);

    assertThat(read.frontends()).containsExactlyElementsOf(frontends(expected));
    assertThat(read.serverCount()).isEqualTo((int) ((JsNumber) expected.get("serverCount")).value());
    assertThat(read.environment()).isEqualTo(environment);
  }

  private static JsObject expected(Path file) throws IOException, Exception {
    Path twin = file.resolveSibling("expected").resolve(file.getFileName());
    return (JsObject) JsonTreeReader.read(twin.toString(), Files.readAllBytes(twin)).root();
  }

  private static List<FrontendServer> frontends(JsObject expected) {
    List<FrontendServer> frontends = new ArrayList<>();
    for (JsValue value : ((JsValue.JsArray) expected.get("frontends")).elements()) {
      JsObject f = (JsObject) value;
      frontends.add(new FrontendServer(
        ((JsString) f.get("id")).value(),
        ((JsString) f.get("serverType")).value(),
        ((JsString) f.get("host")).value(),
        f.get("clientHost") instanceof JsNull ? null : ((JsString) f.get("clientHost")).value(),
        (int) ((JsNumber) f.get("clientPort")).value()));
    }
    return frontends;
  }
}
