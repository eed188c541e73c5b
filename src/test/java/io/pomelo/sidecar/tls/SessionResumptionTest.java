package io.pomelo.sidecar.tls;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that comes back resumes its TLS session from the ticket it was given (no full handshake: no signature,
 * no key exchange with the certificate's key), with TLS 1.3 and 1.2 alike. The client is OpenSSL's own
 * {@code s_client}, which says {@code Reused} or {@code New}; the sidecar keeps no session cache of its own, so
 * only the tickets make this work.
 */
class SessionResumptionTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx,
      fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aReturningClientResumesItsSession(String protocol) throws Exception {
    Path session = dir.resolve("session" + protocol + ".pem");

    String first = sClient(protocol, "-sess_out", session);
    String second = sClient(protocol, "-sess_in", session);

    assertThat(first).contains("HTTP/1.1 200").containsPattern("\\nNew, TLSv1\\.[23]");
    assertThat(second).contains("HTTP/1.1 200").containsPattern("\\nReused, TLSv1\\.[23]");
  }

  /**
   * One request over a fresh connection with {@code openssl s_client}; the answer's {@code Connection: close} ends it,
   * after the session ticket (sent right after the handshake) has been read.
   */
  private String sClient(String protocol, String sessionOption, Path session) throws IOException, InterruptedException {
    Path out = dir.resolve("s_client.out");
    Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + sidecar.publicPort(),
      "-servername", "localhost", protocol, sessionOption, session.toString(), "-ign_eof")
      .redirectErrorStream(true)
      .redirectOutput(out.toFile())
      .start();
    process.getOutputStream().write(
      "GET /gate/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    process.getOutputStream().flush();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("s_client ended").isTrue();
    return Files.readString(out);
  }
}
