package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.SidecarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command on a fresh machine: no conf/ directory, no certificate, no state. */
class DevModeProcessTest {

  private static final Pattern LISTENING =
    Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(TLS[^)]*\\), admin API on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void runDevStartsWithNothingPreparedAndKeepsItsCertificate() throws Exception {
    Path state = dir.resolve("state");
    Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString(), "HOME", dir.toString());
    // The listener and admin ports are moved to free ones with the documented -D override; nothing else is set.
    List<String> jvm = List.of("-Dpomelo-sidecar.listen.port=0", "-Dpomelo-sidecar.admin.port=0");
    X509Certificate first;
    try (SidecarProcess sidecar = SidecarProcess.start(dir.resolve("cwd"), env, jvm, "run", "--dev")) {
      Matcher ports = sidecar.awaitLine(LISTENING, START);
      sidecar.awaitLine(Pattern.compile("wss://localhost:" + ports.group(1) + "/gate/ -> 127\\.0\\.0\\.1:3014 "
        + "\\(gate-server-1\\)"), START);
      Path cert = state.resolve("pomelo-sidecar").resolve("dev-cert.pem");
      assertThat(cert).exists();
      assertThat(state.resolve("pomelo-sidecar").resolve("dev-key.pem")).exists();
      first = handshake(Integer.parseInt(ports.group(1)), cert);
      assertThat(first.getSubjectX500Principal().getName()).contains("CN=localhost");

      String routes = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + ports.group(2) + "/api/routes")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
      assertThat(routes).contains("\"path\" : \"/gate/\"", "\"path\" : \"/connector-server-1/\"",
        "\"path\" : \"/conn/\"");
      sidecar.signal("TERM");
      assertThat(sidecar.exitCode(Duration.ofSeconds(30))).isZero();
    }
    try (SidecarProcess again = SidecarProcess.start(dir.resolve("cwd"), env, jvm, "run", "--dev")) {
      Matcher ports = again.awaitLine(LISTENING, START);
      X509Certificate second = handshake(Integer.parseInt(ports.group(1)),
        state.resolve("pomelo-sidecar").resolve("dev-cert.pem"));
      assertThat(second.getSerialNumber()).as("the certificate is reused").isEqualTo(first.getSerialNumber());
      again.signal("TERM");
      assertThat(again.exitCode(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void aSigtermAsSoonAsThePortIsAnnouncedIsAnOrderlyStop() throws Exception {
    Map<String, String> env = Map.of("XDG_STATE_HOME", dir.resolve("state").toString(), "HOME", dir.toString());
    List<String> jvm = List.of("-Dpomelo-sidecar.listen.port=0", "-Dpomelo-sidecar.admin.port=0");
    try (SidecarProcess sidecar = SidecarProcess.start(dir.resolve("cwd"), env, jvm, "run", "--dev")) {
      sidecar.awaitLine(LISTENING, START);
      sidecar.signal("TERM");

      assertThat(sidecar.exitCode(Duration.ofSeconds(30))).as(sidecar.output()).isZero();
      assertThat(sidecar.output()).contains("stopped");
    }
  }

  @Test
  void aBadConfigurationExitsNonZeroAndNamesTheProblem() throws Exception {
    Path config = dir.resolve("sidecar.yaml");
    Files.writeString(config, "listen:\n  port: 99999\npomelo:\n  serversFile: missing.json\n");
    try (SidecarProcess sidecar = SidecarProcess.start(dir, Map.of(), List.of(), "run", "--config",
      config.toString())) {
      assertThat(sidecar.exitCode(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(sidecar.output()).contains(config + ": listen.port = 99999: must be a port number from 0 to 65535");
    }
  }

  /** A TLS handshake that trusts only {@code cert} and checks the host name, like a browser would. */
  private static X509Certificate handshake(int port, Path cert) throws Exception {
    try (SSLSocket socket = new RawTls(cert, port).openCheckingHostName()) {
      assertThat(socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
