package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 * @param clients   whose word is taken for the client's address: PROXY protocol sources, trusted forwarders
 * @param master    following the Pomelo master's admin console for servers added and stopped at run time
 */
public record SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                            ProxyConfig proxy, AdminConfig admin, ReloadConfig reload,
                            ShutdownConfig shutdown, Path stateDir, HealthConfig health, AccessLogConfig accessLog,
                            LimitsConfig limits, WeChatConfig wechat, MasterConfig master, ClientsConfig clients) {

  /** Every connection's own peer is its client (no PROXY protocol, no trusted forwarders). */
  public SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                       ProxyConfig proxy, AdminConfig admin, ReloadConfig reload, ShutdownConfig shutdown,
                       Path stateDir, HealthConfig health, AccessLogConfig accessLog, LimitsConfig limits,
                       WeChatConfig wechat, MasterConfig master) {
    this(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health, accessLog, limits, wechat,
      master, ClientsConfig.defaults());
  }

  /** Without following the master: what a configuration built in code (tests, tools) means unless it says so. */
  public SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                       ProxyConfig proxy, AdminConfig admin, ReloadConfig reload, ShutdownConfig shutdown,
                       Path stateDir, HealthConfig health, AccessLogConfig accessLog, LimitsConfig limits,
                       WeChatConfig wechat) {
    this(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health, accessLog, limits, wechat,
      MasterConfig.defaults().withFollow(MasterConfig.Follow.FALSE));
  }

  /** With the default health checks, access log and limits, and no WeChat allow-list. */
  public SidecarConfig(Path file, ListenerConfig listen, TlsConfig tls, PomeloConfig pomelo, RoutesConfig routes,
                       ProxyConfig proxy, AdminConfig admin, ReloadConfig reload, ShutdownConfig shutdown,
                       Path stateDir) {
    this(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, HealthConfig.defaults(),
      AccessLogConfig.defaults(), LimitsConfig.defaults(), WeChatConfig.defaults());
  }

  public SidecarConfig withListen(ListenerConfig value) {
    return toBuilder().listen(value).build();
  }

  public SidecarConfig withTls(TlsConfig value) {
    return toBuilder().tls(value).build();
  }

  public SidecarConfig withPomelo(PomeloConfig value) {
    return toBuilder().pomelo(value).build();
  }

  public SidecarConfig withRoutes(RoutesConfig value) {
    return toBuilder().routes(value).build();
  }

  public SidecarConfig withReload(ReloadConfig value) {
    return toBuilder().reload(value).build();
  }

  public SidecarConfig withProxy(ProxyConfig value) {
    return toBuilder().proxy(value).build();
  }

  public SidecarConfig withAdmin(AdminConfig value) {
    return toBuilder().admin(value).build();
  }

  public SidecarConfig withShutdown(ShutdownConfig value) {
    return toBuilder().shutdown(value).build();
  }

  public SidecarConfig withHealth(HealthConfig value) {
    return toBuilder().health(value).build();
  }

  public SidecarConfig withAccessLog(AccessLogConfig value) {
    return toBuilder().accessLog(value).build();
  }

  public SidecarConfig withLimits(LimitsConfig value) {
    return toBuilder().limits(value).build();
  }

  public SidecarConfig withWeChat(WeChatConfig value) {
    return toBuilder().wechat(value).build();
  }

  public SidecarConfig withMaster(MasterConfig value) {
    return toBuilder().master(value).build();
  }

  public SidecarConfig withClients(ClientsConfig value) {
    return toBuilder().clients(value).build();
  }

  /** This configuration with the sections in {@code sections} taken from {@code next}. */
  public SidecarConfig adopt(SidecarConfig next, Set<ConfigSection> sections) {
    Builder builder = toBuilder();
    sections.forEach(section -> section.copy(next, builder));
    return builder.build();
  }

  /** This configuration with the parts a reload may change taken from {@code next}. */
  public SidecarConfig withReloadable(SidecarConfig next) {
    SidecarConfig adopted = adopt(next, ConfigSection.live());
    // tls.acme is read at start (its orders run from then), and tls.groups too (each event loop's TLS context is
    // built with them): a reload keeps the running ones.
    return adopted.withTls(new TlsConfig(adopted.tls().certificates(), adopted.tls().sessionTicketKeys(),
      tls().acme(), tls().groups()));
  }

  /** The sections whose change {@link #withReloadable} ignores, by their names in sidecar.yaml: a restart applies them. */
  public List<String> restartOnlyChanges(SidecarConfig next) {
    List<String> changed = new ArrayList<>(Arrays.stream(ConfigSection.values())
      .filter(s -> s.applies() == ConfigSection.Applies.RESTART && !Objects.equals(s.of(this), s.of(next)))
      .map(ConfigSection::yamlName)
      .toList());
    if (!Objects.equals(tls().acme(), next.tls().acme())) {
      changed.add("tls.acme");
    }
    if (!tls().groups().equals(next.tls().groups())) {
      changed.add("tls.groups");
    }
    return List.copyOf(changed);
  }

  Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes a few sections of a configuration; the one place besides the record header that lists them all. */
  static final class Builder {
    private Path file;
    private ListenerConfig listen;
    private TlsConfig tls;
    private PomeloConfig pomelo;
    private RoutesConfig routes;
    private ProxyConfig proxy;
    private AdminConfig admin;
    private ReloadConfig reload;
    private ShutdownConfig shutdown;
    private Path stateDir;
    private HealthConfig health;
    private AccessLogConfig accessLog;
    private LimitsConfig limits;
    private WeChatConfig wechat;
    private MasterConfig master;
    private ClientsConfig clients;

    private Builder(SidecarConfig config) {
      this.file = config.file;
      this.listen = config.listen;
      this.tls = config.tls;
      this.pomelo = config.pomelo;
      this.routes = config.routes;
      this.proxy = config.proxy;
      this.admin = config.admin;
      this.reload = config.reload;
      this.shutdown = config.shutdown;
      this.stateDir = config.stateDir;
      this.health = config.health;
      this.accessLog = config.accessLog;
      this.limits = config.limits;
      this.wechat = config.wechat;
      this.master = config.master;
      this.clients = config.clients;
    }

    Builder listen(ListenerConfig value) {
      this.listen = value;
      return this;
    }

    Builder tls(TlsConfig value) {
      this.tls = value;
      return this;
    }

    Builder pomelo(PomeloConfig value) {
      this.pomelo = value;
      return this;
    }

    Builder routes(RoutesConfig value) {
      this.routes = value;
      return this;
    }

    Builder proxy(ProxyConfig value) {
      this.proxy = value;
      return this;
    }

    Builder admin(AdminConfig value) {
      this.admin = value;
      return this;
    }

    Builder reload(ReloadConfig value) {
      this.reload = value;
      return this;
    }

    Builder shutdown(ShutdownConfig value) {
      this.shutdown = value;
      return this;
    }

    Builder stateDir(Path value) {
      this.stateDir = value;
      return this;
    }

    Builder health(HealthConfig value) {
      this.health = value;
      return this;
    }

    Builder accessLog(AccessLogConfig value) {
      this.accessLog = value;
      return this;
    }

    Builder limits(LimitsConfig value) {
      this.limits = value;
      return this;
    }

    Builder wechat(WeChatConfig value) {
      this.wechat = value;
      return this;
    }

    Builder master(MasterConfig value) {
      this.master = value;
      return this;
    }

    Builder clients(ClientsConfig value) {
      this.clients = value;
      return this;
    }

    SidecarConfig build() {
      return new SidecarConfig(file, listen, tls, pomelo, routes, proxy, admin, reload, shutdown, stateDir, health,
        accessLog, limits, wechat, master, clients);
    }
  }
}
