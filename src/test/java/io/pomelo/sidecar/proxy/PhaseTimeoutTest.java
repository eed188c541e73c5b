package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.RawWebSocketBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every phase of a connection has its own clock, and every answer the sidecar makes itself (404 to an upgrade,
 * 502, 504) closes the connection, on raw sockets through the real TLS listener.
 */
class PhaseTimeoutTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private HttpServer slow;
  private RawWebSocketBackend silent;
  private TestSidecar fixture;
  private Map<String, Map.Entry<String, Integer>> servers;

  @BeforeEach
  void backends() throws Exception {
    vertx = Vertx.vertx();
    // A socket.io-like server: holds each poll, answering /poll/<ms> after that many milliseconds; never /hang.
    slow = await(vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      if (path.startsWith("/poll/")) {
        long ms = Long.parseLong(path.substring("/poll/".length()));
        vertx.setTimer(ms, id -> request.response().end("polled after " + ms + " ms"));
      }
    }).listen(0, "127.0.0.1"));
    silent = RawWebSocketBackend.silent();
    fixture = new TestSidecar(dir);
    servers = new LinkedHashMap<>();
    servers.put("poll-server-1", Map.entry("poll", slow.actualPort()));
    servers.put("silent-server-1", Map.entry("silent", silent.port()));
    servers.put("dead-server-1", Map.entry("dead", Ports.free()));
  }

  @AfterEach
  void stop() throws Exception {
    silent.close();
    await(vertx.close());
  }

  private RawTls start(ProxyConfig proxy) throws Exception {
    return start(proxy, io.pomelo.sidecar.config.HealthConfig.defaults());
  }

  private RawTls start(ProxyConfig proxy, io.pomelo.sidecar.config.HealthConfig health) throws Exception {
    SidecarConfig config = fixture.config(fixture.serversJson(servers),
      new RoutesConfig(true, DialAddress.HOST, Map.of(), List.of(), Map.of()), proxy).withHealth(health);
    Sidecar sidecar = await(fixture.start(vertx, config));
    return new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  @Test
  void aLongPollAnsweredAfter30SecondsReachesTheClient() throws Exception {
    RawTls raw = start(ProxyConfig.defaults());
    try (SSLSocket socket = raw.open()) {
      socket.setSoTimeout(70_000);
      RawTls.send(socket, RawTls.get("/poll-server-1/poll/30000"));
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).as(answer).isEqualTo(200);
      assertThat(answer).endsWith("polled after 30000 ms");
    }
  }

  @Test
  void aServerSilentPastTheResponseTimeoutGets504AndTheConnectionCloses() throws Exception {
    RawTls raw = start(new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofMillis(500)));
    try (SSLSocket socket = raw.open()) {
      long started = System.nanoTime();
      RawTls.send(socket, RawTls.get("/poll-server-1/hang"));
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).as(answer).isEqualTo(504);
      assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close")
        .contains("content-type: text/plain");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void anUpgradeWithNoRouteGets404AndTheConnectionCloses() throws Exception {
    RawTls raw = start(ProxyConfig.defaults());
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/nowhere/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(404);
      // Well before the request head timeout (10 s): the close is the answer's.
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).isTrue();
    }
  }

  @Test
  void aServerThatRefusesGets502AndTheConnectionCloses() throws Exception {
    RawTls raw = start(ProxyConfig.defaults());
    for (String request : List.of(RawTls.upgrade("/dead-server-1/", ""), RawTls.get("/dead-server-1/x"))) {
      try (SSLSocket socket = raw.open()) {
        RawTls.send(socket, request);
        assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(502);
        assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).as(request).isTrue();
      }
    }
  }

  @Test
  void aServerThatDoesNotAcceptInTimeGets502ForAPlainRequestAndAnUpgrade() throws Exception {
    List<java.net.Socket> filling = new java.util.ArrayList<>();
    try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      // Never accepting, and its accept queue filled: the kernel drops further SYNs, so a connect just waits.
      for (int i = 0; i < 8; i++) {
        java.net.Socket s = new java.net.Socket();
        try {
          s.connect(full.getLocalSocketAddress(), 200);
          filling.add(s);
        } catch (java.net.SocketTimeoutException e) {
          s.close();
          break;
        }
      }
      servers.put("full-server-1", Map.entry("full", full.getLocalPort()));
      // No health checks: they would mark the server down first, and the 502 would be the "no healthy server" one.
      RawTls raw = start(new ProxyConfig(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(60)),
        new io.pomelo.sidecar.config.HealthConfig(false, Duration.ofSeconds(5), Duration.ofSeconds(1)));
      for (String request : List.of(RawTls.get("/full-server-1/x"), RawTls.upgrade("/full-server-1/", ""))) {
        try (SSLSocket socket = raw.open()) {
          RawTls.send(socket, request);
          String answer = RawTls.readAnswer(socket);
          assertThat(RawTls.status(answer)).as(request + answer).isEqualTo(502);
          assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).isTrue();
        }
      }
    } finally {
      for (java.net.Socket s : filling) {
        s.close();
      }
    }
  }

  @Test
  void aServerThatNeverAnswersTheUpgradeGets504AndTheConnectionCloses() throws Exception {
    RawTls raw = start(new ProxyConfig(Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(60)));
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/silent-server-1/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(504);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(3))).isTrue();
    }
  }
}
