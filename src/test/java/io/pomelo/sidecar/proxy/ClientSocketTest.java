package io.pomelo.sidecar.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.ChannelHandler;
import io.pomelo.sidecar.backend.CloseReason;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's socket leaves Vert.x's HTTP server when its tunnel starts: nothing of Vert.x's stays in its pipeline,
 * and a tunnel that ends from either side is still counted as closed, without Vert.x complaining about a request it
 * no longer owns. A Vert.x whose handlers are not under the names known here still tunnels, through its public path.
 */
class ClientSocketTest {

  @TempDir
  Path dir;

  private final ListAppender<ILoggingEvent> vertxLog = new ListAppender<>();
  private Logger vertxLogger;
  private final ListAppender<ILoggingEvent> clientSocketLog = new ListAppender<>();
  private Logger clientSocketLogger;
  private Vertx vertx;
  private EchoBackend gate;
  private Sidecar sidecar;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertxLogger = (Logger) LoggerFactory.getLogger("io.vertx");
    vertxLog.start();
    vertxLogger.addAppender(vertxLog);
    clientSocketLogger = (Logger) LoggerFactory.getLogger(ClientSocket.class);
    clientSocketLog.start();
    clientSocketLogger.addAppender(clientSocketLog);
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx,
      fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())));
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    ClientSocket.pretendNamesChanged(false);
    vertxLogger.detachAppender(vertxLog);
    clientSocketLogger.detachAppender(clientSocketLog);
    await(vertx.close());
  }

  @Test
  void anOpenTunnelsClientSocketEndsWithTheTunnelAndHoldsNothingOfVertx() throws Exception {
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "hello")).isEqualTo("gate:hello");

    List<Tunnel> open = sidecar.view().tunnels().snapshot();
    assertThat(open).hasSize(1);
    Map<String, ChannelHandler> pipeline = clientPipeline(open.get(0));
    List<String> names = new ArrayList<>(pipeline.keySet());
    assertThat(names).last().isEqualTo(TunnelEnd.NAME);
    assertThat(pipeline.values()).noneMatch(h -> h.getClass().getName().startsWith("io.vertx."));
    // What a tunnel keeps reachable from its socket, besides TLS, is the sidecar's own.
    assertThat(names).containsExactly("ssl", TunnelEnd.NAME);
  }

  @Test
  void aTunnelEndedFromEitherSideIsCountedAndVertxLogsNothing() throws Exception {
    long closedBefore = sidecar.view().live().route("/gate/").closes(CloseReason.CLIENT)
      + sidecar.view().live().route("/gate/").closes(CloseReason.BACKEND);
    WebSocket byClient = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    WebSocket byServer = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(byClient, "a")).isEqualTo("gate:a");
    assertThat(echo(byServer, "b")).isEqualTo("gate:b");

    closeFromEitherSide(byClient, byServer);
    until(() -> sidecar.view().tunnels().size() == 0);
    until(() -> sidecar.connections().open() == 0);
    assertThat(sidecar.view().live().route("/gate/").closes(CloseReason.CLIENT)
      + sidecar.view().live().route("/gate/").closes(CloseReason.BACKEND)).isEqualTo(closedBefore + 2);
    assertThat(sidecar.view().live().route("/gate/").active()).isZero();
    // Vert.x's HTTP connection would report the end of a request it never finished ("Connection was closed").
    assertThat(vertxLog.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).isEmpty();
  }

  @Test
  void withoutTheKnownHandlerNamesAnUpgradeTunnelsBothWaysThroughVertxsPublicPath() throws Exception {
    ClientSocket.pretendNamesChanged(true);
    WebSocket byClient = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    WebSocket byServer = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    // Each answer crossed the tunnel twice: the client's frame to the server, and the server's back.
    assertThat(echo(byClient, "hello")).isEqualTo("gate:hello");
    assertThat(echo(byServer, "again")).isEqualTo("gate:again");
    assertThat(echo(byClient, "x".repeat(100_000))).isEqualTo("gate:" + "x".repeat(100_000));

    // The tunnel's handler stands just before Vert.x's socket handler, which stayed; no guard took the decoder's place.
    List<String> names = new ArrayList<>(clientPipeline(sidecar.view().tunnels().snapshot().get(0)).keySet());
    assertThat(names).doesNotContain(EarlyBytes.NAME);
    assertThat(names.get(names.size() - 2)).isEqualTo(TunnelEnd.NAME);
    assertThat(clientSocketLog.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1)
      .first().extracting(ILoggingEvent::getFormattedMessage).asString().contains("toNetSocket()");

    closeFromEitherSide(byClient, byServer);
    until(() -> sidecar.view().tunnels().size() == 0);
    until(() -> sidecar.connections().open() == 0);
  }

  /** The client's end of {@code tunnel}, read on its own event loop: its pipeline is changed only there. */
  private static Map<String, ChannelHandler> clientPipeline(Tunnel tunnel) throws Exception {
    Map<String, ChannelHandler> pipeline = new LinkedHashMap<>();
    CompletableFuture<Void> read = new CompletableFuture<>();
    tunnel.clientChannel().eventLoop().execute(() -> {
      tunnel.clientChannel().pipeline().forEach(e -> pipeline.put(e.getKey(), e.getValue()));
      read.complete(null);
    });
    await(read);
    return pipeline;
  }

  /** Closes {@code byClient} from the client and {@code byServer} from the server (its close frame 4321). */
  private static void closeFromEitherSide(WebSocket byClient, WebSocket byServer) throws Exception {
    await(byClient.close((short) 4000, "bye"));
    CompletableFuture<Short> code = new CompletableFuture<>();
    byServer.closeHandler(v -> code.complete(byServer.closeStatusCode()));
    byServer.writeTextMessage("close:4321");
    assertThat(await(code)).isEqualTo((short) 4321);
  }
}
