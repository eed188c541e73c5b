package io.pomelo.sidecar.testing;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.PomeloConfig;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.tls.DevCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds what a test needs around a real sidecar: a servers.json naming the test's backends, a certificate for
 * localhost, ephemeral ports everywhere, and clients that trust that certificate (no trust-all).
 */
public final class TestSidecar {

  private final Path dir;
  private final CertificateConfig certificate;

  public TestSidecar(Path dir) throws IOException {
    this.dir = dir;
    this.certificate = DevCertificate.ensure(dir.resolve("state"), Instant.now());
  }

  /** A servers.json in Pomelo's nested layout with one frontend per entry: id -> {type, port}. */
  public Path serversJson(Map<String, Map.Entry<String, Integer>> frontends) throws IOException {
    JsonObject env = new JsonObject();
    frontends.forEach((id, typeAndPort) -> {
      JsonArray list = env.getJsonArray(typeAndPort.getKey(), new JsonArray());
      list.add(new JsonObject().put("id", id).put("host", "127.0.0.1").put("port", 40000)
        .put("clientPort", typeAndPort.getValue()).put("frontend", true));
      env.put(typeAndPort.getKey(), list);
    });
    Path file = dir.resolve("servers.json");
    Files.writeString(file, new JsonObject().put("development", env).encodePrettily());
    return file;
  }

  /**
   * A sidecar.yaml for a sidecar in its own process, on 127.0.0.1 with ephemeral ports (public and admin) and this
   * certificate, serving {@code serversJson}'s development environment; {@code more} lines follow, such as
   * {@code shutdown: {drain: 1s}}.
   */
  public Path sidecarYaml(Path serversJson, String... more) throws IOException {
    List<String> lines = new java.util.ArrayList<>(List.of(
      "listen: {host: 127.0.0.1, port: 0}",
      "tls:",
      "  certificates:",
      "    - certFile: " + certificate.certFile(),
      "      keyFile: " + certificate.keyFile(),
      "pomelo: {serversFile: " + serversJson + ", environment: development}",
      "routes: {aliases: []}",
      "admin: {host: 127.0.0.1, port: 0}"));
    lines.addAll(List.of(more));
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  public SidecarConfig config(Path serversJson, List<AliasConfig> aliases) {
    RoutesConfig defaults = RoutesConfig.defaults();
    return config(serversJson, new RoutesConfig(defaults.stripPrefix(), defaults.dial(), Map.of(), aliases, Map.of()),
      ProxyConfig.defaults());
  }

  public SidecarConfig config(Path serversJson, RoutesConfig routes, Duration connectTimeout, Duration upgradeTimeout) {
    return config(serversJson, routes,
      new ProxyConfig(connectTimeout, upgradeTimeout, ProxyConfig.defaults().responseTimeout()));
  }

  public SidecarConfig config(Path serversJson, RoutesConfig routes, ProxyConfig proxy) {
    return new SidecarConfig(dir.resolve("sidecar.yaml"), new ListenerConfig("127.0.0.1", 0),
      new TlsConfig(List.of(certificate)), new PomeloConfig(serversJson, "development"), routes,
      proxy, new AdminConfig(new ListenerConfig("127.0.0.1", 0)),
      io.pomelo.sidecar.config.ReloadConfig.defaults(), io.pomelo.sidecar.config.ShutdownConfig.defaults(),
      dir.resolve("state"));
  }

  public Future<Sidecar> start(Vertx vertx, SidecarConfig config) {
    return Sidecar.start(vertx, config);
  }

  public CertificateConfig certificate() {
    return certificate;
  }

  /** A WebSocket client that trusts only the test certificate and checks the host name. */
  public WebSocketClient webSocketClient(Vertx vertx, Path... alsoTrusted) {
    PemTrustOptions trust = new PemTrustOptions().addCertPath(certificate.certFile().toString());
    for (Path cert : alsoTrusted) {
      trust.addCertPath(cert.toString());
    }
    return vertx.createWebSocketClient(new WebSocketClientOptions()
      // Vert.x queues WebSockets past 50 per server by default; load tests open more.
      .setMaxConnections(10_000)
      .setSsl(true)
      .setVerifyHost(true)
      .setTrustOptions(trust));
  }

  /** {@code proxy.backendTls} trusting the certificates in {@code caFile} only, as the reader would make it. */
  public static BackendTlsConfig backendTrust(Path caFile) throws Exception {
    List<X509Certificate> authorities = new ArrayList<>();
    try (InputStream in = Files.newInputStream(caFile)) {
      CertificateFactory.getInstance("X.509").generateCertificates(in)
        .forEach(c -> authorities.add((X509Certificate) c));
    }
    return new BackendTlsConfig(caFile, authorities, false);
  }

  public static Future<WebSocket> connect(WebSocketClient client, int port, String path, String... subProtocols) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI(path).setSsl(true);
    for (String p : subProtocols) {
      options.addSubProtocol(p);
    }
    return client.connect(options);
  }
}
