package io.pomelo.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Whose word the public port takes for the client's address ({@code clients:}), as nginx's realip module does with
 * {@code listen ... proxy_protocol}, {@code set_real_ip_from} and {@code real_ip_header X-Forwarded-For}.
 *
 * @param proxyTrustedSources default empty, which turns PROXY protocol off: the networks (CIDRs, or single
 *                            addresses) of the L4 balancers in front; with any set, every connection must start with a
 *                            PROXY protocol v1 or v2 header, and a header is believed only from these networks
 *                            ({@code clients.proxyProtocol.trustedSources})
 * @param proxyHeaderTimeout  default 5s: how long a connection may stay silent before its PROXY header is complete
 *                            ({@code clients.proxyProtocol.headerTimeout})
 * @param trustedForwarders   default empty: the networks of L7 proxies or CDNs whose {@code X-Forwarded-For} is
 *                            believed; the client is its rightmost entry outside these networks, and the sidecar
 *                            appends to the header instead of replacing it
 */
public record ClientsConfig(List<String> proxyTrustedSources, Duration proxyHeaderTimeout,
                            List<String> trustedForwarders) {

  public ClientsConfig {
    proxyTrustedSources = List.copyOf(proxyTrustedSources);
    trustedForwarders = List.copyOf(trustedForwarders);
  }

  public static ClientsConfig defaults() {
    return new ClientsConfig(List.of(), Duration.ofSeconds(5), List.of());
  }

  /** True when connections must carry a PROXY protocol header. */
  public boolean proxyProtocol() {
    return !proxyTrustedSources.isEmpty();
  }

  public ClientsConfig withProxyProtocol(List<String> trustedSources) {
    return new ClientsConfig(trustedSources, proxyHeaderTimeout, trustedForwarders);
  }

  public ClientsConfig withTrustedForwarders(List<String> networks) {
    return new ClientsConfig(proxyTrustedSources, proxyHeaderTimeout, networks);
  }
}
