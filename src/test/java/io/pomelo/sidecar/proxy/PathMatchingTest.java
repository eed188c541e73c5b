package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One answer for each way of writing a path, through the real TLS listener with raw requests (a client library
 * would tidy the path first). The backends echo the URI they received, so each test also sees which server answered
 * and with what path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathMatchingTest {

  @TempDir
  static Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector;
  private Sidecar sidecar;
  private RawTls raw;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    connector = await(EchoBackend.start(vertx, "connector"));
    TestSidecar fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector.port()));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers), List.of())));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  @AfterAll
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(delimiter = '|', value = {
    // Reaches the route it names, with the path unchanged.
    "/gate/                              | 200 | gate GET /gate/",
    "/gate                               | 200 | gate GET /gate",
    "/gate/?token=a/../b&x=%2F           | 200 | gate GET /gate/?token=a/../b&x=%2F",
    "/gate/socket.io/?EIO=3              | 200 | gate GET /gate/socket.io/?EIO=3",
    "/gate//x                            | 200 | gate GET /gate//x",
    "/gate/%E6%88%BF                     | 200 | gate GET /gate/%E6%88%BF",
    "/connector-server-1/                | 200 | connector GET /connector-server-1/",
    // Could mean another route further on: refused before matching.
    "/gate/../connector-server-1/        | 400 | dot segments",
    "/gate/%2e%2e/connector-server-1/    | 400 | percent-encoded",
    "/gate/%2E%2E/connector-server-1/    | 400 | percent-encoded",
    "/gate/..                            | 400 | dot segments",
    "/gate/./x                           | 400 | dot segments",
    "/../gate/                           | 400 | dot segments",
    "/gate%2Fx                           | 400 | encoded slashes",
    "/gate/%2f..%2fconnector-server-1/   | 400 | encoded slashes",
    "/gate/%5C..%5Cconnector-server-1/   | 400 | encoded slashes",
    "/gate\\..\\connector-server-1/      | 400 | RFC 3986 does not allow",
    "/%67ate/                            | 400 | percent-encoded",
    "/gate/%00                           | 400 | control characters",
    "/gate/%zz                           | 400 | escape",
    "http://localhost/gate/              | 400 | starting with /",
    // Names no route as written: Pomelo ids are case-sensitive, and slashes are not merged.
    "//gate/                             | 404 | no route",
    "/GATE/                              | 404 | no route",
    "/Gate/                              | 404 | no route",
    "/api/routes                         | 404 | no route",
    "/api/reload                         | 404 | no route",
    "/                                   | 404 | no route",
  })
  void eachFormOfAPathHasOneAnswer(String path, int status, String body) throws Exception {
    String answer = raw.exchange(RawTls.get(path.trim()));
    assertThat(RawTls.status(answer)).as(answer).isEqualTo(status);
    assertThat(answer).contains(body.trim());
  }

  @Test
  void anUpgradeWithDotSegmentsNeverReachesAnyServer() throws Exception {
    String answer = raw.exchange(RawTls.upgrade("/gate/../connector-server-1/", ""));
    assertThat(RawTls.status(answer)).isEqualTo(400);
    assertThat(connector.upgradePaths()).isEmpty();
    assertThat(gate.upgradePaths()).isEmpty();
  }
}
