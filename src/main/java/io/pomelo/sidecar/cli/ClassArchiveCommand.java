package io.pomelo.sidecar.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.admin.VertxMetrics;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.run.VertxRuntime;
import io.pomelo.sidecar.tls.DevCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code class-archive FILE}: makes the class-data archive (AppCDS) the service starts with. Java 17 cannot make one
 * by itself (that came in 19), so this starts a second JVM with {@code -XX:ArchiveClassesAtExit} for a training run,
 * checks that the result loads ({@code -Xshare:on}), and only then renames it into place: a truncated archive makes
 * Java 17 crash at start, while a missing or stale one (another jar or Java) costs one warning line and the speed.
 * <p>
 * The training run goes the way of {@code run}: the built-in sample configuration read as a file, a certificate
 * checked, BoringSSL, the listeners, and then one WebSocket echo and one plain request through the public port and a
 * metrics scrape, so that the first client's classes are in the archive too. Everything is its own: loopback ports
 * the system picks, backends of its own, a temporary directory, neither the environment nor -D overrides; a running
 * service is not disturbed.
 */
@Command(name = "class-archive", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = {"Make the class-data archive (AppCDS) for this jar and this Java, which takes about a third off "
    + "the start: java -XX:SharedArchiveFile=FILE -jar pomelo-sidecar.jar run ...",
    "It starts a training run on loopback ports (a second JVM, about 15 s) and replaces FILE only when the new "
      + "archive loads. Make it again after an upgrade of the jar or of Java; a stale one is ignored with a warning."})
final class ClassArchiveCommand implements Callable<Integer> {

  private static final long TIMEOUT_SECONDS = 60;
  private static final String TRAINING_RUN = "--training-run";

  @Parameters(paramLabel = "FILE", arity = "0..1",
    description = "Where the archive goes, e.g. /var/lib/pomelo-sidecar/app.jsa.")
  Path archive;

  /** What the second JVM runs: the start and the first connections the archive records. */
  @Option(names = TRAINING_RUN, hidden = true)
  boolean trainingRun;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (trainingRun) {
      return train();
    }
    if (archive == null) {
      throw new ParameterException(spec.commandLine(), "Missing required parameter: 'FILE'");
    }
    return make(archive.toAbsolutePath());
  }

  private int make(Path target) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path jar = Path.of(ClassArchiveCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isRegularFile(jar)) {
      err.println("class-archive: runs only from pomelo-sidecar.jar (this is " + jar + ")");
      return 1;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.createDirectories(target.getParent());
    Path next = target.resolveSibling(target.getFileName() + ".new");
    Files.deleteIfExists(next);
    try {
      String training = runJava(java, "-XX:ArchiveClassesAtExit=" + next, "-jar", jar.toString(), "class-archive",
        TRAINING_RUN);
      if (training == null && !Files.isRegularFile(next)) {
        training = "it wrote no archive";
      }
      if (training != null) {
        err.println("class-archive: the training run failed; " + target + " is unchanged:\n" + training);
        return 1;
      }
      String check = runJava(java, "-XX:SharedArchiveFile=" + next, "-Xshare:on", "-jar", jar.toString(),
        "--version");
      if (check != null) {
        err.println("class-archive: the new archive does not load; " + target + " is unchanged:\n" + check);
        return 1;
      }
      Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(next);
    }
    out.printf("made %s (%d MiB) for %s on Java %s; start with -XX:SharedArchiveFile=%s%n", target,
      Files.size(target) >> 20, jar, Runtime.version(), target);
    return 0;
  }

  /** Runs a JVM to its end; null when it exited with 0, else the end of what it printed. */
  private static String runJava(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // The training JVM warns once per class it cannot archive; only the end matters when it fails.
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = process.inputReader()) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
    }
    if (process.waitFor() == 0) {
      return null;
    }
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private int train() throws Exception {
    Path dir = Files.createTempDirectory("pomelo-sidecar-training");
    PrometheusMeterRegistry registry = VertxMetrics.registry();
    Vertx vertx = VertxRuntime.vertx(registry);
    try {
      // Two servers, as Pomelo would run them: a gate and a connector, each on its own port.
      int gate = await(backend(vertx)).actualPort();
      int connector = await(backend(vertx)).actualPort();
      SidecarConfig config = config(vertx, dir, gate, connector);
      Sidecar sidecar = await(Sidecar.prepare(vertx, config, null, Map.of(), registry).start());
      VertxMetrics.bindJvmMetrics(registry);
      // Vert.x closes a client that has become garbage, with its connections: these are held until the end.
      WebSocketClient webSocketClient = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustAll(true).setVerifyHost(false));
      HttpClient tlsClient = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
      HttpClient adminClient = vertx.createHttpClient(new HttpClientOptions());
      try {
        await(echo(webSocketClient, sidecar.publicPort())
          .compose(v -> get(tlsClient, sidecar.publicPort(), "/gate/"))
          .compose(v -> get(adminClient, sidecar.adminPort(), "/metrics")));
      } finally {
        await(Future.join(webSocketClient.close(), tlsClient.close(), adminClient.close()));
        await(sidecar.stop(Duration.ZERO));
      }
      return 0;
    } finally {
      await(vertx.close());
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** A Pomelo frontend server stand-in: echoes WebSocket messages, answers requests with 200. */
  private static Future<HttpServer> backend(Vertx vertx) {
    return vertx.createHttpServer()
      .webSocketHandler(ws -> ws.handler(ws::write))
      .requestHandler(request -> request.response().end("trained"))
      .listen(0, "127.0.0.1");
  }

  /** The sample configuration file, with loopback ports, the training backend and a certificate of its own. */
  private static SidecarConfig config(Vertx vertx, Path dir, int gate, int connector) throws Exception {
    Path file = DevMode.copyResource("/conf/sidecar.yaml", dir.resolve("sidecar.yaml"));
    CertificateConfig pair = DevCertificate.ensure(dir, Instant.now());
    Files.writeString(dir.resolve("servers.json"), new JsonObject().put("development", new JsonObject()
      .put("gate", new JsonArray().add(server("gate-server-1", gate)))
      .put("connector", new JsonArray().add(server("connector-server-1", connector)))).encode());
    JsonObject layer = new JsonObject()
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("pomelo", new JsonObject().put("serversFile", dir.resolve("servers.json").toString())
        .put("environment", "development"))
      .put("tls", new JsonObject().put("certificates", new JsonArray().add(new JsonObject()
        .put("certFile", pair.certFile().toString()).put("keyFile", pair.keyFile().toString()))))
      .put("state", new JsonObject().put("dir", dir.toString()));
    return await(new SidecarConfigLoader(vertx, Map.of(), new Properties()).load(file, layer));
  }

  private static JsonObject server(String id, int clientPort) {
    return new JsonObject().put("id", id).put("host", "127.0.0.1").put("clientPort", clientPort)
      .put("frontend", true);
  }

  private static Future<Void> echo(WebSocketClient client, int port) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/conn/")
        .setSsl(true))
      .compose(ws -> {
        Future<Buffer> answer = Future.future(p -> ws.handler(p::tryComplete));
        return ws.writeTextMessage("training").compose(v -> answer).compose(v -> ws.close());
      });
  }

  private static Future<Void> get(HttpClient client, int port, String path) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path))
      .compose(request -> request.send())
      .compose(response -> response.statusCode() == 200 ? response.body()
        : Future.failedFuture(path + " answered " + response.statusCode()))
      .mapEmpty();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return ConfigOptions.await(future.timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS));
  }
}
