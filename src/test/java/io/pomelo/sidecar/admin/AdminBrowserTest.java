package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a web page in a browser on the same host can make the admin API do: nothing. Requests are written by hand,
 * because what matters is the exact Host, Origin and Sec-Fetch-Site a browser sends, which HTTP clients set for
 * themselves.
 */
class AdminBrowserTest {

  private static final String TOKEN = "s3cret-token-for-tests";

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Path servers;
  private Sidecar sidecar;

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

  private void start(AdminConfig admin) throws Exception {
    sidecar = await(fixture.start(vertx, fixture.config(servers, List.of()).withAdmin(admin)));
  }

  private static AdminConfig loopback() {
    return new AdminConfig(new ListenerConfig("127.0.0.1", 0));
  }

  @Test
  void aCrossSitePostIsRefusedAndReloadsNothingWhileCurlAndTheApiOwnPagesPass() throws Exception {
    start(loopback());
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    ReloadOutcome before = sidecar.state().lastReload();
    String own = "127.0.0.1:" + sidecar.adminPort();
    for (String browser : List.of("Origin: http://evil.example\r\n", "Origin: null\r\n",
      "Origin: http://localhost:" + sidecar.adminPort() + "\r\n", "Sec-Fetch-Site: cross-site\r\n",
      "Sec-Fetch-Site: same-site\r\n", "Origin: http://" + own + "\r\nSec-Fetch-Site: cross-site\r\n")) {
      String answer = ask("POST", "/api/reload", own, browser);
      assertThat(RawTls.status(answer)).as(browser).isEqualTo(403);
      openApi.check("reload", answer(answer));
      assertThat(json(answer).getInteger("status")).isEqualTo(403);
      assertThat(json(answer).getString("error")).contains("another site");
    }
    assertThat(sidecar.state().lastReload()).isSameAs(before);

    assertThat(RawTls.status(ask("POST", "/api/reload", own, ""))).isEqualTo(200);
    assertThat(sidecar.state().lastReload().trigger()).isEqualTo("admin API");
    assertThat(RawTls.status(ask("POST", "/api/reload", own,
      "Origin: http://" + own + "\r\nSec-Fetch-Site: same-origin\r\n"))).isEqualTo(200);
    assertThat(RawTls.status(ask("POST", "/api/reload", own, "Sec-Fetch-Site: none\r\n"))).isEqualTo(200);
    // Reads are not refused: no answer carries CORS headers, so another site's page cannot read it.
    String read = ask("GET", "/api/status", own, "Origin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\n");
    assertThat(RawTls.status(read)).isEqualTo(200);
    assertThat(read.toLowerCase(java.util.Locale.ROOT)).doesNotContain("access-control-allow-origin");
  }

  @Test
  void theRightTokenDoesNotExcuseAForeignOrigin() throws Exception {
    start(new AdminConfig(new ListenerConfig("127.0.0.1", 0), TOKEN, null));
    ReloadOutcome before = sidecar.state().lastReload();
    String own = "127.0.0.1:" + sidecar.adminPort();
    String bearer = "Authorization: Bearer " + TOKEN + "\r\n";
    assertThat(RawTls.status(ask("POST", "/api/reload", own, bearer + "Origin: http://evil.example\r\n")))
      .isEqualTo(403);
    assertThat(sidecar.state().lastReload()).isSameAs(before);
    assertThat(RawTls.status(ask("POST", "/api/reload", own, bearer))).isEqualTo(200);
  }

  @Test
  void aCrossSiteDrainIsRefusedAndTheSidecarStaysReady() throws Exception {
    start(new AdminConfig(new ListenerConfig("127.0.0.1", 0), TOKEN, null));
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    String own = "127.0.0.1:" + sidecar.adminPort();
    String bearer = "Authorization: Bearer " + TOKEN + "\r\n";
    for (String browser : List.of("Origin: http://evil.example\r\n", "Sec-Fetch-Site: cross-site\r\n")) {
      String answer = ask("POST", "/api/drain", own, bearer + browser);
      assertThat(RawTls.status(answer)).as(browser).isEqualTo(403);
      openApi.check("drain", answer(answer));
    }
    assertThat(RawTls.status(ask("POST", "/api/drain", own, ""))).as("no token").isEqualTo(401);
    assertThat(sidecar.state().ready()).isTrue();
    assertThat(RawTls.status(ask("GET", "/readyz", own, ""))).isEqualTo(200);
  }

  @Test
  void aHostThatIsNotTheListenersIsMisdirected() throws Exception {
    start(loopback());
    int port = sidecar.adminPort();
    OpenApiDocument openApi = OpenApiDocument.load(vertx);
    for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1:" + (port == 1 ? 2 : port - 1),
      "127.0.0.1", "localhost", "127.0.0.2:" + port, "[::1]:" + port, "127.0.0.1.evil.example:" + port)) {
      for (String path : List.of("/api/status", "/healthz", "/readyz", "/metrics", "/api/nothing", "/dashboard/",
        "/dashboard/dashboard.js", "/")) {
        String answer = ask("GET", path, host, "");
        if (path.equals("/api/status")) {
          openApi.check("getStatus", answer(answer));
        }
        assertThat(RawTls.status(answer)).as(host + " " + path).isEqualTo(421);
        assertThat(json(answer).getInteger("status")).isEqualTo(421);
        assertThat(json(answer).getString("error")).contains("admin.allowedHosts");
      }
    }
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port,
      "[::ffff:127.0.0.1]:" + port)) {
      assertThat(RawTls.status(ask("GET", "/api/status", host, ""))).as(host).isEqualTo(200);
    }
    // HTTP/1.0 may leave Host out (HAProxy's httpchk does), and no browser does; HTTP/1.1 must send it.
    try (Socket socket = raw().openPlain()) {
      RawTls.send(socket, "GET /healthz HTTP/1.0\r\n\r\n");
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(200);
    }
    try (Socket socket = raw().openPlain()) {
      RawTls.send(socket, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(400);
    }
  }

  @Test
  void aWildcardListenerAnswersToTheAddressReachedNotToTheWildcard() throws Exception {
    // 0.0.0.0 includes 127.0.0.1, which is all the test talks to.
    start(new AdminConfig(new ListenerConfig("0.0.0.0", 0), TOKEN, null));
    String bearer = "Authorization: Bearer " + TOKEN + "\r\n";
    int port = sidecar.adminPort();
    assertThat(RawTls.status(ask("GET", "/api/status", "0.0.0.0:" + port, bearer))).isEqualTo(421);
    assertThat(RawTls.status(ask("GET", "/api/status", "127.0.0.1:" + port, bearer))).isEqualTo(200);
    assertThat(RawTls.status(ask("GET", "/api/status", "localhost:" + port, bearer))).isEqualTo(200);
  }

  @Test
  void aConfiguredNameIsTheListenersTooWithAnyPortOrTheOneGiven() throws Exception {
    start(loopback().withAllowedHosts(List.of("admin.example.com", "Other.Example:8443")));
    ReloadOutcome before = sidecar.state().lastReload();
    for (String host : List.of("admin.example.com", "ADMIN.example.com:" + sidecar.adminPort(),
      "admin.example.com:8080", "other.example:8443")) {
      assertThat(RawTls.status(ask("GET", "/api/status", host, ""))).as(host).isEqualTo(200);
    }
    for (String host : List.of("other.example", "other.example:" + sidecar.adminPort(), "example.com",
      "evil.admin.example.com")) {
      assertThat(RawTls.status(ask("GET", "/api/status", host, ""))).as(host).isEqualTo(421);
    }
    // Behind a TLS proxy that passes Host on, the page's origin is https:// with that Host.
    assertThat(RawTls.status(ask("POST", "/api/reload", "admin.example.com",
      "Origin: http://evil.example\r\n"))).isEqualTo(403);
    assertThat(sidecar.state().lastReload()).isSameAs(before);
    assertThat(RawTls.status(ask("POST", "/api/reload", "admin.example.com",
      "Origin: https://admin.example.com\r\nSec-Fetch-Site: same-origin\r\n"))).isEqualTo(200);
  }

  private RawTls raw() throws Exception {
    return new RawTls(fixture.certificate().certFile(), sidecar.adminPort());
  }

  /** One request on its own plain-HTTP connection, with {@code host} as Host and extra header lines. */
  private String ask(String method, String path, String host, String headers) throws Exception {
    try (Socket socket = raw().openPlain()) {
      RawTls.send(socket, method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n"
        + "Connection: close\r\n" + headers + "\r\n");
      return RawTls.readAnswer(socket);
    }
  }

  /** A raw answer as AdminClient gives it, for the OpenAPI check. */
  private static AdminClient.Answer answer(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String line : raw.substring(0, end).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return new AdminClient.Answer(RawTls.status(raw), headers, Buffer.buffer(raw.substring(end + 4)));
  }

  private static JsonObject json(String answer) {
    return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
  }
}
