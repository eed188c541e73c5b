package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin port holds only so many connections, and none for long without a request: a local process cannot tie it
 * up. Timeouts are configured short (300 ms) so that the tests wait for the close, not for the default.
 */
class AdminConnectionsTest {

  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration DEADLINE = Duration.ofSeconds(Await.SECONDS);

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Path servers;
  private Sidecar sidecar;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    servers = fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port())));
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    await(vertx.close());
  }

  private void start(int maxConnections, Duration idleTimeout) throws Exception {
    AdminConfig admin = new AdminConfig(new ListenerConfig("127.0.0.1", 0)).withConnections(maxConnections,
      idleTimeout);
    sidecar = await(fixture.start(vertx, fixture.config(servers, List.of()).withAdmin(admin)));
  }

  @Test
  void oneConnectionOverTheCapIsClosedAtOnceAndItsPlaceIsFreedByAClose() throws Exception {
    // The idle timeout stays long, so only the cap can close anything within the test's deadline.
    start(2, Duration.ofMinutes(1));
    Socket first = open();
    Socket second = open();
    assertThat(RawTls.status(healthz(first))).isEqualTo(200);
    assertThat(RawTls.status(healthz(second))).isEqualTo(200);

    Socket third = open();
    assertThat(RawTls.closedWithin(third, DEADLINE)).isTrue();
    assertThat(RawTls.status(healthz(first))).as("the counted ones stay").isEqualTo(200);

    first.close();
    // The close reaches the listener a moment later: until then a new connection is still one too many.
    Await.until(() -> {
      try {
        return RawTls.status(healthz(open())) == 200;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(RawTls.status(healthz(second))).isEqualTo(200);
  }

  @Test
  void aSilentConnectionAndAnIdleKeptAliveOneAreClosed() throws Exception {
    start(64, SHORT);
    Socket silent = open();
    Socket keptAlive = open();
    assertThat(RawTls.status(healthz(keptAlive))).isEqualTo(200);
    assertThat(RawTls.closedWithin(silent, DEADLINE)).isTrue();
    assertThat(RawTls.closedWithin(keptAlive, DEADLINE)).isTrue();
  }

  @Test
  void aRequestHeadSentOneByteAtATimeIsCutOffAfterTheIdleTimeout() throws Exception {
    start(64, SHORT);
    cutOffWhileSendingAHeadSlowly(sidecar.adminPort());
  }

  @Test
  void theBoundOnTheHeadDoesNotLeanOnTheIdleTimeout() throws Exception {
    // Vert.x's idle timeout sees a slow head as silence too (its handler sits behind the HTTP decoder): here there is
    // none, as after a Vert.x that moves it.
    AdminConnections connections = new AdminConnections(vertx, 64, SHORT.toMillis());
    Router router = Router.router(vertx);
    router.route().handler(connections::headComplete);
    router.route().handler(ctx -> ctx.response().end("ok"));
    HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
      .setHttp2ClearTextEnabled(false)).connectionHandler(connections::connected).requestHandler(router).listen());
    cutOffWhileSendingAHeadSlowly(server.actualPort());
  }

  private void cutOffWhileSendingAHeadSlowly(int port) throws Exception {
    // Before the connect, so that the listener's clock cannot have started earlier.
    long started = System.nanoTime();
    Socket slow = new RawTls(fixture.certificate().certFile(), port).openPlain();
    sockets.add(slow);
    RawTls.send(slow, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ");
    // A byte every 100 ms keeps the connection from ever being silent for 300 ms; only a bound on the head cuts it.
    // Waiting for the close between bytes is what paces them.
    while (!RawTls.closedWithin(slow, Duration.ofMillis(100))) {
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still open").isLessThan(DEADLINE);
      try {
        RawTls.send(slow, "a");
      } catch (IOException e) {
        break;
      }
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SHORT);
  }

  private Socket open() throws Exception {
    Socket socket = new RawTls(fixture.certificate().certFile(), sidecar.adminPort()).openPlain();
    sockets.add(socket);
    return socket;
  }

  /** GET /healthz on a kept-alive connection. */
  private String healthz(Socket socket) throws IOException {
    RawTls.send(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + sidecar.adminPort() + "\r\n\r\n");
    return RawTls.readAnswer(socket);
  }
}
