package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.AccessLogConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One line per upgrade on its own logger: at the end of an accepted one, at once for a refused one. */
class AccessLogTest {

  @TempDir
  Path dir;

  private final AccessLogLines log = new AccessLogLines();
  private Vertx vertx;
  private WebSocketClient client;
  private TestSidecar fixture;
  private EchoBackend gate;

  @BeforeEach
  void start() throws Exception {
    log.start();
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    log.stop();
    await(vertx.close());
  }

  private Sidecar sidecar(boolean accessLog) throws Exception {
    SidecarConfig config = fixture.config(
      fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withAccessLog(new AccessLogConfig(accessLog));
    return await(fixture.start(vertx, config));
  }

  @Test
  void oneLinePerUpgradeWrittenWhenItEnds() throws Exception {
    Sidecar sidecar = sidecar(true);
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/?token=secret"));
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");
    // Not per message, and not before the end.
    assertThat(log.lines()).isEmpty();

    await(ws.close((short) 1000, "bye"));
    until(() -> log.lines().size() == 1);
    String line = log.lines().get(0);
    assertThat(line).matches("\\S+Z 127\\.0\\.0\\.1:\\d+ /gate/ gate-server-1 127\\.0\\.0\\.1:" + gate.port()
      + " 101 \\d+\\.\\d{3}s in=" + ((2 + 4 + 5) + (2 + 4 + 2 + 3)) + " out=\\d+ close=client");
    assertThat(line).doesNotContain("secret");

    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/nowhere/")))
      .isInstanceOf(UpgradeRejectedException.class);
    until(() -> log.lines().size() == 2);
    assertThat(log.lines().get(1)).matches("\\S+ 127\\.0\\.0\\.1:\\d+ /nowhere/ - - 404 .*");
  }

  @Test
  void offWhenDisabled() throws Exception {
    Sidecar sidecar = sidecar(false);
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/nowhere/")))
      .isInstanceOf(UpgradeRejectedException.class);
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    await(ws.close());
    until(() -> sidecar.view().tunnels().size() == 0);
    assertThat(log.lines()).isEmpty();
  }
}
