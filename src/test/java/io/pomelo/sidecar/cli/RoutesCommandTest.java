package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code routes} against a running sidecar with a token, the way an operator runs it. */
class RoutesCommandTest {

  private static final String TOKEN = "routes-command-token";

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private WebSocketClient client;
  private TestSidecar fixture;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    EchoBackend connector = await(EchoBackend.start(vertx, "connector"));
    fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector.port()));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers), List.of())
      .withAdmin(new AdminConfig(new ListenerConfig("127.0.0.1", 0), TOKEN, null))));
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void printsTheLiveTableWithHealthAndCounts() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    Result result = run(Map.of(RoutesCommand.TOKEN_ENV, TOKEN), "routes", "--admin", admin());
    assertThat(result.code).as(result.err).isZero();
    List<String> lines = result.out.lines().toList();
    assertThat(lines.get(0)).startsWith("PATH").contains("HEALTH", "CONNS", "ACTIVE", "TOTAL", "IN", "OUT");
    String gateLine = lines.stream().filter(l -> l.startsWith("/gate/ ")).findFirst().orElseThrow();
    assertThat(gateLine.split("\\s+")).containsSubsequence("gate-server-1", "1", "gate", "type", "1", "1");
    assertThat(lines).anyMatch(l -> l.startsWith("/connector-server-1/"));
    await(ws.close());
  }

  @Test
  void jsonIsWhatTheApiAnswersAndTheServerTypeFilterApplies() throws Exception {
    Result result = run(Map.of(), "routes", "--admin", admin() + "/", "--token", TOKEN, "--json",
      "--server-type", "connector");
    assertThat(result.code).as(result.err).isZero();
    JsonArray routes = new JsonArray(result.out);
    assertThat(routes).hasSize(2);
    assertThat(routes.getJsonObject(0).getJsonArray("targets").getJsonObject(0).getBoolean("healthy")).isTrue();
  }

  @Test
  void aMissingTokenOrNoSidecarIsAClearErrorAndExitOne() throws Exception {
    Result noToken = run(Map.of(), "routes", "--admin", admin());
    assertThat(noToken.code).isEqualTo(1);
    assertThat(noToken.err).contains("answered 401").contains(RoutesCommand.TOKEN_ENV);
    assertThat(noToken.out).isEmpty();

    int closed = Ports.free();
    Result nobody = run(Map.of(), "routes", "--admin", "http://127.0.0.1:" + closed);
    assertThat(nobody.code).isEqualTo(1);
    assertThat(nobody.err).contains("cannot reach the admin API at http://127.0.0.1:" + closed);
  }

  private String admin() {
    return "http://127.0.0.1:" + sidecar.adminPort();
  }

  private record Result(int code, String out, String err) {
  }

  private static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    ((RoutesCommand) cli.getSubcommands().get("routes").getCommand()).env = env;
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
