package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.SpecialFiles;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@code check} on real files: the table, the JSON the admin API serves, every problem at once, warnings. */
class CheckCommandTest {

  @TempDir
  Path dir;

  private Path config;

  @BeforeEach
  void writeFiles() throws Exception {
    config = sidecarYaml(dir, "servers.json");
    Files.writeString(dir.resolve("servers.json"), """
      {
        "development": {
          "gate": [{"id": "gate-server-1", "host": "127.0.0.1", "clientPort": 3014, "frontend": true}],
          "connector": [
            {"id": "connector-server-1", "host": "127.0.0.1", "port": 4050, "clientPort": 3050, "frontend": true},
            {"id": "connector-server-2", "host": "127.0.0.1", "port": 4051, "clientPort": 3051, "frontend": true}
          ]
        },
        "production": {
          "gate": [{"id": "gate-server-1", "host": "10.0.0.5", "clientPort": 3014, "frontend": true}],
          "connector": [
            {"id": "connector-server-1", "host": "10.0.0.6", "port": 4050, "clientPort": 3050, "frontend": true}
          ]
        }
      }
      """);
  }

  /**
   * A sidecar.yaml in {@code dir} reading {@code serversFile}, with the development certificate made in
   * {@code dir/state}, ephemeral ports and a connector type and alias.
   */
  static Path sidecarYaml(Path dir, String serversFile) throws IOException {
    new TestSidecar(dir);
    return Files.writeString(dir.resolve("sidecar.yaml"), """
      listen: {host: 127.0.0.1, port: 0}
      tls:
        certificates:
          - certFile: state/dev-cert.pem
            keyFile: state/dev-key.pem
      pomelo:
        serversFile: %s
        environment: development
      routes:
        types:
          connector: {stripPrefix: true}
        aliases:
          - path: /conn/
            serverType: connector
      admin: {host: 127.0.0.1, port: 0}
      state: {dir: state}
      """.formatted(serversFile));
  }

  @AfterEach
  void forgetStateDir() {
    System.clearProperty("pomelo-sidecar.state.dir");
  }

  @Test
  void printsTheRouteTableAlignedAndExitsZero() {
    Result result = run("check", "--config", config.toString());
    assertThat(result.code).as(result.err).isZero();
    assertThat(result.err).isEmpty();
    List<String> lines = result.out.lines().toList();
    assertThat(lines.get(0)).isEqualTo(config + ": ok, 6 routes");
    assertThat(lines).contains("socket.io: polls held up to 60s (proxy.responseTimeout); sessions kept on their "
      + "server on /connector/, /conn/");
    assertThat(lines).contains("master: not followed: no master.json in " + dir + " or " + dir.resolve("development"));
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("PATH")).findFirst().orElseThrow());
    List<String> table = lines.subList(header, lines.size());
    assertThat(table).containsExactly(
      "PATH                  TARGET          SERVER              TYPE       KIND    PREFIX",
      "/gate-server-1/       127.0.0.1:3014  gate-server-1       gate       server  kept",
      "/connector-server-1/  127.0.0.1:3050  connector-server-1  connector  server  stripped",
      "/connector-server-2/  127.0.0.1:3051  connector-server-2  connector  server  stripped",
      "/gate/                127.0.0.1:3014  gate-server-1       gate       type    kept",
      "/connector/           127.0.0.1:3050  connector-server-1  connector  type    stripped",
      "                      127.0.0.1:3051  connector-server-2",
      "/conn/                127.0.0.1:3050  connector-server-1  connector  alias   stripped",
      "                      127.0.0.1:3051  connector-server-2");
  }

  @Test
  void anOrderedCertificateIsShownWithItsStateAndTheLastFailureKept() throws Exception {
    Path yaml = Files.writeString(dir.resolve("acme.yaml"), """
      listen: {host: 127.0.0.1, port: 0}
      tls:
        acme: {directory: "https://127.0.0.1:1/dir", agreeToTerms: true, domains: [game.example.com]}
      pomelo: {serversFile: servers.json, environment: development}
      admin: {host: 127.0.0.1, port: 0}
      state: {dir: state}
      """);
    Result pending = run("check", "--config", yaml.toString());
    assertThat(pending.code).as(pending.err).isZero();
    assertThat(pending.out).contains("ordered: game.example.com from https://127.0.0.1:1/dir: none stored yet, a "
      + "self-signed stand-in is served until the CA issues one");
    Path store = dir.resolve("state/acme/127.0.0.1_1/game.example.com");
    Files.writeString(store.resolve("last-error.txt"), "2026-12-03T00:00:00Z urn:ietf:params:acme:error:rateLimited: "
      + "too many certificates\n");
    io.pomelo.sidecar.tls.SelfSignedCertificate.write(store.resolve("fullchain.pem"), store.resolve("privkey.pem"),
      List.of("game.example.com"), java.time.Instant.now(), Duration.ofDays(90));
    Result stored = run("check", "--config", yaml.toString());
    assertThat(stored.out).containsPattern("ordered: game.example.com from https://127.0.0.1:1/dir: valid until \\S+, "
      + "renewed from \\S+");
    assertThat(stored.out).contains("  last failure: 2026-12-03T00:00:00Z urn:ietf:params:acme:error:rateLimited: "
      + "too many certificates");
  }

  /** The same routes as the admin API, field for field, less what only a running sidecar knows (counts, health). */
  @Test
  void jsonIsWhatTheAdminApiServesWithoutTheLiveState() throws Exception {
    Result result = run("check", "--config", config.toString(), "--json");
    assertThat(result.code).as(result.err).isZero();
    JsonArray fromCheck = new JsonArray(result.out);

    Vertx vertx = Vertx.vertx();
    try {
      SidecarConfig loaded = await(new SidecarConfigLoader(vertx, Map.of(), new Properties()).load(config));
      Sidecar sidecar = await(Sidecar.start(vertx, loaded));
      String body = await(vertx.createHttpClient()
        .request(HttpMethod.GET, sidecar.adminPort(), "127.0.0.1", "/api/routes")
        .compose(req -> req.send().compose(resp -> resp.body()))).toString();
      assertThat(fromCheck).isEqualTo(withoutLiveState(new JsonArray(body)));
      assertThat(fromCheck).hasSize(6);
      assertThat(fromCheck.getJsonObject(5).getString("path")).isEqualTo("/conn/");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void printsEveryProblemOnItsOwnLineAndExitsOne() throws Exception {
    Files.delete(dir.resolve("state/dev-key.pem"));
    Files.writeString(dir.resolve("servers.json"), """
      {"development": {
        "gate": [{"id": "gate-server-1", "host": "127.0.0.1", "clientPort": 70000, "frontend": true}],
        "connector": [{"id": "connector-server-1", "host": "127.0.0.1", "frontend": true}]
      }}
      """);
    Result result = run("check", "--config", config.toString());
    assertThat(result.code).isEqualTo(1);
    assertThat(result.out).isEmpty();
    List<String> problems = result.err.lines().skip(1).toList();
    assertThat(result.err.lines().findFirst()).hasValue("pomelo-sidecar: the configuration has " + problems.size()
      + " problems:");
    assertThat(problems).hasSizeGreaterThanOrEqualTo(3);
    assertThat(problems).anySatisfy(p -> assertThat(p)
      .startsWith("  " + dir.resolve("state/dev-key.pem") + ": tls.certificates[0].keyFile: "));
    assertThat(problems).anySatisfy(p -> assertThat(p)
      .startsWith("  " + dir.resolve("servers.json") + ": development.gate[0].clientPort = 70000: "));
    assertThat(problems).anySatisfy(p -> assertThat(p)
      .startsWith("  " + dir.resolve("servers.json") + ": development.connector[0]"));
  }

  /** Refused from a stat, never opened: a FIFO read would wait for a writer, and check and run with it. */
  @Test
  void aFifoServersJsonAndADirectoryKeyAreProblemsForCheckAndRunNotAHang() throws Exception {
    Path servers = SpecialFiles.fifo(dir.resolve("servers.json"));
    Path key = dir.resolve("state/dev-key.pem");
    Files.delete(key);
    Files.createDirectory(key);
    for (String command : List.of("check", "run")) {
      Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run(command, "--config",
        config.toString()));
      assertThat(result.code).as(command).isEqualTo(1);
      assertThat(result.err.lines().toList()).as(command).containsExactly(
        "pomelo-sidecar: the configuration has 2 problems:",
        "  " + key + ": tls.certificates[0].keyFile: is a directory, not a regular file",
        "  " + servers + ": is a FIFO, not a regular file");
    }
  }

  @Test
  void aServersJsonOverReloadMaxFileSizeIsAProblem() throws Exception {
    Files.writeString(config, Files.readString(config) + "reload: {maxFileSize: 512}\n");
    Path servers = dir.resolve("servers.json");
    Result result = run("check", "--config", config.toString());
    assertThat(result.code).isEqualTo(1);
    assertThat(result.err).contains("  " + servers + ": is " + Files.size(servers)
      + " bytes, over reload.maxFileSize (512 bytes)");
  }

  @Test
  void problemsInTheConfigurationFileAreAllPrinted() throws Exception {
    Files.writeString(config, Files.readString(config)
      .replace("port: 0}", "port: 99999}")
      .replace("environment: development", "enviroment: development"));
    Result result = run("check", "--config", config.toString());
    assertThat(result.code).isEqualTo(1);
    assertThat(result.err).contains(config + ": listen.port = 99999: must be a port number from 0 to 65535")
      .contains(config + ": admin.port = 99999: must be a port number from 0 to 65535")
      .contains(config + ": pomelo.enviroment: unknown key");
  }

  @Test
  void warningsArePrintedButDoNotFail() throws Exception {
    Files.writeString(dir.resolve("servers.json"), """
      {"development": {
        "gate": [{"id": "gate-server-1", "host": "127.0.0.1", "clientPort": 3014, "frontend": true}],
        "gate": [{"id": "gate-server-9", "host": "127.0.0.1", "clientPort": 3019, "frontend": true}],
        "connector": [{"id": "connector server 1", "host": "127.0.0.1", "clientPort": 3050, "frontend": true}]
      }}
      """);
    Result result = run("check", "--config", config.toString());
    assertThat(result.code).as(result.err).isZero();
    assertThat(result.err.lines().toList()).allSatisfy(line -> assertThat(line).startsWith("warning: "))
      .anySatisfy(line -> assertThat(line).contains(dir.resolve("servers.json") + ": ").contains("development.gate"))
      .anySatisfy(line -> assertThat(line).contains("connector server 1 gets no /<serverId>/ route"));
    assertThat(result.out).contains("/gate-server-9/").doesNotContain("/gate-server-1/");
  }

  /** A short response timeout cuts socket.io's held polls; a webSocketOnly type refuses them: said, not failed. */
  @Test
  void socketIoNotesSayWhatCutsOrRefusesPolling() throws Exception {
    Files.writeString(config, Files.readString(config)
      .replace("connector: {stripPrefix: true}", "connector: {stripPrefix: true, webSocketOnly: true}")
      .replace("listen: {host: 127.0.0.1, port: 0}", "listen: {host: 127.0.0.1, port: 8443}")
      + "proxy: {responseTimeout: 20s}\n");
    String warning = "warning: " + config + ": proxy.responseTimeout = 20s: under 30s: a socket.io connector holds "
      + "each long-poll up to its ping interval (25s by default), so a poll held longer would get 504 and end its "
      + "session";

    Result check = run("check", "--config", config.toString());
    assertThat(check.code).as(check.err).isZero();
    assertThat(check.err.lines().toList()).containsExactly(warning);
    assertThat(check.out.lines().toList()).contains("socket.io: polls held up to 20s (proxy.responseTimeout); no "
      + "polling (webSocketOnly, 426) for type connector");

    Result export = run("export-nginx", "--config", config.toString());
    assertThat(export.code).as(export.err).isZero();
    assertThat(export.err.lines().toList()).containsExactly(warning);
  }

  /** Unverified backends are allowed, so said and not failed; by check and by export-nginx, whose config says so too. */
  @Test
  void insecureBackendTlsIsAWarning() throws Exception {
    Files.writeString(config, Files.readString(config)
      .replace("connector: {stripPrefix: true}", "connector: {stripPrefix: true, tls: true, tlsServerName: game.test}")
      .replace("listen: {host: 127.0.0.1, port: 0}", "listen: {host: 127.0.0.1, port: 8443}")
      + "proxy: {backendTls: {insecure: true}}\n");
    String warning = "warning: " + config + ": proxy.backendTls.insecure = true: backend certificates are not "
      + "verified (neither chain nor name); for self-signed certificates on loopback only";

    Result check = run("check", "--config", config.toString());
    assertThat(check.code).as(check.err).isZero();
    assertThat(check.err.lines().toList()).containsExactly(warning);

    Result export = run("export-nginx", "--config", config.toString());
    assertThat(export.code).as(export.err).isZero();
    assertThat(export.err.lines().toList()).containsExactly(warning);
    assertThat(export.out).contains("proxy_ssl_verify off;").contains("proxy_pass https://pomelo_connector/;");
  }

  @Test
  void envChoosesThePomeloEnvironment() {
    Result result = run("check", "--config", config.toString(), "--env", "production");
    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out).contains("(environment production, 2 frontends of 2 servers)")
      .contains("/gate-server-1/       10.0.0.5:3014")
      .doesNotContain("connector-server-2");

    Result missing = run("check", "--config", config.toString(), "--env", "staging");
    assertThat(missing.code).isEqualTo(1);
    assertThat(missing.err).contains(dir.resolve("servers.json") + ": staging: no such environment in this file");
  }

  @Test
  void devWorksWithTheSampleConfigurationOfAFreshClone() {
    System.setProperty("pomelo-sidecar.state.dir", dir.resolve("fresh-state").toString());
    Path sample = Path.of(System.getProperty("sidecar.project.dir", "."), "conf/sidecar.yaml");
    Result result = run("check", "--dev", "--config", sample.toString());
    assertThat(result.code).as(result.err).isZero();
    assertThat(result.out).contains("listen:  127.0.0.1:8443 (TLS)")
      .contains("certificate: " + dir.resolve("fresh-state/dev-cert.pem") + " for localhost")
      .contains("/conn/ ");
    assertThat(dir.resolve("fresh-state/dev-key.pem")).exists();
  }

  private static JsonArray withoutLiveState(JsonArray routes) {
    JsonArray result = new JsonArray();
    for (int i = 0; i < routes.size(); i++) {
      JsonObject route = routes.getJsonObject(i).copy();
      for (String live : List.of("activeConnections", "totalConnections", "bytesIn", "bytesOut")) {
        route.remove(live);
      }
      JsonArray targets = new JsonArray();
      for (Object t : route.getJsonArray("targets")) {
        JsonObject target = (JsonObject) t;
        targets.add(new JsonObject().put("id", target.getString("id"))
          .put("host", target.getString("host")).put("port", target.getInteger("port")));
      }
      result.add(route.put("targets", targets));
    }
    return result;
  }

  record Result(int code, String out, String err) {
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int code = cli.execute(Arrays.copyOf(args, args.length));
    return new Result(code, out.toString(), err.toString());
  }
}
