package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.RawTls;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plain-HTTP listener on raw sockets: challenges, redirects that never leave the configured names, limits. */
@ExtendWith(VertxExtension.class)
class PlainListenerTest {

  private static final String TOKEN = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
  private static final String KEY_AUTHORIZATION = TOKEN + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

  private final HttpChallenges challenges = new HttpChallenges();
  private Vertx vertx;
  private int port;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    challenges.put(TOKEN, KEY_AUTHORIZATION);
    port = deploy(List.of("game.example", "www.game.example"), 8443);
  }

  private int deploy(List<String> names, int httpsPort) throws Exception {
    return deploy(names, httpsPort, LimitsConfig.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
      .withKeepAliveTimeout(Duration.ofSeconds(2)));
  }

  private int deploy(List<String> names, int httpsPort, LimitsConfig limits) throws Exception {
    PlainListener listener = new PlainListener("127.0.0.1", 0, challenges, names, httpsPort, limits);
    await(vertx.deployVerticle(listener));
    return listener.actualPort();
  }

  @Test
  void aKnownTokenIsAnsweredWithItsKeyAuthorization() throws Exception {
    Answer answer = exchange(port, get("/.well-known/acme-challenge/" + TOKEN, "game.example"));
    assertThat(answer.status).isEqualTo(200);
    assertThat(answer.body).isEqualTo(KEY_AUTHORIZATION);
    assertThat(answer.header("content-type")).isEqualTo("text/plain");
    assertThat(answer.header("server")).isNull();
  }

  @Test
  void headGetsTheHeadOnly() throws Exception {
    try (Socket socket = open(port)) {
      RawTls.send(socket, "HEAD /.well-known/acme-challenge/" + TOKEN + " HTTP/1.1\r\nHost: game.example\r\n\r\n"
        + get("/after", "game.example"));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Answer head = read(in, true);
      assertThat(head.status).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo(String.valueOf(KEY_AUTHORIZATION.length()));
      // Had a body followed, it would be read as the next answer's status line.
      assertThat(read(in, false).status).isEqualTo(301);
    }
  }

  @Test
  void anUnknownOrMalformedTokenGets404() throws Exception {
    assertThat(exchange(port, get("/.well-known/acme-challenge/unknown", "game.example")).status).isEqualTo(404);
    assertThat(exchange(port, get("/.well-known/acme-challenge/", "game.example")).status).isEqualTo(404);
    assertThat(exchange(port, get("/.well-known/acme-challenge/" + TOKEN + "/x", "game.example")).status)
      .isEqualTo(404);
    challenges.remove(TOKEN);
    assertThat(exchange(port, get("/.well-known/acme-challenge/" + TOKEN, "game.example")).status).isEqualTo(404);
  }

  @Test
  void otherMethodsOnTheChallengePathGet405() throws Exception {
    Answer answer = exchange(port, "DELETE /.well-known/acme-challenge/" + TOKEN
      + " HTTP/1.1\r\nHost: game.example\r\n\r\n");
    assertThat(answer.status).isEqualTo(405);
    assertThat(answer.header("allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void aConfiguredHostIsRedirectedWithItsPathQueryAndTheHttpsPort() throws Exception {
    Answer answer = exchange(port, get("/lobby/join?room=7&x=%20y", "WWW.Game.Example:80"));
    assertThat(answer.status).isEqualTo(301);
    assertThat(answer.header("location")).isEqualTo("https://www.game.example:8443/lobby/join?room=7&x=%20y");
    Answer post = exchange(port, "POST /api HTTP/1.1\r\nHost: game.example\r\nContent-Length: 0\r\n\r\n");
    assertThat(post.status).isEqualTo(308);
    assertThat(post.header("location")).isEqualTo("https://game.example:8443/api");
  }

  @Test
  void port443IsLeftOutOfTheLocation() throws Exception {
    int other = deploy(List.of("game.example"), 443);
    assertThat(exchange(other, get("/", "game.example")).header("location")).isEqualTo("https://game.example/");
  }

  @Test
  void anUnknownOrHostileHostIsRedirectedToTheFirstName() throws Exception {
    for (String host : List.of("evil.example", "a.example@evil", "game.example@evil.example", "evil.example:80:80",
      "game.example.evil.example", "[::1]", "game.example:x", "")) {
      Answer answer = exchange(port, get("/x", host));
      assertThat(answer.status).as("Host %s", host).isEqualTo(301);
      assertThat(answer.header("location")).as("Host %s", host).isEqualTo("https://game.example:8443/x");
    }
    // A CR inside the Host line: the decoder refuses it, or the value never reaches the Location.
    Answer answer = exchange(port, "GET /x HTTP/1.1\r\nHost: evil.example\rLocation: https://evil.example/\r\n\r\n");
    assertThat(answer.raw).doesNotContain("evil");
  }

  @Test
  void noHostOrTwoHostsGet400() throws Exception {
    assertThat(exchange(port, "GET /x HTTP/1.1\r\n\r\n").status).isEqualTo(400);
    assertThat(exchange(port, "GET /x HTTP/1.1\r\nHost: game.example\r\nHost: evil.example\r\n\r\n").status)
      .isEqualTo(400);
    // HTTP/1.0 needs no Host: the first name.
    assertThat(exchange(port, "GET /x HTTP/1.0\r\n\r\n").header("location")).isEqualTo("https://game.example:8443/x");
  }

  @Test
  void aHostileTargetNeverYieldsALocationWithAnotherAuthority() throws Exception {
    for (String target : List.of("//evil.example/x", "/\\evil.example/x", "/x%0d%0aLocation:%20https://evil.example",
      "/x%0ay", "/x%00", "/x%zz", "/x%", "http://evil.example/x", "evil.example:443", "*", "/x#frag", "/x\"y",
      "/x<y>")) {
      Answer answer = exchange(port, "GET " + target + " HTTP/1.1\r\nHost: game.example\r\n\r\n");
      assertThat(answer.header("location")).as("target %s", target).isNull();
      assertThat(answer.status).as("target %s", target).isEqualTo(400);
    }
    // Escaped slashes stay escaped and in the path, behind our own authority.
    assertThat(exchange(port, get("/%2F%2Fevil.example/x", "game.example")).header("location"))
      .isEqualTo("https://game.example:8443/%2F%2Fevil.example/x");
  }

  @Test
  void noRedirectNamesMeans404ForAllButChallenges() throws Exception {
    int bare = deploy(List.of(), 443);
    assertThat(exchange(bare, get("/x", "game.example")).status).isEqualTo(404);
    assertThat(exchange(bare, get("/.well-known/acme-challenge/" + TOKEN, "game.example")).body)
      .isEqualTo(KEY_AUTHORIZATION);
  }

  @Test
  void aRequestWithABodyGets400AndIsClosed() throws Exception {
    for (String request : List.of(
      "POST /x HTTP/1.1\r\nHost: game.example\r\nContent-Length: 5\r\n\r\nhello",
      "POST /x HTTP/1.1\r\nHost: game.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET /.well-known/acme-challenge/" + TOKEN + " HTTP/1.1\r\nHost: game.example\r\nContent-Length: 1\r\n\r\nx")) {
      try (Socket socket = open(port)) {
        RawTls.send(socket, request);
        Answer answer = read(new BufferedInputStream(socket.getInputStream()), false);
        assertThat(answer.status).as(request).isEqualTo(400);
        assertThat(answer.header("connection")).isEqualTo("close");
        assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
      }
    }
  }

  @Test
  void anOversizedRequestLineGets414AndIsClosed() throws Exception {
    try (Socket socket = open(port)) {
      RawTls.send(socket, get("/x?" + "a".repeat(9000), "game.example"));
      assertThat(read(new BufferedInputStream(socket.getInputStream()), false).status).isEqualTo(414);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void oversizedHeadersGet431AndAreClosed() throws Exception {
    try (Socket socket = open(port)) {
      RawTls.send(socket, "GET /x HTTP/1.1\r\nHost: game.example\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
      assertThat(read(new BufferedInputStream(socket.getInputStream()), false).status).isEqualTo(431);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    try (Socket socket = open(port)) {
      RawTls.send(socket, "GET /x HTTP/1.1\r\nHost: game.example\r\n" + many + "\r\n");
      assertThat(read(new BufferedInputStream(socket.getInputStream()), false).status).isEqualTo(431);
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aSlowClientIsClosedWithinTheHeadTimeout() throws Exception {
    try (Socket socket = open(port)) {
      long started = System.nanoTime();
      RawTls.send(socket, "GET /x HTTP/1.1\r\nHost: game.example\r\n");
      boolean closed = false;
      // A header byte every 200 ms: never idle, never done; only the head clock (1 s) ends it.
      for (int i = 0; i < 50 && !closed; i++) {
        try {
          RawTls.send(socket, "X");
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = RawTls.closedWithin(socket, Duration.ofMillis(200));
      }
      assertThat(closed).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900),
        Duration.ofSeconds(10));
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
    try (Socket socket = open(port)) {
      RawTls.send(socket, get("/x", "game.example"));
      assertThat(read(new BufferedInputStream(socket.getInputStream()), false).status).isEqualTo(301);
      long answered = System.nanoTime();
      assertThat(RawTls.closedWithin(socket, Duration.ofSeconds(10))).isTrue();
      // The keep-alive clock (2 s here), not the first head's (1 s).
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThan(Duration.ofMillis(1800));
    }
  }

  @Test
  void aConnectionBeyondTheCapIsClosedUnanswered() throws Exception {
    int capped = deploy(List.of("game.example"), 443, LimitsConfig.defaults().withConnections(2, 0, 0));
    try (Socket one = open(capped); Socket two = open(capped)) {
      for (Socket socket : List.of(one, two)) {
        RawTls.send(socket, get("/x", "game.example"));
        assertThat(read(new BufferedInputStream(socket.getInputStream()), false).status).isEqualTo(301);
      }
      try (Socket three = open(capped)) {
        RawTls.send(three, get("/x", "game.example"));
        assertThat(rest(three.getInputStream())).isEmpty();
      }
    }
    // Once they are gone there is room again.
    assertThat(Await.eventually(() -> {
      try {
        return exchange(capped, get("/x", "game.example")).status == 301;
      } catch (IOException e) {
        return false;
      }
    })).isTrue();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnTheirOwnConnection() throws Exception {
    try (Socket first = open(port); Socket second = open(port)) {
      RawTls.send(first, get("/.well-known/acme-challenge/" + TOKEN, "game.example") + get("/one?a=1", "game.example")
        + get("/.well-known/acme-challenge/nope", "game.example"));
      RawTls.send(second, get("/two", "www.game.example"));
      InputStream in = new BufferedInputStream(first.getInputStream());
      Answer a = read(in, false);
      Answer b = read(in, false);
      Answer c = read(in, false);
      assertThat(a.status).isEqualTo(200);
      assertThat(a.body).isEqualTo(KEY_AUTHORIZATION);
      assertThat(b.header("location")).isEqualTo("https://game.example:8443/one?a=1");
      assertThat(c.status).isEqualTo(404);
      InputStream other = new BufferedInputStream(second.getInputStream());
      assertThat(read(other, false).header("location")).isEqualTo("https://www.game.example:8443/two");
      // Nothing more on the second connection: it closes at the keep-alive timeout with no further byte.
      assertThat(rest(other)).isEmpty();
    }
  }

  @Test
  void aRequestPipelinedBehindARefusalIsNeverServed() throws Exception {
    try (Socket socket = open(port)) {
      RawTls.send(socket, "POST /x HTTP/1.1\r\nHost: game.example\r\nContent-Length: 1\r\n\r\nx"
        + get("/.well-known/acme-challenge/" + TOKEN, "game.example"));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      assertThat(read(in, false).status).isEqualTo(400);
      assertThat(rest(in)).doesNotContain("HTTP/1.1");
    }
  }

  @Test
  void putRefusesATokenThatIsNotBase64Url() {
    for (String token : List.of("", "a/b", "a.b", "a=", "../x", "a\r\nb", "x".repeat(129))) {
      assertThatThrownBy(() -> challenges.put(token, "k")).as(token).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> challenges.put(null, "k")).isInstanceOf(IllegalArgumentException.class);
    challenges.put("x".repeat(128), "k");
    assertThat(challenges.answer("x".repeat(128))).isEqualTo("k");
    assertThat(challenges.answer("a/b")).isNull();
  }

  @Test
  void aRedirectNameThatIsNotADnsNameIsRefused() {
    for (String name : List.of("evil.example/", "a@b", "a b", "a\r\nb", "", "-a.example")) {
      assertThatThrownBy(() -> new PlainListener("127.0.0.1", 0, challenges, List.of(name), 443,
        LimitsConfig.defaults())).as(name).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static String get(String target, String host) {
    return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  }

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static Answer exchange(int port, String request) throws IOException {
    try (Socket socket = open(port)) {
      RawTls.send(socket, request);
      return read(new BufferedInputStream(socket.getInputStream()), false);
    }
  }

  /** Everything until the peer closes (or the 10 s read timeout fails the test). */
  private static String rest(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /** One answer: its head, then its Content-Length body unless it answers a HEAD; an empty one at EOF. */
  private static Answer read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return new Answer(seen.toString(StandardCharsets.ISO_8859_1));
      }
      seen.write(b);
    }
    Answer answer = new Answer(seen.toString(StandardCharsets.ISO_8859_1));
    String length = answer.header("content-length");
    if (!head && length != null) {
      answer.body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
    }
    return answer;
  }

  private static final class Answer {
    final String raw;
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    String body = "";

    Answer(String raw) {
      this.raw = raw;
      this.status = RawTls.status(raw);
      String[] lines = raw.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
    }

    String header(String name) {
      return headers.get(name);
    }
  }
}
