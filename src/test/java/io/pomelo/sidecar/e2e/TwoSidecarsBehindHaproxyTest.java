package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.ClientsConfig;
import io.pomelo.sidecar.config.ShutdownConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out as the README describes it, with the real parts: a real HAProxy in TCP mode with {@code send-proxy-v2}
 * and {@code /readyz} checks in front of two sidecars that share a session ticket key file, over a real Pomelo
 * cluster. One sidecar is stopped under load: its lame duck makes HAProxy take it out before its port closes, so no
 * new connection fails; its open sessions get 1001 and reconnect through the other; and a TLS session it made resumes
 * on the other.
 */
final class TwoSidecarsBehindHaproxyTest {

  private static final String ENTRY = "connector.entryHandler.entry";
  /** Longer than HAProxy's check interval below (200 ms, one failure takes a server out), as the README asks. */
  private static final Duration LAME_DUCK = Duration.ofMillis(1500);
  private static final AtomicInteger PLAYERS = new AtomicInteger();

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static ClusterBehindSidecar pomelo;
  private static Sidecar other;
  private static int haproxyPort;

  @BeforeAll
  static void start() throws Exception {
    Path keys = workDir.resolve("ticket.keys");
    byte[] key = new byte[80];
    new SecureRandom().nextBytes(key);
    Files.write(keys, key);
    pomelo = opened.add(ClusterBehindSidecar.start(workDir, PomeloCluster::start,
      (fixture, cluster) -> behindTheBalancer(fixture, cluster, keys)));
    other = opened.add(await(pomelo.fixture().start(pomelo.vertx(),
      behindTheBalancer(pomelo.fixture(), pomelo.cluster(), keys))));
    haproxyPort = Ports.free();
    String config = PomeloBehindHaproxyTest.haproxyConfig(haproxyPort, pomelo.sidecar().publicPort(),
      pomelo.sidecar().adminPort())
      .replace(" inter 2s", " inter 200ms fall 1 rise 1")
      .replaceFirst("(?m)^(  server sidecar1 .*)$", "$1\n  server sidecar2 127.0.0.1:" + other.publicPort()
        + " send-proxy-v2 check port " + other.adminPort() + " inter 200ms fall 1 rise 1");
    opened.add(Haproxy.start(workDir, config, haproxyPort));
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  private static SidecarConfig behindTheBalancer(TestSidecar fixture, PomeloCluster cluster, Path keys) {
    SidecarConfig config = fixture.config(cluster.serversJson(), List.of(new AliasConfig("/conn/", "connector", null,
      null)));
    return config.withClients(ClientsConfig.defaults().withProxyProtocol(List.of("127.0.0.1/32")))
      .withTls(new TlsConfig(config.tls().certificates(), keys))
      .withShutdown(new ShutdownConfig(LAME_DUCK, Duration.ofSeconds(1)));
  }

  @Test
  void oneSidecarStoppedUnderLoadFailsNoNewConnectionAndItsSessionsResumeOnTheOther() throws Exception {
    Sidecar stopping = pomelo.sidecar();
    // Both in: held sessions spread over the two (leastconn).
    List<PomeloClient> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(await(connect()));
    }
    until("both sidecars serve", () -> stopping.view().tunnels().size() > 0 && other.view().tunnels().size() > 0);
    List<PomeloClient> onStopping = new ArrayList<>();
    int onIt = stopping.view().tunnels().size();
    Path session = workDir.resolve("session.pem");
    assertThat(sClient("-sess_out", session)).containsPattern("\\nNew, TLSv1\\.3");

    // Load: loops of connect, one request, close, through HAProxy, for the whole stop and a second after it.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> loops = new ArrayList<>();
    for (int loop = 0; loop < 4; loop++) {
      int uid = 1000 * (loop + 1);
      Thread thread = new Thread(() -> {
        for (int n = 0; running.get(); n++) {
          try {
            PomeloClient client = await(connect());
            try {
              await(client.request(ENTRY, new JsonObject().put("uid", uid + n).put("msg", "load")));
              served.incrementAndGet();
            } finally {
              await(client.close());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }, "load-" + loop);
      thread.start();
      loops.add(thread);
    }
    until("load running", () -> served.get() >= 20);
    int beforeStop = served.get();

    long stoppingAt = System.nanoTime();
    await(stopping.stop(LAME_DUCK, Duration.ofSeconds(1)));
    long stoppedAfter = System.nanoTime() - stoppingAt;
    int duringStop = served.get() - beforeStop;
    until("load served after the stop", () -> served.get() >= beforeStop + duringStop + 20);
    running.set(false);
    for (Thread thread : loops) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }

    // The sessions the stopped sidecar held got 1001 and reconnect through the other.
    int reconnected = 0;
    for (PomeloClient client : held) {
      if (client.isClosed()) {
        assertThat(client.closeStatus()).isEqualTo((short) 1001);
        PomeloClient again = await(connect());
        assertThat(await(again.request(ENTRY, new JsonObject().put("uid", 7).put("msg", "back"))).getString("echo"))
          .isEqualTo("back");
        await(again.close());
        reconnected++;
      } else {
        await(client.close());
      }
    }
    String resumed = sClient("-sess_in", session);
    System.out.printf("two sidecars behind HAProxy: %d new connections served while one stopped (%d ms: lame duck,"
        + " drain), %d failed; %d of %d held sessions got 1001 and reconnected; the session made before resumed on the"
        + " other: %s%n", duringStop, TimeUnit.NANOSECONDS.toMillis(stoppedAfter), failures.size(), reconnected,
      held.size(), resumed.contains("Reused"));

    assertThat(failures).as("new connections that failed while a sidecar stopped").isEmpty();
    assertThat(duringStop).as("connections served during the stop").isPositive();
    assertThat(reconnected).isEqualTo(onIt);
    assertThat(resumed).as("only the other sidecar is left to resume it").containsPattern("\\nReused, TLSv1\\.3");
  }

  /**
   * A player's connection through HAProxy, from one of 250 loopback addresses in turn: players come from many
   * addresses, and the sidecar's per-address limits (on, as in production) would rightly refuse a flood from one.
   */
  private static io.vertx.core.Future<PomeloClient> connect() {
    WebSocketClientOptions options = new WebSocketClientOptions()
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(pomelo.fixture().certificate().certFile().toString()))
      .setLocalAddress("127.0.0." + (2 + PLAYERS.getAndIncrement() % 250));
    return PomeloClient.connect(pomelo.vertx(), URI.create("wss://127.0.0.1:" + haproxyPort + "/conn/"), options);
  }

  /** One request with OpenSSL's client through HAProxy, which says New or Reused. */
  private static String sClient(String sessionOption, Path session) throws Exception {
    Path out = workDir.resolve("s_client.out");
    Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + haproxyPort,
      "-servername", "localhost", "-tls1_3", sessionOption, session.toString(), "-ign_eof")
      .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    process.getOutputStream().write(
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    process.getOutputStream().flush();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("s_client ended").isTrue();
    return Files.readString(out);
  }
}
