package io.pomelo.sidecar.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's stand-in for Pomelo frontend servers: plain WebSocket (no TLS) on each given loopback port,
 * echoing every message as it came, on any path. Every proxy under test forwards to the same two of these.
 *
 * <p>{@code java -cp TEST_CLASSPATH io.pomelo.sidecar.bench.EchoServer PORT...}; prints "ready" once all listen.
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
    System.out.println("ready native=" + vertx.isNativeTransportEnabled());
  }
}
