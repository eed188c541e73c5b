package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.AcmeConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.tls.AlpnChallenges;
import io.pomelo.sidecar.tls.CertificateLoader;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.SelfSignedCertificate;
import io.vertx.core.Vertx;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeRetryAfterException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The certificate of {@code tls.acme}: ordered when none is stored, renewed in the CA's window or two thirds into
 * its lifetime, each new one stored and handed to {@code onIssued} (a reload, the path a rotated file takes). A
 * stored certificate that is not due is served without a word to the CA, so a restart costs the CA nothing.
 */
public final class ManagedCertificate {

  private static final Logger LOG = LoggerFactory.getLogger(ManagedCertificate.class);
  /** How often the CA's renewal information is asked, as RFC 9773 §4.3.2 suggests when it sets no Retry-After. */
  static final Duration RENEWAL_INFO_POLL = Duration.ofHours(6);
  /** When another sidecar holds the order lock, how long before looking again. */
  static final Duration LOCK_HELD_RETRY = Duration.ofSeconds(5);
  private static final Duration PLACEHOLDER_LIFETIME = Duration.ofDays(7);

  private final Vertx vertx;
  private final AcmeConfig acme;
  private final AcmeStore store;
  private final CertificateOrder order;
  private final Runnable onIssued;
  private final RandomGenerator random = new SecureRandom();
  private volatile ManagedStatus status;
  private volatile boolean stopped;
  private long timer = -1;
  private int failuresInRow;
  private long failures;
  private Instant nextRenewalInfo;
  private Instant windowChoice;

  public ManagedCertificate(Vertx vertx, Path stateDir, AcmeConfig acme, AlpnChallenges alpn, HttpChallenges http,
                            Runnable onIssued) {
    this.vertx = vertx;
    this.acme = acme;
    this.store = AcmeStore.of(stateDir, acme);
    this.order = new CertificateOrder(acme, store, alpn, http);
    this.onIssued = onIssued;
    this.status = new ManagedStatus(acme.domains(), acme.directory().toString(), "pending", null, Instant.now(),
      null, 0);
  }

  /**
   * The pair to serve for {@code acme} now: the stored certificate when it is good, else a self-signed stand-in for
   * its names (made once, kept beside it). Blocking.
   */
  public static CertificateConfig servable(Path stateDir, AcmeConfig acme, Instant now) throws IOException {
    AcmeStore store = AcmeStore.of(stateDir, acme);
    if (stored(store, now) != null) {
      return store.certificate();
    }
    CertificateConfig placeholder = store.placeholder();
    try {
      CertificateLoader.load(placeholder, "tls.acme", now.plus(Duration.ofDays(1)));
    } catch (ConfigException e) {
      store.makeDirectories();
      SelfSignedCertificate.write(placeholder.certFile(), placeholder.keyFile(), acme.domains(), now,
        PLACEHOLDER_LIFETIME);
    }
    return placeholder;
  }

  /** The stored pair's files, watched so that a certificate another sidecar stored is loaded here too. */
  public static CertificateConfig storedFiles(Path stateDir, AcmeConfig acme) {
    return AcmeStore.of(stateDir, acme).certificate();
  }

  /** What {@code check} shows from the state directory alone: the stored certificate and the last failure kept. */
  public static ManagedStatus offline(Path stateDir, AcmeConfig acme, Instant now) {
    AcmeStore store = AcmeStore.of(stateDir, acme);
    LoadedCertificate current = stored(store, now);
    Instant notAfter = current == null ? null : current.leaf().getNotAfter().toInstant();
    Instant next = current == null ? now
      : RenewalTime.fallback(current.leaf().getNotBefore().toInstant(), notAfter);
    return new ManagedStatus(acme.domains(), acme.directory().toString(), current == null ? "pending" : "valid",
      notAfter, next, store.lastError(), 0);
  }

  private static LoadedCertificate stored(AcmeStore store, Instant now) {
    try {
      return CertificateLoader.load(store.certificate(), "tls.acme", now);
    } catch (ConfigException e) {
      return null;
    }
  }

  /** Looks at the stored certificate at once; orders only if there is none or it is due. */
  public void start() {
    nextRenewalInfo = Instant.now().plus(RENEWAL_INFO_POLL);
    schedule(Duration.ZERO);
  }

  /** No more orders or timers; an order under way finishes but nothing follows it. */
  public void stop() {
    stopped = true;
    vertx.runOnContext(v -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    });
  }

  public ManagedStatus status() {
    return status;
  }

  private void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    vertx.runOnContext(v -> timer = vertx.setTimer(Math.max(1, delay.toMillis()),
      id -> vertx.executeBlocking(this::check, false)
        .onSuccess(this::schedule)
        .onFailure(e -> {
          LOG.error("tls.acme: the renewal check failed unexpectedly; trying again in {}", LOCK_HELD_RETRY, e);
          schedule(LOCK_HELD_RETRY);
        })));
  }

  /** One look: order when due, else ask the CA's window when it is time; returns the wait until the next look. */
  private Duration check() throws IOException {
    Instant now = Instant.now();
    LoadedCertificate current = stored(store, now);
    if (current != null) {
      Instant due = windowChoice != null ? windowChoice
        : RenewalTime.fallback(current.leaf().getNotBefore().toInstant(), current.leaf().getNotAfter().toInstant());
      if (now.isBefore(due) && !now.isBefore(nextRenewalInfo)) {
        due = askWindow(current, due);
        nextRenewalInfo = now.plus(RENEWAL_INFO_POLL);
      }
      if (now.isBefore(due)) {
        Instant next = due.isBefore(nextRenewalInfo) ? due : nextRenewalInfo;
        publish("valid", current, next, status.lastError());
        return Duration.between(now, next);
      }
    }
    store.makeDirectories();
    try (OrderLock lock = OrderLock.tryTake(store.lockFile())) {
      if (lock == null) {
        publish(current == null ? "pending" : "valid", current, now.plus(LOCK_HELD_RETRY),
          "another sidecar on this state directory is ordering; its certificate will be loaded from there");
        return LOCK_HELD_RETRY;
      }
      // Another sidecar may have stored a fresh one while this one waited for the lock.
      LoadedCertificate again = stored(store, now);
      if (again != null && (current == null || !again.leaf().equals(current.leaf()))) {
        windowChoice = null;
        return Duration.ZERO;
      }
      return order(current, now);
    }
  }

  private Duration order(LoadedCertificate current, Instant started) {
    publish(current == null ? "pending" : "renewing", current, null, status.lastError());
    try {
      Session session = order.session();
      CertificateOrder.Issued issued = order.run(session, current == null ? null : current.leaf());
      store.storeCertificate(issued.chainPem(), issued.keyPem());
      store.recordError(null);
      failuresInRow = 0;
      windowChoice = null;
      LOG.info("tls.acme: a certificate for {} issued by {} in {} ms, valid until {}", acme.domains(),
        acme.directory(), Duration.between(started, Instant.now()).toMillis(), issued.leaf().getNotAfter().toInstant());
      Instant notBefore = issued.leaf().getNotBefore().toInstant();
      Instant notAfter = issued.leaf().getNotAfter().toInstant();
      Instant next = RenewalTime.fallback(notBefore, notAfter);
      status = new ManagedStatus(acme.domains(), acme.directory().toString(), "valid", notAfter, next, null, failures);
      onIssued.run();
      return Duration.between(Instant.now(), next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LOCK_HELD_RETRY;
    } catch (AcmeException | IOException | RuntimeException e) {
      failuresInRow++;
      failures++;
      String why = describe(e);
      Instant now = Instant.now();
      Duration wait = RenewalTime.retry(failuresInRow, now, retryAfter(e), random);
      // Once per attempt, with the CA's problem document; never a key, which no exception here holds.
      LOG.warn("tls.acme: ordering {} from {} failed ({}); {} kept, next attempt in {} s", acme.domains(),
        acme.directory(), why, current == null ? "the self-signed stand-in" : "the last good certificate",
        wait.toSeconds());
      publish(current == null ? "pending" : "valid", current, now.plus(wait), why);
      try {
        store.recordError(now + " " + why);
      } catch (IOException ignored) {
        // the status above still says it
      }
      return wait;
    }
  }

  /** The CA's window for {@code current} when it offers renewal information, else {@code fallback}. */
  private Instant askWindow(LoadedCertificate current, Instant fallback) {
    try {
      Session session = order.session();
      if (session.resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
        return fallback;
      }
      Login login = new org.shredzone.acme4j.AccountBuilder().onlyExisting().useKeyPair(store.accountKey())
        .createLogin(session);
      RenewalInfo info = login.bindRenewalInfo(current.leaf());
      windowChoice = RenewalTime.inWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd(), random);
      return windowChoice;
    } catch (AcmeException | IOException e) {
      LOG.debug("tls.acme: no renewal information ({}); renewing two thirds into the lifetime", describe(e));
      return fallback;
    }
  }

  private void publish(String state, LoadedCertificate current, Instant next, String lastError) {
    status = new ManagedStatus(acme.domains(), acme.directory().toString(), state,
      current == null ? null : current.leaf().getNotAfter().toInstant(), next, lastError, failures);
  }

  /** The CA's problem type and detail when it sent a problem document, else the exception's own message. */
  static String describe(Throwable e) {
    if (e instanceof AcmeServerException server) {
      return server.getProblem().getType() + ": " + server.getProblem().getDetail().orElse(server.getMessage());
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static Instant retryAfter(Throwable e) {
    if (e instanceof AcmeRateLimitedException limited) {
      return limited.getRetryAfter().orElse(null);
    }
    if (e instanceof AcmeRetryAfterException retry) {
      return retry.getRetryAfter();
    }
    return null;
  }
}
