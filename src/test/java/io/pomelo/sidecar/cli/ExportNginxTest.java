package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.BackendTls;
import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ClientsConfig;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.e2e.PomeloCluster;
import io.pomelo.sidecar.e2e.SocketIoSessions.Comparison;
import io.pomelo.sidecar.e2e.SocketIoSessions;
import io.pomelo.sidecar.run.LoadedFiles;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.testing.RsaCertificate;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.echo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The export, run by a real nginx: {@code nginx -t} accepts it, WebSockets through that nginx reach the same
 * servers with the same paths and headers as through the sidecar, and socket.io sessions through it pass. nginx is required, not optional: a missing nginx
 * fails here rather than letting the export go untested.
 */
class ExportNginxTest {

  private static final long WAIT = 10;
  private static final List<String> NGINX_PLACES = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
    "/usr/local/nginx/sbin/nginx", "/opt/homebrew/bin/nginx", "/usr/local/bin/nginx");

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private EchoBackend connector1;
  private EchoBackend connector2;
  private TestSidecar fixture;
  private int port;
  private Path nginxConf;
  private SidecarConfig sidecarConfig;

  @BeforeEach
  void export() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    connector1 = await(EchoBackend.start(vertx, "connector-1"));
    connector2 = await(EchoBackend.start(vertx, "connector-2"));
    fixture = new TestSidecar(dir);
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("gate-server-1", Map.entry("gate", gate.port()));
    servers.put("connector-server-1", Map.entry("connector", connector1.port()));
    servers.put("connector-server-2", Map.entry("connector", connector2.port()));
    // Connectors see the path without their prefix, the gate sees it whole: both forms of proxy_pass.
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST,
      Map.of("connector", new TypeRoutesConfig(true, null)),
      List.of(new AliasConfig("/conn/", "connector", null, null)), Map.of());
    port = Ports.free();
    sidecarConfig = fixture.config(fixture.serversJson(servers), routes, Duration.ofSeconds(3), Duration.ofSeconds(10))
      .withListen(new ListenerConfig("127.0.0.1", port));
    nginxConf = wrap(export(sidecarConfig));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void nginxAcceptsTheExport() throws Exception {
    assertNginxAccepts(nginxConf);
  }

  @Test
  void nginxAcceptsTheExportBehindABalancerWithSharedTicketKeys() throws Exception {
    Path keys = dir.resolve("ticket.keys");
    // One 80-byte key: the size nginx reads from an ssl_session_ticket_key file, and one key to the sidecar.
    byte[] key = new byte[80];
    new SecureRandom().nextBytes(key);
    Files.write(keys, key);
    SidecarConfig tickets = sidecarConfig.withTls(new TlsConfig(sidecarConfig.tls().certificates(), keys));
    String behindL4 = export(tickets.withClients(ClientsConfig.defaults()
      .withProxyProtocol(List.of("127.0.0.2/32", "::1/128"))));
    assertThat(behindL4).contains("ssl proxy_protocol;").contains("real_ip_header proxy_protocol;")
      .contains("ssl_session_ticket_key " + keys + ";");
    assertNginxAccepts(wrap(behindL4));
    String behindL7 = export(sidecarConfig.withClients(ClientsConfig.defaults()
      .withTrustedForwarders(List.of("127.0.0.0/8"))));
    assertThat(behindL7).contains("real_ip_header X-Forwarded-For;");
    assertNginxAccepts(wrap(behindL7));
  }

  private static String export(SidecarConfig config) throws Exception {
    return NginxExport.render(config, LoadedFiles.read(config, System.getenv()).orThrow(), "test");
  }

  private void assertNginxAccepts(Path conf) throws Exception {
    Path log = dir.resolve("nginx-t.log");
    Process check = new ProcessBuilder(nginx(), "-t", "-c", conf.toString(), "-p", dir + "/",
      "-e", dir.resolve("error.log").toString())
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(check.waitFor(WAIT, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as("nginx -t said:%n%s%nabout:%n%s", Files.readString(log),
      Files.readString(conf)).isZero();
  }

  @Test
  void webSocketsThroughNginxReachEveryRouteLikeThroughTheSidecar() throws Exception {
    Process nginx = startNginx();
    List<ProcessHandle> processes = new ArrayList<>();
    try {
      processes.add(nginx.toHandle());
      nginx.toHandle().descendants().forEach(processes::add);
      WebSocketClient client = fixture.webSocketClient(vertx);

      WebSocket toGate = await(TestSidecar.connect(client, port, "/gate/?token=abc"));
      assertThat(roundTrip(toGate, "hello")).isEqualTo("gate:hello");
      assertThat(gate.upgradePaths()).containsExactly("/gate/?token=abc");
      MultiMap headers = gate.upgradeHeaders().get(0);
      assertThat(headers.get("X-Real-IP")).isEqualTo("127.0.0.1");
      assertThat(headers.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
      assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(headers.get("Host")).isEqualTo("127.0.0.1:" + port);

      WebSocket toConnector = await(TestSidecar.connect(client, port, "/connector-server-2/socket?x=1"));
      assertThat(roundTrip(toConnector, "hello")).isEqualTo("connector-2:hello");
      assertThat(connector2.upgradePaths()).containsExactly("/socket?x=1");

      // A type spread over two servers: nginx takes turns, as the sidecar does.
      Set<String> answered = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        answered.add(roundTrip(await(TestSidecar.connect(client, port, "/connector/")), "t").split(":")[0]);
      }
      assertThat(answered).containsExactlyInAnyOrder("connector-1", "connector-2");

      assertThat(roundTrip(await(TestSidecar.connect(client, port, "/conn/")), "a")).endsWith(":a");
      // Without the final slash, as 'wss://' + host + port builds it: routed, not redirected.
      assertThat(roundTrip(await(TestSidecar.connect(client, port, "/gate")), "b")).isEqualTo("gate:b");

      var forged = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/gate/").setSsl(true)
        .addHeader("X-Forwarded-For", "6.6.6.6").addHeader("X-Real-IP", "6.6.6.6");
      assertThat(roundTrip(await(client.connect(forged)), "c")).isEqualTo("gate:c");
      assertThat(gate.upgradeHeaders().get(gate.upgradeHeaders().size() - 1).getAll("X-Forwarded-For"))
        .containsExactly("127.0.0.1");

      assertThatThrownBy(() -> await(TestSidecar.connect(client, port, "/nowhere/")))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));
    } finally {
      stop(nginx);
    }
    for (ProcessHandle process : processes) {
      process.onExit().get(WAIT, TimeUnit.SECONDS);
    }
    assertThat(processes).hasSizeGreaterThanOrEqualTo(2).noneMatch(ProcessHandle::isAlive);
  }

  /**
   * A connector that speaks TLS itself, behind nginx as the export configures it: verified by the CA file and the
   * server name. The same server under a name its certificate does not carry gets 502, so verification is on.
   */
  @Test
  void webSocketsThroughNginxReachATlsBackendVerifiedByTheCaFile() throws Exception {
    CertificateConfig backendCertificate = RsaCertificate.write(dir.resolve("backend.crt"), dir.resolve("backend.key"),
      "backend.test");
    EchoBackend tlsBackend = await(EchoBackend.startTls(vertx, "wss-1", backendCertificate));
    Map<String, Map.Entry<String, Integer>> servers = new LinkedHashMap<>();
    servers.put("wss-server-1", Map.entry("wss", tlsBackend.port()));
    servers.put("misnamed-server-1", Map.entry("misnamed", tlsBackend.port()));
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST, Map.of(
      "wss", new TypeRoutesConfig(null, null, null, null, new BackendTls(true, "backend.test")),
      "misnamed", new TypeRoutesConfig(null, null, null, null, new BackendTls(true, "other.test"))),
      List.of(), Map.of());
    Path caFile = backendCertificate.certFile();
    ProxyConfig proxy = new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(60),
      new BackendTlsConfig(caFile, List.of(), false));
    port = Ports.free();
    SidecarConfig config = fixture.config(fixture.serversJson(servers), routes, proxy)
      .withListen(new ListenerConfig("127.0.0.1", port));
    String exported = NginxExport.render(config, LoadedFiles.read(config, System.getenv()).orThrow(), "test");
    assertThat(exported).contains("proxy_ssl_trusted_certificate " + caFile + ";");
    nginxConf = wrap(exported);

    Process nginx = startNginx();
    try {
      WebSocketClient client = fixture.webSocketClient(vertx);
      WebSocket ws = await(TestSidecar.connect(client, port, "/wss/?token=abc"));
      assertThat(roundTrip(ws, "hello")).isEqualTo("wss-1:hello");
      assertThat(tlsBackend.upgradePaths()).containsExactly("/wss/?token=abc");
      assertThat(tlsBackend.serverNames()).containsExactly("backend.test");
      assertThatThrownBy(() -> await(TestSidecar.connect(client, port, "/misnamed/")))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(502));
    } finally {
      stop(nginx);
    }
    assertThat(Files.readString(dir.resolve("error.log"))).contains("upstream SSL certificate does not match");
  }

  /**
   * Real socket.io-client 1.7.2 sessions through the export's socket.io location to both Pomelo sioconnectors behind
   * the type route {@code /sio/}, and direct to one of them at the same time: nginx may add no failures to
   * engine.io's own. Polls held a whole ping interval, and polling then upgrade.
   */
  @Test
  void socketIoSessionsThroughNginxPassAsOftenAsDirect() throws Exception {
    try (PomeloCluster cluster = PomeloCluster.startSio(dir.resolve("pomelo"))) {
      RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST, Map.of("sio", new TypeRoutesConfig(true, null)),
        List.of(), Map.of());
      port = Ports.free();
      SidecarConfig config = fixture.config(cluster.serversJson(), routes, Duration.ofSeconds(3),
          Duration.ofSeconds(10))
        .withListen(new ListenerConfig("127.0.0.1", port));
      nginxConf = wrap(NginxExport.render(config, LoadedFiles.read(config, System.getenv()).orThrow(), "test"));
      URI server = cluster.directHttpUri(PomeloCluster.SIO_IDS.get(0));
      URI proxy = URI.create("https://127.0.0.1:" + port);
      Path trust = fixture.certificate().certFile();
      String path = "/sio/socket.io";
      // Requests at 0 and 26 s: in between, each session's poll is held until engine.io's 25 s ping answers it.
      SocketIoSessions quiet = new SocketIoSessions(10, "polling", Duration.ofSeconds(26), Duration.ofSeconds(27),
        true);
      SocketIoSessions upgrading = new SocketIoSessions(5, "polling,websocket", Duration.ofSeconds(2),
        Duration.ofSeconds(6), true);

      Process nginx = startNginx();
      ExecutorService driver = Executors.newSingleThreadExecutor();
      Comparison polled;
      Comparison upgraded;
      try {
        CompletableFuture<Comparison> polling = CompletableFuture.supplyAsync(() ->
          quiet.compare(server, proxy, path, trust), driver);
        upgraded = upgrading.compare(server, proxy, path, trust);
        polled = polling.join();
      } finally {
        driver.shutdownNow();
        stop(nginx);
      }

      polled.assertNoFailuresAdded();
      assertThat(polled.through().sessions()).filteredOn(session -> session.getBoolean("passed"))
        .allSatisfy(session -> assertThat(session.getInteger("answered")).isEqualTo(2));
      upgraded.assertNoFailuresAdded();
      assertThat(upgraded.through().sessions()).filteredOn(session -> session.getBoolean("passed"))
        .allSatisfy(session -> assertThat(session.getString("transport")).isEqualTo("websocket"));
      // ip_hash takes an IPv4 address's first three bytes: the sessions, all from 127.1.0.x, share one server.
      List<Object> servers = new ArrayList<>();
      for (Comparison run : List.of(polled, upgraded)) {
        run.through().sessions().forEach(session -> servers.addAll(session.getJsonArray("serverIds").getList()));
      }
      assertThat(new HashSet<>(servers)).as("servers that answered").hasSize(1);
    }
  }

  /** A whole nginx.conf around the export, with every path nginx writes inside the test's directory. */
  private Path wrap(String exported) throws IOException {
    Path conf = dir.resolve("nginx.conf");
    String d = dir.toString();
    Files.writeString(conf, String.join("\n",
      "daemon off;",
      "worker_processes 1;",
      "pid " + d + "/nginx.pid;",
      "error_log " + d + "/error.log info;",
      "events {",
      // engine.io-client in Node opens a connection per poll and message, and nginx one more to the server for each.
      "  worker_connections 512;",
      "}",
      "http {",
      "  access_log " + d + "/access.log;",
      "  client_body_temp_path " + d + "/client_body;",
      "  proxy_temp_path " + d + "/proxy;",
      "  fastcgi_temp_path " + d + "/fastcgi;",
      "  uwsgi_temp_path " + d + "/uwsgi;",
      "  scgi_temp_path " + d + "/scgi;",
      exported.indent(2),
      "}",
      ""), StandardCharsets.UTF_8);
    return conf;
  }

  private static void stop(Process nginx) throws InterruptedException {
    nginx.destroy();
    if (!nginx.waitFor(WAIT, TimeUnit.SECONDS)) {
      nginx.destroyForcibly().waitFor(WAIT, TimeUnit.SECONDS);
    }
  }

  private Process startNginx() throws Exception {
    Path log = dir.resolve("nginx.out");
    // daemon off comes from the file; -g 'daemon off;' as well would be a duplicate directive.
    Process process = new ProcessBuilder(nginx(), "-c", nginxConf.toString(), "-p", dir + "/",
      "-e", dir.resolve("error.log").toString())
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return process;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly().waitFor(WAIT, TimeUnit.SECONDS);
          fail("nginx did not listen on 127.0.0.1:%d; it said:%n%s%n%s", port, Files.readString(log),
            Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "");
        }
        // A poll with a deadline: nginx gives no other sign that it is listening.
        Thread.sleep(20);
      }
    }
  }

  /** The nginx binary; its absence fails the test (.ci/run installs nginx-light), never skips it. */
  static String nginx() {
    List<String> places = new ArrayList<>();
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        places.add(entry + "/nginx");
      }
    }
    places.addAll(NGINX_PLACES);
    for (String place : places) {
      if (Files.isExecutable(Path.of(place))) {
        return place;
      }
    }
    return fail("nginx is not installed (looked for it on PATH and in %s); this test runs the exported "
      + "configuration in a real nginx. Install it, e.g. apt-get install -y nginx-light", NGINX_PLACES);
  }

  private static String roundTrip(WebSocket ws, String text) throws Exception {
    try {
      return echo(ws, text);
    } finally {
      ws.close();
    }
  }
}
