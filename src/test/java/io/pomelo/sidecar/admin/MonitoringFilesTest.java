package io.pomelo.sidecar.admin;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.run.VertxRuntime;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/grafana/pomelo-sidecar.json and deploy/prometheus/alerts.yml against a running sidecar: every series they
 * name is on its /metrics, and promtool accepts the rules and passes their tests.
 */
final class MonitoringFilesTest {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));
  private static final Path DASHBOARD = PROJECT.resolve("deploy/grafana/pomelo-sidecar.json");
  private static final Path ALERTS = PROJECT.resolve("deploy/prometheus/alerts.yml");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(\\w+)\\s*,\\s*\\w+\\s*\\)");
  /** Made by Prometheus for each target it scrapes, not by the sidecar: 1 when the scrape worked. */
  private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");

  @TempDir
  static Path dir;

  private static Vertx vertx;
  private static AdminClient admin;
  private static WebSocketClient client;
  private static AutoCloseable jvmMetrics;
  private static List<PrometheusText.Sample> scrape;

  @BeforeAll
  static void runASidecarWithSomeTraffic() throws Exception {
    PrometheusMeterRegistry registry = VertxMetrics.registry();
    vertx = VertxRuntime.vertx(registry);
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    SidecarConfig config = fixture.config(fixture.serversJson(servers), List.of())
      .withHealth(new HealthConfig(true, Duration.ofMillis(100), Duration.ofMillis(500)));
    Sidecar sidecar = await(Sidecar.prepare(vertx, config, null, Map.of(), registry).start());
    jvmMetrics = VertxMetrics.bindJvmMetrics(registry);
    admin = new AdminClient(vertx, sidecar.adminPort(), null);
    client = fixture.webSocketClient(vertx);

    // An upgrade, bytes both ways and a close; an upgrade with no route; a refusal; a reload.
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");
    await(ws.close((short) 1000, "done"));
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/nowhere/")))
      .isInstanceOf(UpgradeRejectedException.class);
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/../x/")))
      .isInstanceOf(UpgradeRejectedException.class);
    assertThat(admin.send(HttpMethod.POST, "/api/reload", null).status()).isEqualTo(200);
    until(() -> Double.valueOf(1).equals(PrometheusText.value(PrometheusText.parse(metrics()),
      "pomelo_sidecar_route_closes_total", Map.of("route", "/gate/", "reason", "client"))));
    String text = metrics();
    scrape = PrometheusText.parse(text);
  }

  private static String metrics() {
    try {
      AdminClient.Answer answer = admin.get("/metrics");
      assertThat(answer.status()).isEqualTo(200);
      return answer.text();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    jvmMetrics.close();
    await(vertx.close());
  }

  @Test
  void everySeriesTheDashboardNamesIsOnTheScrape() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<String> expressions = new ArrayList<>();
    collectExpressions(dashboard.getJsonArray("panels"), expressions);
    assertThat(expressions).as("expressions in %s", DASHBOARD).hasSizeGreaterThan(20);

    Set<String> named = new TreeSet<>();
    expressions.forEach(e -> named.addAll(PromQl.seriesNames(e)));
    // The template variables' queries are Grafana's label_values(series, label), not PromQL.
    for (Object variable : dashboard.getJsonObject("templating").getJsonArray("list")) {
      String definition = ((JsonObject) variable).getString("definition");
      if (definition != null) {
        Matcher m = LABEL_VALUES.matcher(definition);
        assertThat(m.matches()).as("template variable query %s", definition).isTrue();
        named.add(m.group(1));
      }
    }
    assertThat(named).as("series the dashboard names").hasSizeGreaterThan(15);
    assertOnTheScrape(named, DASHBOARD);
  }

  @Test
  void everySeriesTheAlertsNameIsOnTheScrape() throws Exception {
    Set<String> named = new TreeSet<>();
    for (String expression : alertExpressions()) {
      named.addAll(PromQl.seriesNames(expression));
    }
    assertThat(named).as("series the alerts name").contains("up", "pomelo_sidecar_master_connected");
    assertOnTheScrape(named, ALERTS);
  }

  @Test
  void theDashboardReadsItsDataSourceVariableAndEachPanelHasItsOwnId() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    assertThat(dashboard.getString("uid")).isEqualTo("pomelo-sidecar");
    Set<Integer> ids = new TreeSet<>();
    for (Object o : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) o;
      assertThat(ids.add(panel.getInteger("id"))).as("panel id %s unique", panel.getInteger("id")).isTrue();
      JsonObject grid = panel.getJsonObject("gridPos");
      assertThat(grid.getInteger("x") + grid.getInteger("w")).as(panel.getString("title")).isLessThanOrEqualTo(24);
      if (!"row".equals(panel.getString("type"))) {
        // Imported anywhere, a dashboard may not name a data source of the machine it was made on.
        assertThat(panel.getJsonObject("datasource").getString("uid")).as(panel.getString("title"))
          .isEqualTo("${datasource}");
        assertThat(panel.getJsonArray("targets")).as(panel.getString("title")).isNotEmpty();
      }
    }
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    Result result = promtool("check", "rules", ALERTS.getFileName().toString());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void theAlertsPassTheirPromtoolTests() throws Exception {
    Result result = promtool("test", "rules", "alerts.test.yml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  private static void assertOnTheScrape(Set<String> named, Path file) {
    Set<String> scraped = scrape.stream().map(PrometheusText.Sample::name).collect(Collectors.toSet());
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(scraped);
    missing.removeAll(MADE_BY_PROMETHEUS);
    assertThat(missing).as("series %s names that a running sidecar's /metrics does not have", file).isEmpty();
  }

  private static void collectExpressions(JsonArray panels, List<String> into) {
    for (Object o : panels) {
      JsonObject panel = (JsonObject) o;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        into.add(((JsonObject) t).getString("expr"));
      }
      collectExpressions(panel.getJsonArray("panels", new JsonArray()), into);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> alertExpressions() throws Exception {
    Map<String, Object> file = new Yaml().load(Files.readString(ALERTS));
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        expressions.add((String) rule.get("expr"));
      }
    }
    assertThat(expressions).as("rules in %s", ALERTS).hasSizeGreaterThan(5);
    return expressions;
  }

  private record Result(int exitCode, String output) {
  }

  /** promtool from Debian's prometheus package (scripts/verify installs it), run beside the rule files. */
  private static Result promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(ALERTS.getParent().toFile())
      .redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}
