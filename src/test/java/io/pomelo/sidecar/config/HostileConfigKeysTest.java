package io.pomelo.sidecar.config;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
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

/** The limits, wechat and per-route traffic keys: defaults, the sample file, overrides, and bad values. */
class HostileConfigKeysTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private SidecarConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, yaml);
    return await(new SidecarConfigLoader(vertx, env, new Properties()).load(file, new io.vertx.core.json.JsonObject()));
  }

  @Test
  void defaultsWhenAbsent() throws Exception {
    SidecarConfig config = load("listen:\n  port: 8443\n", Map.of());
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.limits().connections()).isEqualTo(50_000);
    assertThat(config.limits().requestHeadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.wechat().enabled()).isFalse();
    assertThat(config.routes().webSocketOnly()).isFalse();
    assertThat(config.routes().idleTimeout()).isZero();
  }

  @Test
  void theSampleFileStatesTheDefaults() throws Exception {
    Path sample = Path.of(System.getProperty("sidecar.project.dir", "."), "conf", "sidecar.yaml");
    SidecarConfig config = load(Files.readString(sample), Map.of());
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.wechat()).isEqualTo(WeChatConfig.defaults());
    assertThat(config.routes().webSocketOnly()).isFalse();
    assertThat(config.routes().idleTimeout()).isZero();
  }

  @Test
  void everyKeyIsRead() throws Exception {
    SidecarConfig config = load("""
      limits:
        requestLine: 4096
        headerSize: 8192
        headerCount: 50
        requestHeadTimeout: 5s
        tlsHandshakeTimeout: 3s
        connections: 100
        connectionsPerAddress: 0
        connectionRatePerAddress: 10
        keepAliveTimeout: 15s
        ipv6Prefix: 56
      proxy:
        responseTimeout: 90s
      wechat:
        appIds: [wx0123456789abcdef]
        allowDevelopment: true
      routes:
        webSocketOnly: true
        idleTimeout: 5m
        types:
          gate:
            webSocketOnly: false
            idleTimeout: 30s
      """, Map.of());
    assertThat(config.limits()).isEqualTo(new LimitsConfig(4096, 8192, 50, Duration.ofSeconds(5),
      Duration.ofSeconds(3), 100, 0, 10, Duration.ofSeconds(15), 56));
    assertThat(config.proxy().responseTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.wechat()).isEqualTo(new WeChatConfig(List.of("wx0123456789abcdef"), true));
    assertThat(config.routes().webSocketOnlyOf("connector")).isTrue();
    assertThat(config.routes().webSocketOnlyOf("gate")).isFalse();
    assertThat(config.routes().idleTimeoutOf("connector")).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.routes().idleTimeoutOf("gate")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void environmentOverridesReachTheNewKeys() throws Exception {
    SidecarConfig config = load("listen:\n  port: 8443\n", Map.of(
      "POMELO_SIDECAR_LIMITS_CONNECTIONSPERADDRESS", "7",
      "POMELO_SIDECAR_LIMITS_REQUESTHEADTIMEOUT", "2s",
      "POMELO_SIDECAR_WECHAT_APPIDS", "wx1,wx2",
      "POMELO_SIDECAR_ROUTES_IDLETIMEOUT", "90s"));
    assertThat(config.limits().connectionsPerAddress()).isEqualTo(7);
    assertThat(config.limits().requestHeadTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.wechat().appIds()).containsExactly("wx1", "wx2");
    assertThat(config.routes().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> load("""
      limits:
        requestLine: 10
        connections: -1
        requestHeadTimeout: 0
        headerCount: many
        bogus: 1
      wechat:
        appIds: ["not an appid"]
      routes:
        idleTimeout: soon
      """, Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("limits.requestLine")
      .hasMessageContaining("limits.connections")
      .hasMessageContaining("limits.requestHeadTimeout")
      .hasMessageContaining("limits.headerCount")
      .hasMessageContaining("limits.bogus")
      .hasMessageContaining("wechat.appIds")
      .hasMessageContaining("routes.idleTimeout");
  }
}
