package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.ClientsConfig;
import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who the client is, through the real TLS listener. PROXY protocol v1 and v2 from raw sockets bound to distinct
 * loopback sources: 127.0.0.1 is the trusted balancer, 127.0.0.2 a stranger. X-Forwarded-For from a trusted
 * forwarder names the client (the rightmost entry outside the trusted networks) and is appended to; from anyone
 * else it is replaced. Without PROXY protocol the raw clients connect from 127.0.0.1.
 */
class ClientAddressTest {

  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  private static final Duration HEADER_TIMEOUT = Duration.ofMillis(600);

  @TempDir
  Path dir;

  private final AccessLogLines log = new AccessLogLines();
  private final List<Socket> held = new ArrayList<>();
  private Vertx vertx;
  private EchoBackend gate;
  private Sidecar sidecar;
  private RawTls raw;

  @BeforeEach
  void start() throws Exception {
    log.start();
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
  }

  /** A sidecar allowing one connection per client address. */
  private void sidecar(ClientsConfig clients) throws Exception {
    TestSidecar fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(
        Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withLimits(LimitsConfig.defaults().withConnections(0, 1, 0))
      .withClients(clients)));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  /** Behind PROXY protocol, with 127.0.0.1 the one trusted balancer. */
  private void proxied() throws Exception {
    sidecar(new ClientsConfig(List.of("127.0.0.1/32"), HEADER_TIMEOUT, List.of()));
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : held) {
      s.close();
    }
    log.stop();
    await(vertx.close());
  }

  private static InetAddress loopback(int last) throws IOException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  private Socket plainFrom(int last) throws IOException {
    Socket tcp = raw.openPlainFrom(loopback(last));
    held.add(tcp);
    return tcp;
  }

  private static String v1(String source, int port) {
    return "PROXY TCP4 " + source + " 127.0.0.1 " + port + " 443\r\n";
  }

  /** A v2 PROXY command for TCP over IPv4, with {@code tlv} appended (may be empty). */
  private static byte[] v2(byte[] source, int port, byte[] tlv) {
    ByteBuffer b = ByteBuffer.allocate(16 + 12 + tlv.length);
    b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) (12 + tlv.length));
    b.put(source).put(new byte[] {127, 0, 0, 1}).putShort((short) port).putShort((short) 443).put(tlv);
    return b.array();
  }

  /** Upgrades over {@code tcp} after {@code header} and returns the status. */
  private int upgradeAfter(Socket tcp, byte[] header) throws IOException {
    tcp.getOutputStream().write(header);
    Socket tls = raw.over(tcp);
    held.add(tls);
    RawTls.send(tls, RawTls.upgrade("/gate/", "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n"));
    return RawTls.status(RawTls.readAnswer(tls));
  }

  private MultiMap lastUpgrade(int count) throws InterruptedException {
    until("the backend saw " + count + " upgrades", () -> gate.upgradeHeaders().size() >= count);
    return gate.upgradeHeaders().get(count - 1);
  }

  @Test
  void v1FromTheBalancerMakesTheCarriedAddressTheClientsEverywhere() throws Exception {
    proxied();
    assertThat(upgradeAfter(plainFrom(1), v1("203.0.113.7", 50412).getBytes(StandardCharsets.US_ASCII)))
      .isEqualTo(101);
    MultiMap headers = lastUpgrade(1);
    assertThat(headers.get("X-Real-IP")).isEqualTo("203.0.113.7");
    assertThat(headers.get("X-Forwarded-For")).isEqualTo("203.0.113.7");
    assertThat(sidecar.connections().open("203.0.113.7")).isEqualTo(1);
    assertThat(sidecar.connections().open("127.0.0.1")).isZero();

    // The per-address limit (1 here) counts the carried address, not the balancer's.
    assertThat(upgradeAfter(plainFrom(1), v1("203.0.113.7", 50413).getBytes(StandardCharsets.US_ASCII)))
      .isEqualTo(429);
    assertThat(upgradeAfter(plainFrom(1), v1("203.0.113.8", 50414).getBytes(StandardCharsets.US_ASCII)))
      .isEqualTo(101);

    for (Socket s : held) {
      s.close();
    }
    // The 429 was refused before any upgrade: it has no line.
    until("the access log has the two tunnels", () -> log.lines().size() >= 2);
    assertThat(log.lines())
      .anyMatch(line -> line.contains(" 203.0.113.7:50412 /gate/ ") && line.contains(" 101 "))
      .anyMatch(line -> line.contains(" 203.0.113.8:50414 /gate/ "))
      // The client field (second) is never the balancer's.
      .noneMatch(line -> line.split(" ")[1].startsWith("127.0.0.1:"));
  }

  @Test
  void v2SentOneByteAtATimeIsReadWhole() throws Exception {
    proxied();
    Socket tcp = plainFrom(1);
    OutputStream out = tcp.getOutputStream();
    // With Nagle off each write leaves as its own segment: the decoder sees the header in 28 pieces.
    for (byte b : v2(new byte[] {(byte) 198, 51, 100, 9}, 40000, new byte[0])) {
      out.write(b);
      out.flush();
    }
    assertThat(upgradeAfter(tcp, new byte[0])).isEqualTo(101);
    assertThat(lastUpgrade(1).get("X-Real-IP")).isEqualTo("198.51.100.9");
    assertThat(sidecar.connections().open("198.51.100.9")).isEqualTo(1);
  }

  @Test
  void v2WithTlvsIsAccepted() throws Exception {
    proxied();
    // PP2_TYPE_AUTHORITY (0x02) "game.example.com", then PP2_TYPE_NOOP (0x04) padding.
    byte[] authority = "game.example.com".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer tlv = ByteBuffer.allocate(3 + authority.length + 3 + 10);
    tlv.put((byte) 0x02).putShort((short) authority.length).put(authority);
    tlv.put((byte) 0x04).putShort((short) 10).put(new byte[10]);
    assertThat(upgradeAfter(plainFrom(1), v2(new byte[] {(byte) 198, 51, 100, 10}, 40001, tlv.array())))
      .isEqualTo(101);
    assertThat(lastUpgrade(1).get("X-Real-IP")).isEqualTo("198.51.100.10");
  }

  @Test
  void aHeaderFromAnUntrustedSourceIsRefused() throws Exception {
    proxied();
    Socket tcp = plainFrom(2);
    tcp.getOutputStream().write(v1("203.0.113.9", 50000).getBytes(StandardCharsets.US_ASCII));
    Socket tls = raw.over(tcp);
    held.add(tls);
    RawTls.send(tls, RawTls.upgrade("/gate/", ""));
    assertThat(RawTls.closedWithin(tls, Duration.ofSeconds(5))).isTrue();
    assertThat(sidecar.view().refusals().count(Refusal.UNTRUSTED_PROXY)).isEqualTo(1);
    assertThat(gate.upgradePaths()).isEmpty();
    assertThat(sidecar.connections().open("203.0.113.9")).isZero();
  }

  @Test
  void noHeaderFromTheBalancerIsRefused() throws Exception {
    proxied();
    Socket tcp = plainFrom(1);
    assertThatThrownBy(() -> raw.over(tcp)).isInstanceOf(IOException.class);
    until("the refusal is counted", () -> sidecar.view().refusals().count(Refusal.NO_PROXY_HEADER) == 1);
    assertThat(gate.upgradePaths()).isEmpty();
  }

  @Test
  void aHeaderThatNeverEndsIsClosedAtTheTimeout() throws Exception {
    proxied();
    Socket tcp = plainFrom(1);
    long started = System.nanoTime();
    tcp.getOutputStream().write("PROXY TCP4 203.0.113.7".getBytes(StandardCharsets.US_ASCII));
    assertThat(RawTls.closedWithin(tcp, Duration.ofSeconds(5))).isTrue();
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(millis).isGreaterThanOrEqualTo(HEADER_TIMEOUT.toMillis() - 50);
  }

  @Test
  void garbageAndOversizedHeadersAreClosedAtOnce() throws Exception {
    proxied();
    List<byte[]> bad = List.of(
      "GARBAGE GARBAGE GARBAGE\r\n".getBytes(StandardCharsets.US_ASCII),
      // A v1 line longer than the 107 bytes the protocol allows.
      ("PROXY TCP4 " + "1".repeat(200) + "\r\n").getBytes(StandardCharsets.US_ASCII),
      // v2 with version 3.
      withByte(v2(new byte[] {1, 2, 3, 4}, 1, new byte[0]), 12, (byte) 0x31),
      // v2 with an address family that does not exist.
      withByte(v2(new byte[] {1, 2, 3, 4}, 1, new byte[0]), 13, (byte) 0x71),
      // v2 TCP4 whose length is too short for its addresses.
      withByte(v2(new byte[] {1, 2, 3, 4}, 1, new byte[0]), 15, (byte) 4));
    for (byte[] header : bad) {
      Socket tcp = plainFrom(1);
      tcp.getOutputStream().write(header);
      assertThat(RawTls.closedWithin(tcp, HEADER_TIMEOUT.dividedBy(2))).as(new String(header, StandardCharsets.ISO_8859_1))
        .isTrue();
    }
    until("each is counted", () -> sidecar.view().refusals().count(Refusal.NO_PROXY_HEADER) == bad.size());
    assertThat(gate.upgradePaths()).isEmpty();
  }

  @Test
  void aV2HeaderClaimingMoreThanItSendsIsClosedAtTheTimeout() throws Exception {
    proxied();
    Socket tcp = plainFrom(1);
    byte[] header = v2(new byte[] {1, 2, 3, 4}, 1, new byte[0]);
    // Claims 65535 bytes of TLVs and sends none of them.
    header[14] = (byte) 0xFF;
    header[15] = (byte) 0xFF;
    tcp.getOutputStream().write(header);
    assertThat(RawTls.closedWithin(tcp, Duration.ofSeconds(5))).isTrue();
  }

  /** The headers the backend saw for an upgrade that carried {@code forwardedFor}. */
  private MultiMap upgradeWith(String forwardedFor) throws Exception {
    int before = gate.upgradeHeaders().size();
    try (SSLSocket tls = raw.open()) {
      RawTls.send(tls, RawTls.upgrade("/gate/", "X-Forwarded-For: " + forwardedFor + "\r\nX-Real-IP: 6.6.6.6\r\n"));
      assertThat(RawTls.status(RawTls.readAnswer(tls))).isEqualTo(101);
      until("the backend saw the upgrade", () -> gate.upgradeHeaders().size() > before);
    }
    return gate.upgradeHeaders().get(before);
  }

  @Test
  void fromATrustedForwarderTheRightmostUntrustedEntryIsTheClientAndTheChainGrows() throws Exception {
    sidecar(ClientsConfig.defaults().withTrustedForwarders(List.of("127.0.0.0/8", "10.0.0.0/8")));
    // The client wrote 6.6.6.6 itself; 203.0.113.7 is what the first trusted hop (10.1.2.3) saw.
    MultiMap headers = upgradeWith("6.6.6.6, 203.0.113.7, 10.1.2.3");
    assertThat(headers.get("X-Real-IP")).isEqualTo("203.0.113.7");
    assertThat(headers.getAll("X-Forwarded-For")).containsExactly("6.6.6.6, 203.0.113.7, 10.1.2.3, 127.0.0.1");
    until("the access log line", () -> log.lines().size() == 1);
    assertThat(log.lines().get(0)).contains(" 203.0.113.7:0 /gate/ ");

    // Entries with ports, and IPv6 in brackets.
    assertThat(upgradeWith("[2001:db8::7]:4000, 10.9.9.9:5000").get("X-Real-IP")).isEqualTo("2001:db8:0:0:0:0:0:7");
    // Every entry trusted: the leftmost is the client.
    assertThat(upgradeWith("10.0.0.5, 10.0.0.6").get("X-Real-IP")).isEqualTo("10.0.0.5");
    // An entry that is no address ends the walk: the trusted hop right of it is the client.
    assertThat(upgradeWith("203.0.113.7, garbage, 10.0.0.6").get("X-Real-IP")).isEqualTo("10.0.0.6");
  }

  @Test
  void fromAnyoneElseTheHeadersAreReplaced() throws Exception {
    sidecar(ClientsConfig.defaults().withTrustedForwarders(List.of("10.0.0.0/8")));
    MultiMap headers = upgradeWith("203.0.113.7, 10.1.2.3");
    assertThat(headers.get("X-Real-IP")).isEqualTo("127.0.0.1");
    assertThat(headers.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
  }

  @Test
  void aPlainRequestFromATrustedForwarderIsAppendedToo() throws Exception {
    sidecar(ClientsConfig.defaults().withTrustedForwarders(List.of("127.0.0.1")));
    String answer = raw.exchange("GET /gate/x HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.7\r\n"
      + "Connection: close\r\n\r\n");
    assertThat(answer).contains("xff=203.0.113.7, 127.0.0.1 ");
  }

  private static byte[] withByte(byte[] bytes, int at, byte value) {
    bytes[at] = value;
    return bytes;
  }
}
