package io.pomelo.sidecar.tls;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that comes back resumes its TLS session from the ticket it was given (no full handshake: no signature,
 * no key exchange with the certificate's key), with TLS 1.3 and 1.2 alike. The client is OpenSSL's own
 * {@code s_client}, which says {@code Reused} or {@code New}; the sidecar keeps no session cache of its own, so
 * only the tickets make this work. Sidecars that share a {@code tls.sessionTicketKeys} file resume each other's
 * sessions, which is what lets a client behind an L4 balancer resume on whichever instance it reaches.
 */
class SessionResumptionTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private Path serversJson;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    serversJson = fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port())));
    sidecar = sidecar(null);
  }

  /** A sidecar on its own port, with the ticket keys of {@code keyFile} (null: its own). */
  private Sidecar sidecar(Path keyFile) throws Exception {
    SidecarConfig config = fixture.config(serversJson, List.of());
    return await(fixture.start(vertx, config.withTls(new TlsConfig(config.tls().certificates(), keyFile))));
  }

  private Path keyFile(byte[]... keys) throws IOException {
    Path file = dir.resolve("ticket.keys");
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    for (byte[] key : keys) {
      content.writeBytes(key);
    }
    write(file, content.toByteArray());
    return file;
  }

  /** Written beside and renamed over, as a deploy does, so a reload never reads half a file. */
  private static void write(Path file, byte[] content) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.write(next, content);
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
      java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static byte[] key() {
    byte[] key = new byte[80];
    RANDOM.nextBytes(key);
    return key;
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aReturningClientResumesItsSession(String protocol) throws Exception {
    Path session = dir.resolve("session" + protocol + ".pem");

    String first = sClient(sidecar, protocol, "-sess_out", session);
    String second = sClient(sidecar, protocol, "-sess_in", session);

    assertThat(first).contains("HTTP/1.1 200").containsPattern("\\nNew, TLSv1\\.[23]");
    assertThat(second).contains("HTTP/1.1 200").containsPattern("\\nReused, TLSv1\\.[23]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aSessionResumesOnAnotherSidecarThatSharesTheKeyFile(String protocol) throws Exception {
    Path keys = keyFile(key(), key());
    Sidecar one = sidecar(keys);
    Sidecar other = sidecar(keys);
    Path session = dir.resolve("shared" + protocol + ".pem");

    assertThat(sClient(one, protocol, "-sess_out", session)).containsPattern("\\nNew, TLSv1\\.[23]");
    assertThat(sClient(other, protocol, "-sess_in", session)).contains("HTTP/1.1 200")
      .containsPattern("\\nReused, TLSv1\\.[23]");
    // Without the file, the same session is a stranger: each process then has keys of its own.
    assertThat(sClient(sidecar, protocol, "-sess_in", session)).containsPattern("\\nNew, TLSv1\\.[23]");
  }

  @Test
  void aRotationKeepsOlderKeysForOpeningAndDroppingOneEndsItsSessions() throws Exception {
    byte[] first = key();
    byte[] second = key();
    Path keys = keyFile(first);
    Sidecar one = sidecar(keys);
    Sidecar other = sidecar(keys);
    Path sealedWithFirst = dir.resolve("first.pem");
    assertThat(sClient(one, "-tls1_3", "-sess_out", sealedWithFirst)).containsPattern("\\nNew, TLSv1\\.3");

    // The new key in front, the old one behind it: a session sealed with the old key still resumes.
    keyFile(second, first);
    ReloadOutcome rotated = await(other.requestReload(ReloadRequest.files("test")));
    assertThat(rotated.result()).isEqualTo(ReloadOutcome.Result.OK);
    assertThat(rotated.ticketKeysRotated()).isTrue();
    assertThat(rotated.summary()).contains("new session ticket keys");
    assertThat(sClient(other, "-tls1_3", "-sess_in", sealedWithFirst)).containsPattern("\\nReused, TLSv1\\.3");

    // A bad file keeps the keys in use.
    write(keys, new byte[79]);
    ReloadOutcome bad = await(other.requestReload(ReloadRequest.files("test")));
    assertThat(bad.result()).isEqualTo(ReloadOutcome.Result.ERROR);
    assertThat(bad.ticketKeysRotated()).isFalse();
    assertThat(String.join("\n", bad.errors())).contains(keys.toString()).contains("80-byte keys one after the other");
    assertThat(sClient(other, "-tls1_3", "-sess_in", sealedWithFirst)).containsPattern("\\nReused, TLSv1\\.3");

    // The old key dropped: its sessions need a full handshake again.
    keyFile(second);
    assertThat(await(other.requestReload(ReloadRequest.files("test"))).result()).isEqualTo(ReloadOutcome.Result.OK);
    assertThat(sClient(other, "-tls1_3", "-sess_in", sealedWithFirst)).containsPattern("\\nNew, TLSv1\\.3");
  }

  @Test
  void aSidecarThatStopsSharingSealsWithAKeyOfItsOwnAtOnce() throws Exception {
    Path keys = keyFile(key());
    Sidecar one = sidecar(keys);
    SidecarConfig shared = one.config();
    AtomicReference<SidecarConfig> file = new AtomicReference<>(shared);
    Sidecar other = await(Sidecar.start(vertx, shared, () -> Future.succeededFuture(file.get()), System.getenv()));
    Path session = dir.resolve("shared.pem");
    assertThat(sClient(one, "-tls1_3", "-sess_out", session)).containsPattern("\\nNew, TLSv1\\.3");
    assertThat(sClient(other, "-tls1_3", "-sess_in", session)).containsPattern("\\nReused, TLSv1\\.3");

    // The key file taken out of sidecar.yaml: the shared keys, maybe leaked, no longer open anything here.
    file.set(shared.withTls(new TlsConfig(shared.tls().certificates(), null)));
    assertThat(await(other.requestReload(ReloadRequest.everything("test"))).result())
      .isEqualTo(ReloadOutcome.Result.OK);
    assertThat(other.config().tls().sessionTicketKeys()).isNull();
    assertThat(sClient(other, "-tls1_3", "-sess_in", session)).containsPattern("\\nNew, TLSv1\\.3");
  }

  /**
   * One request over a fresh connection with {@code openssl s_client}; the answer's {@code Connection: close} ends it,
   * after the session ticket (sent right after the handshake) has been read.
   */
  private String sClient(Sidecar to, String protocol, String sessionOption, Path session)
    throws IOException, InterruptedException {
    Path out = dir.resolve("s_client.out");
    Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + to.publicPort(),
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
