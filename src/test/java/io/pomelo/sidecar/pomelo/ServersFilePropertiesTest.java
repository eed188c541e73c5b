package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RoutePlanner;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Configuration;
import org.quicktheories.generators.Generate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Whatever bytes servers.json holds, {@link ServersFileReader#parse} either returns a {@link ServersFile} or throws
 * a {@link ConfigException} naming at least one problem, within a time bound; never another exception, never a
 * hang. The route planner then does the same with whatever the reader returned. Inputs come from the QuickTheories
 * generators in {@link JsonVariants}, with a new seed each run; a failure shows the shrunk input and "Seed was N",
 * and {@code -DQT_SEED=N} replays it ({@code -DQT_EXAMPLES=N} for more examples).
 */
class ServersFilePropertiesTest {

  /** A legal clusterCount of 65535 alone takes about 2 s on a cold JVM sharing 2 cores. */
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final Path FLAT = Path.of("config", "servers.json");
  private static final Path IN_ENVIRONMENT_FOLDER = Path.of("config", "development", "servers.json");
  private static final int EXAMPLES = Integer.getInteger(Configuration.EXAMPLES, 400);

  @Test
  void nearlyRightServersFilesAreReadOrRefused() {
    AtomicInteger readWithFrontends = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    examples().forAll(JsonVariants.SERVERS_FILE, Generate.pick(List.of(FLAT, IN_ENVIRONMENT_FOLDER)))
      .checkAssert((json, path) -> {
        Object outcome = readOrRefuse(json.getBytes(StandardCharsets.UTF_8), path, BOUND);
        if (outcome instanceof ConfigException) {
          refused.incrementAndGet();
        } else if (!((ServersFile) outcome).frontends().isEmpty()) {
          readWithFrontends.incrementAndGet();
        }
      });
    // Otherwise the generator tests only one side of the reader.
    assertThat(readWithFrontends).hasPositiveValue();
    assertThat(refused).hasPositiveValue();
  }

  @Test
  void anyJsonIsReadOrRefused() {
    examples().forAll(JsonVariants.ANY_JSON)
      .checkAssert(json -> readOrRefuse(json.getBytes(StandardCharsets.UTF_8), FLAT, BOUND));
  }

  @Test
  void brokenBytesAreReadOrRefused() {
    examples().forAll(JsonVariants.BROKEN).checkAssert(bytes -> readOrRefuse(bytes, FLAT, BOUND));
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    for (String open : List.of("[", "{\"a\":")) {
      String json = "{\"development\": " + open.repeat(200_000);
      assertThat(readOrRefuse(json.getBytes(StandardCharsets.UTF_8), FLAT, BOUND))
        .isInstanceOf(ConfigException.class);
    }
    String closedDeep = "{\"development\": {\"gate\": [" + "[".repeat(5000) + "]".repeat(5000) + "]}}";
    readOrRefuse(closedDeep.getBytes(StandardCharsets.UTF_8), FLAT, BOUND);
  }

  @Test
  void numbersOfAnySizeAreReadOrRefused() {
    examples().forAll(JsonVariants.NUMBER).checkAssert(n -> readOrRefuse(("{\"development\": {\"connector\": "
      + "[{\"id\": \"c\", \"host\": \"127.0.0.1\", \"port\": 4050, \"clientPort\": " + n + ", \"frontend\": true}]}}")
      .getBytes(StandardCharsets.UTF_8), FLAT, BOUND));
  }

  @Test
  void clusterCountsThatAddUpToTooManyServersAreRefused() {
    StringBuilder bomb = new StringBuilder("{\"development\": {\"connector\": [");
    for (int i = 0; i < 40; i++) {
      bomb.append(i == 0 ? "" : ",").append("{\"id\": \"c\", \"host\": \"127.0.0.1\", \"port\": 4050, "
        + "\"clientPort\": 3000, \"frontend\": true, \"clusterCount\": 65535}");
    }
    // 4 KB that once expanded to 2.6 million servers and ran out of memory.
    Object outcome = readOrRefuse(bomb.append("]}}").toString().getBytes(StandardCharsets.UTF_8), FLAT,
      Duration.ofSeconds(10));
    assertThat(outcome).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
      .contains("add up to more than 65535 servers"));
  }

  @Test
  void tenMegabyteFilesAreReadOrRefusedInTime() {
    StringBuilder many = new StringBuilder("{\"development\": {\"connector\": [");
    int i = 0;
    while (many.length() < 10_000_000) {
      many.append(i == 0 ? "" : ",").append("{\"id\": \"connector-server-").append(i)
        .append("\", \"host\": \"127.0.0.1\", \"port\": ").append(4000 + i % 20000)
        .append(", \"clientPort\": ").append(1024 + i % 60000).append(", \"frontend\": true}");
      i++;
    }
    many.append("]}}");
    readOrRefuse(many.toString().getBytes(StandardCharsets.UTF_8), FLAT, Duration.ofSeconds(20));
    String oneLongId = "{\"development\": {\"gate\": [{\"id\": \"" + "g".repeat(10_000_000)
      + "\", \"host\": \"127.0.0.1\", \"clientPort\": 3014, \"frontend\": true}]}}";
    readOrRefuse(oneLongId.getBytes(StandardCharsets.UTF_8), FLAT, Duration.ofSeconds(20));
  }

  private static QuickTheory examples() {
    return QuickTheory.qt().withExamples(EXAMPLES);
  }

  /** Parses, then plans routes from what was parsed; returns the ServersFile or the ConfigException. */
  private static Object readOrRefuse(byte[] content, Path path, Duration bound) {
    return assertTimeoutPreemptively(bound, () -> {
      ServersFile file;
      try {
        file = ServersFileReader.parse(path.toString(), path, content, "development");
      } catch (ConfigException e) {
        assertNamesProblems(e);
        return e;
      }
      assertThat(file.frontends()).allSatisfy(f -> assertThat(f.clientPort()).isBetween(1, 65535));
      Set<String> ids = file.frontends().stream().map(FrontendServer::id).collect(Collectors.toSet());
      assertThat(ids).as("distinct frontend ids").hasSize(file.frontends().size());
      try {
        RoutePlan plan = new RoutePlanner(RoutesConfig.defaults(), "sidecar.yaml").plan(file);
        // Every route is a well-formed prefix, and reaches only servers the file declared as frontends.
        assertThat(plan.table().routes()).allSatisfy(route -> {
          assertThat(route.path()).startsWith("/").endsWith("/");
          assertThat(route.targets()).allMatch(target -> ids.contains(target.serverId()), "a declared frontend");
        });
      } catch (ConfigException e) {
        assertNamesProblems(e);
      }
      return file;
    });
  }

  private static void assertNamesProblems(ConfigException e) {
    assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
      assertThat(p.file()).isNotBlank();
      assertThat(p.rule()).isNotBlank();
    });
    assertThat(e.getMessage()).isNotBlank();
  }
}
