package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Pomelo 2.2.7 cluster (the app in src/test/pomelo) started under Pomelo's own master with free ports: one
 * {@code gate} and two {@code connector} servers, all hybridconnector on 127.0.0.1, or ({@link #startSio}) two
 * {@code sio} servers on Pomelo's default sioconnector (socket.io), which listens on every interface.
 *
 * <p>The app is copied into a directory the caller owns (a {@code @TempDir}) with node_modules
 * symlinked, and config/servers.json and config/master.json are written there, so parallel runs
 * never share a config file. {@link #close()} kills the master and every process below it.
 */
public final class PomeloCluster implements AutoCloseable {

  /** The environment written to servers.json and passed to Pomelo. */
  public static final String ENVIRONMENT = "development";
  /** Ids of the connectors, in the order the gate hands them out (uid mod 2). */
  public static final List<String> CONNECTOR_IDS = List.of("connector-server-1", "connector-server-2");
  public static final String GATE_ID = "gate-server-1";
  /** Ids of the sio servers of {@link #startSio}. */
  public static final List<String> SIO_IDS = List.of("sio-server-1", "sio-server-2");
  /** The one server of {@link #startWss}: a hybridconnector with {@code connectorConfig.ssl} on. */
  public static final String WSS_ID = "wss-server-1";
  /** master.json's id. */
  public static final String MASTER_ID = "master-server-1";
  /** The one user of the app's config/adminUser.json (Pomelo's template user), level 1: may add and stop servers. */
  public static final String ADMIN_USERNAME = "admin";
  public static final String ADMIN_PASSWORD = "admin";

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);
  private static final String READY_LINE = "pomelo-test-app ready: ";
  private static final List<String> APP_FILES = List.of("app.js", "app", "lib", "config");

  private final Path appDir;
  private final Path logFile;
  private final List<FrontendServer> frontends;
  private final int masterPort;
  private final String publicHost;
  private volatile Process master;
  // Pomelo's servers are children of the master; once it is gone they are nobody's descendants.
  private final Set<ProcessHandle> seenProcesses = ConcurrentHashMap.newKeySet();

  private PomeloCluster(Path appDir, Path logFile, List<FrontendServer> frontends, int masterPort, String publicHost)
    throws IOException {
    this.appDir = appDir;
    this.logFile = logFile;
    this.frontends = List.copyOf(frontends);
    this.masterPort = masterPort;
    this.publicHost = publicHost;
    this.master = launch();
  }

  /** Starts the master, which starts every server of servers.json. */
  private Process launch() throws IOException {
    ProcessBuilder builder = new ProcessBuilder("node", "app.js", "env=" + ENVIRONMENT)
      .directory(appDir.toFile())
      .redirectErrorStream(true);
    builder.environment().put("POMELO_PUBLIC_HOST", publicHost);
    builder.environment().put("POMELO_EXIT_WITH_PARENT", "1");
    // Pomelo 2.2.7 calls new Buffer() everywhere; Node's deprecation warnings only bury real errors.
    builder.environment().put("NODE_NO_WARNINGS", "1");
    return builder.start();
  }

  /**
   * Kills the master as a crash would, waits for its servers to leave with it, and starts the cluster again from the
   * same files and ports, as an operator's {@code pomelo start} after a crash does. Servers added at run time are
   * gone: they lived in the old master's memory.
   */
  public void restart() throws IOException, InterruptedException {
    killMaster();
    List<ProcessHandle> old = liveProcesses();
    if (!awaitExit(old, STOP_GRACE)) {
      old.forEach(ProcessHandle::destroyForcibly);
      awaitExit(old, STOP_GRACE);
    }
    master = launch();
    awaitReady(Set.copyOf(frontends.stream().map(FrontendServer::id).toList()));
  }

  /** Starts the cluster with the gate answering {@code 127.0.0.1} as the public host. */
  public static PomeloCluster start(Path workDir) throws IOException, InterruptedException {
    return start(workDir, HOST);
  }

  /**
   * Copies the app into {@code workDir}, writes its config with free ports, starts Pomelo and waits
   * until every frontend has been told the cluster is complete and accepts connections.
   *
   * @param publicHost what the gate's {@code queryEntry} returns as {@code host} (the sidecar's name)
   */
  public static PomeloCluster start(Path workDir, String publicHost) throws IOException, InterruptedException {
    Map<String, List<String>> servers = new LinkedHashMap<>();
    servers.put("gate", List.of(GATE_ID));
    servers.put("connector", CONNECTOR_IDS);
    return start(workDir, publicHost, servers, null);
  }

  /** Starts only the two {@code sio} servers ({@link #SIO_IDS}): socket.io tests need no gate. */
  public static PomeloCluster startSio(Path workDir) throws IOException, InterruptedException {
    return start(workDir, HOST, Map.of("sio", SIO_IDS), null);
  }

  /**
   * Starts only {@link #WSS_ID}, type {@code wss}, whose connector itself speaks TLS with {@code certificate} (a PEM
   * pair), as Pomelo's wiki configures {@code connectorConfig.ssl}.
   */
  public static PomeloCluster startWss(Path workDir, CertificateConfig certificate)
    throws IOException, InterruptedException {
    return start(workDir, HOST, Map.of("wss", List.of(WSS_ID)), certificate);
  }

  private static PomeloCluster start(Path workDir, String publicHost, Map<String, List<String>> idsByType,
                                     CertificateConfig wssCertificate) throws IOException, InterruptedException {
    Path source = projectDir().resolve("src/test/pomelo");
    Path nodeModules = source.resolve("node_modules");
    if (!Files.isDirectory(nodeModules.resolve("pomelo"))) {
      throw new IllegalStateException(nodeModules + " has no pomelo; run the Maven test build (it runs npm ci)");
    }
    Path appDir = Files.createDirectories(workDir.resolve("pomelo-app"));
    for (String name : APP_FILES) {
      copyTree(source.resolve(name), appDir.resolve(name));
    }
    Files.createSymbolicLink(appDir.resolve("node_modules"), nodeModules);
    if (wssCertificate != null) {
      // Where app.js reads the wss connector's key and certificate.
      Path wssDir = Files.createDirectories(appDir.resolve("config/wss"));
      Files.copy(wssCertificate.certFile(), wssDir.resolve("cert.pem"));
      Files.copy(wssCertificate.keyFile(), wssDir.resolve("key.pem"));
    }

    List<FrontendServer> frontends = new ArrayList<>();
    JsonObject servers = new JsonObject();
    idsByType.forEach((serverType, ids) -> servers.put(serverType, new JsonArray(ids.stream()
      .map(id -> serverEntry(id, frontends, serverType))
      .collect(Collectors.toList()))));
    Files.writeString(appDir.resolve("config/servers.json"),
      new JsonObject().put(ENVIRONMENT, servers).encodePrettily());
    int masterPort = Ports.freeOnEveryInterface();
    Files.writeString(appDir.resolve("config/master.json"), new JsonObject().put(ENVIRONMENT, new JsonObject()
      .put("id", MASTER_ID).put("host", HOST).put("port", masterPort)).encodePrettily());

    Path logDir = Files.createDirectories(projectDir().resolve("target/pomelo-logs"));
    Path logFile = Files.createTempFile(logDir, "cluster-", ".log");
    PomeloCluster cluster = new PomeloCluster(appDir, logFile, frontends, masterPort, publicHost);
    try {
      cluster.awaitReady(Set.copyOf(frontends.stream().map(FrontendServer::id).toList()));
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Every frontend in servers.json order: the gate, then the connectors in id order; or the sio servers. */
  public List<FrontendServer> frontends() {
    return frontends;
  }

  public FrontendServer frontend(String id) {
    return frontends.stream()
      .filter(frontend -> frontend.id().equals(id))
      .findFirst()
      .orElseThrow(() -> new IllegalArgumentException("no frontend " + id + " in " + frontends));
  }

  public FrontendServer gate() {
    return frontend(GATE_ID);
  }

  public List<FrontendServer> connectors() {
    return frontends.stream().filter(frontend -> frontend.serverType().equals("connector")).toList();
  }

  /** {@code ws://127.0.0.1:<clientPort>/} of one frontend, bypassing any proxy. */
  public URI directUri(String id) {
    return URI.create("ws://" + HOST + ":" + frontend(id).clientPort() + "/");
  }

  /** {@code http://127.0.0.1:<clientPort>} of one frontend, bypassing any proxy: where a socket.io client starts. */
  public URI directHttpUri(String id) {
    return URI.create("http://" + HOST + ":" + frontend(id).clientPort());
  }

  /** The servers.json this cluster was started from, as the sidecar would read it. */
  public Path serversJson() {
    return appDir.resolve("config/servers.json");
  }

  /** The copy of the app the cluster runs from (Pomelo's base directory). */
  public Path appDir() {
    return appDir;
  }

  /** The master's admin console port (master.json's {@code port}), on every interface; 127.0.0.1 reaches it. */
  public int masterPort() {
    return masterPort;
  }

  /** What a {@link #pomeloCli} run printed, and how long it took. */
  public record CliRun(int exitCode, String output, Duration took) {
  }

  /**
   * Runs Pomelo's own CLI ({@code node_modules/.bin/pomelo}) against this cluster's master as the app's admin user:
   * {@code pomelo <command> <arguments> -h 127.0.0.1 -P <masterPort> -u admin -p admin}. The CLI exits 0 even when
   * the master answers an error, so callers read the output.
   */
  public CliRun pomeloCli(String command, List<String> arguments) throws IOException, InterruptedException {
    List<String> commandLine = new ArrayList<>(List.of("node", "node_modules/.bin/pomelo", command));
    commandLine.addAll(arguments);
    commandLine.addAll(List.of("-h", HOST, "-P", Integer.toString(masterPort), "-u", ADMIN_USERNAME,
      "-p", ADMIN_PASSWORD));
    ProcessBuilder builder = new ProcessBuilder(commandLine).directory(appDir.toFile()).redirectErrorStream(true);
    builder.environment().put("NODE_NO_WARNINGS", "1");
    long started = System.nanoTime();
    Process cli = builder.start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!cli.waitFor(CLI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      cli.destroyForcibly();
      throw new IllegalStateException("pomelo " + command + " did not exit within " + CLI_TIMEOUT);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    return new CliRun(cli.exitValue(), output.join(), took);
  }

  /**
   * Kills the master with SIGKILL, as a crash would; its servers leave on their own (the app's exit-with-parent
   * guard) and are killed by {@link #close()} if they have not.
   */
  public void killMaster() throws InterruptedException {
    rememberProcesses();
    master.destroyForcibly();
    if (!master.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the Pomelo master did not die within " + STOP_GRACE);
    }
  }

  /** Everything the master and its servers printed. */
  public Path logFile() {
    return logFile;
  }

  /** The master and every server process started for this cluster that is still alive. */
  public List<ProcessHandle> liveProcesses() {
    rememberProcesses();
    return seenProcesses.stream().filter(ProcessHandle::isAlive).toList();
  }

  /** Stops every process of the cluster: politely, then forcibly after a grace period. */
  @Override
  public void close() {
    rememberProcesses();
    List<ProcessHandle> processes = List.copyOf(seenProcesses);
    processes.forEach(ProcessHandle::destroy);
    if (!awaitExit(processes, STOP_GRACE)) {
      processes.forEach(ProcessHandle::destroyForcibly);
      awaitExit(processes, STOP_GRACE);
    }
    // JUnit's @TempDir cleanup warns about a link that points outside it.
    try {
      Files.deleteIfExists(appDir.resolve("node_modules"));
    } catch (IOException e) {
      throw new UncheckedIOException("removing the node_modules link in " + appDir, e);
    }
  }

  private void awaitReady(Set<String> frontendIds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> pumpOutput(master, frontendIds, ready), "pomelo-cluster-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Pomelo did not report every frontend ready within " + STARTUP_TIMEOUT
        + "; see " + logFile);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage() + "; see " + logFile, e.getCause());
    }
    rememberProcesses();
    for (FrontendServer frontend : frontends) {
      awaitListening(frontend, deadline);
    }
  }

  // Copies the output to the log file and completes once each frontend printed its ready line;
  // runs until the master's output ends, so the log keeps everything up to the stop.
  private void pumpOutput(Process process, Set<String> frontendIds, CompletableFuture<Void> ready) {
    Set<String> waitingFor = new HashSet<>(frontendIds);
    try (BufferedReader output = new BufferedReader(
      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
      for (String line; (line = output.readLine()) != null; ) {
        log.write(line);
        log.newLine();
        log.flush();
        int marker = line.indexOf(READY_LINE);
        if (marker >= 0 && waitingFor.remove(line.substring(marker + READY_LINE.length()).trim())
          && waitingFor.isEmpty()) {
          ready.complete(null);
        }
      }
      ready.completeExceptionally(new IllegalStateException(
        "Pomelo master exited before every frontend was ready (still waiting for " + waitingFor + ")"));
    } catch (IOException e) {
      ready.completeExceptionally(new UncheckedIOException("reading Pomelo's output", e));
    }
  }

  private void awaitListening(FrontendServer frontend, long deadline) throws InterruptedException {
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, frontend.clientPort()), 200);
        return;
      } catch (IOException e) {
        if (remaining(deadline) <= 0 || !master.isAlive()) {
          throw new IllegalStateException(frontend.id() + " is not accepting connections on " + HOST + ":"
            + frontend.clientPort() + "; see " + logFile, e);
        }
        // A poll with a deadline: Pomelo gives no other sign that its listener is bound.
        Thread.sleep(50);
      }
    }
  }

  private void rememberProcesses() {
    seenProcesses.add(master.toHandle());
    master.descendants().forEach(seenProcesses::add);
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(Math.max(0, remaining(deadline)), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static long remaining(long deadline) {
    return deadline - System.nanoTime();
  }

  private static JsonObject serverEntry(String id, List<FrontendServer> frontends, String serverType) {
    int clientPort = Ports.freeOnEveryInterface();
    frontends.add(new FrontendServer(id, serverType, HOST, HOST, clientPort));
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", id);
    entry.put("host", HOST);
    entry.put("port", Ports.freeOnEveryInterface());
    entry.put("clientHost", HOST);
    entry.put("clientPort", clientPort);
    entry.put("frontend", true);
    return new JsonObject(entry);
  }

  private static Path projectDir() {
    return Path.of(System.getProperty("sidecar.project.dir", System.getProperty("user.dir")));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
