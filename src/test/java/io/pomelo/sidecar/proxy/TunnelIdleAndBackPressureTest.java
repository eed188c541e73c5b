package io.pomelo.sidecar.proxy;

import io.netty.util.internal.PlatformDependent;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.RawWebSocketBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Established tunnels: idle timeouts per route, TCP keepalive on both sides, and a client that stops reading. */
class TunnelIdleAndBackPressureTest {

  private static final long PUSH = 100L * 1024 * 1024;

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector;
  private RawWebSocketBackend pusher;
  private Sidecar sidecar;
  private RawTls raw;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    connector = await(EchoBackend.start(vertx, "connector"));
    pusher = RawWebSocketBackend.answering();
    TestSidecar fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector.port()));
    servers.put("pusher-server-1", Map.entry("pusher", pusher.port()));
    // Only the gate has an idle timeout; the default is none.
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST,
      Map.of("gate", new TypeRoutesConfig(null, null, null, Duration.ofMillis(700))), List.of(), Map.of());
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers), routes, Duration.ofSeconds(3),
      Duration.ofSeconds(10))));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    pusher.close();
    await(vertx.close());
  }

  @Test
  void anIdleTunnelIsClosedWith1001OnlyOnARouteWithAnIdleTimeout() throws Exception {
    WebSocket idleGate = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    long started = System.nanoTime();
    // Before the second connect: on a busy machine that can take longer than the gate's idle timeout.
    CompletableFuture<Short> gateClosed = new CompletableFuture<>();
    idleGate.closeHandler(v -> gateClosed.complete(idleGate.closeStatusCode()));
    WebSocket idleConnector = await(TestSidecar.connect(client, sidecar.publicPort(), "/connector-server-1/"));
    assertThat(gateClosed.get(5, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(600));
    assertThat(idleGate.closeReason()).isEqualTo("idle timeout");
    assertThat(sidecar.view().refusals().count(Refusal.IDLE_TIMEOUT)).isEqualTo(1);
    // No idle timeout by default: the connector tunnel, just as idle, is still there and still works.
    assertThat(idleConnector.isClosed()).isFalse();
    assertThat(echo(idleConnector, "still here")).isEqualTo("connector:still here");
  }

  @Test
  void aTunnelInUseIsNotIdle() throws Exception {
    WebSocket busy = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    AtomicLong echoes = new AtomicLong();
    busy.textMessageHandler(t -> echoes.incrementAndGet());
    for (int i = 0; i < 10; i++) {
      busy.writeTextMessage("ping");
      Thread.sleep(200);
    }
    assertThat(busy.isClosed()).isFalse();
    assertThat(echoes.get()).isEqualTo(10);
  }

  @Test
  void bothSidesOfATunnelHaveTcpKeepalive() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/pusher-server-1/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(101);
      // ss shows a keepalive timer only on sockets with SO_KEEPALIVE; the test's own raw sockets have none.
      // While bytes are in flight ss shows the retransmission timer instead; the keepalive one shows between sends.
      until(() -> ssNow("sport = :" + sidecar.publicPort()).contains("keepalive"));
      until(() -> ssNow("dport = :" + pusher.port()).contains("keepalive"));
      assertThat(ss("dport = :" + sidecar.publicPort())).doesNotContain("keepalive");
    }
  }

  @Test
  void aClientThatStopsReadingStopsTheServerInsteadOfFillingMemory() throws Exception {
    try (SSLSocket socket = raw.open(64 * 1024)) {
      RawTls.send(socket, RawTls.upgrade("/pusher-server-1/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(101);
      Socket backend = pusher.nextUpgraded(5);
      assertThat(backend).isNotNull();
      long directBefore = PlatformDependent.usedDirectMemory();

      // One 100 MB binary frame, written by a thread that blocks whenever the kernel takes no more.
      AtomicLong accepted = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = backend.getOutputStream();
          out.write(new byte[]{(byte) 0x82, 127, 0, 0, 0, 0, (byte) (PUSH >>> 24), (byte) (PUSH >>> 16),
            (byte) (PUSH >>> 8), (byte) PUSH});
          byte[] chunk = new byte[64 * 1024];
          for (long sent = 0; sent < PUSH; sent += chunk.length) {
            out.write(chunk);
            accepted.addAndGet(chunk.length);
          }
          out.flush();
        } catch (Exception e) {
          // the test closed the socket
        }
      }, "pusher");
      writer.setDaemon(true);
      writer.start();

      long stalled = waitUntilStalled(accepted, Duration.ofSeconds(2), Duration.ofSeconds(30));
      long directHeld = PlatformDependent.usedDirectMemory() - directBefore;
      System.out.printf("slow reader: server got %d MB of %d MB into the kernel, sidecar direct memory +%d KB%n",
        stalled >> 20, PUSH >> 20, directHeld >> 10);
      // Everything in flight fits in the loopback socket buffers (up to 32 MB receive, 4 MB send here) plus
      // Netty's write queue: far below what was pushed, and not growing.
      assertThat(stalled).isLessThan(PUSH / 2);
      assertThat(directHeld).isLessThan(16L * 1024 * 1024);

      // Nothing was lost: once the client reads, every byte arrives.
      long received = readAll(socket.getInputStream(), PUSH + 10);
      assertThat(received).isEqualTo(PUSH + 10);
      writer.join(10_000);
    }
  }

  /** Waits until {@code counter} has not moved for {@code quiet}; returns its value then. */
  private static long waitUntilStalled(AtomicLong counter, Duration quiet, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    long last = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = counter.get();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= quiet.toNanos()) {
        return now;
      }
      Thread.sleep(50);
    }
    return counter.get();
  }

  private static long readAll(InputStream in, long expected) throws Exception {
    byte[] buffer = new byte[256 * 1024];
    long total = 0;
    while (total < expected) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static String ssNow(String filter) {
    try {
      Process p = new ProcessBuilder("ss", "-tnoH", "state", "established", "( " + filter + " )")
        .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "";
    }
  }

  private static String ss(String filter) throws Exception {
    Process p = new ProcessBuilder("ss", "-tnoH", "state", "established", "( " + filter + " )")
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(5, TimeUnit.SECONDS);
    assertThat(out).as("ss found the socket: " + filter).isNotBlank();
    return out;
  }
}
