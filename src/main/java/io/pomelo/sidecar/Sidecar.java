package io.pomelo.sidecar;

import io.pomelo.sidecar.admin.AdminListener;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.pomelo.PomeloEnvironment;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.pomelo.ServersFileReader;
import io.pomelo.sidecar.proxy.PublicListener;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RoutePlanner;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.tls.CertificateLoader;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.ServerTls;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.CertificateParsingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A running sidecar: the route table, the public listener on every event loop, and the admin listener.
 * {@link #start} reads and checks everything before it binds anything, so a bad file at start-up binds nothing.
 */
public final class Sidecar {

  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

  private final Vertx vertx;
  private final SidecarConfig config;
  private final ActiveRoutes routes;
  private final Tunnels tunnels;
  private final List<PublicListener> listeners;
  private final AdminListener admin;
  private final List<String> deployments;

  private Sidecar(Vertx vertx, SidecarConfig config, ActiveRoutes routes, Tunnels tunnels,
                  List<PublicListener> listeners, AdminListener admin, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.routes = routes;
    this.tunnels = tunnels;
    this.listeners = listeners;
    this.admin = admin;
    this.deployments = deployments;
  }

  /** What start-up reads from disk, all checked before anything listens. */
  private record Loaded(ServersFile servers, RoutePlan plan, List<LoadedCertificate> certificates) {
  }

  public static Future<Sidecar> start(Vertx vertx, SidecarConfig config) {
    return vertx.executeBlocking(() -> load(config), false).compose(loaded -> {
      for (String warning : loaded.servers().warnings()) {
        LOG.warn("{}: {}", loaded.servers().path(), warning);
      }
      for (String warning : loaded.plan().warnings()) {
        LOG.warn("{}", warning);
      }
      ActiveRoutes routes = new ActiveRoutes();
      routes.swap(loaded.plan().table());
      Tunnels tunnels = new Tunnels();
      ServerSSLOptions tls = ServerTls.options(loaded.certificates());
      List<PublicListener> listeners = new CopyOnWriteArrayList<>();
      List<String> deployments = new ArrayList<>();
      AdminListener admin = new AdminListener(config.admin().listener(), routes);
      int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
      return vertx.deployVerticle(() -> {
          PublicListener listener = new PublicListener(config, tls, routes, tunnels);
          listeners.add(listener);
          return listener;
        }, new DeploymentOptions().setInstances(instances).setThreadingModel(ThreadingModel.EVENT_LOOP))
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(admin);
        })
        .map(id -> {
          deployments.add(id);
          Sidecar sidecar = new Sidecar(vertx, config, routes, tunnels, listeners, admin, deployments);
          sidecar.logRoutes(loaded.certificates());
          return sidecar;
        })
        .recover(e -> {
          for (String id : deployments) {
            vertx.undeploy(id);
          }
          return Future.failedFuture(e);
        });
    });
  }

  private static Loaded load(SidecarConfig config) throws ConfigException {
    List<ConfigProblem> problems = new ArrayList<>();
    List<LoadedCertificate> certificates = List.of();
    if (config.tls().certificates().isEmpty()) {
      problems.add(new ConfigProblem(config.file().toString(), "tls.certificates", null,
        "at least one certificate is needed (or start with run --dev for a self-signed one)"));
    } else {
      try {
        certificates = CertificateLoader.loadAll(config.tls().certificates(), Instant.now());
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    ServersFile servers = null;
    RoutePlan plan = null;
    try {
      servers = ServersFileReader.read(config.pomelo().serversFile(),
        PomeloEnvironment.resolve(config.pomelo().environment(), System.getenv()));
      plan = new RoutePlanner(config.routes(), config.file().toString()).plan(servers);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Loaded(servers, plan, certificates);
  }

  /** Stops listening and closes every tunnel. */
  public Future<Void> stop() {
    tunnels.closeAll();
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : deployments) {
      undeployed.add(vertx.undeploy(id));
    }
    return Future.join(undeployed).mapEmpty();
  }

  public int publicPort() {
    return listeners.get(0).actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  public RouteTable routes() {
    return routes.current();
  }

  public Tunnels tunnels() {
    return tunnels;
  }

  public SidecarConfig config() {
    return config;
  }

  private void logRoutes(List<LoadedCertificate> certificates) {
    String base = "wss://" + publicName(certificates) + (publicPort() == 443 ? "" : ":" + publicPort());
    LOG.info("listening on {}:{} (TLS: {}, {}), admin API on http://{}:{}", config.listen().host(), publicPort(),
      ServerTls.engineName(), vertx.isNativeTransportEnabled() ? "epoll" : "NIO",
      config.admin().listener().host(), adminPort());
    for (Route route : routes.current().routes()) {
      LOG.info("{}{} -> {}", base, route.path(), describe(route.targets()));
    }
    if (routes.current().routes().isEmpty()) {
      LOG.warn("no routes: {} has no frontend server with a clientPort", config.pomelo().serversFile());
    }
  }

  /** The name clients use: the listen host when it is specific, else the first certificate's first DNS name. */
  private String publicName(List<LoadedCertificate> certificates) {
    String host = config.listen().host();
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isEmpty()) {
      return host.equals("127.0.0.1") || host.equals("::1") ? "localhost" : host;
    }
    try {
      Collection<List<?>> names = certificates.get(0).leaf().getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(2).equals(name.get(0))) {
            return String.valueOf(name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // fall through to the plain address
    }
    return "localhost";
  }

  static String describe(List<Target> targets) {
    return targets.stream().map(t -> t.address() + " (" + t.serverId() + ")").collect(Collectors.joining(", "));
  }
}
