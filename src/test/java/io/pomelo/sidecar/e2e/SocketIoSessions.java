package io.pomelo.sidecar.e2e;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real socket.io-client 1.7.2 sessions against a Pomelo sioconnector, run by {@code src/test/pomelo/sio-sessions.js}
 * in its own Node process: each sends {@code sio.entryHandler.entry} every {@code interval} for {@code duration}
 * and passes when every answer and push arrived and the session stayed up.
 *
 * @param sessions   how many run at once
 * @param transports {@code polling}, {@code websocket} or {@code polling,websocket} (poll, then upgrade)
 * @param interval   time between one session's requests
 * @param duration   how long each session sends before it waits for its last answers and closes
 * @param ownAddresses whether each session connects from a loopback address of its own (127.1.x.y), as players do,
 *                   instead of all from 127.0.0.1: engine.io-client opens a connection per request, which counts
 *                   against the sidecar's {@code limits.connectionRatePerAddress}
 */
public record SocketIoSessions(int sessions, String transports, Duration interval, Duration duration,
                               boolean ownAddresses) {

  /** What the driver printed: how many sessions passed and, for each session, what it saw. */
  public record Summary(int passed, int failed, List<JsonObject> sessions) {

    /** Every failed session's errors, one line each, for an assertion message. */
    public String failures() {
      List<String> lines = new ArrayList<>();
      for (JsonObject session : sessions) {
        if (!session.getBoolean("passed", false)) {
          lines.add("session " + session.getInteger("session") + " (answered " + session.getInteger("answered")
            + "/" + session.getInteger("sent") + "): " + session.getJsonArray("errors", new JsonArray()));
        }
      }
      return lines.isEmpty() ? "none" : String.join("\n", lines);
    }

    @Override
    public String toString() {
      return passed + "/" + (passed + failed) + " passed; failures:\n" + failures();
    }
  }

  /** The same sessions run direct to a sioconnector and through a proxy, both at once, under the same load. */
  public record Comparison(String path, Summary direct, Summary through) {

    /** engine.io 1.8.2 on this Node fails a few sessions by itself: the proxy may add no failures to those. */
    public void assertNoFailuresAdded() {
      assertThat(direct.passed()).as("direct: %s", direct).isPositive();
      assertThat(through.passed()).as("through %s (direct: %s): %s", path, direct, through)
        .isGreaterThanOrEqualTo(direct.passed());
    }
  }

  /**
   * Runs the sessions direct to {@code server}'s {@code /socket.io} and through {@code proxy} at {@code path}
   * (trusting {@code trust}) at the same time.
   */
  public Comparison compare(URI server, URI proxy, String path, Path trust) {
    // Two threads of their own: each only waits for its Node process.
    ExecutorService drivers = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Summary> direct = CompletableFuture.supplyAsync(() ->
        runUnchecked(server, "/socket.io", null), drivers);
      CompletableFuture<Summary> through = CompletableFuture.supplyAsync(() ->
        runUnchecked(proxy, path, trust), drivers);
      return new Comparison(path, direct.join(), through.join());
    } finally {
      drivers.shutdownNow();
    }
  }

  private Summary runUnchecked(URI base, String path, Path trust) {
    try {
      return run(base, path, trust);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs the sessions and returns the driver's summary.
   *
   * @param base   {@code http://host:port} of a sioconnector or {@code https://host:port} of the sidecar
   * @param path   socket.io's path: {@code /socket.io} direct, {@code /<route>/socket.io} through the sidecar
   * @param trust  the certificate an {@code https} base must chain to (the driver's only trust), or null
   */
  public Summary run(URI base, String path, Path trust) throws IOException, InterruptedException {
    Path pomeloDir = projectDir().resolve("src/test/pomelo");
    List<String> command = new ArrayList<>(List.of("node", "sio-sessions.js", "--url=" + base, "--path=" + path,
      "--transports=" + transports, "--sessions=" + sessions, "--interval=" + interval.toMillis(),
      "--duration=" + duration.toMillis()));
    if (trust != null) {
      command.add("--ca=" + trust);
    }
    if (ownAddresses) {
      command.add("--own-addresses");
    }
    Path logDir = Files.createDirectories(projectDir().resolve("target/pomelo-logs"));
    Path log = Files.createTempFile(logDir, "sio-sessions-", ".log");
    Path out = Files.createTempFile(logDir, "sio-sessions-", ".json");
    Process driver = new ProcessBuilder(command).directory(pomeloDir.toFile())
      .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    // The driver gives up on each request after 10 s; this only bounds a driver that hangs.
    Duration limit = duration.plusSeconds(40);
    if (!driver.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      driver.destroyForcibly();
      throw new IllegalStateException("sio-sessions.js still running after " + limit + "; see " + log);
    }
    String text = Files.readString(out, StandardCharsets.UTF_8).trim();
    if (driver.exitValue() != 0 || text.isEmpty()) {
      throw new IllegalStateException("sio-sessions.js exited " + driver.exitValue() + " with '" + text + "'; see "
        + log);
    }
    JsonObject summary = new JsonObject(text);
    List<JsonObject> each = new ArrayList<>();
    summary.getJsonArray("sessions").forEach(session -> each.add((JsonObject) session));
    return new Summary(summary.getInteger("passed"), summary.getInteger("failed"), each);
  }

  private static Path projectDir() {
    return Path.of(System.getProperty("sidecar.project.dir", System.getProperty("user.dir")));
  }
}
