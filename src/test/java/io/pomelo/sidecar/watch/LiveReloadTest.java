package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.testing.EchoBackend;
import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import io.pomelo.sidecar.testing.FileWrites;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** servers.json rewritten under load, through real files in a temporary directory and the real TLS listener. */
class LiveReloadTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector;
  private EchoBackend other;
  private TestSidecar fixture;
  private Path serversJson;
  private Sidecar sidecar;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    connector = await(EchoBackend.start(vertx, "connector"));
    other = await(EchoBackend.start(vertx, "other"));
    fixture = new TestSidecar(dir);
    serversJson = dir.resolve("servers.json");
    Files.writeString(serversJson, servers(List.of()));
    client = fixture.webSocketClient(vertx);
  }

  private void startSidecar(ReloadConfig reload) throws Exception {
    SidecarConfig config = fixture.config(serversJson, List.of(new AliasConfig("/conn/", "connector", null, null)))
      .withReload(reload);
    sidecar = await(fixture.start(vertx, config));
    sidecar.onReloadFinished(reloads::add);
  }

  /** Every reload after start, in order. */
  private final List<ReloadOutcome> reloads = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /** gate-server-1 and connector-server-1 always; plus extra connectors named in {@code extras}, on "other". */
  private String servers(List<String> extras) {
    JsonArray connectors = new JsonArray().add(server("connector-server-1", connector.port()));
    for (String extra : extras) {
      connectors.add(server(extra, other.port()));
    }
    return new JsonObject().put("development", new JsonObject()
      .put("gate", new JsonArray().add(server("gate-server-1", gate.port())))
      .put("connector", connectors)).encodePrettily();
  }

  private static JsonObject server(String id, int port) {
    return new JsonObject().put("id", id).put("host", "127.0.0.1").put("clientPort", port).put("frontend", true);
  }

  @Test
  void fiftyRewritesUnderLoadDropNothingAndLoseNothing() throws Exception {
    startSidecar(ReloadConfig.defaults());
    List<EchoLoop> loops = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String path = i % 2 == 0 ? "/gate/" : "/connector-server-1/";
      loops.add(new EchoLoop(await(TestSidecar.connect(client, sidecar.publicPort(), path)),
        i % 2 == 0 ? "gate" : "connector"));
    }
    loops.forEach(EchoLoop::start);

    FileWrites[] styles = FileWrites.values();
    String[] broken = {"{ \"development\": ", "{\"development\": {\"gate\": [{\"id\": \"g\", \"host\": \"127.0.0.1\", "
      + "\"clientPort\": 70000, \"frontend\": true}]}}", "not json at all"};
    List<String> extras = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      FileWrites style = styles[i % styles.length];
      long generationBefore = sidecar.state().routes().generation();
      Instant before = Instant.now();
      if (i % 5 == 4) {
        style.write(serversJson, broken[i % broken.length]);
        until("rewrite " + i + " (" + style + ") reported as an error", () -> sidecar.state().lastReload().at().isAfter(before)
          && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.ERROR));
        assertThat(sidecar.state().routes().generation()).isEqualTo(generationBefore);
        assertThat(sidecar.state().lastReload().errors()).allSatisfy(e -> assertThat(e).contains(serversJson.toString()));
        continue;
      }
      String extra = "extra-server-" + (i % 7);
      if (!extras.remove(extra)) {
        extras.add(extra);
      }
      String content = servers(extras);
      style.write(serversJson, content);
      String sha = sha256(content);
      until("rewrite " + i + " (" + style + ") loaded", () -> sidecar.state().routes().sha256().equals(sha));
      assertThat(sidecar.routes().paths()).containsAll(extras.stream().map(e -> "/" + e + "/").toList());
    }

    // New routes serve; removed ones answer 404 to new upgrades.
    for (String extra : extras) {
      WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/" + extra + "/"));
      assertThat(echo(ws, "hi")).isEqualTo("other:hi");
    }
    String removed = "extra-server-" + List.of(0, 1, 2, 3, 4, 5, 6).stream()
      .filter(n -> !extras.contains("extra-server-" + n)).findFirst().orElseThrow();
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/" + removed + "/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));

    for (EchoLoop loop : loops) {
      loop.stop();
    }
    for (EchoLoop loop : loops) {
      assertThat(loop.failure.get()).as("echo loop failure").isNull();
      assertThat(loop.closed.get()).as("connection dropped").isFalse();
      assertThat(loop.received.get()).isGreaterThan(0);
    }
  }

  @Test
  void removedRoutesDrainByDefault() throws Exception {
    Files.writeString(serversJson, servers(List.of("extra-server-1")));
    startSidecar(ReloadConfig.defaults());
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/extra-server-1/"));
    assertThat(echo(ws, "a")).isEqualTo("other:a");
    String without = servers(List.of());
    Instant before = Instant.now();
    FileWrites.ATOMIC_RENAME.write(serversJson, without);
    until(() -> reloadedAfter(before) && sidecar.state().routes().sha256().equals(sha256(without)));
    assertThat(sidecar.state().lastReload().diff().removed()).containsExactly("/extra-server-1/");
    assertThatThrownBy(() -> await(TestSidecar.connect(client, sidecar.publicPort(), "/extra-server-1/")))
      .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));
    assertThat(echo(ws, "still here")).isEqualTo("other:still here");
  }

  @Test
  void removedRoutesCloseWith1012AfterTheGracePeriodWhenAskedTo() throws Exception {
    Files.writeString(serversJson, servers(List.of("extra-server-1")));
    startSidecar(new ReloadConfig(true, ReloadConfig.RemovedRoutes.CLOSE_AFTER, Duration.ofMillis(300)));
    WebSocket removedOne = await(TestSidecar.connect(client, sidecar.publicPort(), "/extra-server-1/"));
    WebSocket keptOne = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(removedOne, "a")).isEqualTo("other:a");
    CompletableFuture<Short> code = new CompletableFuture<>();
    removedOne.closeHandler(v -> code.complete(removedOne.closeStatusCode()));
    FileWrites.ATOMIC_RENAME.write(serversJson, servers(List.of()));
    assertThat(await(code)).isEqualTo((short) 1012);
    assertThat(echo(keptOne, "b")).isEqualTo("gate:b");
  }

  @Test
  void aRetargetedRouteKeepsOpenConnectionsOnTheOldServer() throws Exception {
    startSidecar(ReloadConfig.defaults());
    WebSocket old = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(old, "1")).isEqualTo("gate:1");
    String moved = servers(List.of()).replace(":" + gate.port() + ",", ":" + other.port() + ",")
      .replace("\"clientPort\" : " + gate.port(), "\"clientPort\" : " + other.port());
    Instant before = Instant.now();
    FileWrites.TRUNCATE_AND_WRITE.write(serversJson, moved);
    until(() -> reloadedAfter(before) && sidecar.state().routes().sha256().equals(sha256(moved))
      && !sidecar.state().lastReload().diff().isEmpty());
    assertThat(sidecar.state().lastReload().diff().retargeted()).contains("/gate/", "/gate-server-1/");
    WebSocket fresh = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(fresh, "2")).isEqualTo("other:2");
    assertThat(echo(old, "3")).isEqualTo("gate:3");
  }

  @Test
  void aMissingFileKeepsTheLastGoodTableUntilItComesBack() throws Exception {
    startSidecar(ReloadConfig.defaults());
    long generation = sidecar.state().routes().generation();
    Instant before = Instant.now();
    Files.delete(serversJson);
    until(() -> sidecar.state().lastReload().at().isAfter(before)
      && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.ERROR));
    assertThat(sidecar.state().lastReload().errors()).anySatisfy(e -> assertThat(e).contains("servers.json"));
    assertThat(sidecar.state().routes().generation()).isEqualTo(generation);
    WebSocket ws = await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/"));
    assertThat(echo(ws, "x")).isEqualTo("gate:x");
    String back = servers(List.of("extra-server-2"));
    Instant written = Instant.now();
    Files.writeString(serversJson, back);
    until(() -> reloadedAfter(written) && sidecar.state().routes().sha256().equals(sha256(back))
      && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.OK));
    assertThat(sidecar.state().lastReload().result()).isEqualTo(ReloadOutcome.Result.OK);
  }

  @Test
  void aRealChangeAfterUnrelatedFilesIsOneReload() throws Exception {
    startSidecar(ReloadConfig.defaults());
    ReloadOutcome before = sidecar.state().lastReload();
    // A log file written beside servers.json (DirectoryWatcherTest shows such events are never reported).
    Path log = dir.resolve("game.log");
    for (int i = 0; i < 20; i++) {
      Files.writeString(log, "line " + i + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    }
    // Then a real change, which must be the next reload: nothing in between.
    String changed = servers(List.of("extra-server-3"));
    Instant written = Instant.now();
    FileWrites.ATOMIC_RENAME.write(serversJson, changed);
    until(() -> reloadedAfter(written));
    assertThat(sidecar.state().lastReload().diff().added()).containsExactly("/extra-server-3/");
    assertThat(sidecar.state().lastReload().generation()).isEqualTo(before.generation() + 1);
    assertThat(reloads).hasSize(1);
  }

  @Test
  void aBurstOfWritesIsOneReload() throws Exception {
    startSidecar(ReloadConfig.defaults());
    String last = null;
    for (int i = 0; i < 5; i++) {
      last = servers(List.of("extra-server-" + i));
      FileWrites.TRUNCATE_AND_WRITE.write(serversJson, last);
    }
    String finalContent = last;
    until(() -> sidecar.state().routes().sha256().equals(sha256(finalContent)));
    assertThat(reloads).as("the truncated file in between is never read").allSatisfy(o ->
      assertThat(o.result()).isNotEqualTo(ReloadOutcome.Result.ERROR));
  }

  @Test
  void anUnchangedTableIsNotANewGeneration() throws Exception {
    startSidecar(ReloadConfig.defaults());
    long generation = sidecar.state().routes().generation();
    String same = servers(List.of()) + "\n";
    Instant before = Instant.now();
    FileWrites.ATOMIC_RENAME.write(serversJson, same);
    until(() -> reloadedAfter(before) && sidecar.state().routes().sha256().equals(sha256(same)));
    assertThat(sidecar.state().routes().generation()).isEqualTo(generation);
    assertThat(sidecar.state().lastReload().result()).isEqualTo(ReloadOutcome.Result.UNCHANGED);
  }

  @Test
  void aBadFileAtStartUpStartsNothingAndSaysWhy() throws Exception {
    Files.writeString(serversJson, "{\"development\": {\"gate\": [{\"id\": \"g\", \"host\": \"127.0.0.1\", "
      + "\"clientPort\": 0, \"frontend\": true}]}}");
    assertThatThrownBy(() -> await(fixture.start(vertx, fixture.config(serversJson, List.of()))))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining(serversJson.toString())
      .hasMessageContaining("development.gate[0].clientPort");
  }

  /**
   * True once a reload that started after {@code before} has finished: the table is installed before the outcome
   * is recorded, so a test that reads the outcome waits for it, not only for the new table.
   */
  private boolean reloadedAfter(Instant before) {
    return sidecar.state().lastReload() != null && sidecar.state().lastReload().at().isAfter(before);
  }

  /** One client: sends a numbered message, waits for its echo, checks it, sends the next. */
  private static final class EchoLoop {
    private final WebSocket ws;
    private final String prefix;
    private final AtomicLong received = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<String> failure =
      new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicInteger next = new AtomicInteger();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();

    EchoLoop(WebSocket ws, String prefix) {
      this.ws = ws;
      this.prefix = prefix;
    }

    void start() {
      ws.closeHandler(v -> closed.set(true));
      ws.textMessageHandler(text -> {
        String expected = prefix + ":" + next.get();
        if (!text.equals(expected)) {
          failure.compareAndSet(null, "expected " + expected + " got " + text);
        }
        received.incrementAndGet();
        if (running.get()) {
          ws.writeTextMessage(String.valueOf(next.incrementAndGet()));
        } else {
          idle.complete(null);
        }
      });
      ws.writeTextMessage("0");
    }

    void stop() throws Exception {
      running.set(false);
      await(idle);
    }

  }

  static String sha256(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
