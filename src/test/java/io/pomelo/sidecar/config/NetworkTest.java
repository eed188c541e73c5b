package io.pomelo.sidecar.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkTest {

  private static boolean contains(String cidr, String address) throws Exception {
    return Network.parse(cidr).contains(InetAddress.getByName(address));
  }

  @Test
  void matchesByPrefixInEitherFamily() throws Exception {
    assertThat(contains("10.0.0.0/8", "10.255.1.2")).isTrue();
    assertThat(contains("10.0.0.0/8", "11.0.0.1")).isFalse();
    assertThat(contains("192.0.2.7", "192.0.2.7")).isTrue();
    assertThat(contains("192.0.2.7", "192.0.2.8")).isFalse();
    assertThat(contains("0.0.0.0/0", "203.0.113.1")).isTrue();
    assertThat(contains("2001:db8::/32", "2001:db8:ffff::1")).isTrue();
    assertThat(contains("2001:db8::/32", "2001:db9::1")).isFalse();
    assertThat(contains("10.0.0.0/8", "2001:db8::1")).isFalse();
  }

  @Test
  void anIpv4MappedAddressMatchesItsIpv4Network() throws Exception {
    assertThat(Network.parse("10.0.0.0/8").contains(InetAddress.getByAddress(
      new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3}))).isTrue();
  }
}
