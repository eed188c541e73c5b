package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that goes away while the Pomelo server is still answering its upgrade must not leave the sidecar's
 * connection to the server open (Vert.x's toNetSocket can throw rather than fail in that window).
 */
class ClientLeavesDuringUpgradeTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;
  private TestSidecar fixture;
  private final CompletableFuture<NetSocket> requestSeen = new CompletableFuture<>();
  private final CompletableFuture<Void> backendClosed = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // A server that reads the upgrade and answers only when the test says so.
    NetServer slow = vertx.createNetServer().connectHandler(socket -> {
      Buffer head = Buffer.buffer();
      socket.handler(data -> {
        head.appendBuffer(data);
        if (head.toString().contains("\r\n\r\n")) {
          requestSeen.complete(socket);
        }
      });
      socket.closeHandler(v -> backendClosed.complete(null));
    });
    await(slow.listen(0, "127.0.0.1"));
    fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx, fixture.config(
      fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", slow.actualPort()))), List.of())));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void theServerConnectionIsClosedWhenTheClientLeavesFirst() throws Exception {
    try (SSLSocket client = new RawTls(fixture.certificate().certFile(), sidecar.publicPort()).open()) {
      OutputStream out = client.getOutputStream();
      out.write(("GET /gate/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      NetSocket server = await(requestSeen);
      client.close();
      // The server answers after the client is gone; the sidecar must drop the connection, not adopt it.
      server.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    }
    await(backendClosed);
    assertThat(sidecar.view().tunnels().size()).isZero();
  }
}
