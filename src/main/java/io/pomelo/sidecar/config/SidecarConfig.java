package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole sidecar configuration, as read from sidecar.yaml with environment and system property overrides.
 *
 * @param file      the file it was read from, for messages
 * @param listen    the public TLS listener ({@code listen:}), default 0.0.0.0:443
 * @param tls       the certificates
 * @param pomelo    where Pomelo's servers.json is
 * @param routes    how servers become paths
 * @param proxy     timeouts towards Pomelo
 * @param admin     the admin API listener
 * @param reload    what reloads do: watching, and the policy for removed routes
 * @param shutdown  how SIGTERM drains open connections
 * @param stateDir  default: {@code $STATE_DIRECTORY} (systemd), else {@code ~/.local/state/pomelo-sidecar}; holds
 *                  the development certificate
 * @param health    health checks of the Pomelo servers
 * @param accessLog the one line per WebSocket upgrade
 * @param limits    what the public port tolerates from clients: sizes, timeouts, connection counts
 * @param wechat    the optional WeChat mini-program allow-list
 */
public record SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                            ProxyConfig proxy, AdminConfig admin, ReloadConfig reload,
                            ShutdownConfig shutdown, Path stateDir, HealthConfig health, AccessLogConfig accessLog,
                            LimitsConfig limits, WeChatConfig wechat) {

  /** With the default health checks, access log and limits, and no WeChat allow-list. */
  public SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                       ProxyConfig proxy, AdminConfig admin, ReloadConfig reload, ShutdownConfig shutdown,
                       Path stateDir) {
    this(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, HealthConfig.defaults(),
      AccessLogConfig.defaults(), LimitsConfig.defaults(), WeChatConfig.defaults());
  }

  public SidecarConfig withListen(ListenerConfig value) {
    return new SidecarConfig(file, value, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withTls(TlsConfig value) {
    return new SidecarConfig(file, listen, value, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withPomelo(PomeloConfig value) {
    return new SidecarConfig(file, listen, tls, value, routes, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withRoutes(RoutesConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, value, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withReload(ReloadConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, value, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withProxy(ProxyConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, value, admin, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withAdmin(AdminConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, value, reload, shutdown, stateDir, health,
      accessLog, limits, wechat);
  }

  public SidecarConfig withHealth(HealthConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, value,
      accessLog, limits, wechat);
  }

  public SidecarConfig withAccessLog(AccessLogConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
      value, limits, wechat);
  }

  public SidecarConfig withLimits(LimitsConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, value, wechat);
  }

  public SidecarConfig withWeChat(WeChatConfig value) {
    return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
      accessLog, limits, value);
  }

  /** This configuration with the parts a reload may change taken from {@code next}. */
  public SidecarConfig withReloadable(SidecarConfig next) {
    return new SidecarConfig(file, listen, next.tls, next.pomelo, next.routes, proxy, admin, next.reload, shutdown,
      stateDir, health, accessLog, limits, wechat);
  }

  /** The keys whose change {@link #withReloadable} ignores: a restart applies them. */
  public List<String> restartOnlyChanges(SidecarConfig next) {
    List<String> keys = new ArrayList<>();
    if (!listen.equals(next.listen)) {
      keys.add("listen");
    }
    if (!admin.equals(next.admin)) {
      keys.add("admin");
    }
    if (!proxy.equals(next.proxy)) {
      keys.add("proxy");
    }
    if (!shutdown.equals(next.shutdown)) {
      keys.add("shutdown");
    }
    if (!stateDir.equals(next.stateDir)) {
      keys.add("state");
    }
    if (!health.equals(next.health)) {
      keys.add("health");
    }
    if (!accessLog.equals(next.accessLog)) {
      keys.add("accessLog");
    }
    if (!limits.equals(next.limits)) {
      keys.add("limits");
    }
    if (!wechat.equals(next.wechat)) {
      keys.add("wechat");
    }
    return keys;
  }
}
