package io.pomelo.sidecar.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address to listen on.
 *
 * @param host interface to bind; {@code 0.0.0.0} for every IPv4 interface, {@code ::} for every interface
 * @param port TCP port; 0 picks a free one (tests)
 */
public record ListenerConfig(String host, int port) {

  /** The public listener's default ({@code listen:}): every IPv4 interface, port 443. */
  public static ListenerConfig publicDefault() {
    return new ListenerConfig("0.0.0.0", 443);
  }

  /**
   * Whether every address {@code host} resolves to is a loopback one: the admin listener may be open without a token
   * only then. Judged by the addresses, not the spelling, so {@code 127.corp.example} is whatever DNS says it is. An
   * IPv4-mapped {@code ::ffff:127.0.0.1} counts too, because Java resolves it to the IPv4 address itself. A literal
   * costs no lookup; a name asks the system resolver (/etc/hosts, then DNS).
   *
   * @throws UnknownHostException when the name does not resolve
   */
  public boolean resolvesToLoopback() throws UnknownHostException {
    for (InetAddress address : InetAddress.getAllByName(host)) {
      if (!address.isLoopbackAddress()) {
        return false;
      }
    }
    return true;
  }
}
