package io.pomelo.sidecar.acme;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proves the {@link Pebble} fixture with acme4j alone: a real HTTP-01 issuance and a blocked-domain rejection. */
final class PebbleTest {

  private static final Duration ACME_TIMEOUT = Duration.ofSeconds(30);
  private static final int SAN_DNS_NAME = 2;

  @TempDir
  Path dir;

  private Pebble pebble;

  @BeforeEach
  void startPebble() throws IOException {
    pebble = Pebble.start(dir,
      new Pebble.Settings(Pebble.freePort(), Pebble.freePort(), 0, List.of("blocked.example")));
  }

  @AfterEach
  void stopPebble() {
    if (pebble != null) {
      pebble.close();
    }
  }

  @Test
  void issuesACertificateAfterRealHttp01Validation() throws Exception {
    Map<String, String> answers = new ConcurrentHashMap<>();
    HttpServer challenges = http01Server(pebble, answers);
    try {
      long started = System.nanoTime();
      Account account = newAccount();
      Order order = account.newOrder().domain("test.example").create();
      for (Authorization authorization : order.getAuthorizations()) {
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
        answers.put(challenge.getToken(), challenge.getAuthorization());
        challenge.trigger();
        assertThat(authorization.waitForCompletion(ACME_TIMEOUT))
          .as("authorization %s; pebble said:%n%s", authorization.getJSON(), pebble.output())
          .isEqualTo(Status.VALID);
      }
      assertThat(order.waitUntilReady(ACME_TIMEOUT)).as(pebble.output()).isEqualTo(Status.READY);
      order.execute(p256());
      assertThat(order.waitForCompletion(ACME_TIMEOUT)).as(pebble.output()).isEqualTo(Status.VALID);
      List<X509Certificate> chain = order.getCertificate().getCertificateChain();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      System.out.println("PebbleTest: first issuance (account, order, HTTP-01, finalize, download) took "
        + took.toMillis() + " ms");

      X509Certificate leaf = chain.get(0);
      assertThat(leaf.getSubjectAlternativeNames())
        .containsExactly(List.of(SAN_DNS_NAME, "test.example"));
      assertChainsTo(chain, pebble.issuingRoots());
    } finally {
      challenges.stop(0);
    }
  }

  @Test
  void rejectsAnOrderForABlockedDomain() throws Exception {
    Account account = newAccount();

    assertThatThrownBy(() -> account.newOrder().domain("www.blocked.example").create())
      .isInstanceOf(AcmeServerException.class)
      .satisfies(e -> {
        AcmeServerException problem = (AcmeServerException) e;
        assertThat(problem.getType().toString()).endsWith("rejectedIdentifier");
        assertThat(problem.getProblem().getDetail()).get().asString().isNotBlank();
      });
  }

  @Test
  void failsFastWithItsOutputWhenPebbleExits() {
    // Pebble refuses an empty blocklist entry at start-up, which is a cheap way to make it exit.
    Pebble.Settings broken = new Pebble.Settings(Pebble.freePort(), Pebble.freePort(), 0, List.of(""));

    assertThatThrownBy(() -> Pebble.start(dir.resolve("broken"), broken).close())
      .isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("pebble did not become ready")
      .hasMessageContaining("exited with")
      .hasMessageContaining("domain name must not be empty");
  }

  private Account newAccount() throws Exception {
    Session session = new Session(pebble.directory(), new TrustingProvider(pebble.listenerTrust()));
    return new AccountBuilder()
      .agreeToTermsOfService()
      .useKeyPair(p256())
      .create(session);
  }

  /** From the JDK's own provider: acme4j's KeyPairUtils asks for BouncyCastle's, which nothing registers here. */
  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** Serves HTTP-01 key authorizations on the port pebble's validator dials. */
  private static HttpServer http01Server(Pebble pebble, Map<String, String> answers) throws IOException {
    int port = pebble.settings().httpPort();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/.well-known/acme-challenge/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String answer = answers.get(path.substring(path.lastIndexOf('/') + 1));
      byte[] body = (answer == null ? "unknown token" : answer).getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  private static void assertChainsTo(List<X509Certificate> chain, String rootPem) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    X509Certificate root = (X509Certificate) factory.generateCertificate(
      new ByteArrayInputStream(rootPem.getBytes(StandardCharsets.US_ASCII)));
    // The validator wants the path without its anchor, should pebble ever include the root.
    List<X509Certificate> path = chain.stream().filter(c -> !c.equals(root)).toList();
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(path), parameters);
  }

  /** acme4j's generic https provider, but its HTTP client trusts only pebble's listener certificate. */
  private static final class TrustingProvider extends GenericAcmeProvider {

    private final SSLContext trust;

    TrustingProvider(SSLContext trust) {
      this.trust = trust;
    }

    @Override
    protected HttpConnector createHttpConnector(NetworkSettings settings) {
      return new HttpConnector(settings) {
        @Override
        public HttpClient.Builder createClientBuilder() {
          return super.createClientBuilder().sslContext(trust);
        }
      };
    }
  }
}
