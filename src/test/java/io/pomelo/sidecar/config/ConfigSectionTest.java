package io.pomelo.sidecar.config;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The schema in ConfigSection decides what a reload applies, what an override can reach, and the defaults. */
@ExtendWith(VertxExtension.class)
class ConfigSectionTest {

  /** One change per section, away from its default; a new section fails the first test until it has one. */
  private static final Map<ConfigSection, String> CHANGE = new EnumMap<>(Map.ofEntries(
    Map.entry(ConfigSection.LISTEN, "listen: {port: 8443}"),
    Map.entry(ConfigSection.TLS, "tls: {certificates: [{certFile: a.pem, keyFile: a.key}]}"),
    Map.entry(ConfigSection.POMELO, "pomelo: {environment: production}"),
    Map.entry(ConfigSection.ROUTES, "routes: {stripPrefix: true}"),
    Map.entry(ConfigSection.PROXY, "proxy: {connectTimeout: 5s}"),
    Map.entry(ConfigSection.ADMIN, "admin: {port: 9191}"),
    Map.entry(ConfigSection.RELOAD, "reload: {closeAfter: 5s}"),
    Map.entry(ConfigSection.SHUTDOWN, "shutdown: {drain: 5s}"),
    Map.entry(ConfigSection.STATE, "state: {dir: /var/lib/elsewhere}"),
    Map.entry(ConfigSection.HEALTH, "health: {interval: 7s}"),
    Map.entry(ConfigSection.ACCESS_LOG, "accessLog: {enabled: false}"),
    Map.entry(ConfigSection.LIMITS, "limits: {connections: 7}"),
    Map.entry(ConfigSection.CLIENTS, "clients: {trustedForwarders: [10.0.0.0/8]}"),
    Map.entry(ConfigSection.WECHAT, "wechat: {allowDevelopment: true}"),
    Map.entry(ConfigSection.MASTER, "master: {follow: false}")));

  @TempDir
  Path dir;

  private SidecarConfig read(Vertx vertx, String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, yaml);
    return await(new SidecarConfigLoader(vertx, env, new Properties()).load(file));
  }

  @Test
  void aReloadAppliesExactlyTheLiveSections(Vertx vertx) throws Exception {
    // What the README promises a reload applies; the rest needs a restart.
    assertThat(ConfigSection.live())
      .containsExactlyInAnyOrder(ConfigSection.TLS, ConfigSection.POMELO, ConfigSection.ROUTES, ConfigSection.RELOAD);
    SidecarConfig base = read(vertx, "{}", Map.of("HOME", dir.toString()));
    for (ConfigSection section : ConfigSection.values()) {
      assertThat(CHANGE).as("a sample change for " + section).containsKey(section);
      SidecarConfig changed = read(vertx, CHANGE.get(section), Map.of("HOME", dir.toString()));
      assertThat(section.of(changed)).as(section + " changed").isNotEqualTo(section.of(base));
      boolean live = section.applies() == ConfigSection.Applies.LIVE;
      assertThat(base.restartOnlyChanges(changed)).as(section.yamlName())
        .isEqualTo(live ? List.of() : List.of(section.yamlName()));
      SidecarConfig reloaded = base.withReloadable(changed);
      assertThat(section.of(reloaded)).as(section + " after a reload").isEqualTo(section.of(live ? changed : base));
    }
  }

  /** Inside the live tls section, the groups are read at start: a reload keeps them and says a restart applies them. */
  @Test
  void tlsGroupsNeedARestart(Vertx vertx) throws Exception {
    SidecarConfig base = read(vertx, "{}", Map.of("HOME", dir.toString()));
    SidecarConfig changed = read(vertx, "tls: {groups: [X25519]}", Map.of("HOME", dir.toString()));
    assertThat(base.restartOnlyChanges(changed)).containsExactly("tls.groups");
    assertThat(base.withReloadable(changed).tls().groups()).isEqualTo(KeyExchangeGroup.DEFAULTS);
    assertThat(changed.withReloadable(base).tls().groups()).containsExactly(KeyExchangeGroup.X25519);
  }

  @Test
  void anEmptyFileGivesTheRecordsDefaults(Vertx vertx) throws Exception {
    SidecarConfig config = read(vertx, "{}", Map.of("HOME", dir.toString()));
    assertThat(config.listen()).isEqualTo(ListenerConfig.publicDefault());
    assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
    assertThat(config.pomelo()).isEqualTo(new PomeloConfig(dir.resolve(PomeloConfig.defaults().serversFile()),
      PomeloConfig.defaults().environment()));
    assertThat(config.routes()).isEqualTo(RoutesConfig.defaults());
    assertThat(config.proxy()).isEqualTo(ProxyConfig.defaults());
    assertThat(config.reload()).isEqualTo(ReloadConfig.defaults());
    assertThat(config.shutdown()).isEqualTo(ShutdownConfig.defaults());
    assertThat(config.health()).isEqualTo(HealthConfig.defaults());
    assertThat(config.accessLog()).isEqualTo(AccessLogConfig.defaults());
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.wechat()).isEqualTo(WeChatConfig.defaults());
    assertThat(config.master()).isEqualTo(MasterConfig.defaults());
  }

  @Test
  void anOverrideReachesKeysInsideEntriesAndNestedMappings(Vertx vertx) throws Exception {
    SidecarConfig config = read(vertx, "routes: {types: {connector: {stripPrefix: true}}}", Map.of("HOME", dir.toString(),
      "POMELO_SIDECAR_ROUTES_TYPES_CONNECTOR_WEBSOCKETONLY", "true",
      "POMELO_SIDECAR_PROXY_BACKENDTLS_INSECURE", "true"));
    assertThat(config.routes().types().get("connector").webSocketOnly()).isTrue();
    assertThat(config.proxy().backendTls().insecure()).isTrue();
  }
}
