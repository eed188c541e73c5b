package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RoutePlanner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Whatever bytes servers.json holds, {@link ServersFileReader#parse} either returns a {@link ServersFile} or throws
 * a {@link ConfigException} naming at least one problem, within a time bound; never another exception, never a
 * hang. The route planner then does the same with whatever the reader returned. Inputs come from
 * {@link JsonVariants}; set {@code -Dservers.seed=N} to replay one seed, {@code -Dservers.tries=N} for more.
 */
class ServersFilePropertiesTest {

  /** A legal clusterCount of 65535 alone takes about 2 s on a cold JVM sharing 2 cores. */
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final Path FLAT = Path.of("config", "servers.json");
  private static final Path IN_ENVIRONMENT_FOLDER = Path.of("config", "development", "servers.json");
  private static final long FIRST_SEED = Long.getLong("servers.seed", 20_261_125L);
  private static final int TRIES = Integer.getInteger("servers.tries", Long.getLong("servers.seed") == null ? 400 : 1);

  @Test
  void nearlyRightServersFilesAreReadOrRefused() {
    forEachSeed(v -> v.serversFile().getBytes(StandardCharsets.UTF_8), FLAT);
    forEachSeed(v -> v.serversFile().getBytes(StandardCharsets.UTF_8), IN_ENVIRONMENT_FOLDER);
  }

  @Test
  void anyJsonIsReadOrRefused() {
    forEachSeed(v -> v.anyJson().getBytes(StandardCharsets.UTF_8), FLAT);
  }

  @Test
  void brokenBytesAreReadOrRefused() {
    forEachSeed(JsonVariants::broken, FLAT);
  }

  @Test
  void someVariantsAreReadAndSomeRefused() {
    int read = 0;
    int refused = 0;
    for (int i = 0; i < TRIES; i++) {
      Object outcome = readOrRefuse(new JsonVariants(FIRST_SEED + i).serversFile()
        .getBytes(StandardCharsets.UTF_8), FLAT, BOUND);
      if (outcome instanceof ServersFile) {
        read++;
      } else {
        refused++;
      }
    }
    // Otherwise the generator tests only one side of the reader.
    assertThat(read).isPositive();
    assertThat(refused).isPositive();
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
  void hugeNumbersAreReadOrRefused() {
    for (String n : List.of("1e400", "-1e400", "99999999999999999999999", "3050.0000000001", "-0",
      "1" + "0".repeat(5000), "65536", "-1", "4.9e-324")) {
      readOrRefuse(("{\"development\": {\"connector\": [{\"id\": \"c\", \"host\": \"127.0.0.1\", \"port\": 4050, "
        + "\"clientPort\": " + n + ", \"frontend\": true}]}}").getBytes(StandardCharsets.UTF_8), FLAT, BOUND);
    }
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

  private static void forEachSeed(Function<JsonVariants, byte[]> variant, Path path) {
    for (int i = 0; i < TRIES; i++) {
      long seed = FIRST_SEED + i;
      byte[] content = variant.apply(new JsonVariants(seed));
      try {
        readOrRefuse(content, path, BOUND);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -Dservers.seed=" + seed + "), input: "
          + abbreviated(new String(content, StandardCharsets.UTF_8)), e);
      }
    }
  }

  /** Parses, then plans routes from what was parsed; returns the ServersFile or the ConfigException. */
  private static Object readOrRefuse(byte[] content, Path path, Duration bound) {
    return assertTimeoutPreemptively(bound, () -> {
      ServersFile file;
      try {
        file = ServersFileReader.parse(path.toString(), path, content, "development");
      } catch (ConfigException e) {
        assertThat(e.problems()).isNotEmpty();
        assertThat(e.getMessage()).isNotBlank();
        return e;
      }
      assertThat(file.frontends()).allSatisfy(f -> assertThat(f.id()).isNotNull());
      try {
        RoutePlan plan = new RoutePlanner(RoutesConfig.defaults(), "sidecar.yaml").plan(file);
        assertThat(plan.table()).isNotNull();
      } catch (ConfigException e) {
        assertThat(e.problems()).isNotEmpty();
      }
      return file;
    });
  }

  private static String abbreviated(String s) {
    return s.length() <= 400 ? s : s.substring(0, 400) + "...";
  }
}
