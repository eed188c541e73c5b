package io.pomelo.sidecar.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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

/** admin.allowedHosts, admin.maxConnections and admin.idleTimeout: defaults, the sample, overrides, bad values. */
class AdminTrustKeysTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private AdminConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, yaml);
    return await(new SidecarConfigLoader(vertx, env, new Properties()).load(file, new JsonObject())).admin();
  }

  @Test
  void defaultsAreTheSamplesAndEveryKeyIsRead() throws Exception {
    AdminConfig none = load("pomelo: {serversFile: servers.json}\n", Map.of());
    assertThat(none.allowedHosts()).isEmpty();
    assertThat(none.maxConnections()).isEqualTo(64);
    assertThat(none.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    Path sample = Path.of(System.getProperty("sidecar.project.dir", "."), "conf", "sidecar.yaml");
    assertThat(load(Files.readString(sample), Map.of())).isEqualTo(none);

    AdminConfig set = load("""
      admin:
        allowedHosts: [admin.example.com, 'Admin.Example.com:8443', '[::1]:9091', 10.0.0.5]
        maxConnections: 8
        idleTimeout: 300ms
      """, Map.of());
    assertThat(set.allowedHosts()).containsExactly("admin.example.com", "Admin.Example.com:8443", "[::1]:9091",
      "10.0.0.5");
    assertThat(set.maxConnections()).isEqualTo(8);
    assertThat(set.idleTimeout()).isEqualTo(Duration.ofMillis(300));

    AdminConfig env = load("admin: {}\n", Map.of("POMELO_SIDECAR_ADMIN_ALLOWEDHOSTS", "a.example, b.example:80",
      "POMELO_SIDECAR_ADMIN_MAXCONNECTIONS", "3", "POMELO_SIDECAR_ADMIN_IDLETIMEOUT", "5s"));
    assertThat(env.allowedHosts()).isEqualTo(List.of("a.example", "b.example:80"));
    assertThat(env.maxConnections()).isEqualTo(3);
    assertThat(env.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> load("""
      admin:
        allowedHosts: ['http://admin.example.com', '*.example.com', 'a.example:99999', 'a.example/x']
        maxConnections: 0
        idleTimeout: 0
      """, Map.of()))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.allowedHosts = http://admin.example.com: each must be a host name, or host:port")
        .contains("admin.allowedHosts = *.example.com: each must")
        .contains("admin.allowedHosts = a.example:99999: each must")
        .contains("admin.allowedHosts = a.example/x: each must")
        .contains("admin.maxConnections = 0: must be a whole number of at least 1")
        .contains("admin.idleTimeout = 0: must be more than 0"));
  }
}
