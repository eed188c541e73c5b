package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where Pomelo finds servers.json, which part of it it uses, and what it makes of each server. */
class ServersFileReaderTest {

  private static final String NESTED = """
    {
      "development": {
        "connector": [{"id": "connector-dev", "host": "127.0.0.1", "port": 4050, "clientPort": 3050, "frontend": true}]
      },
      "production": {
        "connector": [{"id": "connector-prod", "host": "10.0.0.5", "port": 4050, "clientPort": 3050, "frontend": true}],
        "chat": [{"id": "chat-prod", "host": "10.0.0.6", "port": 6050}]
      }
    }""";

  private static final String FLAT = """
    {"gate": [{"id": "gate-1", "host": "127.0.0.1", "clientPort": 3014, "frontend": true}],
     "chat": [{"id": "chat-1", "host": "127.0.0.1", "port": 6050}]}""";

  @TempDir
  Path dir;

  @Test
  void nestedFileUsesTheChosenEnvironment() throws Exception {
    ServersFile file = ServersJson.parse(NESTED, "production");

    assertThat(file.frontends()).containsExactly(new FrontendServer("connector-prod", "connector", "10.0.0.5", null, 3050));
    assertThat(file.serverCount()).isEqualTo(2);
    assertThat(file.environment()).isEqualTo("production");
    assertThat(file.path()).isEqualTo(ServersJson.PATH);
  }

  @Test
  void flatFileIsEveryEnvironment() throws Exception {
    for (String environment : new String[] {"development", "production"}) {
      ServersFile file = ServersJson.parse(FLAT, environment);

      assertThat(file.frontends()).containsExactly(new FrontendServer("gate-1", "gate", "127.0.0.1", null, 3014));
      assertThat(file.serverCount()).isEqualTo(2);
    }
  }

  @Test
  void readsTheEnvironmentDirectoryWhenConfigServersJsonIsAbsent() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.createDirectories(config.resolve("production"));
    Files.writeString(config.resolve("production/servers.json"), FLAT);

    ServersFile file = ServersFileReader.read(config.resolve("servers.json"), "production");

    assertThat(file.path()).isEqualTo(config.resolve("production/servers.json"));
    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("gate-1");
  }

  @Test
  void prefersConfigServersJsonOverTheEnvironmentDirectory() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.createDirectories(config.resolve("development"));
    Files.writeString(config.resolve("servers.json"), NESTED);
    Files.writeString(config.resolve("development/servers.json"), FLAT);

    ServersFile file = ServersFileReader.read(config.resolve("servers.json"), "development");

    assertThat(file.path()).isEqualTo(config.resolve("servers.json"));
    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("connector-dev");
  }

  @Test
  void aFileInTheEnvironmentDirectoryIsUsedWholeAndMustNotBeNested() throws Exception {
    Path production = Files.createDirectories(dir.resolve("config/production"));
    Files.writeString(production.resolve("servers.json"), NESTED);

    ConfigException e = catchThrowableOfType(ConfigException.class,
      () -> ServersFileReader.read(dir.resolve("config/servers.json"), "production"));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(production.resolve("servers.json").toString());
      assertThat(p.rule()).contains("nested by environment (development, production)");
    });
  }

  @Test
  void namesBothPathsWhenNeitherExists() {
    Path servers = dir.resolve("config/servers.json");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServersFileReader.read(servers, "staging"));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(servers.toString());
      assertThat(p.rule()).contains(dir.resolve("config/staging/servers.json").toString());
    });
  }

  @Test
  void missingEnvironmentNamesTheEnvironmentsTheFileHas() {
    ConfigProblem problem = ServersJson.problems(NESTED, "staging").get(0);

    assertThat(problem.place()).isEqualTo("staging");
    assertThat(problem.value()).isNull();
    assertThat(problem.rule()).startsWith("no such environment in this file; it has development, production");
    assertThat(problem.toString()).startsWith("servers.json: staging: no such environment");
  }

  @Test
  void anEmptyEnvironmentValueCountsAsMissingAsInPomelo() {
    // Pomelo's `if (file[env])` skips null, and the whole file then has no server arrays.
    ConfigProblem problem = ServersJson.problems("{\"development\": {\"gate\": []}, \"production\": null}", "production")
      .get(0);

    assertThat(problem.place()).isEqualTo("production");
    assertThat(problem.value()).isEqualTo("null");
    assertThat(problem.rule()).contains("it has development");
  }

  @Test
  void anEnvironmentThatIsNotAnObjectIsAProblem() {
    ConfigProblem problem = ServersJson.problems("{\"production\": [1, 2]}", "production").get(0);

    assertThat(problem.place()).isEqualTo("production");
    assertThat(problem.value()).isEqualTo("[1,2]");
  }

  @Test
  void frontendMayBeTheStringTrueAndPortsMayBeStrings() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"connector": [
        {"id": "c1", "host": "127.0.0.1", "clientPort": "3050", "frontend": "true"},
        {"id": "c2", "host": "127.0.0.1", "clientPort": 3051, "frontend": "yes"},
        {"id": "c3", "host": "127.0.0.1", "clientPort": 3052.0, "frontend": true}
      ]}""", "development");

    // "yes" is not frontend: Pomelo's isFrontend compares with 'true'.
    assertThat(file.frontends()).extracting(FrontendServer::id, FrontendServer::clientPort)
      .containsExactly(tuple("c1", 3050), tuple("c3", 3052));
    assertThat(file.serverCount()).isEqualTo(3);
  }

  @Test
  void readsTabsMissingFinalNewlineIdsNamedLikeTypesAndPortEqualToClientPort() throws Exception {
    ServersFile file = ServersJson.parseFixture("tabs-no-final-newline.json", "development");

    assertThat(file.frontends()).containsExactly(
      new FrontendServer("gate", "gate", "127.0.0.1", null, 3014),
      new FrontendServer("connector", "connector", "127.0.0.1", null, 3050),
      new FrontendServer("connector-2", "connector", "127.0.0.1", "game.example.com", 3051));
    assertThat(file.serverCount()).isEqualTo(4);
    assertThat(file.warnings()).isEmpty();
  }

  @Test
  void keepsJavaScriptKeyOrderWhereIntegerLikeIdsComeFirst() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"connector": [
        {"id": "connector-a", "host": "h", "clientPort": 3050, "frontend": true},
        {"id": "20", "host": "h", "clientPort": 3051, "frontend": true},
        {"id": 3, "host": "h", "clientPort": 3052, "frontend": true}
      ]}""", "development");

    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("3", "20", "connector-a");
  }

  @Test
  void stripsAByteOrderMark() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] json = FLAT.getBytes(StandardCharsets.UTF_8);
    byte[] content = new byte[bom.length + json.length];
    System.arraycopy(bom, 0, content, 0, bom.length);
    System.arraycopy(json, 0, content, bom.length, json.length);

    ServersFile file = ServersFileReader.parse("servers.json", ServersJson.PATH, content, "development");

    assertThat(file.frontends()).hasSize(1);
  }

  @Test
  void sha256IsOfTheBytes() throws Exception {
    ServersFile file = ServersJson.parse("{\"gate\": []}", "development");

    // printf '{"gate": []}' | sha256sum
    assertThat(file.sha256()).isEqualTo("9f58b16701f0cd8fb0ead5b7f83606ce643a51f7cea1ebfcebc4d1bbafddfd1a");
  }
}
