package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.FileWrites;
import io.pomelo.sidecar.testing.SpecialFiles;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * servers.json replaced by a FIFO, a directory or a file over reload.maxFileSize (1 KiB here): a clear error at
 * once, at a reload (the last good routes keep serving and the next good file is applied) and at start-up.
 */
class HostileServersFileTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private TestSidecar fixture;
  private Path serversJson;
  private Sidecar sidecar;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    serversJson = dir.resolve("servers.json");
    Files.writeString(serversJson, servers(0));
    client = fixture.webSocketClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private SidecarConfig config() {
    return fixture.config(serversJson, List.of()).withReload(ReloadConfig.defaults().withMaxFileSize(1024));
  }

  /** gate-server-1 and {@code extras} more gates, all on the echo backend: each adds about 100 bytes. */
  private String servers(int extras) {
    JsonArray gates = new JsonArray();
    for (int i = 1; i <= 1 + extras; i++) {
      gates.add(new JsonObject().put("id", "gate-server-" + i).put("host", "127.0.0.1").put("clientPort", gate.port())
        .put("frontend", true));
    }
    return new JsonObject().put("development", new JsonObject().put("gate", gates)).encodePrettily();
  }

  @Test
  void aFifoIsAnErrorAtTheReloadTheLastRoutesServeAndTheNextGoodFileIsApplied() throws Exception {
    sidecar = await(fixture.start(vertx, config()));
    long generation = sidecar.state().routes().generation();
    Instant before = Instant.now();
    Files.delete(serversJson);
    SpecialFiles.fifo(serversJson);
    String problem = serversJson + ": is a FIFO, not a regular file";
    until(() -> reloadedAfter(before) && sidecar.state().lastReload().errors().contains(problem));
    assertThat(sidecar.state().lastReload().result()).isEqualTo(ReloadOutcome.Result.ERROR);
    assertThat(sidecar.state().routes().generation()).isEqualTo(generation);
    assertThat(echo(await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/")), "x")).isEqualTo("gate:x");
    JsonObject status = await(vertx.createHttpClient()
      .request(HttpMethod.GET, sidecar.adminPort(), "127.0.0.1", "/api/status")
      .compose(req -> req.send().compose(resp -> resp.body()))).toJsonObject();
    assertThat(status.getJsonObject("lastReload").getJsonArray("errors").getList()).contains(problem);

    Instant written = Instant.now();
    FileWrites.ATOMIC_RENAME.write(serversJson, servers(1));
    until(() -> reloadedAfter(written) && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.OK));
    assertThat(sidecar.state().lastReload().diff().added()).contains("/gate-server-2/");
  }

  @Test
  void aFileOverTheLimitOrADirectoryIsAnErrorAtTheReload() throws Exception {
    sidecar = await(fixture.start(vertx, config()));
    long generation = sidecar.state().routes().generation();
    String big = servers(20);
    assertThat(big.length()).isGreaterThan(2048);
    Instant before = Instant.now();
    FileWrites.ATOMIC_RENAME.write(serversJson, big);
    until(() -> reloadedAfter(before) && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.ERROR));
    assertThat(sidecar.state().lastReload().errors()).containsExactly(serversJson + ": is " + kib(big.length())
      + " KiB, over reload.maxFileSize (1 KiB)");
    assertThat(sidecar.state().routes().generation()).isEqualTo(generation);

    Instant later = Instant.now();
    Files.delete(serversJson);
    Files.createDirectory(serversJson);
    String problem = serversJson + ": is a directory, not a regular file";
    until(() -> reloadedAfter(later) && sidecar.state().lastReload().errors().contains(problem));
    assertThat(sidecar.state().routes().generation()).isEqualTo(generation);
    assertThat(echo(await(TestSidecar.connect(client, sidecar.publicPort(), "/gate/")), "y")).isEqualTo("gate:y");
  }

  /** A deploy that keeps releases side by side and points servers.json at the current one. */
  @Test
  void aSymlinkToAGoodFileIsReadAtStartAndAtEachSwitch() throws Exception {
    Path release = Files.createDirectories(dir.resolve("releases/1")).resolve("servers.json");
    Files.writeString(release, servers(0));
    Files.delete(serversJson);
    Files.createSymbolicLink(serversJson, dir.relativize(release));
    sidecar = await(fixture.start(vertx, config()));
    assertThat(sidecar.routes().byPath("/gate-server-1/")).isNotNull();
    Instant before = Instant.now();
    FileWrites.SYMLINK_SWITCH.write(serversJson, servers(1));
    until(() -> reloadedAfter(before) && sidecar.state().lastReload().result().equals(ReloadOutcome.Result.OK));
    assertThat(sidecar.state().lastReload().diff().added()).contains("/gate-server-2/");
  }

  @Test
  void aFifoOrAFileOverTheLimitAtStartUpStartsNothingAndSaysWhy() throws Exception {
    SpecialFiles.fifo(serversJson);
    assertThatThrownBy(() -> await(fixture.start(vertx, config())))
      .isInstanceOf(ConfigException.class).hasMessage(serversJson + ": is a FIFO, not a regular file");
    Files.delete(serversJson);
    String big = servers(20);
    Files.writeString(serversJson, big);
    assertThatThrownBy(() -> await(fixture.start(vertx, config())))
      .isInstanceOf(ConfigException.class)
      .hasMessage(serversJson + ": is " + kib(big.length()) + " KiB, over reload.maxFileSize (1 KiB)");
  }

  private static String kib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1024.0);
  }

  private boolean reloadedAfter(Instant before) {
    return sidecar.state().lastReload() != null && sidecar.state().lastReload().at().isAfter(before);
  }
}
