package io.pomelo.sidecar.systemd;

import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.EchoBackend;
import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import io.pomelo.sidecar.testing.SidecarProcess;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidecar process under a stand-in for systemd: a test-owned NOTIFY_SOCKET, WATCHDOG_USEC, and the signals
 * systemctl sends. Checks the notify sequence, SIGHUP reloads, and SIGTERM's drain and 1001 close.
 */
class ServiceLifecycleTest {

  private static final Pattern LISTENING = SidecarProcess.LISTENING;

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private TestSidecar fixture;
  private WebSocketClient client;

  @BeforeEach
  void backend() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void notifiesReadyReloadsOnHangupAndDrainsOnTerm() throws Exception {
    Path config = config("shutdown: {lameDuck: 0, drain: 2s}");
    String socket = dir.resolve("notify.sock").toString();
    try (NotifyReceiver systemd = new NotifyReceiver(socket);
         SidecarProcess sidecar = SidecarProcess.start(dir, Map.of("NOTIFY_SOCKET", socket,
           "WATCHDOG_USEC", "400000"), List.of(), "run", "--config", config.toString())) {
      String ready = nextNotWatchdog(systemd, Duration.ofSeconds(60), sidecar);
      assertThat(ready).startsWith("READY=1\nSTATUS=2 routes, 0 connections, generation 1");
      Matcher ports = sidecar.awaitLine(LISTENING, Duration.ofSeconds(5));
      int port = Integer.parseInt(ports.group(1));
      int adminPort = Integer.parseInt(ports.group(2));
      // READY came after the bind: the port accepts now.
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
      assertThat(watchdogPings(systemd, 2)).isEqualTo(2);

      WebSocket ws = await(TestSidecar.connect(client, port, "/gate/"));
      assertThat(echo(ws, "before")).isEqualTo("gate:before");

      sidecar.signal("HUP");
      assertThat(nextNotWatchdog(systemd, Duration.ofSeconds(Await.SECONDS), sidecar))
        .matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading \\(SIGHUP\\)");
      assertThat(nextNotWatchdog(systemd, Duration.ofSeconds(Await.SECONDS), sidecar)).startsWith("READY=1\nSTATUS=2 routes, 1 connections");
      String status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adminPort + "/api/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(status).contains("\"trigger\" : \"SIGHUP\"");
      assertThat(echo(ws, "after reload")).isEqualTo("gate:after reload");

      CompletableFuture<Short> closeCode = new CompletableFuture<>();
      ws.closeHandler(v -> closeCode.complete(ws.closeStatusCode()));
      long termAt = System.nanoTime();
      sidecar.signal("TERM");
      assertThat(nextNotWatchdog(systemd, Duration.ofSeconds(Await.SECONDS), sidecar)).isEqualTo("STOPPING=1");
      // Draining: the open WebSocket still works, new connections are refused.
      assertThat(echo(ws, "draining")).isEqualTo("gate:draining");
      assertThat(refusedWithin(port, Duration.ofSeconds(5))).as("new connections refused while draining").isTrue();
      assertThat(closeCode.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1001);
      assertThat(Duration.ofNanos(System.nanoTime() - termAt)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
      assertThat(sidecar.exitCode(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void termKeepsAcceptingForTheLameDuckAndASecondTermEndsIt() throws Exception {
    Path config = config("shutdown: {lameDuck: 2500ms, drain: 1s}");
    String socket = dir.resolve("notify.sock").toString();
    try (NotifyReceiver systemd = new NotifyReceiver(socket);
         SidecarProcess sidecar = SidecarProcess.start(dir, Map.of("NOTIFY_SOCKET", socket), List.of(),
           "run", "--config", config.toString())) {
      assertThat(nextNotWatchdog(systemd, Duration.ofSeconds(60), sidecar)).startsWith("READY=1");
      Matcher ports = sidecar.awaitLine(LISTENING, Duration.ofSeconds(5));
      int port = Integer.parseInt(ports.group(1));
      int adminPort = Integer.parseInt(ports.group(2));
      WebSocket before = await(TestSidecar.connect(client, port, "/gate/"));
      CompletableFuture<Short> closeCode = new CompletableFuture<>();
      before.closeHandler(v -> closeCode.complete(before.closeStatusCode()));

      long termAt = System.nanoTime();
      sidecar.signal("TERM");
      assertThat(nextNotWatchdog(systemd, Duration.ofSeconds(10), sidecar)).isEqualTo("STOPPING=1");
      assertThat(readyz(adminPort)).as("not ready at once").isEqualTo(503);
      // A balancer that has not checked yet still sends clients: they get through.
      WebSocket during = await(TestSidecar.connect(client, port, "/gate/"));
      assertThat(echo(during, "lame duck")).isEqualTo("gate:lame duck");
      assertThat(Duration.ofNanos(System.nanoTime() - termAt)).isLessThan(Duration.ofMillis(2500));
      assertThat(refusedWithin(port, Duration.ofSeconds(10))).as("refused after the lame duck").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - termAt)).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
      assertThat(closeCode.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1001);
      assertThat(sidecar.exitCode(Duration.ofSeconds(30))).isZero();
    }

    // A lame duck far longer than the test: the second SIGTERM ends it.
    config = config("shutdown: {lameDuck: 5m, drain: 1s}");
    try (SidecarProcess sidecar = SidecarProcess.start(dir, Map.of(), List.of(), "run", "--config",
      config.toString())) {
      int port = Integer.parseInt(sidecar.awaitLine(LISTENING, Duration.ofSeconds(60)).group(1));
      sidecar.signal("TERM");
      sidecar.awaitLine(Pattern.compile("a lame duck of 300000 ms"), Duration.ofSeconds(10));
      assertThat(refusedWithin(port, Duration.ofMillis(1500))).as("still accepting in the lame duck").isFalse();
      sidecar.signal("TERM");
      assertThat(refusedWithin(port, Duration.ofSeconds(10))).as("refused after the second TERM").isTrue();
      assertThat(sidecar.exitCode(Duration.ofSeconds(20))).isZero();
    }
  }

  private Path config(String shutdown) throws Exception {
    return fixture.sidecarYaml(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), shutdown);
  }

  private static int readyz(int adminPort) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
      URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
      .statusCode();
  }

  /** Skips watchdog pings, which arrive on their own clock, and returns the next lifecycle datagram. */
  private static String nextNotWatchdog(NotifyReceiver systemd, Duration timeout, SidecarProcess sidecar)
    throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      NotifyReceiver.Datagram d = systemd.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (d != null && !d.text().equals("WATCHDOG=1")) {
        return d.text();
      }
    }
    throw new AssertionError("no notification within " + timeout + "; output:\n" + sidecar.output());
  }

  /** Polls until a TCP connect to {@code port} is refused: the listener stops accepting soon after STOPPING. */
  private static boolean refusedWithin(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
      } catch (java.io.IOException refused) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private static int watchdogPings(NotifyReceiver systemd, int wanted) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (seen.size() < wanted && System.nanoTime() < deadline) {
      NotifyReceiver.Datagram d = systemd.next(Duration.ofMillis(500));
      if (d != null && d.text().equals("WATCHDOG=1")) {
        seen.add(d.text());
      }
    }
    return seen.size();
  }

}
