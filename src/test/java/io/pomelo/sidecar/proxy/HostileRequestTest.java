package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.RawWebSocketBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Clients that misbehave at the HTTP and TLS level, through the real TLS listener on raw sockets. */
class HostileRequestTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector;
  private RawWebSocketBackend bare;
  private Sidecar sidecar;
  private RawTls raw;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    connector = await(EchoBackend.start(vertx, "connector"));
    bare = RawWebSocketBackend.answering();
    TestSidecar fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector.port()));
    servers.put("bare-server-1", Map.entry("bare", bare.port()));
    // Connectors take WebSockets only; every other type also takes plain HTTP (the default).
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST,
      Map.of("connector", new TypeRoutesConfig(null, null, true, null)), List.of(), Map.of());
    SidecarConfig config = fixture.config(fixture.serversJson(servers), routes, Duration.ofSeconds(3),
        Duration.ofSeconds(10))
      .withLimits(LimitsConfig.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
        .withKeepAliveTimeout(Duration.ofSeconds(2)));
    sidecar = await(fixture.start(vertx, config));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  @AfterEach
  void stop() throws Exception {
    bare.close();
    await(vertx.close());
  }

  private long refused(Refusal r) {
    return sidecar.view().refusals().count(r);
  }

  @Test
  void aWellFormedRequestStillGoesThrough() throws Exception {
    String answer = raw.exchange(RawTls.get("/gate/ok"));
    assertThat(RawTls.status(answer)).isEqualTo(200);
    assertThat(answer).contains("gate GET /gate/ok");
  }

  @Test
  void requestLineOverTheLimitGets414() throws Exception {
    String answer = raw.exchange(RawTls.get("/gate/?q=" + "a".repeat(9000)));
    assertThat(RawTls.status(answer)).isEqualTo(414);
    assertThat(refused(Refusal.REQUEST_LINE_TOO_LONG)).isEqualTo(1);
    assertThat(gate.httpUris()).isEmpty();
  }

  @Test
  void headersOverTheSizeLimitGet431() throws Exception {
    String answer = raw.exchange("GET /gate/ HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(20_000)
      + "\r\n\r\n");
    assertThat(RawTls.status(answer)).isEqualTo(431);
    assertThat(refused(Refusal.HEADERS_TOO_LARGE)).isEqualTo(1);
    assertThat(gate.httpUris()).isEmpty();
  }

  @Test
  void moreHeaderFieldsThanTheLimitGet431() throws Exception {
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      headers.append("X-H").append(i).append(": v\r\n");
    }
    String answer = raw.exchange("GET /gate/ HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n");
    assertThat(RawTls.status(answer)).isEqualTo(431);
    assertThat(refused(Refusal.TOO_MANY_HEADERS)).isEqualTo(1);
    assertThat(gate.httpUris()).isEmpty();
  }

  @Test
  void slowlorisIsCutOffAfterTheHeadTimeout() throws Exception {
    try (SSLSocket socket = raw.open()) {
      long started = System.nanoTime();
      RawTls.send(socket, "GET /gate/ HTTP/1.1\r\nHost: localhost\r\n");
      boolean closed = false;
      // One header byte every 200 ms: never idle, never done. Only the head timeout (1 s here) ends it.
      for (int i = 0; i < 25 && !closed; i++) {
        try {
          RawTls.send(socket, "X");
        } catch (java.io.IOException e) {
          closed = true;
          break;
        }
        closed = RawTls.closedWithin(socket, Duration.ofMillis(200));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(closed).isTrue();
      assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(3000));
    }
    until(() -> refused(Refusal.REQUEST_HEAD_TIMEOUT) == 1);
    assertThat(gate.httpUris()).isEmpty();
  }

  @Test
  void aKeptAliveConnectionThatSendsNothingMoreIsClosedAfterTheKeepAliveTimeout() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.get("/gate/first"));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(200);
      long answered = System.nanoTime();
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
      // The keep-alive clock (2 s here), not the first head's (1 s).
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThan(Duration.ofMillis(1800));
    }
  }

  @Test
  void aTcpConnectionThatNeverStartsTlsIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Socket socket = raw.openPlain()) {
      long started = System.nanoTime();
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(4))).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(800));
    }
    until(() -> refused(Refusal.TLS_HANDSHAKE) == 1);
  }

  @Test
  void plainHttpOnTheTlsPortIsClosedWithoutAnAnswer() throws Exception {
    try (Socket socket = raw.openPlain()) {
      RawTls.send(socket, RawTls.get("/gate/"));
      String answer = RawTls.readAnswer(socket);
      assertThat(answer).doesNotContain("HTTP/1.1");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    until(() -> refused(Refusal.NOT_TLS) == 1);
    assertThat(gate.httpUris()).isEmpty();
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/after")))).isEqualTo(200);
  }

  @Test
  void garbageBytesAreClosedBeforeAndAfterTls() throws Exception {
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    try (Socket socket = raw.openPlain()) {
      socket.getOutputStream().write(garbage);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).isTrue();
    }
    try (SSLSocket socket = raw.open()) {
      socket.getOutputStream().write("\u0000\u0001\u0002 not http at all\r\n\r\n".getBytes());
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).isEqualTo(400);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).isTrue();
    }
    assertThat(refused(Refusal.MALFORMED_REQUEST)).isEqualTo(1);
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/after")))).isEqualTo(200);
  }

  @Test
  void upgradeWithABadKeyGets400AndNeverReachesTheServer() throws Exception {
    for (String key : List.of("", "not base64!", "c2hvcnQ=", "dGhpcyBpcyBtb3JlIHRoYW4gc2l4dGVlbiBieXRlcw==")) {
      String answer = raw.exchange("GET /gate/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(RawTls.status(answer)).as("key %s", key).isEqualTo(400);
    }
    assertThat(refused(Refusal.BAD_UPGRADE)).isEqualTo(4);
    assertThat(gate.upgradePaths()).isEmpty();
  }

  @Test
  void upgradeWithAnUnsupportedVersionGets400NamingVersion13() throws Exception {
    String answer = raw.exchange(RawTls.upgrade("/gate/", "").replace("Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Version: 12"));
    assertThat(RawTls.status(answer)).isEqualTo(400);
    assertThat(answer).containsIgnoringCase("Sec-WebSocket-Version: 13");
    String post = raw.exchange(RawTls.upgrade("/gate/", "").replace("GET ", "POST "));
    assertThat(RawTls.status(post)).isEqualTo(400);
    assertThat(gate.upgradePaths()).isEmpty();
    assertThat(gate.httpUris()).isEmpty();
  }

  @Test
  void aWellFormedRawUpgradeIsSwitched() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/gate/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(101);
    }
  }

  @Test
  void aVersion8UpgradeIsSwitchedLikeVersion13() throws Exception {
    // hybi-08 (old Android browsers) differs from RFC 6455 only in the version number, which the code accepts.
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, "GET /gate/v8 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).isEqualTo(101);
      // RFC 6455 1.3's example key and accept: the server's answer to this very key came back.
      assertThat(answer).contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
    assertThat(gate.upgradePaths()).containsExactly("/gate/v8");
    assertThat(refused(Refusal.BAD_UPGRADE)).isZero();
  }

  @Test
  void plainHttpOnAWebSocketOnlyRouteGets426() throws Exception {
    String answer = raw.exchange(RawTls.get("/connector-server-1/"));
    assertThat(RawTls.status(answer)).isEqualTo(426);
    assertThat(answer).containsIgnoringCase("Upgrade: websocket");
    assertThat(connector.httpUris()).isEmpty();
    assertThat(refused(Refusal.UPGRADE_REQUIRED)).isEqualTo(1);
    // The default: plain HTTP is proxied (socket.io long-polling).
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/socket.io/?EIO=3&transport=polling")))).isEqualTo(200);
  }

  @Test
  void theServersAnswerDecidesTheExtensionsNotTheSidecar() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/bare-server-1/",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).isEqualTo(101);
      // The server negotiated no extension: a deflate claimed here would make the client compress frames the
      // server cannot read.
      assertThat(answer.toLowerCase(java.util.Locale.ROOT)).doesNotContain("sec-websocket-extensions");
    }
  }
}
