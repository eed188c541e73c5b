package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.pomelo.JsValue.JsNull;
import io.pomelo.sidecar.pomelo.JsValue.JsNumber;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import io.pomelo.sidecar.pomelo.JsValue.JsString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * servers.json files read as Pomelo 2.2.7 reads them: the frontends and the server count must be what Pomelo's own
 * loader makes of each file. Two sets: the project's fixtures ({@code src/test/resources/servers-fixtures}, one
 * oddity of real files each), which Pomelo reads live here through {@code src/test/pomelo/pomelo-reads.js}, so
 * they run in every checkout; and, when a checkout has it beside it, every real file in ../shared/servers-corpus
 * against its expected/ twin. The test names say which set each case is from.
 */
class ServersCorpusTest {

  /** Each fixture with the environments it defines; a flat file is one environment's (development). */
  private static final List<Arguments> FIXTURES = List.of(
    Arguments.of("servers-fixtures/nested-environments.json", "development"),
    Arguments.of("servers-fixtures/nested-environments.json", "production"),
    Arguments.of("servers-fixtures/flat-environment-directory.json", "development"),
    Arguments.of("servers-fixtures/deprecated-wsport.json", "development"),
    Arguments.of("servers-fixtures/frontends-of-any-type.json", "development"),
    Arguments.of("servers-fixtures/args-strings-and-flags.json", "production"),
    Arguments.of("servers-fixtures/args-strings-and-flags.json", "development"),
    Arguments.of("servers-fixtures/other-top-level-sections.json", "development"),
    Arguments.of("servers/cluster.json", "production"),
    Arguments.of("servers/tabs-no-final-newline.json", "development"));

  private static Path projectDir() {
    String projectDir = System.getProperty("sidecar.project.dir");
    return projectDir == null ? Path.of("").toAbsolutePath() : Path.of(projectDir);
  }

  static Path corpus() {
    return projectDir().resolve("../shared/servers-corpus").normalize();
  }

  static Stream<Arguments> fixtures() {
    return FIXTURES.stream();
  }

  @ParameterizedTest(name = "project fixture {0} {1}")
  @MethodSource("fixtures")
  void readsTheProjectsFixturesAsPomeloItselfDoes(String fixture, String environment) throws Exception {
    Path file = projectDir().resolve("src/test/resources").resolve(fixture);
    JsObject expected = pomeloReads(file, environment);

    ServersFile read = ServersFileReader.parse(fixture, file, Files.readAllBytes(file), environment);

    assertThat(read.frontends()).containsExactlyElementsOf(frontends(expected));
    assertThat(read.serverCount()).isEqualTo((int) ((JsNumber) expected.get("serverCount")).value());
  }

  /** What Pomelo 2.2.7's loader makes of {@code file}, from the line pomelo-reads.js prints after Pomelo's logs. */
  private static JsObject pomeloReads(Path file, String environment) throws Exception {
    Process node = new ProcessBuilder("node", "pomelo-reads.js", file.toString(), environment)
      .directory(projectDir().resolve("src/test/pomelo").toFile()).redirectErrorStream(true).start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("pomelo-reads.js finished").isTrue();
    assertThat(node.exitValue()).as("pomelo-reads.js: %s", output).isZero();
    String marker = "pomelo-reads: ";
    String line = output.lines().filter(l -> l.startsWith(marker)).reduce((a, b) -> b)
      .orElseThrow(() -> new AssertionError("no '" + marker + "' line in: " + output));
    byte[] json = line.substring(marker.length()).getBytes(StandardCharsets.UTF_8);
    return (JsObject) JsonTreeReader.read("pomelo-reads output", json).root();
  }

  static Stream<Arguments> fileAndEnvironment() throws Exception {
    // The corpus is shared material that must not be copied into the project; where it is absent (a clone on its
    // own) this check is reported as skipped, never as passed. The project's fixtures above run in every checkout.
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

  @ParameterizedTest(name = "shared corpus {0} {1}")
  @MethodSource("fileAndEnvironment")
  void readsTheSharedCorpusLikePomelo(String fileName, String environment) throws Exception {
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
