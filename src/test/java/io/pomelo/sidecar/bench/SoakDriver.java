package io.pomelo.sidecar.bench;

import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.pomelo.sidecar.testing.Await.await;

/**
 * The client and server side of bench/soak.sh, on loopback only: echo backends standing in for a gate and two
 * connectors, a servers.json it rewrites (a connector comes and goes), backends it restarts, and connection churn
 * through the sidecar: short WebSockets, a pool of long ones replaced at random, upgrades to a dead server, and
 * garbage sent to the TLS port. It stops by itself after the given minutes.
 *
 * <p>{@code SoakDriver DIR MINUTES}: writes DIR/servers.json and DIR/sidecar.port, then waits for DIR/cert.pem and
 * DIR/go (the sidecar is up) before churning.
 */
public final class SoakDriver {

  private static final int LONG_LIVED = 200;
  private static final int SHORT_PER_SECOND = 40;

  private final Vertx vertx = Vertx.vertx();
  private final Path dir;
  private final long endNanos;
  private final List<EchoBackend> backends = new ArrayList<>();
  private final int[] ports = new int[3];
  private final int deadPort;
  private final int sidecarPort;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong echoed = new AtomicLong();
  private final List<WebSocket> pool = new ArrayList<>();
  private WebSocketClient client;

  private SoakDriver(Path dir, double minutes) throws Exception {
    this.dir = dir;
    this.endNanos = System.nanoTime() + (long) (minutes * 60e9);
    this.deadPort = Ports.free();
    this.sidecarPort = Ports.free();
  }

  public static void main(String[] args) throws Exception {
    SoakDriver driver = new SoakDriver(Path.of(args[0]), Double.parseDouble(args[1]));
    try {
      driver.run();
    } finally {
      driver.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void run() throws Exception {
    String[] names = {"gate", "connector-1", "connector-2"};
    for (int i = 0; i < names.length; i++) {
      backends.add(await(EchoBackend.start(vertx, names[i])));
      ports[i] = backends.get(i).port();
    }
    writeServers(false);
    Files.writeString(dir.resolve("sidecar.port"), String.valueOf(sidecarPort));
    while (!Files.exists(dir.resolve("go"))) {
      Thread.sleep(100);
    }
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000).setSsl(true)
      .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("cert.pem").toString())));

    long second = 0;
    long started = System.nanoTime();
    while (System.nanoTime() < endNanos) {
      second++;
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < SHORT_PER_SECOND; i++) {
        work.add(shortSession(i % 2 == 0 ? "/gate/" : "/connector/"));
      }
      work.add(connect("/dead-server-1/").transform(r -> Future.succeededFuture()));
      refreshPool(work);
      garbage();
      if (second % 15 == 0) {
        writeServers(second % 30 == 0);
      }
      if (second % 20 == 0) {
        restart((int) (second / 20) % backends.size());
      }
      Future.join(work).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      long elapsed = System.nanoTime() - started;
      long sleep = second * 1_000_000_000L - elapsed;
      if (sleep > 0) {
        Thread.sleep(sleep / 1_000_000);
      }
      if (second % 60 == 0) {
        System.out.printf("driver: %d s, %d opened, %d failed, %d echoes, %d long-lived%n", second, opened.get(),
          failed.get(), echoed.get(), pool.size());
      }
    }
    System.out.printf("driver: done, %d opened, %d failed (refused and restarting included), %d echoes%n",
      opened.get(), failed.get(), echoed.get());
  }

  /** Opens, exchanges one message, closes. */
  private Future<?> shortSession(String path) {
    return connect(path).compose(ws -> {
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      ws.textMessageHandler(t -> {
        echoed.incrementAndGet();
        ws.close().onComplete(v -> done.tryComplete());
      });
      ws.closeHandler(v -> done.tryComplete());
      ws.writeTextMessage("hello");
      return done.future();
    }).transform(r -> Future.succeededFuture());
  }

  /** Keeps LONG_LIVED sockets open, replacing a few at random each second. */
  private void refreshPool(List<Future<?>> work) {
    synchronized (pool) {
      pool.removeIf(WebSocket::isClosed);
      for (int i = 0; i < 5 && !pool.isEmpty(); i++) {
        pool.remove(ThreadLocalRandom.current().nextInt(pool.size())).close();
      }
    }
    int missing = LONG_LIVED - pool.size();
    for (int i = 0; i < Math.min(missing, 50); i++) {
      work.add(connect("/connector-server-1/").onSuccess(ws -> {
        synchronized (pool) {
          pool.add(ws);
        }
      }).transform(r -> Future.succeededFuture()));
    }
  }

  private Future<WebSocket> connect(String path) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(sidecarPort).setURI(path)
      .setSsl(true).setTimeout(10_000)).onComplete(r -> {
        if (r.succeeded()) {
          opened.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
      });
  }

  /** Bytes that are not TLS, on a plain socket; the sidecar should close it. */
  private void garbage() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecarPort)) {
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(2000);
      s.getInputStream().read();
    } catch (Exception e) {
      // closed or reset: either is the expected answer
    }
  }

  private void restart(int index) throws Exception {
    EchoBackend old = backends.get(index);
    await(old.close());
    backends.set(index, await(EchoBackend.startOn(vertx, old.name(), ports[index])));
  }

  /** servers.json with the gate and connector-server-1, and connector-server-2 only when {@code both}. */
  private void writeServers(boolean both) throws Exception {
    JsonArray connectors = new JsonArray().add(server("connector-server-1", ports[1]));
    if (both) {
      connectors.add(server("connector-server-2", ports[2]));
    }
    JsonObject servers = new JsonObject().put("development", new JsonObject()
      .put("gate", new JsonArray().add(server("gate-server-1", ports[0])))
      .put("connector", connectors)
      .put("dead", new JsonArray().add(server("dead-server-1", deadPort))));
    Path tmp = dir.resolve("servers.json.tmp");
    Files.writeString(tmp, servers.encodePrettily());
    Files.move(tmp, dir.resolve("servers.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static JsonObject server(String id, int port) {
    return new JsonObject().put("id", id).put("host", "127.0.0.1").put("port", 40000).put("clientPort", port)
      .put("frontend", true);
  }
}
