package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.TlsConfig;

import io.pomelo.sidecar.config.ClientsConfig;

import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.run.LoadedFiles;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.tls.CertificateLoader;
import io.pomelo.sidecar.tls.LoadedCertificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the export says for the cases the live nginx test does not cover. */
class ExportNginxRenderTest {

  private static final Target GATE = new Target("gate-server-1", "gate", "10.0.0.5", 3014);
  private static final Target CONNECTOR_1 = new Target("connector-server-1", "connector", "10.0.0.6", 3050);
  private static final Target CONNECTOR_2 = new Target("connector-server-2", "connector", "::1", 3051);

  @TempDir
  Path dir;

  private TestSidecar fixture;
  private LoadedCertificate pem;

  @BeforeEach
  void certificate() throws Exception {
    fixture = new TestSidecar(dir);
    pem = CertificateLoader.load(fixture.certificate(), "tls.certificates[0]", Instant.now());
  }

  @Test
  void aTypeOverSeveralServersGetsOneUpstreamThatItsAliasSharesToo() throws Exception {
    String nginx = render(config(443), routes(), List.of(pem));
    assertThat(nginx).contains("""
      upstream pomelo_connector {
        server 10.0.0.6:3050;  # connector-server-1
        server [::1]:3051;  # connector-server-2
      }
      """);
    assertThat(nginx).containsOnlyOnce("upstream pomelo_connector {");
    assertThat(nginx).contains("""
        location /connector/ {
          proxy_pass http://pomelo_connector/;
      """).contains("""
        location /conn/ {
          proxy_pass http://pomelo_connector/;
      """).contains("""
        location /gate-server-1/ {
          proxy_pass http://10.0.0.5:3014;
      """);
    assertThat(nginx).contains("  location = /gate-server-1 { proxy_pass http://10.0.0.5:3014; }\n")
      .contains("  location = /conn { proxy_pass http://pomelo_connector/; }\n");
  }

  @Test
  void socketIoOnATypeOverSeveralServersGoesToAnIpHashTwinOfItsUpstream() throws Exception {
    String nginx = render(config(443), routes(), List.of(pem));
    assertThat(nginx).containsOnlyOnce("""
      upstream pomelo_connector_ip_hash {
        ip_hash;
        server 10.0.0.6:3050;  # connector-server-1
        server [::1]:3051;  # connector-server-2
      }
      """);
    // Nested in the route's location, with the route's path mapping: stripped, so the server sees /socket.io/.
    assertThat(nginx).contains("""
        location /connector/ {
          proxy_pass http://pomelo_connector/;

          # socket.io's polls and upgrades (see the top of this file)
          location /connector/socket.io/ {
            proxy_pass http://pomelo_connector_ip_hash/socket.io/;
            proxy_read_timeout 60s;  # proxy.responseTimeout
          }
        }
      """).contains("""
          location /conn/socket.io/ {
            proxy_pass http://pomelo_connector_ip_hash/socket.io/;
      """);
    assertThat(nginx).contains("# socket.io's docs advise). ip_hash hashes the first three bytes of an IPv4 address");
  }

  @Test
  void socketIoOnOneServerGoesStraightToItWithTheRoutesPathMapping() throws Exception {
    String nginx = render(config(443), routes(), List.of(pem));
    // Prefix kept: proxy_pass without a URI passes /gate-server-1/socket.io/... on unchanged.
    assertThat(nginx).contains("""
          location /gate-server-1/socket.io/ {
            proxy_pass http://10.0.0.5:3014;
            proxy_read_timeout 60s;  # proxy.responseTimeout
          }
      """).contains("""
          location /connector-server-2/socket.io/ {
            proxy_pass http://[::1]:3051/socket.io/;
      """);
  }

  @Test
  void withoutUpstreamsNoIpHashAndTheSocketIoTimeoutFollowsTheConfiguration() throws Exception {
    SidecarConfig config = config(443)
      .withProxy(new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(90)));
    String nginx = render(config, List.of(new Route("/gate/", RouteKind.TYPE, "gate", List.of(GATE), false)),
      List.of(pem));
    assertThat(nginx).doesNotContain("ip_hash").contains("""
          location /gate/socket.io/ {
            proxy_pass http://10.0.0.5:3014;
            proxy_read_timeout 90s;  # proxy.responseTimeout
          }
      """);
  }

  @Test
  void listenTlsTimeoutsAndHeadersAreTheSidecars() throws Exception {
    SidecarConfig config = fixture.config(dir.resolve("servers.json"), List.of())
      .withListen(new ListenerConfig("0.0.0.0", 443))
      .withProxy(new ProxyConfig(Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    String nginx = render(config, routes(), List.of(pem));
    assertThat(nginx).contains("  listen 443 ssl;\n")
      .contains("  server_name localhost;\n")
      .contains("  ssl_certificate     " + fixture.certificate().certFile() + ";\n")
      .contains("  ssl_certificate_key " + fixture.certificate().keyFile() + ";\n")
      .contains("  ssl_protocols TLSv1.2 TLSv1.3;\n")
      .contains("  ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;\n")
      .contains("  proxy_http_version 1.1;\n")
      .contains("  proxy_set_header Upgrade $http_upgrade;\n")
      .contains("  proxy_set_header Connection $connection_upgrade;\n")
      .contains("  proxy_set_header X-Real-IP $remote_addr;\n")
      .contains("  proxy_set_header X-Forwarded-For $remote_addr;\n")
      .contains("  proxy_set_header X-Forwarded-Proto $scheme;\n")
      .contains("  proxy_connect_timeout 250ms;  # proxy.connectTimeout\n")
      .contains("  proxy_read_timeout 3600s;\n")
      .contains("  proxy_send_timeout 3600s;\n")
      .contains("map $http_upgrade $connection_upgrade {\n  default upgrade;\n  ''      close;\n}\n")
      .doesNotContain("default_server");
  }

  @Test
  void behindABalancerTheClientsAddressComesFromThePROXYHeaderOfTheTrustedSourcesOnly() throws Exception {
    SidecarConfig config = config(443).withClients(ClientsConfig.defaults().withProxyProtocol(List.of("10.0.0.2/32")))
      .withTls(new TlsConfig(config(443).tls().certificates(), Path.of("/etc/pomelo-sidecar/ticket.keys")));
    String nginx = render(config, routes(), List.of(pem));
    assertThat(nginx).contains("  listen 127.0.0.1:443 ssl proxy_protocol;\n")
      .contains("  set_real_ip_from 10.0.0.2/32;\n  real_ip_header proxy_protocol;\n")
      .contains("  # clients.proxyProtocol.headerTimeout (5s): nginx's http server has no timer of its own")
      .doesNotContain("proxy_protocol_timeout")
      .contains("  ssl_session_ticket_key /etc/pomelo-sidecar/ticket.keys;\n")
      .doesNotContain("real_ip_recursive");
    SidecarConfig forwarded = config(443).withClients(ClientsConfig.defaults()
      .withTrustedForwarders(List.of("192.0.2.0/24")));
    assertThat(render(forwarded, routes(), List.of(pem))).contains("  listen 127.0.0.1:443 ssl;\n")
      .contains("  set_real_ip_from 192.0.2.0/24;\n  real_ip_header X-Forwarded-For;\n  real_ip_recursive on;\n")
      .doesNotContain("ssl_session_ticket_key");
  }

  @Test
  void everyInterfaceOnIpv6MeansBothFamiliesForNginx() {
    assertThat(NginxExport.listens(new ListenerConfig("::", 443))).containsExactly("443", "[::]:443");
    assertThat(NginxExport.listens(new ListenerConfig("::1", 8443))).containsExactly("[::1]:8443");
    assertThat(NginxExport.listens(new ListenerConfig("192.0.2.7", 443))).containsExactly("192.0.2.7:443");
  }

  @Test
  void aKeystoreBecomesTheOpensslStepsAndNeverShowsItsPassword() throws Exception {
    Path keystore = dir.resolve("game.p12");
    LoadedCertificate fromKeystore = new LoadedCertificate(
      new CertificateConfig(null, null, keystore, "s3cret-pass"), pem.chain(), pem.key());
    String nginx = render(config(443), routes(), List.of(fromKeystore));
    String base = dir.resolve("game").toString();
    assertThat(nginx)
      .contains("  # tls.certificates[0] is a PKCS#12 keystore; nginx needs PEM.")
      .contains("  #   openssl pkcs12 -in " + keystore + " -nokeys -out " + base + ".crt.pem\n")
      .contains("  #   openssl pkcs12 -in " + keystore + " -nocerts -nodes -out " + base + ".key.pem\n")
      .contains("  ssl_certificate     " + base + ".crt.pem;\n")
      .contains("  ssl_certificate_key " + base + ".key.pem;\n")
      .doesNotContain("s3cret-pass");
  }

  @Test
  void severalCertificatesGiveOneServerBlockEachWithTheFirstAsFallback() throws Exception {
    String nginx = render(config(443), routes(), List.of(pem, pem));
    assertThat(nginx.split("\nserver \\{\n", -1)).hasSize(3);
    assertThat(nginx).containsOnlyOnce("  listen 127.0.0.1:443 ssl default_server;\n")
      .contains("# Certificate 2 of 2");
  }

  @Test
  void portZeroCannotBeExported() {
    assertThatThrownBy(() -> render(config(0), routes(), List.of(pem)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().get(0).toString())
        .isEqualTo(dir.resolve("sidecar.yaml") + ": listen.port = 0: nginx needs a fixed port; 0 (any free port) "
          + "exists only for tests"));
  }

  @Test
  void tlsServersArePassedOverHttpsWithTheirNameAndVerifiedByTheCaFile() throws Exception {
    Path caFile = dir.resolve("backend-ca.pem");
    String nginx = render(withTrust(new BackendTlsConfig(caFile, List.of(), false)), tlsRoutes(), List.of(pem));
    assertThat(nginx).contains("""
      upstream pomelo_connector {
        server 10.0.0.6:3050;  # connector-server-1
        server 10.0.0.7:3050;  # connector-server-2
      }
      """);
    String ssl = """
          proxy_ssl_server_name on;
          proxy_ssl_name connector.game.internal;
          proxy_ssl_protocols TLSv1.2 TLSv1.3;
          proxy_ssl_verify on;
          proxy_ssl_verify_depth 3;
          proxy_ssl_trusted_certificate %s;  # proxy.backendTls.caFile
      """.formatted(caFile);
    assertThat(nginx).contains("""
        location /connector/ {
          proxy_pass https://pomelo_connector/;
      """).contains(ssl);
    // The socket.io location is nested, so it inherits the TLS settings and only its upstream changes.
    assertThat(nginx).contains("      proxy_pass https://pomelo_connector_ip_hash/socket.io/;\n")
      .contains("  location = /connector {\n    proxy_pass https://pomelo_connector/;\n")
      .contains("  location = /gate { proxy_pass http://10.0.0.5:3014; }\n");
    // Two routes over TLS, each with its own location and its bare-path twin.
    assertThat(nginx.split("proxy_ssl_name connector.game.internal;", -1)).hasSize(5);
    assertThat(nginx.substring(nginx.indexOf("location /gate/"), nginx.indexOf("location /connector/")))
      .doesNotContain("proxy_ssl");
  }

  @Test
  void withoutACaFileNginxVerifiesAgainstTheSystemBundle() throws Exception {
    String nginx = render(withTrust(BackendTlsConfig.defaults()), tlsRoutes(), List.of(pem));
    assertThat(nginx).contains("""
          proxy_ssl_verify on;
          proxy_ssl_verify_depth 3;
          # No proxy.backendTls.caFile: the sidecar trusts the JDK's store; this is the system's (Debian's path).
          proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
      """);
  }

  @Test
  void insecureTurnsVerificationOffAndSaysSo() throws Exception {
    String nginx = render(withTrust(new BackendTlsConfig(null, List.of(), true)), tlsRoutes(), List.of(pem));
    assertThat(nginx).contains("""
          proxy_ssl_protocols TLSv1.2 TLSv1.3;
          # !!! proxy.backendTls.insecure is on: neither the chain nor the name of the servers' certificates is
          # !!! checked, so anyone on the path to them can read and change the traffic. Loopback only.
          proxy_ssl_verify off;
      """).doesNotContain("proxy_ssl_verify on").doesNotContain("proxy_ssl_trusted_certificate");
  }

  @Test
  void theSameServersOverTlsAndPlainGetTwoUpstreams() throws Exception {
    Target plain1 = new Target("connector-server-1", "connector", "10.0.0.6", 3050);
    Target plain2 = new Target("connector-server-2", "connector", "10.0.0.7", 3050);
    List<Route> routes = List.of(
      new Route("/connector/", RouteKind.TYPE, "connector", List.of(plain1, plain2), true),
      new Route("/secure/", RouteKind.ALIAS, "connector", List.of(tls(plain1), tls(plain2)), true));
    String nginx = render(config(443), routes, List.of(pem));
    assertThat(nginx).contains("upstream pomelo_connector {").contains("upstream pomelo_connector_2 {")
      .contains("""
        location /connector/ {
          proxy_pass http://pomelo_connector/;
      """).contains("""
        location /secure/ {
          proxy_pass https://pomelo_connector_2/;
      """).contains("      proxy_pass http://pomelo_connector_ip_hash/socket.io/;\n")
      .contains("      proxy_pass https://pomelo_connector_2_ip_hash/socket.io/;\n");
  }

  @Test
  void aRouteOverTlsAndPlainServersCannotBeExported() {
    Target plain = new Target("connector-server-9", "connector", "10.0.0.9", 3050);
    List<Route> routes = List.of(new Route("/connector/", RouteKind.TYPE, "connector",
      List.of(tls(CONNECTOR_1), plain), true));
    assertThatThrownBy(() -> render(config(443), routes, List.of(pem)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().get(0).toString())
        .isEqualTo(dir.resolve("sidecar.yaml") + ": route /connector/ = wss://10.0.0.6:3050, ws://10.0.0.9:3050: "
          + "mixes TLS and plain servers of type connector; the sidecar can, but an nginx upstream has one scheme: "
          + "set tls on all of them or on none (routes.servers.<id>.tls)"));
  }

  @Test
  void tlsServersOfOneRouteWithDifferentNamesCannotBeExported() {
    List<Route> routes = List.of(new Route("/connector/", RouteKind.TYPE, "connector",
      List.of(new Target("connector-server-1", "connector", "10.0.0.6", 3050, true, null),
        new Target("connector-server-2", "connector", "10.0.0.7", 3050, true, null)), true));
    assertThatThrownBy(() -> render(config(443), routes, List.of(pem)))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().get(0).toString())
        .startsWith(dir.resolve("sidecar.yaml") + ": route /connector/ = 10.0.0.6, 10.0.0.7: the servers' TLS names "
          + "differ").endsWith("(routes.types.connector.tlsServerName)"));
  }

  @Test
  void aPathNginxWouldSplitIsQuoted() {
    assertThat(NginxExport.word("/conn/")).isEqualTo("/conn/");
    assertThat(NginxExport.word("/my conn/")).isEqualTo("\"/my conn/\"");
    assertThat(NginxExport.word("/a;b\"c/")).isEqualTo("\"/a;b\\\"c/\"");
  }

  private SidecarConfig config(int port) {
    return fixture.config(dir.resolve("servers.json"), List.of()).withListen(new ListenerConfig("127.0.0.1", port));
  }

  private SidecarConfig withTrust(BackendTlsConfig trust) {
    return config(443).withProxy(new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10),
      Duration.ofSeconds(60), trust));
  }

  private static Target tls(Target plain) {
    return new Target(plain.serverId(), plain.serverType(), plain.host(), plain.port(), true,
      "connector.game.internal");
  }

  /** A plain gate and a connector type over two TLS servers, with an alias of it. */
  private static List<Route> tlsRoutes() {
    List<Target> connectors = List.of(tls(CONNECTOR_1),
      tls(new Target("connector-server-2", "connector", "10.0.0.7", 3050)));
    return List.of(
      new Route("/gate/", RouteKind.TYPE, "gate", List.of(GATE), false),
      new Route("/connector/", RouteKind.TYPE, "connector", connectors, true),
      new Route("/conn/", RouteKind.ALIAS, "connector", connectors, true));
  }

  private static List<Route> routes() {
    List<Target> connectors = List.of(CONNECTOR_1, CONNECTOR_2);
    return List.of(
      new Route("/gate-server-1/", RouteKind.SERVER, "gate", List.of(GATE), false),
      new Route("/connector-server-1/", RouteKind.SERVER, "connector", List.of(CONNECTOR_1), true),
      new Route("/connector-server-2/", RouteKind.SERVER, "connector", List.of(CONNECTOR_2), true),
      new Route("/gate/", RouteKind.TYPE, "gate", List.of(GATE), false),
      new Route("/connector/", RouteKind.TYPE, "connector", connectors, true),
      new Route("/conn/", RouteKind.ALIAS, "connector", connectors, true));
  }

  private String render(SidecarConfig config, List<Route> routes, List<LoadedCertificate> certificates)
    throws ConfigException {
    ServersFile servers = new ServersFile(dir.resolve("servers.json"), "production", List.of(), 0, List.of(), "");
    return NginxExport.render(config,
      new LoadedFiles(servers, new RoutePlan(new RouteTable(routes), List.of()), certificates, List.of(), List.of()), "test");
  }
}
