package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Connection floods through the real TLS listener: 503 over the total, 429 over an address's share. */
class ConnectionFloodTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;
  private Sidecar sidecar;
  private RawTls raw;
  private final List<SSLSocket> held = new ArrayList<>();

  @BeforeEach
  void backends() throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
  }

  private void startSidecar(int total, int perAddress, int ratePerAddress) throws Exception {
    TestSidecar fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(
        Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withLimits(LimitsConfig.defaults().withConnections(total, perAddress, ratePerAddress))));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  @AfterEach
  void stop() throws Exception {
    for (SSLSocket s : held) {
      s.close();
    }
    await(vertx.close());
  }

  /** An upgraded tunnel through the gate route, kept open. */
  private int upgradeAndHold() throws Exception {
    SSLSocket socket = raw.open();
    held.add(socket);
    RawTls.send(socket, RawTls.upgrade("/gate/", ""));
    return RawTls.status(RawTls.readAnswer(socket));
  }

  @Test
  void overThePerAddressShareGets429BeforeAnyServerIsDialled() throws Exception {
    startSidecar(0, 3, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(upgradeAndHold()).isEqualTo(101);
    }
    assertThat(upgradeAndHold()).isEqualTo(429);
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/")))).isEqualTo(429);
    assertThat(gate.upgradePaths()).hasSize(3);
    assertThat(gate.httpUris()).isEmpty();
    assertThat(sidecar.view().refusals().count(Refusal.TOO_MANY_FROM_ADDRESS)).isEqualTo(2);

    // A tunnel that ends gives its place back.
    held.remove(0).close();
    // Two tunnels are left: waiting for three passed before the closed one was seen, and the next got 429.
    until(() -> sidecar.connections().open("127.0.0.1") <= 2);
    assertThat(upgradeAndHold()).isEqualTo(101);
  }

  @Test
  void overTheTotalGets503() throws Exception {
    startSidecar(2, 0, 0);
    assertThat(upgradeAndHold()).isEqualTo(101);
    assertThat(upgradeAndHold()).isEqualTo(101);
    assertThat(upgradeAndHold()).isEqualTo(503);
    assertThat(gate.upgradePaths()).hasSize(2);
    assertThat(sidecar.view().refusals().count(Refusal.TOO_MANY_CONNECTIONS)).isEqualTo(1);
  }

  @Test
  void newConnectionsFasterThanTheRateGet429() throws Exception {
    startSidecar(0, 0, 5);
    int ok = 0;
    int tooFast = 0;
    long started = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      int status = RawTls.status(raw.exchange(RawTls.get("/gate/")));
      if (status == 200) {
        ok++;
      } else if (status == 429) {
        tooFast++;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(ok + tooFast).isEqualTo(20);
    // A burst of 5, then 5 a second.
    assertThat(ok).isBetween(5, 5 + (int) Math.ceil(seconds * 5) + 1);
    assertThat(tooFast).isPositive();
    assertThat(gate.httpUris()).hasSize(ok);
    assertThat(sidecar.view().refusals().count(Refusal.TOO_FAST_FROM_ADDRESS)).isEqualTo(tooFast);
  }

  @Test
  void connectionsCountFromAcceptNotFromTheEndOfTheHandshake() throws Exception {
    startSidecar(3, 0, 0);
    List<java.net.Socket> handshaking = new ArrayList<>();
    try {
      // Three sockets that never start TLS hold three places, as a handshake flood would.
      for (int i = 0; i < 3; i++) {
        handshaking.add(raw.openPlain());
      }
      until(() -> sidecar.connections().open() == 3);
      assertThat(upgradeAndHold()).isEqualTo(503);
      assertThat(gate.upgradePaths()).isEmpty();
    } finally {
      for (java.net.Socket s : handshaking) {
        s.close();
      }
    }
    held.forEach(s -> {
      try {
        s.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    held.clear();
    until(() -> sidecar.connections().open() == 0);
    assertThat(upgradeAndHold()).isEqualTo(101);
  }

  @Test
  void everyConnectionIsCountedOutWhenItCloses() throws Exception {
    startSidecar(0, 1000, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(upgradeAndHold()).isEqualTo(101);
      raw.exchange(RawTls.get("/gate/"));
      raw.exchange(RawTls.get("/nowhere/"));
      raw.exchange(RawTls.upgrade("/gate/../x/", ""));
    }
    assertThat(sidecar.connections().open()).isGreaterThanOrEqualTo(5);
    for (SSLSocket s : held) {
      s.close();
    }
    held.clear();
    until(() -> sidecar.connections().open() == 0);
    until(() -> sidecar.view().tunnels().size() == 0);
  }
}
