package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.AcmeConfig;
import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.tls.AlpnChallenges;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.util.KeyPairUtils;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * One ACME order, start to finish (RFC 8555 §7.4): the account, the order, each name's challenge answered on the
 * sidecar's own ports and withdrawn when done, the finalization with a fresh key, and the chain. Blocking.
 */
final class CertificateOrder {

  /** How long the CA may take for each step (a challenge's validation, the order's issuance). */
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  /** A certificate as the CA issued it, ready for the store. */
  record Issued(String chainPem, String keyPem, X509Certificate leaf) {
  }

  private final AcmeConfig acme;
  private final AcmeStore store;
  private final AlpnChallenges alpn;
  private final HttpChallenges http;

  CertificateOrder(AcmeConfig acme, AcmeStore store, AlpnChallenges alpn, HttpChallenges http) {
    this.acme = acme;
    this.store = store;
    this.alpn = alpn;
    this.http = http;
  }

  /** A session on the CA's directory, trusting what {@code tls.acme.caCertificates} adds. */
  Session session() throws IOException {
    return new Session(acme.directory(), AcmeTrust.of(acme.caCertificates()));
  }

  /** @param replaces the certificate this one renews, named to a CA that offers renewal information; or null */
  Issued run(Session session, X509Certificate replaces) throws AcmeException, IOException, InterruptedException {
    Login login = login(session);
    OrderBuilder builder = login.newOrder().domains(acme.domains());
    if (replaces != null && session.resourceUrlOptional(org.shredzone.acme4j.connector.Resource.RENEWAL_INFO)
      .isPresent()) {
      builder.replaces(replaces);
    }
    Order order = builder.create();
    for (Authorization authorization : order.getAuthorizations()) {
      if (authorization.getStatus() != Status.VALID) {
        authorize(authorization);
      }
    }
    KeyPair domainKey = domainKey();
    order.execute(domainKey);
    Status status = order.waitForCompletion(STEP_TIMEOUT);
    if (status != Status.VALID) {
      throw order.getError().<AcmeException>map(AcmeServerException::new)
        .orElseGet(() -> new AcmeException("the order ended " + status + ", not valid"));
    }
    StringWriter chain = new StringWriter();
    order.getCertificate().writeCertificate(chain);
    return new Issued(chain.toString(), AcmeStore.pem("PRIVATE KEY", domainKey.getPrivate().getEncoded()),
      order.getCertificate().getCertificate());
  }

  private Login login(Session session) throws AcmeException, IOException {
    AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(store.accountKey());
    if (acme.email() != null) {
      account.addEmail(acme.email());
    }
    if (acme.externalAccountKeyId() != null) {
      String macKey;
      try {
        macKey = new String(BoundedFile.limitedBy(ReloadConfig.defaults())
          .read(acme.externalAccountKeyFile(), "tls.acme.externalAccountKeyFile"), StandardCharsets.US_ASCII).trim();
      } catch (ConfigException e) {
        throw new IOException(e.getMessage(), e);
      }
      account.withKeyIdentifier(acme.externalAccountKeyId(), macKey);
    }
    return account.createLogin(session);
  }

  /** Answers the name's challenge of the configured type, waits for the CA's verdict, and withdraws the answer. */
  private void authorize(Authorization authorization) throws AcmeException, InterruptedException {
    String name = authorization.getIdentifier().getDomain();
    Challenge challenge;
    Runnable withdraw;
    if (acme.challenge() == AcmeConfig.Challenge.TLS_ALPN_01) {
      TlsAlpn01Challenge alpnChallenge = authorization.findChallenge(TlsAlpn01Challenge.class)
        .orElseThrow(() -> offers(name));
      // acme4j 3.5.1 signs the challenge certificate with SHA256withRSA: the key must be RSA.
      KeyPair key = KeyPairUtils.createKeyPair(2048);
      alpn.put(name, alpnChallenge.createCertificate(key, authorization.getIdentifier()), key.getPrivate());
      challenge = alpnChallenge;
      withdraw = () -> alpn.remove(name);
    } else {
      Http01Challenge httpChallenge = authorization.findChallenge(Http01Challenge.class)
        .orElseThrow(() -> offers(name));
      http.put(httpChallenge.getToken(), httpChallenge.getAuthorization());
      challenge = httpChallenge;
      withdraw = () -> http.remove(httpChallenge.getToken());
    }
    try {
      challenge.trigger();
      Status status = challenge.waitForCompletion(STEP_TIMEOUT);
      if (status != Status.VALID) {
        throw challenge.getError().<AcmeException>map(AcmeServerException::new)
          .orElseGet(() -> new AcmeException("the " + challenge.getType() + " challenge for " + name + " ended "
            + status));
      }
    } finally {
      withdraw.run();
    }
  }

  private AcmeException offers(String name) {
    return new AcmeException("the CA offers no " + acme.challenge().yamlName() + " challenge for " + name
      + "; choose another tls.acme.challenge");
  }

  private KeyPair domainKey() {
    return switch (acme.keyType()) {
      case EC256 -> ecKey("secp256r1");
      case EC384 -> ecKey("secp384r1");
      case RSA2048 -> KeyPairUtils.createKeyPair(2048);
      case RSA4096 -> KeyPairUtils.createKeyPair(4096);
    };
  }

  /**
   * An EC key from the JDK's provider: acme4j's own asks for BouncyCastle's by name, which would have to be
   * installed process-wide and then changes what the JDK's TLS engine picks.
   */
  static KeyPair ecKey(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + curve + " keys", e);
    }
  }
}
