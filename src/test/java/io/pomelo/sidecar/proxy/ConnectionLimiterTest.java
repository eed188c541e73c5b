package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.LimitsConfig;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private ConnectionLimiter limiter(int total, int perAddress, int rate) {
    return new ConnectionLimiter(LimitsConfig.defaults().withConnections(total, perAddress, rate), now::get);
  }

  @Test
  void ipv6ClientsAreCountedByTheirPrefix() {
    ConnectionLimiter limiter = limiter(0, 2, 0);
    String a = limiter.keyOf("2001:db8:1:2:0:0:0:1");
    String b = limiter.keyOf("2001:db8:1:2:ffff:ffff:ffff:ffff");
    assertThat(a).isEqualTo(b).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(limiter.keyOf("2001:db8:1:3:0:0:0:1")).as("the next /64 is another client").isNotEqualTo(a);
    assertThat(limiter.opened(a)).isNull();
    assertThat(limiter.opened(b)).isNull();
    assertThat(limiter.opened(limiter.keyOf("2001:db8:1:2::77"))).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
    assertThat(limiter.keyOf("::ffff:203.0.113.9")).as("IPv4-mapped is the IPv4 address").isEqualTo("203.0.113.9");
    assertThat(limiter.keyOf("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(limiter.keyOf("fe80:0:0:0:1:2:3:4%eth0")).isEqualTo("fe80:0:0:0:0:0:0:0/64");
    ConnectionLimiter exact = new ConnectionLimiter(LimitsConfig.defaults().withIpv6Prefix(128), now::get);
    assertThat(exact.keyOf("2001:db8:1:2:0:0:0:1")).isEqualTo("2001:db8:1:2:0:0:0:1");
    ConnectionLimiter wide = new ConnectionLimiter(LimitsConfig.defaults().withIpv6Prefix(48), now::get);
    assertThat(wide.keyOf("2001:db8:1:2:0:0:0:1")).isEqualTo("2001:db8:1:0:0:0:0:0/48");
  }

  @Test
  void theRateBucketHoldsOneSecondAndRefills() {
    ConnectionLimiter limiter = limiter(0, 0, 10);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.opened("a")).isNull();
      limiter.closed("a");
    }
    assertThat(limiter.opened("a")).isEqualTo(Refusal.TOO_FAST_FROM_ADDRESS);
    limiter.closed("a");
    assertThat(limiter.opened("b")).as("another address has its own bucket").isNull();
    limiter.closed("b");
    now.addAndGet(100_000_000L);
    assertThat(limiter.opened("a")).as("a tenth of a second gives one back").isNull();
    limiter.closed("a");
    assertThat(limiter.opened("a")).isEqualTo(Refusal.TOO_FAST_FROM_ADDRESS);
    limiter.closed("a");
  }

  @Test
  void openCountsGoBackToZeroAndIdleAddressesAreForgotten() {
    ConnectionLimiter limiter = limiter(2, 1, 100);
    assertThat(limiter.opened("a")).isNull();
    assertThat(limiter.opened("a")).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
    assertThat(limiter.opened("b")).isEqualTo(Refusal.TOO_MANY_CONNECTIONS);
    limiter.closed("a");
    limiter.closed("a");
    limiter.closed("b");
    assertThat(limiter.open()).isZero();
    assertThat(limiter.open("a")).isZero();
    now.addAndGet(1_000_000_000L);
    limiter.sweep();
    assertThat(limiter.addressesTracked()).isZero();
  }

  @Test
  void zeroTurnsEachLimitOff() {
    ConnectionLimiter limiter = limiter(0, 0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.opened("a")).isNull();
    }
    assertThat(limiter.open("a")).isEqualTo(10_000);
  }
}
