package io.pomelo.sidecar.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.KeyExchangeGroup;
import io.pomelo.sidecar.testing.TlsHandshake;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.util.CertificateUtils;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pomelo.sidecar.testing.Await.await;
import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS-ALPN-01 answered on the public port: the CA's handshake (acme-tls/1 for a pending name) gets the challenge
 * certificate and is closed; every other client, at the same time and on the same name, is served as usual; and a
 * hostile ClientHello ends in a close within the handshake timeout.
 */
class AlpnChallengeTest {

  private static final String NAME = "game.test";
  private static final String ACME_VALIDATION_OID = "1.3.6.1.5.5.7.1.31";
  private static final long HANDSHAKE_TIMEOUT_MS = 2000;
  /** A socket read that waits longer than this is a hang, not a slow close. */
  private static final int READ_BOUND_MS = 8000;

  @TempDir
  Path dir;

  private Vertx vertx;
  private AlpnChallenges challenges;
  private byte[] validation;
  private final AtomicInteger counted = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    challenges = new AlpnChallenges();
    validation = new byte[32];
    new SecureRandom().nextBytes(validation);
    // acme4j 3.5.1 signs the challenge certificate with SHA256withRSA, so its key must be RSA.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    challenges.put("Game.Test", CertificateUtils.createTlsAlpn01Certificate(keys, Identifier.dns(NAME), validation),
      keys.getPrivate());
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void theCasHandshakeGetsTheChallengeCertificateAndIsClosed(String protocol) throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    try (SSLSocket ca = handshake(port, NAME, protocol, AlpnChallenges.PROTOCOL)) {
      assertThat(ca.getSession().getProtocol()).isEqualTo(protocol);
      assertThat(ca.getApplicationProtocol()).isEqualTo(AlpnChallenges.PROTOCOL);
      assertThat(isChallenge(ca)).isTrue();
      assertThat(readsToEnd(ca.getInputStream())).as("closed by the server").isTrue();
    }
    until("the accept count released", () -> counted.get() == 0);
  }

  @Test
  void otherClientsOfTheSameNameAreServedMeanwhile() throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    try (SSLSocket ca = handshake(port, NAME, null, AlpnChallenges.PROTOCOL);
         SSLSocket browser = handshake(port, NAME, null, "h2", "http/1.1");
         SSLSocket plain = handshake(port, NAME, null)) {
      assertThat(isChallenge(ca)).isTrue();
      for (SSLSocket client : List.of(browser, plain)) {
        assertThat(isChallenge(client)).isFalse();
        assertThat(commonName(client)).isEqualTo(NAME);
        assertThat(get(client)).startsWith("HTTP/1.1 200").endsWith("served");
      }
      assertThat(readsToEnd(ca.getInputStream())).isTrue();
    }
    until("the accept count released", () -> counted.get() == 0);
  }

  @Test
  void aNameWithoutAPendingChallengeTakesTheNormalPath() throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    assertNoChallengeCertificate(port, "other.test");
  }

  @Test
  void aRemovedChallengeIsNoLongerAnswered() throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    challenges.remove("GAME.test");
    assertThat(challenges.isEmpty()).isTrue();
    assertNoChallengeCertificate(port, NAME);
    try (SSLSocket plain = handshake(port, NAME, null)) {
      assertThat(get(plain)).endsWith("served");
    }
  }

  @Test
  void theJdkEngineAnswersToo() throws Exception {
    SSLEngineOptions jdk = new HookedContexts(new JdkSSLEngineOptions(),
      context -> new ChallengeAnsweringContext(context, challenges));
    int port = listen(jdk);
    try (SSLSocket ca = handshake(port, NAME, null, AlpnChallenges.PROTOCOL);
         SSLSocket plain = handshake(port, NAME, null, "http/1.1")) {
      assertThat(isChallenge(ca)).isTrue();
      assertThat(get(plain)).endsWith("served");
      assertThat(readsToEnd(ca.getInputStream())).isTrue();
    }
    until("the accept count released", () -> counted.get() == 0);
  }

  @Test
  void hostileBytesEndInACloseWithinTheHandshakeTimeout() throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    byte[] hello = clientHello(port);
    List<byte[]> hostile = List.of(
      "GET / HTTP/1.1\r\nHost: game.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      // A record header that promises a 16 KiB+ ClientHello, then nothing.
      new byte[] {0x16, 0x03, 0x01, 0x40, 0x10},
      // A ClientHello whose own length is beyond what a peek will hold.
      new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00},
      lying(hello, 5 + 4 + 2 + 32, (byte) 0xff),
      lying(hello, extensionsLengthAt(hello), (byte) 0x7f),
      lying(hello, extensionsLengthAt(hello) + 4, (byte) 0xff),
      Arrays.copyOf(hello, hello.length / 2));
    for (byte[] bytes : hostile) {
      try (Socket raw = raw(port)) {
        raw.getOutputStream().write(bytes);
        raw.getOutputStream().flush();
        assertClosedInTime(raw);
      }
    }
    until("the accept count released", () -> counted.get() == 0);
  }

  @Test
  void aClientHelloDrippedByteByByteIsStillAnswered() throws Exception {
    int port = listen(ServerTls.engineOptions(new TicketKeyRing(), challenges, KeyExchangeGroup.DEFAULTS));
    byte[] hello = clientHello(port);
    try (Socket raw = raw(port)) {
      OutputStream out = raw.getOutputStream();
      for (byte b : hello) {
        out.write(b);
        out.flush();
      }
      InputStream in = raw.getInputStream();
      assertThat(in.read()).as("a handshake record back: the ServerHello").isEqualTo(0x16);
      // The client never finishes: the challenge handler's own timeout closes it.
      assertClosedInTime(raw);
    }
    until("the accept count released", () -> counted.get() == 0);
  }

  @Test
  void everyCorruptionOfAClientHelloReadsWithoutAnException() throws Exception {
    byte[] record = clientHello(4433);
    // The handshake body, as SslClientHelloHandler hands it over: after the record and handshake headers.
    byte[] body = Arrays.copyOfRange(record, 5 + 4, record.length);
    ClientHelloOffer offer = ClientHelloOffer.read(Unpooled.wrappedBuffer(body));
    assertThat(offer.serverName()).isEqualTo(NAME);
    assertThat(offer.protocols()).containsExactly(AlpnChallenges.PROTOCOL);
    for (int at = 0; at < body.length; at++) {
      ClientHelloOffer.read(Unpooled.wrappedBuffer(body, 0, at));
      for (int value : new int[] {0x00, 0x01, 0x7f, 0xff}) {
        byte[] corrupt = body.clone();
        corrupt[at] = (byte) value;
        ClientHelloOffer.read(Unpooled.wrappedBuffer(corrupt));
      }
    }
  }

  private void assertNoChallengeCertificate(int port, String name) throws Exception {
    try (SSLSocket client = handshake(port, name, null, AlpnChallenges.PROTOCOL)) {
      assertThat(isChallenge(client)).isFalse();
      assertThat(commonName(client)).isEqualTo(NAME);
    } catch (SSLException refused) {
      // A server without acme-tls/1 may refuse the handshake: also not the challenge.
    }
  }

  /** The listener under test, with this engine wrapped as AcceptCounting wraps it, to see every count released. */
  private int listen(SSLEngineOptions engine) throws Exception {
    CertificateConfig served = SelfSignedCertificate.write(dir.resolve("a.pem"), dir.resolve("a.key"), List.of(NAME),
      Instant.now(), Duration.ofDays(1));
    ServerSSLOptions tls = ServerTls.options(List.of(CertificateLoader.load(served, "test", Instant.now())));
    HttpServerOptions options = new HttpServerOptions()
      .setHost("127.0.0.1")
      .setPort(0)
      .setSsl(true)
      .setSslEngineOptions(new HookedContexts(engine, context -> new Counting(context, counted)))
      .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_MS)
      .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
      .setKeyCertOptions(tls.getKeyCertOptions())
      .setTrustOptions(tls.getTrustOptions())
      .setSni(tls.isSni())
      .setEnabledSecureTransportProtocols(tls.getEnabledSecureTransportProtocols());
    tls.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    HttpServer server = vertx.createHttpServer(options)
      .requestHandler(request -> request.response().putHeader("connection", "close").end("served"));
    return await(server.listen()).actualPort();
  }

  private static SSLSocket handshake(int port, String name, String protocol, String... alpn) throws Exception {
    SSLSocket socket = (SSLSocket) TlsHandshake.acceptingAny().getSocketFactory().createSocket(raw(port), "127.0.0.1", port, true);
    socket.setSSLParameters(parameters(socket.getSSLParameters(), name, protocol, alpn));
    socket.startHandshake();
    return socket;
  }

  private static SSLParameters parameters(SSLParameters params, String name, String protocol, String... alpn) {
    params.setServerNames(List.of(new SNIHostName(name)));
    if (protocol != null) {
      params.setProtocols(new String[] {protocol});
    }
    params.setApplicationProtocols(alpn);
    return params;
  }

  private static Socket raw(int port) throws IOException {
    Socket tcp = new Socket();
    tcp.setTcpNoDelay(true);
    tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    tcp.setSoTimeout(READ_BOUND_MS);
    return tcp;
  }

  /** The first flight of a real client (TLS 1.3, SNI game.test, ALPN acme-tls/1), as it goes on the wire. */
  private static byte[] clientHello(int port) throws Exception {
    SSLEngine engine = TlsHandshake.acceptingAny().createSSLEngine("127.0.0.1", port);
    engine.setUseClientMode(true);
    engine.setSSLParameters(parameters(engine.getSSLParameters(), NAME, null, AlpnChallenges.PROTOCOL));
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
    assertThat(result.getStatus()).isEqualTo(SSLEngineResult.Status.OK);
    return Arrays.copyOf(out.array(), out.position());
  }

  /** Where the extensions' u16 length sits in a one-record ClientHello. */
  private static int extensionsLengthAt(byte[] hello) {
    int at = 5 + 4 + 2 + 32;
    at += 1 + (hello[at] & 0xff);
    at += 2 + (((hello[at] & 0xff) << 8) | (hello[at + 1] & 0xff));
    at += 1 + (hello[at] & 0xff);
    return at;
  }

  private static byte[] lying(byte[] hello, int at, byte value) {
    byte[] copy = hello.clone();
    copy[at] = value;
    return copy;
  }

  private static void assertClosedInTime(Socket raw) throws IOException {
    long started = System.nanoTime();
    assertThat(readsToEnd(raw.getInputStream())).as("closed, not hanging").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
      .isLessThan(Duration.ofMillis(HANDSHAKE_TIMEOUT_MS + 2000));
  }

  /** True once the stream ends or is reset; false when a read waits past the bound. */
  private static boolean readsToEnd(InputStream in) throws IOException {
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // Whatever the server sends before it closes (alerts, tickets) is not the question.
      }
      return true;
    } catch (SocketTimeoutException hang) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Whether the server sent the challenge certificate: the acmeIdentifier extension holding our 32 bytes. */
  private boolean isChallenge(SSLSocket socket) throws Exception {
    X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
    byte[] extension = leaf.getExtensionValue(ACME_VALIDATION_OID);
    // The extension's value is an OCTET STRING of the 32 bytes, itself wrapped in the extnValue OCTET STRING.
    return extension != null
      && Arrays.equals(Arrays.copyOfRange(extension, extension.length - 32, extension.length), validation);
  }

  private static String commonName(SSLSocket socket) throws Exception {
    return TlsHandshake.commonName(socket.getSession());
  }

  private static String get(SSLSocket socket) throws IOException {
    socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + NAME + "\r\nConnection: close\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    socket.getInputStream().transferTo(answer);
    return answer.toString(StandardCharsets.US_ASCII);
  }

  /** AcceptCounting's bookkeeping: counted at the handler, released when its handshake fails or its channel closes. */
  private static final class Counting extends DelegatingSslContext {

    private final AtomicInteger counted;

    Counting(SslContext context, AtomicInteger counted) {
      super(context);
      this.counted = counted;
    }

    @Override
    protected void initEngine(SSLEngine engine) {
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls,
                                    Executor executor) {
      SslHandler handler = super.newHandler(alloc, peerHost, peerPort, startTls, executor);
      counted.incrementAndGet();
      handler.handshakeFuture().addListener(f -> {
        if (f.isSuccess() && f.getNow() instanceof Channel channel) {
          channel.closeFuture().addListener(c -> counted.decrementAndGet());
        } else {
          counted.decrementAndGet();
        }
      });
      return handler;
    }
  }
}
