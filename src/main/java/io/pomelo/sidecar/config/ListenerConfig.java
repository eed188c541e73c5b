package io.pomelo.sidecar.config;

/**
 * An address to listen on.
 *
 * @param host interface to bind; {@code 0.0.0.0} for every IPv4 interface, {@code ::} for every interface
 * @param port TCP port; 0 picks a free one (tests)
 */
public record ListenerConfig(String host, int port) {

  /** Loopback hosts: the admin listener may be open without a token only on these. */
  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
