package io.pomelo.sidecar.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's stand-in for Pomelo frontend servers: plain WebSocket (no TLS) on each given loopback port,
 * echoing every message as it came, on any path. Every proxy under test forwards to the same two of these.
 *
 * <p>{@code java -cp TEST_CLASSPATH io.pomelo.sidecar.bench.EchoServer PORT...}; prints "ready" once all listen
 * and it has echoed {@code -Dwarmup.seconds} (10) of its own traffic: the backends are one JVM shared by every proxy
 * in a run, and without this the first proxy measured (the sidecar) carried the backends' JIT warm-up on the load
 * generator's core (its p99 at 5 000 msgs/s came out 2.5 ms higher than when it ran second).
 */
public final class EchoServer {

  private EchoServer() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    List<Future<?>> listening = new ArrayList<>();
    for (String port : args) {
      HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(Integer.parseInt(port))
        .setTcpNoDelay(true).setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20);
      listening.add(vertx.createHttpServer(options)
        .webSocketHandler(ws -> {
          ws.binaryMessageHandler(ws::writeBinaryMessage);
          ws.textMessageHandler(ws::writeTextMessage);
          ws.exceptionHandler(e -> ws.close());
        })
        .requestHandler(req -> req.response().end("echo " + req.path() + "\n"))
        .listen());
    }
    try {
      Future.all(listening).await();
    } catch (Exception e) {
      System.err.println("echo backends could not listen: " + e);
      System.exit(1);
    }
    warmUp(vertx, args, Long.getLong("warmup.seconds", 10));
    System.out.println("ready native=" + vertx.isNativeTransportEnabled());
  }

  /** Closed-loop 1 KiB echoes over 10 plain WebSockets per port for {@code seconds}, then closes them. */
  private static void warmUp(Vertx vertx, String[] ports, long seconds) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    Buffer message = Buffer.buffer(new byte[1024]);
    List<Future<WebSocket>> sockets = new ArrayList<>();
    for (String port : ports) {
      for (int i = 0; i < 10; i++) {
        ClientWebSocket ws = client.webSocket();
        ws.binaryMessageHandler(echo -> {
          if (System.nanoTime() < end) {
            ws.writeBinaryMessage(message);
          }
        });
        sockets.add(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(port))
          .setURI("/warm-up/")).onSuccess(open -> open.writeBinaryMessage(message)));
      }
    }
    Future.all(sockets).await();
    Thread.sleep(seconds * 1000);
    for (Future<WebSocket> ws : sockets) {
      ws.result().close().await();
    }
    client.close().await();
  }
}
