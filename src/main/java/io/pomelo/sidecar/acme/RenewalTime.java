package io.pomelo.sidecar.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When to renew and when to try again: the CA's renewal window (RFC 9773) when it gives one, else two thirds into
 * the certificate's lifetime; failures back off exponentially with jitter, so that many sidecars never retry in step.
 */
final class RenewalTime {

  /** The first retry's delay; each failure doubles it. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  /** No retry waits longer than this. */
  static final Duration LONGEST_RETRY = Duration.ofHours(6);

  private RenewalTime() {
  }

  /** Two thirds into [notBefore, notAfter]: Let's Encrypt's own advice when the CA gives no window. */
  static Instant fallback(Instant notBefore, Instant notAfter) {
    return notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
  }

  /** A uniformly random instant in the CA's window [start, end), as RFC 9773 §4.2 asks. */
  static Instant inWindow(Instant start, Instant end, RandomGenerator random) {
    long span = Duration.between(start, end).toMillis();
    return span <= 0 ? start : start.plusMillis(random.nextLong(span));
  }

  /**
   * The wait after {@code failures} failures in a row (1 for the first): {@link #FIRST_RETRY} doubling up to
   * {@link #LONGEST_RETRY}, between half and all of it at random; never before the CA's Retry-After.
   */
  static Duration retry(int failures, Instant now, Instant retryAfter, RandomGenerator random) {
    Duration full = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 20));
    if (full.compareTo(LONGEST_RETRY) > 0) {
      full = LONGEST_RETRY;
    }
    Duration wait = full.dividedBy(2).plusMillis(random.nextLong(Math.max(1, full.toMillis() / 2)));
    if (retryAfter != null && now.plus(wait).isBefore(retryAfter)) {
      wait = Duration.between(now, retryAfter);
    }
    return wait;
  }
}
