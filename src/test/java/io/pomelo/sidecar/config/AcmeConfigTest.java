package io.pomelo.sidecar.config;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code tls.acme} as sidecar.yaml writes it: its defaults, and each bad value named by its place and rule. */
class AcmeConfigTest {

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

  private SidecarConfig load(String acme) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, "tls:\n  acme:\n" + acme.indent(4));
    return await(new SidecarConfigLoader(vertx, Map.of("HOME", dir.toString()), new Properties()).load(file));
  }

  @Test
  void theDefaultsAreLetsEncryptTlsAlpnAndP256WithNoPlainListener() throws Exception {
    AcmeConfig acme = load("agreeToTerms: true\ndomains: [Game.Example.com, game.example.com, b.example.com]")
      .tls().acme();
    assertThat(acme.directory()).isEqualTo(AcmeConfig.LETS_ENCRYPT);
    assertThat(acme.domains()).containsExactly("game.example.com", "b.example.com");
    assertThat(acme.keyType()).isEqualTo(AcmeConfig.KeyType.EC256);
    assertThat(acme.challenge()).isEqualTo(AcmeConfig.Challenge.TLS_ALPN_01);
    assertThat(acme.httpPort()).isEqualTo(-1);
    assertThat(acme.email()).isNull();
    assertThat(acme.externalAccountKeyId()).isNull();
  }

  @Test
  void http01ListensOnPort80UnlessTold() throws Exception {
    AcmeConfig acme = load("agreeToTerms: true\ndomains: game.example.com\nchallenge: http-01\nkeyType: rsa2048\n"
      + "directory: https://127.0.0.1:14000/dir\nemail: ops@example.com\ncaCertificates: ca.pem").tls().acme();
    assertThat(acme.httpPort()).isEqualTo(80);
    assertThat(acme.httpHost()).isEqualTo("0.0.0.0");
    assertThat(acme.keyType()).isEqualTo(AcmeConfig.KeyType.RSA2048);
    assertThat(acme.directory()).isEqualTo(URI.create("https://127.0.0.1:14000/dir"));
    assertThat(acme.caCertificates()).isEqualTo(dir.resolve("ca.pem"));
  }

  @Test
  void everyBadValueIsNamedWithItsRule() {
    assertThatThrownBy(() -> load("""
      directory: http://ca.example/dir
      email: "not an address"
      agreeToTerms: false
      domains: ["*.example.com", "under_score.example.com"]
      keyType: dsa
      challenge: dns-01
      externalAccountKeyId: kid
      surprise: 1
      """))
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::place)
        .contains("tls.acme.directory", "tls.acme.email", "tls.acme.agreeToTerms", "tls.acme.domains",
          "tls.acme.keyType", "tls.acme.challenge", "tls.acme.externalAccountKeyId", "tls.acme.surprise"))
      .hasMessageContaining("terms of service")
      .hasMessageContaining("DNS-01");
  }

  @Test
  void noDomainIsAProblem() {
    assertThatThrownBy(() -> load("agreeToTerms: true"))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("tls.acme.domains")
      .hasMessageContaining("at least one DNS name");
  }

  @Test
  void aConfigurationWithOnlyAcmeNeedsNoCertificateFile() throws Exception {
    SidecarConfig config = load("agreeToTerms: true\ndomains: [game.example.com]");
    assertThat(config.tls().certificates()).isEqualTo(List.of());
  }
}
