package io.pomelo.sidecar.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whether admin.host is loopback is judged by what it resolves to, not by how it is spelt. The machine that runs the
 * tests has no DNS: localhost resolves from /etc/hosts, a made-up name does not resolve at all.
 */
class AdminLoopbackTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private SidecarConfig load(String admin) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, "pomelo: {serversFile: servers.json}\nadmin: " + admin + "\n");
    return await(new SidecarConfigLoader(vertx, Map.of(), new Properties()).load(file, new JsonObject()));
  }

  @Test
  void aNameThatMerelyStartsWith127IsNotLoopback() {
    // .invalid never resolves (RFC 6761), whatever resolver the machine has.
    assertThatThrownBy(() -> load("{host: 127.corp.invalid}"))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.host = 127.corp.invalid: does not resolve to an address"));
    // A token does not excuse a name that cannot be bound.
    assertThatThrownBy(() -> load("{host: 127.corp.invalid, token: t0ken}"))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.host = 127.corp.invalid: does not resolve to an address"));
  }

  @Test
  void anIpv4MappedLoopbackAddressIsLoopbackAndAnyOtherAddressIsNot() throws Exception {
    assertThat(load("{host: '::ffff:127.0.0.1'}").admin().listener().host()).isEqualTo("::ffff:127.0.0.1");
    assertThat(load("{host: '[::ffff:127.0.0.2]'}").admin().requiresToken()).isFalse();
    assertThat(load("{host: localhost}").admin().requiresToken()).isFalse();
    assertThat(load("{host: '::1'}").admin().requiresToken()).isFalse();
    for (String host : new String[] {"0.0.0.0", "'::'", "'::ffff:10.0.0.5'", "10.0.0.5"}) {
      assertThatThrownBy(() -> load("{host: " + host + "}"))
        .as(host)
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
          .contains(": is not a loopback address, so the admin API needs a token: set admin.token"));
    }
  }

  @Test
  void anEmptyHostIsAnError() {
    // InetAddress reads "" as the loopback address; Vert.x would bind something else.
    assertThatThrownBy(() -> load("{host: '', token: t0ken}"))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
        .contains("admin.host = : must be an address such as 127.0.0.1, or a host name"));
  }
}
