package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.RecordingHttpBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request smuggling through the public port, with the exact bytes, against an origin with a parser of its own
 * ({@link RecordingHttpBackend}): each request either gets 400 and a closed connection, with nothing reaching the
 * origin, or reaches the origin as exactly one request. A request line with {@code smuggled} in it must never
 * reach the origin.
 */
class RequestSmugglingTest {

  private static final String SMUGGLED = "GET /gate/smuggled HTTP/1.1\r\nHost: localhost\r\nX-Real-IP: 6.6.6.6\r\n\r\n";

  @TempDir
  Path dir;

  private Vertx vertx;
  private RecordingHttpBackend origin;
  private Sidecar sidecar;
  private RawTls raw;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    origin = new RecordingHttpBackend();
    TestSidecar fixture = new TestSidecar(dir);
    sidecar = await(fixture.start(vertx, fixture.config(
      fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", origin.port()))), List.<AliasConfig>of())));
    raw = new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
    await(vertx.close());
  }

  /** The classic CL.TE, TE.CL and TE.TE shapes, duplicate and invalid lengths, and chunk-extension tricks. */
  @TestFactory
  Stream<DynamicTest> eachRequestIsRefusedOrForwardedAsExactlyOne() {
    Map<String, String> corpus = new java.util.LinkedHashMap<>();
    corpus.put("CL.TE on HTTP/1.0", "POST /gate/x HTTP/1.0\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n" + chunked(SMUGGLED));
    corpus.put("CL.TE on HTTP/1.1", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("TE.CL", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
      + "Content-Length: 3\r\n\r\n" + chunked(SMUGGLED));
    corpus.put("TE on HTTP/1.0 alone", "POST /gate/x HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      + chunked(SMUGGLED));
    for (String te : List.of("xchunked", "chunked, identity", "identity", "chunked;q=1", "\"chunked\"",
      "chunked, chunked", "gzip")) {
      corpus.put("Transfer-Encoding: " + te, "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
        + "Transfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n" + SMUGGLED);
    }
    corpus.put("space before the colon", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("tab before the value", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("obs-fold", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("folded onto another header", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "X-Pad: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("two Transfer-Encoding fields", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\n"
      + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("bare LF line ends", "POST /gate/x HTTP/1.1\nHost: localhost\nContent-Length: 4\n"
      + "Transfer-Encoding: chunked\n\n0\n\n" + SMUGGLED);
    corpus.put("two Content-Lengths", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Content-Length: 49\r\n\r\nabcd" + SMUGGLED);
    corpus.put("a Content-Length list", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4, 49\r\n\r\n"
      + "abcd" + SMUGGLED);
    for (String length : List.of("+4", "0x4", "4 4", "-1", "4.0", "99999999999999999999")) {
      corpus.put("Content-Length: " + length, "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + length
        + "\r\n\r\nabcd" + SMUGGLED);
    }
    corpus.put("quoted chunk extension (CVE-2026-33870)", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n4;a=\"\r\nxx\"\r\nabcd\r\n0\r\n\r\n" + SMUGGLED);
    corpus.put("chunk size with junk", "POST /gate/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "4 x\r\nabcd\r\n0\r\n\r\n" + SMUGGLED);
    return corpus.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> refusedOrOne(e.getValue())));
  }

  private void refusedOrOne(String request) throws Exception {
    int before = origin.requests().size();
    String answer;
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, request);
      answer = RawTls.readAnswer(socket);
      if (RawTls.status(answer) == 400) {
        assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).as("closed after the 400").isTrue();
      }
    }
    int status = RawTls.status(answer);
    // 502: Netty refused the body only after the head had been handed on; the request was cut, never completed.
    assertThat(status).as(answer).isIn(200, 400, 502);
    if (status == 200) {
      until(() -> origin.requests().size() > before);
    }
    // A barrier: a plain request on a fresh connection, after which whatever was smuggled would have arrived.
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/barrier")))).isEqualTo(200);
    until(() -> origin.requests().stream().anyMatch(r -> r.line().startsWith("GET /gate/barrier")));
    List<RecordingHttpBackend.Parsed> seen = origin.requests().subList(before, origin.requests().size());
    // Every request the origin framed is one the sidecar framed too: it carries the sidecar's client address,
    // never the one the attacker wrote. (A request the sidecar itself read as a second one of the same client, as
    // after an obs-fold it unfolds, is that client's own and was answered to it.)
    assertThat(seen).allSatisfy(r -> {
      assertThat(r.count("X-Real-IP")).as(r.line()).isEqualTo(1);
      assertThat(r.header("X-Real-IP")).as(r.line()).isEqualTo("127.0.0.1");
    });
    if (status != 200) {
      assertThat(seen).noneMatch(r -> r.line().contains("smuggled"));
      assertThat(seen).as("nothing but the barrier").hasSize(1);
    }
  }

  @Test
  void aRequestWithoutHostOnHttp11Gets400() throws Exception {
    assertRefused("GET /gate/x HTTP/1.1\r\n\r\n");
  }

  @Test
  void aRequestWithTwoHostsGets400() throws Exception {
    assertRefused("GET /gate/x HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n");
  }

  @Test
  void anUpgradeWithABodyGets400() throws Exception {
    assertRefused(RawTls.upgrade("/gate/", "Content-Length: 5\r\n") + "hello");
    assertRefused(RawTls.upgrade("/gate/", "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n");
  }

  @Test
  void bytesPipelinedAfterAnUpgradeRequestGet400() throws Exception {
    // A second request pipelined behind the upgrade: were the server to refuse the upgrade, it would read it.
    assertRefused(RawTls.upgrade("/gate/", "") + SMUGGLED);
    // Frame bytes sent before the 101, which no WebSocket client may send (RFC 6455 4.1).
    assertRefused(RawTls.upgrade("/gate/", "") + "\u0081\u0085abcdexxxxx");
  }

  @Test
  void aRequestPipelinedBehindARefusalIsNeverServed() throws Exception {
    String after = "GET /gate/after-refusal HTTP/1.1\r\nHost: localhost\r\n\r\n";
    assertRefused("GET /gate/x HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n" + after);
    assertRefused("GET /gate/%2e%2e/x HTTP/1.1\r\nHost: localhost\r\n\r\n" + after);
    assertRefused(RawTls.upgrade("/gate/", "Content-Length: 5\r\n") + "hello" + after);
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/nowhere/", "") + after);
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(404);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/barrier")))).isEqualTo(200);
    until(() -> origin.requests().stream().anyMatch(r -> r.line().startsWith("GET /gate/barrier")));
    assertThat(origin.requests()).noneMatch(r -> r.line().contains("after-refusal"));
  }

  @Test
  void framingThatNettyRefusesIsCountedAsFraming() throws Exception {
    assertRefused("POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assertRefused("POST /gate/x HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assertRefused("POST /gate/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4, 5\r\n\r\nabcd");
    assertThat(sidecar.view().refusals().count(Refusal.BAD_FRAMING)).isEqualTo(3);
  }

  @Test
  void headersNamedInConnectionDoNotReachTheServer() throws Exception {
    String answer = raw.exchange("GET /gate/hop HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, X-Hop\r\n"
      + "X-Hop: secret\r\nX-Kept: yes\r\n\r\n");
    assertThat(RawTls.status(answer)).isEqualTo(200);
    until(() -> origin.requests().stream().anyMatch(r -> r.line().startsWith("GET /gate/hop")));
    RecordingHttpBackend.Parsed hop = origin.requests().stream().filter(r -> r.line().startsWith("GET /gate/hop"))
      .findFirst().orElseThrow();
    assertThat(hop.header("X-Hop")).isNull();
    assertThat(hop.header("X-Kept")).isEqualTo("yes");
    assertThat(hop.count("Host")).isEqualTo(1);
  }

  @Test
  void headersNamedInConnectionDoNotReachTheServerOnAnUpgrade() throws Exception {
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, RawTls.upgrade("/gate/ws", "X-Hop: secret\r\n").replace("Connection: Upgrade",
        "Connection: Upgrade, X-Hop"));
      assertThat(RawTls.status(RawTls.readAnswer(socket))).isEqualTo(101);
    }
    until(() -> origin.requests().stream().anyMatch(r -> r.line().startsWith("GET /gate/ws")));
    RecordingHttpBackend.Parsed ws = origin.requests().stream().filter(r -> r.line().startsWith("GET /gate/ws"))
      .findFirst().orElseThrow();
    assertThat(ws.header("X-Hop")).isNull();
    assertThat(ws.header("Upgrade")).isEqualTo("websocket");
  }

  private void assertRefused(String request) throws Exception {
    int before = origin.requests().size();
    try (SSLSocket socket = raw.open()) {
      RawTls.send(socket, request);
      String answer = RawTls.readAnswer(socket);
      assertThat(RawTls.status(answer)).as(answer).isEqualTo(400);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).as("closed after the 400").isTrue();
    }
    assertThat(origin.requests()).hasSize(before);
  }

  private static String chunked(String body) {
    return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
  }
}
