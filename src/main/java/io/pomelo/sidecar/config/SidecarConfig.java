package io.pomelo.sidecar.config;

import java.nio.file.Path;

/**
 * The whole sidecar configuration, as read from sidecar.yaml with environment and system property overrides.
 *
 * @param file     the file it was read from, for messages
 * @param listen   the public TLS listener ({@code listen:}), default 0.0.0.0:443
 * @param tls      the certificates
 * @param pomelo   where Pomelo's servers.json is
 * @param routes   how servers become paths
 * @param proxy    timeouts towards Pomelo
 * @param admin    the admin API listener
 * @param stateDir default: {@code $STATE_DIRECTORY} (systemd), else {@code ~/.local/state/pomelo-sidecar}; holds
 *                 the development certificate
 */
public record SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                            ProxyConfig proxy, AdminConfig admin, Path stateDir) {

  public SidecarConfig withListen(ListenerConfig value) {
    return new SidecarConfig(file, value, tls, pomelo, routes, proxy, admin, stateDir);
  }

  public SidecarConfig withTls(TlsConfig value) {
    return new SidecarConfig(file, listen, value, pomelo, routes, proxy, admin, stateDir);
  }

  public SidecarConfig withPomelo(PomeloConfig value) {
    return new SidecarConfig(file, listen, tls, value, routes, proxy, admin, stateDir);
  }

  public SidecarConfig withAdmin(AdminConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, value, stateDir);
  }
}
