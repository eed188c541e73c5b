package io.pomelo.sidecar.config;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * A network written as a CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or a single address (its /32 or /128).
 * IP literals only: a name would make trust depend on DNS. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1})
 * is matched as the IPv4 address it maps, as a dual-stack socket reports IPv4 peers that way.
 */
public record Network(byte[] prefix, int bits) {

  /**
   * @throws IllegalArgumentException saying what is wrong with {@code cidr}
   */
  public static Network parse(String cidr) {
    int slash = cidr.indexOf('/');
    String literal = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] address = NetUtil.createByteArrayFromIpAddressString(literal);
    if (address == null) {
      throw new IllegalArgumentException("must be an IP address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32");
    }
    int max = address.length * 8;
    int bits = max;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("the prefix length must be a number from 0 to " + max);
      }
    }
    byte[] prefix = masked(address, bits);
    if (!Arrays.equals(prefix, address)) {
      throw new IllegalArgumentException("has bits set past its /" + bits + " prefix (did you mean "
        + NetUtil.bytesToIpAddress(prefix) + "/" + bits + "?)");
    }
    return new Network(prefix, bits);
  }

  /** The networks in {@code cidrs}; each must {@link #parse}. */
  public static List<Network> parseAll(List<String> cidrs) {
    return cidrs.stream().map(Network::parse).toList();
  }

  /** Whether {@code address} lies in any of {@code networks}. */
  public static boolean anyContains(List<Network> networks, InetAddress address) {
    for (Network network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 16 && prefix.length == 4 && isIpv4Mapped(bytes)) {
      bytes = Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes.length == prefix.length && Arrays.equals(masked(bytes, bits), prefix);
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static byte[] masked(byte[] address, int bits) {
    byte[] out = address.clone();
    for (int bit = bits; bit < out.length * 8; bit++) {
      out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Network n && n.bits == bits && Arrays.equals(n.prefix, prefix);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(prefix) + bits;
  }

  @Override
  public String toString() {
    return NetUtil.bytesToIpAddress(prefix) + "/" + bits;
  }
}
