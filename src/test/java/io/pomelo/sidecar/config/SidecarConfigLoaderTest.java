package io.pomelo.sidecar.config;

import io.pomelo.sidecar.testing.SpecialFiles;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** sidecar.yaml through Vert.x Config, with the environment and -D overrides the README documents. */
class SidecarConfigLoaderTest {

  /** Refusals come from a stat, well inside this; a read that opened a FIFO would hang past it. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private SidecarConfig load(Path file, Map<String, String> env, Properties properties) throws Exception {
    return await(new SidecarConfigLoader(vertx, env, properties).load(file));
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void theSampleReadsAsDocumented() throws Exception {
    Path sample = Path.of(System.getProperty("sidecar.project.dir", ".")).resolve("conf/sidecar.yaml");
    SidecarConfig config = load(sample, Map.of("HOME", dir.toString()), new Properties());
    assertThat(config.listen()).isEqualTo(new ListenerConfig("0.0.0.0", 443));
    assertThat(config.tls().certificates()).singleElement().satisfies(c ->
      assertThat(c.certFile()).isEqualTo(Path.of("/etc/letsencrypt/live/game.example.com/fullchain.pem")));
    assertThat(config.pomelo().serversFile()).isEqualTo(Path.of("/srv/game-server/config/servers.json"));
    assertThat(config.pomelo().environment()).isEmpty();
    assertThat(config.routes().aliases()).containsExactly(new AliasConfig("/conn/", "connector", null, null));
    assertThat(config.routes().stripPrefix()).isFalse();
    assertThat(config.routes().clientPortPaths()).isFalse();
    assertThat(config.proxy()).isEqualTo(ProxyConfig.defaults());
    assertThat(config.admin().listener()).isEqualTo(new ListenerConfig("127.0.0.1", 9090));
    assertThat(config.reload()).isEqualTo(ReloadConfig.defaults());
    assertThat(config.shutdown()).isEqualTo(ShutdownConfig.defaults());
    assertThat(config.stateDir()).isEqualTo(dir.resolve(".local/state/pomelo-sidecar"));
  }

  @Test
  void anEmptyFileIsAllDefaultsAndRelativePathsFollowTheFile() throws Exception {
    SidecarConfig config = load(write("pomelo:\n  serversFile: game/servers.json\n"),
      Map.of("STATE_DIRECTORY", "/var/lib/pomelo-sidecar"), new Properties());
    assertThat(config.pomelo().serversFile()).isEqualTo(dir.resolve("game/servers.json"));
    assertThat(config.tls().certificates()).isEmpty();
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/pomelo-sidecar"));
  }

  @Test
  void environmentAndSystemPropertiesOverrideTheFileInThatOrder() throws Exception {
    Path file = write("listen:\n  port: 443\nproxy:\n  connectTimeout: 3s\n");
    Properties properties = new Properties();
    properties.setProperty("pomelo-sidecar.listen.port", "9443");
    SidecarConfig config = load(file, Map.of(
      "POMELO_SIDECAR_LISTEN_PORT", "8443",
      "POMELO_SIDECAR_LISTEN_HOST", "127.0.0.1",
      "POMELO_SIDECAR_POMELO_SERVERSFILE", "/srv/x/servers.json",
      "POMELO_SIDECAR_PROXY_CONNECTTIMEOUT", "500ms",
      "POMELO_SIDECAR_TLS_CERTIFICATES_0_CERTFILE", "/etc/ssl/a.pem",
      "POMELO_SIDECAR_TLS_CERTIFICATES_0_KEYFILE", "/etc/ssl/a.key"), properties);
    assertThat(config.listen()).isEqualTo(new ListenerConfig("127.0.0.1", 9443));
    assertThat(config.pomelo().serversFile()).isEqualTo(Path.of("/srv/x/servers.json"));
    assertThat(config.proxy().connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.tls().certificates()).containsExactly(
      CertificateConfig.pem(Path.of("/etc/ssl/a.pem"), Path.of("/etc/ssl/a.key")));
  }

  @Test
  void clientNetworksAreCidrsOrAddressesAndABadOneIsNamedByItsKey() throws Exception {
    Path good = write("clients:\n  proxyProtocol:\n    trustedSources: [10.0.0.0/8, 192.0.2.7, \"2001:db8::/32\"]\n"
      + "    headerTimeout: 2s\n  trustedForwarders: [198.51.100.0/24]\n");
    ClientsConfig clients = load(good, Map.of(), new Properties()).clients();
    assertThat(clients.proxyTrustedSources()).containsExactly("10.0.0.0/8", "192.0.2.7", "2001:db8::/32");
    assertThat(clients.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(clients.trustedForwarders()).containsExactly("198.51.100.0/24");
    // From the environment, a list is one string with commas.
    assertThat(load(good, Map.of("POMELO_SIDECAR_CLIENTS_TRUSTEDFORWARDERS", "10.1.0.0/16, 10.2.0.0/16"),
      new Properties()).clients().trustedForwarders()).containsExactly("10.1.0.0/16", "10.2.0.0/16");

    Path bad = write("clients:\n  proxyProtocol:\n    trustedSources: [10.0.0.0/33, lb.example.com, 10.0.0.1/8]\n"
      + "    headerTimeout: 0s\n    timeout: 1s\n  trustedForwarders: [300.1.1.1]\n");
    assertThatThrownBy(() -> load(bad, Map.of(), new Properties()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(Object::toString)
        .containsExactlyInAnyOrder(
          bad + ": clients.proxyProtocol.trustedSources = 10.0.0.0/33: the prefix length must be a number from 0 "
            + "to 32",
          bad + ": clients.proxyProtocol.trustedSources = lb.example.com: must be an IP address or a CIDR such as "
            + "10.0.0.0/8 or 2001:db8::/32",
          bad + ": clients.proxyProtocol.trustedSources = 10.0.0.1/8: has bits set past its /8 prefix (did you "
            + "mean 10.0.0.0/8?)",
          bad + ": clients.proxyProtocol.headerTimeout = 0s: must be more than 0",
          bad + ": clients.proxyProtocol.timeout: unknown key; known here: headerTimeout, trustedSources",
          bad + ": clients.trustedForwarders = 300.1.1.1: must be an IP address or a CIDR such as 10.0.0.0/8 or "
            + "2001:db8::/32"));
  }

  @Test
  void keyExchangeGroupsTakeBoringSslOpenSslAndCaddyNamesAndABadListIsNamedByItsPlace() throws Exception {
    assertThat(load(write("{}"), Map.of(), new Properties()).tls().groups()).as("left out")
      .isEqualTo(KeyExchangeGroup.DEFAULTS)
      .startsWith(KeyExchangeGroup.X25519MLKEM768);
    Path good = write("tls:\n  groups: [x25519, prime256v1, secp384r1, P-521, X25519MLKEM768]\n");
    assertThat(load(good, Map.of(), new Properties()).tls().groups()).containsExactly(KeyExchangeGroup.X25519,
      KeyExchangeGroup.P256, KeyExchangeGroup.P384, KeyExchangeGroup.P521, KeyExchangeGroup.X25519MLKEM768);
    assertThat(load(good, Map.of("POMELO_SIDECAR_TLS_GROUPS", "X25519, P-256"), new Properties()).tls().groups())
      .as("from the environment, one string with commas").containsExactly(KeyExchangeGroup.X25519, KeyExchangeGroup.P256);

    Path bad = write("tls:\n  groups: [X25519, ffdhe2048, x25519]\n");
    assertThatThrownBy(() -> load(bad, Map.of(), new Properties()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(Object::toString)
        .containsExactlyInAnyOrder(
          bad + ": tls.groups[1] = ffdhe2048: must be one of X25519MLKEM768, X25519, P-256, P-384, P-521",
          bad + ": tls.groups[2] = x25519: names a group already in the list"));
    Path empty = write("tls:\n  groups: []\n");
    assertThatThrownBy(() -> load(empty, Map.of(), new Properties()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(Object::toString)
        .containsExactly(empty + ": tls.groups = []: must name at least one group, or be left out for the defaults"));
  }

  @Test
  void everyProblemIsReportedWithFilePlaceValueAndRule() throws Exception {
    Path file = write("listen:\n  port: 99999\nlisten2: {}\nroutes:\n  aliases:\n    - path: conn\n"
      + "      serverType: connector\n  dial: clientHostt\nproxy:\n  connectTimeout: 3 seconds\n");
    assertThatThrownBy(() -> load(file, Map.of(), new Properties()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(Object::toString)
        .containsExactlyInAnyOrder(
          file + ": listen.port = 99999: must be a port number from 0 to 65535",
          file + ": listen2: unknown key; known here: accessLog, admin, clients, health, limits, listen, master, pomelo, "
            + "proxy, reload, routes, shutdown, state, tls, wechat",
          file + ": routes.aliases[0].path = conn: must be a path such as /conn/ (not / itself, no '..', '?' or '#')",
          file + ": routes.dial = clientHostt: must be host or clientHost",
          file + ": proxy.connectTimeout = 3 seconds: must be a duration such as 250ms, 3s, 5m or 1h"));
  }

  @Test
  void maxFileSizeIsASizeInBinaryUnitsOrBytes() throws Exception {
    assertThat(load(write("{}\n"), Map.of(), new Properties()).reload().maxFileSize()).isEqualTo(4L << 20);
    for (Map.Entry<String, Long> ok : Map.of("512KiB", 512L << 10, "4MiB", 4L << 20, "1 GiB", 1L << 30,
      "1500", 1500L, "64B", 64L).entrySet()) {
      assertThat(load(write("reload: {maxFileSize: " + ok.getKey() + "}\n"), Map.of(), new Properties())
        .reload().maxFileSize()).as(ok.getKey()).isEqualTo(ok.getValue());
    }
    assertThat(load(write("{}\n"), Map.of("POMELO_SIDECAR_RELOAD_MAXFILESIZE", "1KiB"), new Properties())
      .reload().maxFileSize()).isEqualTo(1024);
    Path file = write("reload: {maxFileSize: 0}\n");
    assertThatThrownBy(() -> load(file, Map.of(), new Properties()))
      .hasMessage(file + ": reload.maxFileSize = 0: must be more than 0 and at most 1GiB");
    for (String bad : List.of("4MB", "4 mib", "-1", "1.5MiB", "2GiB", "99999999999999999999")) {
      assertThatThrownBy(() -> load(write("reload: {maxFileSize: \"" + bad + "\"}\n"), Map.of(), new Properties()))
        .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining(": reload.maxFileSize = " + bad + ": must be");
    }
  }

  @Test
  void aBadOverrideNamesWhereItCameFrom() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("pomelo-sidecar.admin.port", "x");
    assertThatThrownBy(() -> load(write("{}\n"), Map.of(), properties))
      .hasMessage("system property pomelo-sidecar.admin.port: admin.port = x: must be a port number from 0 to 65535");
  }

  @Test
  void invalidYamlAndAMissingFileAreClearErrors() throws Exception {
    assertThatThrownBy(() -> load(write("listen:\n  port: [443\n"), Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith(dir.resolve("sidecar.yaml") + ": cannot be read as YAML");
    assertThatThrownBy(() -> load(dir.resolve("nope.yaml"), Map.of(), new Properties()))
      .hasMessage(dir.resolve("nope.yaml") + ": no such file");
  }

  /**
   * The configuration file is read before its reload.maxFileSize is known, so the default holds for it, whatever it
   * sets; a FIFO is refused from a stat, never opened.
   */
  @Test
  void theConfigurationFileIsARegularFileWithinTheDefaultLimit() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("fifo.yaml"));
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> load(fifo, Map.of(), new Properties())))
      .isInstanceOf(ConfigException.class).hasMessage(fifo + ": is a FIFO, not a regular file");
    Path directory = Files.createDirectory(dir.resolve("conf.yaml"));
    assertThatThrownBy(() -> load(directory, Map.of(), new Properties()))
      .hasMessage(directory + ": is a directory, not a regular file");
    Path big = write("reload: {maxFileSize: 8MiB}\n#" + "x".repeat(4 << 20) + "\n");
    assertThatThrownBy(() -> load(big, Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class).hasMessage(big + ": is 4.0 MiB (" + Files.size(big) + " bytes), over "
        + "the default reload.maxFileSize (4 MiB), which the configuration file is held to since it is read before "
        + "its own settings");
    Path real = Files.writeString(Files.createDirectories(dir.resolve("etc")).resolve("sidecar.yaml"),
      "listen: {port: 8443}\n");
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), real);
    assertThat(load(link, Map.of(), new Properties()).listen().port()).isEqualTo(8443);
  }

  @Test
  void theTokenFileIsARegularFileWithinReloadMaxFileSize() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("admin-token"));
    Path withFifo = write("admin: {tokenFile: admin-token}\n");
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> load(withFifo, Map.of(), new Properties())))
      .isInstanceOf(ConfigException.class).hasMessage(fifo + ": admin.tokenFile: is a FIFO, not a regular file");
    Files.delete(fifo);
    Path token = Files.writeString(dir.resolve("admin-token"), "t".repeat(2048));
    Path withBig = write("admin: {tokenFile: admin-token}\nreload: {maxFileSize: 1KiB}\n");
    assertThatThrownBy(() -> load(withBig, Map.of(), new Properties()))
      .hasMessage(token + ": admin.tokenFile: is 2.0 KiB, over reload.maxFileSize (1 KiB)");
  }

  @Test
  void aKeystorePasswordNeverShowsInMessagesOrToString() throws Exception {
    Path file = write("tls:\n  certificates:\n    - keystore: /etc/a.p12\n      password: s3cret\n      certFile: x\n");
    assertThatThrownBy(() -> load(file, Map.of(), new Properties()))
      .hasMessageNotContaining("s3cret");
    SidecarConfig ok = load(write("tls:\n  certificates:\n    - keystore: /etc/a.p12\n      password: s3cret\n"),
      Map.of(), new Properties());
    assertThat(ok.toString()).doesNotContain("s3cret");
  }

  @Test
  void backendTlsKeysAreReadAndEachBadOneIsNamed() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    assertThatThrownBy(() -> load(write("routes:\n  types:\n    connector:\n      tls: yes-please\n"
        + "  servers:\n    c-1:\n      tls: true\n      sni: x\n"
        + "  aliases:\n    - path: /w/\n      serverType: connector\n      tlsServerName: 'a b'\n"
        + "proxy:\n  backendTls:\n    caFile: ca.pem\n    insecure: maybe\n"), Map.of(), new Properties()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("routes.types.connector.tls = yes-please: must be true or false")
        .contains("routes.servers.c-1.sni: unknown key")
        .contains("routes.aliases[0].tlsServerName = a b: must be a DNS name or an IP address")
        .contains("proxy.backendTls.insecure = maybe: must be true or false")
        .contains("proxy.backendTls.caFile = " + dir.resolve("ca.pem")));
    assertThatThrownBy(() -> load(write("proxy:\n  backendTls:\n    caFile: missing.pem\n"), Map.of(),
      new Properties())).isInstanceOf(ConfigException.class).hasMessageContaining("missing.pem");

    SidecarConfig config = load(write("routes:\n  types:\n    connector:\n      tls: true\n"
      + "  servers:\n    c-1:\n      tlsServerName: c1.game.test\n"
      + "  aliases:\n    - path: /w/\n      serverId: c-1\n      tls: false\n"
      + "proxy:\n  backendTls:\n    insecure: true\n"), Map.of(), new Properties());
    assertThat(config.routes().backendTlsOf("connector", "c-1")).isEqualTo(new BackendTls(true, "c1.game.test"));
    assertThat(config.routes().aliases().get(0).backendTls()).isEqualTo(new BackendTls(false, null));
    assertThat(config.proxy().backendTls().insecure()).isTrue();
  }
}
