package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.RawWebSocketBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.eventually;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pomelo servers that fail: silent, dying mid-session, restarting; and no leak across ten thousand failures. */
class BackendFailureTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private RawWebSocketBackend silent;
  private RawWebSocketBackend mortal;
  private int restartPort;
  private int deadPort;
  private TestSidecar fixture;
  private Sidecar sidecar;
  private RawTls raw;
  private WebSocketClient client;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    silent = RawWebSocketBackend.silent();
    mortal = RawWebSocketBackend.answering();
    restartPort = Ports.free();
    deadPort = Ports.free();
    fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("silent-server-1", Map.entry("silent", silent.port()));
    servers.put("mortal-server-1", Map.entry("mortal", mortal.port()));
    servers.put("restart-server-1", Map.entry("restart", restartPort));
    servers.put("dead-server-1", Map.entry("dead", deadPort));
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(servers),
      new io.pomelo.sidecar.config.RoutesConfig(false, io.pomelo.sidecar.config.DialAddress.HOST, Map.of(),
        List.of(), Map.of()), Duration.ofSeconds(3), Duration.ofMillis(700))
      // Thousands of new connections from 127.0.0.1 in seconds are this test's load, not a flood to refuse with
      // 429 (ConnectionFloodTest covers that): the per-address new-connection rate is off.
      .withLimits(LimitsConfig.defaults().withConnections(LimitsConfig.defaults().connections(),
        LimitsConfig.defaults().connectionsPerAddress(), 0))));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
    client = fixture.webSocketClient(vertx);
    http = keptAliveClient();
  }

  private HttpClient keptAliveClient() {
    return vertx.createHttpClient(new HttpClientOptions().setSsl(true).setKeepAlive(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(fixture.certificate().certFile().toString())));
  }

  /** Closes the kept-alive client and waits for the sidecar to see its connections go, so they are not counted. */
  private void closeKeptAlive() throws Exception {
    await(http.close());
    until("no connection open", () -> sidecar.connections().open() == 0);
  }

  @AfterEach
  void stop() throws Exception {
    silent.close();
    mortal.close();
    await(vertx.close());
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersGets504AfterTheUpgradeTimeout() throws Exception {
    long started = System.nanoTime();
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/silent-server-1/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(504));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isBetween(Duration.ofMillis(600), Duration.ofSeconds(3));
    assertThat(silent.heads()).hasSize(1);
  }

  @Test
  void aServerThatDiesMidSessionClosesTheClientPromptly() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/mortal-server-1/", ""));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(101);
      Socket server = mortal.nextUpgraded(5);
      server.getOutputStream().write(new byte[]{(byte) 0x81, 2, 'h', 'i'});
      byte[] frame = socket.getInputStream().readNBytes(4);
      assertThat(frame[2]).isEqualTo((byte) 'h');
      long died = System.nanoTime();
      server.setSoLinger(true, 0);
      server.close();
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(2))).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(Duration.ofMillis(1000));
    }
    until("every tunnel closed", () -> sidecar.view().tunnels().size() == 0);
  }

  @Test
  void aServerThatRestartsIsReachedByTheNextConnectionAtOnce() throws Exception {
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/restart-server-1/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    EchoBackend first = await(EchoBackend.startOn(vertx, "first", restartPort));
    WebSocket before = await(TestSidecar.connect(client, sidecar.publicPort(), "/restart-server-1/"));
    await(first.close());
    until("the earlier WebSocket closed", before::isClosed);
    EchoBackend second = await(EchoBackend.startOn(vertx, "second", restartPort));
    WebSocket after = await(TestSidecar.connect(client, sidecar.publicPort(), "/restart-server-1/"));
    assertThat(after.isClosed()).isFalse();
    await(second.close());
  }

  @Test
  void tenThousandFailuresLeakNoDescriptorAndNoMemory() throws Exception {
    // The first events also pay for class loading, JIT and the first TLS handshakes: on a busy machine that has
    // taken more than 2 s, so the warm-up gets a longer bound; it must still answer every event.
    churn(300, Duration.ofSeconds(15));
    // Measured with no kept-alive connection open on either side: how many the client pools depends on the load.
    closeKeptAlive();
    http = keptAliveClient();
    settle();
    Map<String, Long> fdsBefore = openDescriptors();
    long heapBefore = heapAfterGc();
    long started = System.nanoTime();
    churn(10_000, Duration.ofSeconds(2));
    long churned = System.nanoTime();
    closeKeptAlive();
    settle();
    // On a loaded machine the last sockets can take a few seconds to be released; a leaked one never is.
    // Sockets are what a failure path could leak; the suite's shared JVM also opens jars and event loops meanwhile
    // (once 431 -> 457 descriptors in all). A leak of one socket per thousand events would be ten.
    boolean released = eventually(() -> sockets(openDescriptors()) - sockets(fdsBefore) < 5);
    Map<String, Long> fdsAfter = openDescriptors();
    long heapAfter = heapAfterGc();
    System.out.printf("10000 events in %d ms: descriptors %s -> %s (%d ms after the last), heap %d MB -> %d MB%n",
      (churned - started) / 1_000_000, fdsBefore, fdsAfter, (System.nanoTime() - churned) / 1_000_000,
      heapBefore >> 20, heapAfter >> 20);
    assertThat(released).as("descriptors %s -> %s", fdsBefore, fdsAfter).isTrue();
    assertThat(heapAfter - heapBefore).isLessThan(32L * 1024 * 1024);
    assertThat(sidecar.view().tunnels().size()).isZero();
  }

  /**
   * {@code n} events: 80% plain requests to a dead server over kept-alive connections (a refused connect each),
   * 10% upgrades to the dead server (a TLS connection and a refused connect each), 10% tunnels opened and closed;
   * each must be answered within {@code bound}.
   */
  private void churn(int n, Duration bound) throws Exception {
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger unanswered = new AtomicInteger();
    int expectedRefused = 0;
    int window = 16;
    List<Future<?>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = i % 10;
      Future<?> event;
      expectedRefused += kind <= 8 ? 1 : 0;
      if (kind < 8) {
        // body() is asked for inside send()'s callback, which runs on the event loop with the response head, so
        // before the end can arrive. As a second compose chained from this thread it raced the answer (issue #8):
        // when this thread lost the CPU between the two calls, the 502 had ended before body() was asked for, and
        // Vert.x 5.0.7 drops an end that no body() waits for, so the body never completed (vert.x#5825, #6038;
        // fixed on the 5.0 branch by vert.x#6071). The sidecar had answered every one of them.
        event = http.request(HttpMethod.GET, sidecar.publicPort(), "127.0.0.1", "/dead-server-1/x")
          .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
          .map(status -> {
            if (status == 502) {
              refused.incrementAndGet();
            }
            return status;
          });
      } else if (kind == 8) {
        event = TestSidecar.connect(client, sidecar.publicPort(), "/dead-server-1/")
          .recover(e -> {
            if (e instanceof UpgradeRejectedException r && r.getStatus() == 502) {
              refused.incrementAndGet();
            }
            return Future.succeededFuture();
          });
      } else {
        event = TestSidecar.connect(client, sidecar.publicPort(), "/gate/").compose(WebSocket::close);
      }
      // A bound per event, so a lost answer is reported by kind instead of stalling the run.
      batch.add(event.timeout(bound.toMillis(), TimeUnit.MILLISECONDS).transform(r -> {
        if (r.failed()) {
          unanswered.incrementAndGet();
          System.out.println("unanswered: kind " + kind + ": " + r.cause());
        }
        return Future.succeededFuture();
      }));
      if (batch.size() == window) {
        await(Future.join(batch));
        batch.clear();
      }
    }
    await(Future.join(batch));
    // Every event is answered: a hostile client gets a status code or a close, never a hang (issue #8).
    assertThat(unanswered.get()).as("events unanswered within %s of %d", bound, n).isZero();
    assertThat(refused.get()).isEqualTo(expectedRefused);
  }

  /** Waits for the sidecar to have closed every tunnel and the client pools to settle. */
  private void settle() throws Exception {
    until("every tunnel closed", () -> sidecar.view().tunnels().size() == 0);
    Thread.sleep(500);
  }

  /** This JVM's open descriptors by kind: socket, pipe, anon_inode or file. */
  private static Map<String, Long> openDescriptors() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(BackendFailureTest::kind)
        .collect(Collectors.groupingBy(kind -> kind, TreeMap::new, Collectors.counting()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String kind(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      int colon = target.indexOf(':');
      return target.startsWith("/") ? "file" : colon > 0 ? target.substring(0, colon) : target;
    } catch (IOException closedMeanwhile) {
      return "closed";
    }
  }

  private static long sockets(Map<String, Long> fds) {
    return fds.getOrDefault("socket", 0L);
  }

  private static long heapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
