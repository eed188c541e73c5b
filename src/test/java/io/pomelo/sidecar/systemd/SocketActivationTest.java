package io.pomelo.sidecar.systemd;

import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.SidecarProcess;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Socket activation with a real child process: {@code socket-activate.py} plays systemd (it listens, passes the
 * sockets as descriptors 3 and 4 with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES, and keeps them between two runs of
 * the sidecar, as a .socket unit does), since Java cannot hand a child a descriptor. systemd-socket-activate(1) is
 * no help here: it needs a fixed port and starts its child only once, at the first connection.
 */
class SocketActivationTest {

  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path LAUNCHER = Path.of(System.getProperty("sidecar.project.dir", "."),
    "src/test/resources/systemd/socket-activate.py");
  private static final Pattern SOCKETS = Pattern.compile("^sockets public=(\\d+) admin=(\\d+)$");
  private static final Pattern LISTENING = SidecarProcess.LISTENING;

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private TestSidecar fixture;

  @BeforeEach
  void backend() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON + " to pass descriptors with");
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void servesOnTheInheritedSocketsAndConnectionsWaitInTheBacklogWhileNoSidecarRuns() throws Exception {
    // Addresses of its own (ephemeral ports) that it must not bind: the inherited sockets replace them.
    Path config = fixture.sidecarYaml(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))),
      "shutdown: {lameDuck: 0, drain: 1s}");
    String socket = dir.resolve("notify.sock").toString();
    try (NotifyReceiver systemd = new NotifyReceiver(socket);
         SidecarProcess launcher = SidecarProcess.start(dir, Map.of("NOTIFY_SOCKET", socket),
           List.of(PYTHON.toString(), LAUNCHER.toString(), "public:admin", "2"), List.of(),
           "run", "--config", config.toString())) {
      Matcher sockets = launcher.awaitLine(SOCKETS, Duration.ofSeconds(10));
      int port = Integer.parseInt(sockets.group(1));
      int adminPort = Integer.parseInt(sockets.group(2));
      RawTls tls = new RawTls(fixture.certificate().certFile(), port);

      // The JVM is only starting: the kernel completes the connection from the backlog, the sidecar serves it later.
      long firstChild = Long.parseLong(launcher.awaitLine(Pattern.compile("^started (\\d+)$"), Duration.ofSeconds(5))
        .group(1));
      try (Socket early = connect(port)) {
        long connectedAt = System.nanoTime();
        assertThat(upgrade(tls, early)).startsWith("HTTP/1.1 101");
        NotifyReceiver.Datagram ready = systemd.next(Duration.ofSeconds(60));
        assertThat(ready).isNotNull();
        assertThat(ready.text()).startsWith("READY=1");
        assertThat(ready.receivedNanos()).as("connected before READY").isGreaterThan(connectedAt);
      }
      Matcher listening = launcher.awaitLine(LISTENING, Duration.ofSeconds(5));
      assertThat(Integer.parseInt(listening.group(1))).isEqualTo(port);
      assertThat(Integer.parseInt(listening.group(2))).isEqualTo(adminPort);
      assertThat(launcher.output()).contains("serves on the socket systemd passed (fd 3, 127.0.0.1:" + port + ")");
      assertThat(readyz(adminPort)).as("the admin API on its inherited socket").isEqualTo(200);

      // A restart: while no sidecar runs, the socket stays open, and a new connection waits for the next one.
      kill(firstChild);
      launcher.awaitLine(Pattern.compile("^exited " + firstChild + " 0$"), Duration.ofSeconds(30));
      try (Socket between = connect(port)) {
        assertThat(upgrade(tls, between)).startsWith("HTTP/1.1 101");
      }
      assertThat(systemd.next(Duration.ofSeconds(10)).text()).isEqualTo("STOPPING=1");
      assertThat(systemd.next(Duration.ofSeconds(60)).text()).startsWith("READY=1");
      long secondChild = Long.parseLong(launcher.awaitLine(Pattern.compile("^started (\\d+)$"), Duration.ofSeconds(5))
        .group(1));
      kill(secondChild);
      assertThat(launcher.exitCode(Duration.ofSeconds(30))).isZero();
      assertThat(launcher.output()).contains("exited " + secondChild + " 0");
    }
  }

  @Test
  void socketsItCannotTellApartAreRefusedRatherThanBoundAnew() throws Exception {
    Path config = dir.resolve("sidecar.yaml");
    Files.writeString(config, "listen: {host: 127.0.0.1, port: 0}\nadmin: {host: 127.0.0.1, port: 0}\n");
    try (SidecarProcess launcher = SidecarProcess.start(dir, Map.of(),
           List.of(PYTHON.toString(), LAUNCHER.toString(), "public:extra", "1"), List.of(),
           "run", "--config", config.toString())) {
      assertThat(launcher.exitCode(Duration.ofSeconds(60))).isZero();
      assertThat(launcher.output())
        .contains("cannot serve on the sockets systemd passed: LISTEN_FDNAMES: socket 4 is named 'extra'")
        .containsPattern("exited \\d+ 1");
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    return tcp;
  }

  /** A WebSocket upgrade for /gate/ over TLS on {@code tcp}; the answer's head. */
  private static String upgrade(RawTls tls, Socket tcp) throws IOException {
    Socket socket = tls.over(tcp);
    RawTls.send(socket, RawTls.upgrade("/gate/", ""));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static int readyz(int adminPort) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
      URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
      .statusCode();
  }

  private static void kill(long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start().waitFor()).isZero();
  }
}
