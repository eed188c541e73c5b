package io.pomelo.sidecar.acme;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** When a certificate is renewed and when a failed order is tried again. */
class RenewalTimeTest {

  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void withoutAWindowTwoThirdsIntoTheLifetime() {
    assertThat(RenewalTime.fallback(T, T.plus(Duration.ofDays(90)))).isEqualTo(T.plus(Duration.ofDays(60)));
    // Six-day certificates renew after four days.
    assertThat(RenewalTime.fallback(T, T.plus(Duration.ofDays(6)))).isEqualTo(T.plus(Duration.ofDays(4)));
  }

  @Test
  void aWindowChoiceFallsInsideTheWindowAndSpreadsOverIt() {
    Instant end = T.plus(Duration.ofHours(10));
    Random random = new Random(7);
    long early = 0;
    for (int i = 0; i < 1000; i++) {
      Instant pick = RenewalTime.inWindow(T, end, random);
      assertThat(pick).isBetween(T, end);
      early += pick.isBefore(T.plus(Duration.ofHours(5))) ? 1 : 0;
    }
    assertThat(early).isBetween(400L, 600L);
    assertThat(RenewalTime.inWindow(end, T, random)).as("an empty window: its start").isEqualTo(end);
  }

  @Test
  void retriesDoubleWithJitterUpToACapAndNeverBeforeRetryAfter() {
    Random random = new Random(1);
    for (int failures = 1; failures < 40; failures++) {
      Duration full = RenewalTime.FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 20));
      if (full.compareTo(RenewalTime.LONGEST_RETRY) > 0) {
        full = RenewalTime.LONGEST_RETRY;
      }
      Duration wait = RenewalTime.retry(failures, T, null, random);
      assertThat(wait).isBetween(full.dividedBy(2), full);
    }
    Instant retryAfter = T.plus(Duration.ofHours(1));
    assertThat(RenewalTime.retry(1, T, retryAfter, random)).isEqualTo(Duration.ofHours(1));
  }
}
