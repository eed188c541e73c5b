package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a Pomelo server answers to the upgrade, byte for byte, from a raw TCP server: the sidecar parses the answer
 * itself (no HTTP client connection), so every shape of answer has a test here.
 */
@ExtendWith(VertxExtension.class)
class BackendAnswerTest {

  private static final Pattern KEY = Pattern.compile("(?i)sec-websocket-key: *(\\S+)");

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private WebSocketClient client;
  /** The request head the raw server received last. */
  private final CompletableFuture<String> requestHead = new CompletableFuture<>();

  /** The extension closes it after each test, and with it every server and client below. */
  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts the sidecar with one route, /raw/, to a server that writes {@code answer(request head)} in one write. */
  private Sidecar sidecarTo(Function<String, Buffer> answer) throws Exception {
    return sidecarTo(answer, false);
  }

  /** @param thenClose the server closes the connection right after its answer */
  private Sidecar sidecarTo(Function<String, Buffer> answer, boolean thenClose) throws Exception {
    NetServer server = vertx.createNetServer().connectHandler(socket -> readHead(socket, answer, thenClose));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    fixture = new TestSidecar(dir);
    client = fixture.webSocketClient(vertx);
    return await(fixture.start(vertx, fixture.config(
      fixture.serversJson(Map.of("raw-server-1", Map.entry("raw", port))), List.of())));
  }

  private void readHead(NetSocket socket, Function<String, Buffer> answer, boolean thenClose) {
    Buffer head = Buffer.buffer();
    socket.handler(bytes -> {
      head.appendBuffer(bytes);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.contains("\r\n\r\n") && !requestHead.isDone()) {
        requestHead.complete(text);
        if (thenClose) {
          socket.end(answer.apply(text));
        } else {
          socket.write(answer.apply(text));
        }
      }
    });
  }

  private static Buffer switching(String request) {
    Matcher key = KEY.matcher(request);
    assertThat(key.find()).isTrue();
    return Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n");
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unmasked text frame, as a server sends it. */
  private static Buffer textFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) payload.length).appendBytes(payload);
  }

  @Test
  void framesSentInTheSameWriteAsThe101ReachTheClient() throws Exception {
    Sidecar sidecar = sidecarTo(request -> switching(request).appendBuffer(textFrame("first"))
      .appendBuffer(textFrame("second")));
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    // The frames arrive with the 101: the handler must be there before the connection is.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> (first.isDone() ? second : first).complete(text));
    await(ws.connect(sidecar.publicPort(), "127.0.0.1", "/raw/"));
    assertThat(await(first)).isEqualTo("first");
    assertThat(await(second)).isEqualTo("second");
  }

  @Test
  void theServerHearsTheClientsHostAndTheUpgradeHeaders() throws Exception {
    Sidecar sidecar = sidecarTo(BackendAnswerTest::switching);
    await(client.connect(sidecar.publicPort(), "127.0.0.1", "/raw/?x=1"));
    String head = await(requestHead);
    assertThat(head).startsWith("GET /raw/?x=1 HTTP/1.1\r\n");
    assertThat(head).containsIgnoringCase("host: 127.0.0.1:" + sidecar.publicPort() + "\r\n")
      .containsIgnoringCase("upgrade: websocket\r\n").containsIgnoringCase("connection: upgrade\r\n")
      .containsIgnoringCase("x-forwarded-for: 127.0.0.1\r\n");
  }

  @Test
  void aChunkedRefusalReachesTheClientWithItsStatusAndBody() throws Exception {
    Sidecar sidecar = sidecarTo(request -> Buffer.buffer("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n"
      + "X-Reason: full\r\n\r\n5\r\nnope!\r\n0\r\n\r\n"));
    assertThatThrownBy(() -> await(client.connect(sidecar.publicPort(), "127.0.0.1", "/raw/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
        assertThat(e.getStatus()).isEqualTo(403);
        assertThat(e.getHeaders().get("X-Reason")).isEqualTo("full");
        assertThat(e.getBody().toString()).isEqualTo("nope!");
      });
  }

  @Test
  void aRefusalWhoseBodyEndsWithTheConnectionReachesTheClient() throws Exception {
    Sidecar sidecar = sidecarTo(request -> Buffer.buffer("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
      + "bad key"), true);
    assertThatThrownBy(() -> await(client.connect(sidecar.publicPort(), "127.0.0.1", "/raw/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
        assertThat(e.getStatus()).isEqualTo(400);
        assertThat(e.getBody().toString()).isEqualTo("bad key");
      });
  }

  @Test
  void anAnswerThatIsNotHttpGets502AndClosesTheServersSocket() throws Exception {
    CompletableFuture<Void> serverSocketClosed = new CompletableFuture<>();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      socket.closeHandler(v -> serverSocketClosed.complete(null));
      socket.handler(bytes -> socket.write("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    });
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    fixture = new TestSidecar(dir);
    client = fixture.webSocketClient(vertx);
    Sidecar sidecar = await(fixture.start(vertx, fixture.config(
      fixture.serversJson(Map.of("raw-server-1", Map.entry("raw", port))), List.of())));
    Future<WebSocket> connect = client.connect(sidecar.publicPort(), "127.0.0.1", "/raw/");
    assertThatThrownBy(() -> await(connect))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    await(serverSocketClosed);
  }
}
