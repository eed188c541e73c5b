package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin token. Binding 0.0.0.0 is what makes a token required; the test still only talks to 127.0.0.1, which
 * 0.0.0.0 includes, so no traffic leaves loopback.
 */
class AdminAuthTest {

  private static final String TOKEN = "s3cret-token-for-tests";

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Path servers;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    servers = fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port())));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private SidecarConfig config(String host, String token) {
    return fixture.config(servers, List.of()).withAdmin(new AdminConfig(new ListenerConfig(host, 0), token, null));
  }

  @Test
  void anAdminApiOffLoopbackWithoutATokenDoesNotStart() {
    assertThatThrownBy(() -> await(fixture.start(vertx, config("0.0.0.0", ""))))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.host = 0.0.0.0: is not a loopback address, so the admin API needs a token"));
  }

  @Test
  void withATokenOnlyTheRightOneGetsIn() throws Exception {
    Sidecar sidecar = await(fixture.start(vertx, config("0.0.0.0", TOKEN)));
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    AdminClient none = new AdminClient(vertx, sidecar.adminPort(), null);
    AdminClient wrong = new AdminClient(vertx, sidecar.adminPort(), TOKEN + "x");
    AdminClient right = new AdminClient(vertx, sidecar.adminPort(), TOKEN);

    for (String uri : List.of("/api/routes", "/api/routes/gate-server-1", "/api/status", "/metrics",
      "/api/openapi.yaml")) {
      AdminClient.Answer missing = none.get(uri);
      assertThat(missing.status()).as(uri).isEqualTo(401);
      assertThat(missing.headers().get("WWW-Authenticate")).startsWith("Bearer");
      assertThat(missing.json().getInteger("status")).isEqualTo(401);
      assertThat(wrong.get(uri).status()).as(uri).isEqualTo(401);
      assertThat(right.get(uri).status()).as(uri).isEqualTo(200);
    }
    openApi.check("listRoutes", none.get("/api/routes"));
    assertThat(none.send(HttpMethod.POST, "/api/reload", null).status()).isEqualTo(401);
    assertThat(right.send(HttpMethod.POST, "/api/reload", TOKEN).status()).isEqualTo(200);
    // Probes are for load balancers and systemd, which carry no token.
    assertThat(none.get("/healthz").status()).isEqualTo(200);
    assertThat(none.get("/readyz").status()).isEqualTo(200);
  }

  @Test
  void theDashboardsFilesNeedNoTokenAndForbidInlineScriptAndFraming() throws Exception {
    Sidecar sidecar = await(fixture.start(vertx, config("0.0.0.0", TOKEN)));
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    AdminClient none = new AdminClient(vertx, sidecar.adminPort(), null);
    for (String root : List.of("/", "/dashboard")) {
      AdminClient.Answer redirect = none.get(root);
      assertThat(redirect.status()).as(root).isEqualTo(302);
      assertThat(redirect.headers().get("Location")).isEqualTo("/dashboard/");
    }
    openApi.check("getDashboardRoot", none.get("/"));
    Map<String, String> files = Map.of("/dashboard/", "text/html", "/dashboard/dashboard.css", "text/css",
      "/dashboard/dashboard.js", "text/javascript", "/dashboard/favicon.svg", "image/svg+xml");
    for (Map.Entry<String, String> file : files.entrySet()) {
      AdminClient.Answer answer = none.get(file.getKey());
      assertThat(answer.status()).as(file.getKey()).isEqualTo(200);
      assertThat(answer.contentType()).startsWith(file.getValue());
      assertThat(answer.headers().get("Content-Security-Policy")).contains("default-src 'none'")
        .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
      assertThat(answer.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(answer.headers().get("X-Frame-Options")).isEqualTo("DENY");
    }
    openApi.check("getDashboard", none.get("/dashboard/"));
    String page = none.get("/dashboard/").text();
    // No inline script or style, nothing from another host.
    assertThat(page).doesNotContain("<script>").doesNotContain("style=").doesNotContain("<style")
      .doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
    assertThat(none.get("/dashboard/dashboard.js").text()).doesNotContain("innerHTML").doesNotContain("eval(");
    assertThat(none.get("/dashboard/nothing.js").status()).isEqualTo(401);
    // The data the page shows needs the token as before.
    assertThat(none.get("/api/status").status()).isEqualTo(401);
  }

  @Test
  void anyLoopbackAddressNeedsNoTokenButATokenSetThereIsStillRequired() throws Exception {
    Sidecar open = await(fixture.start(vertx, config("127.0.0.2", "")));
    assertThat(new AdminClient(vertx, "127.0.0.2", open.adminPort(), null).get("/api/routes").status())
      .isEqualTo(200);
    await(open.stop(java.time.Duration.ZERO));

    Sidecar guarded = await(fixture.start(vertx, config("127.0.0.2", TOKEN)));
    assertThat(new AdminClient(vertx, "127.0.0.2", guarded.adminPort(), null).get("/api/routes").status())
      .isEqualTo(401);
    assertThat(new AdminClient(vertx, "127.0.0.2", guarded.adminPort(), TOKEN).get("/api/routes").status())
      .isEqualTo(200);
  }

  @Test
  void theTokenNeverShowsInTextAndComesFromAFileOrTheEnvironment() throws Exception {
    Path config = dir.resolve("sidecar.yaml");
    Path tokenFile = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
    Files.writeString(config, "pomelo: {serversFile: servers.json}\nadmin: {host: 0.0.0.0, tokenFile: admin-token}\n");
    SidecarConfigLoader loader = new SidecarConfigLoader(vertx, Map.of(), new Properties());
    AdminConfig fromFile = await(loader.load(config)).admin();
    assertThat(fromFile.token()).isEqualTo(TOKEN);
    assertThat(fromFile.tokenFile()).isEqualTo(tokenFile);
    assertThat(fromFile.toString()).doesNotContain(TOKEN);
    assertThat(await(loader.load(config)).toString()).doesNotContain(TOKEN);

    Files.writeString(config, "pomelo: {serversFile: servers.json}\nadmin: {host: 0.0.0.0}\n");
    AdminConfig fromEnv = await(new SidecarConfigLoader(vertx, Map.of("POMELO_SIDECAR_ADMIN_TOKEN", TOKEN),
      new Properties()).load(config)).admin();
    assertThat(fromEnv.token()).isEqualTo(TOKEN);

    assertThatThrownBy(() -> await(loader.load(config)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.host = 0.0.0.0: is not a loopback address"));

    Files.writeString(config, "pomelo: {serversFile: servers.json}\nadmin: {token: 42, port: nope}\n");
    assertThatThrownBy(() -> await(loader.load(config)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("admin.port = nope"));
    Files.writeString(config, "pomelo: {serversFile: servers.json}\nadmin: {token: " + TOKEN + ", tokenFile: x}\n");
    assertThatThrownBy(() -> await(loader.load(config)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("set admin.token or admin.tokenFile, not both").doesNotContain(TOKEN));
  }
}
