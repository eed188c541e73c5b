package io.pomelo.sidecar.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key a client address is counted under by the per-address limits: an IPv4 address as it is, an IPv6 address by
 * its first {@code limits.ipv6Prefix} bits ({@code 2001:db8:1:2::/64}), because a provider hands one subscriber a
 * whole /64 and counting its single addresses would give one client millions of allowances. An IPv4-mapped IPv6
 * address counts as the IPv4 address.
 */
final class AddressBlock {

  private AddressBlock() {
  }

  /** {@code address} is an IP literal as the socket reports it; anything else is its own key. */
  static String of(String address, int ipv6Prefix) {
    if (address.indexOf(':') < 0 || ipv6Prefix >= 128) {
      return address;
    }
    int percent = address.indexOf('%');
    InetAddress parsed;
    try {
      // A literal with a colon is parsed, never looked up.
      parsed = InetAddress.getByName(percent < 0 ? address : address.substring(0, percent));
    } catch (UnknownHostException | SecurityException e) {
      return address;
    }
    if (!(parsed instanceof Inet6Address)) {
      return parsed.getHostAddress();
    }
    byte[] bytes = parsed.getAddress();
    for (int bit = ipv6Prefix; bit < 128; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + ipv6Prefix;
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
