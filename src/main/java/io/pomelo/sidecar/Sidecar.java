package io.pomelo.sidecar;

import io.pomelo.sidecar.admin.AdminListener;
import io.pomelo.sidecar.admin.SidecarMeters;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.backend.HealthChecks;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.proxy.ConnectionLimiter;
import io.pomelo.sidecar.proxy.PublicListener;
import io.pomelo.sidecar.proxy.Refusals;
import io.pomelo.sidecar.proxy.SidecarClose;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.RouteDiff;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.tls.BackendTrust;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.ServerTls;
import io.pomelo.sidecar.watch.DirectoryWatcher;
import io.pomelo.sidecar.watch.ReloadRequests;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A running sidecar: the route table, the public listener on every event loop, the admin listener, and the
 * reloads that keep them current. {@link #start} reads and checks everything before it binds anything, so a bad
 * file at start-up binds nothing. A reload builds and checks the new state completely, then switches it in one
 * step; a bad part keeps its last good state and the error stays visible in the admin API.
 */
public final class Sidecar {

  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

  private final Vertx vertx;
  /** Reloads, swaps and the stop run here, one at a time. */
  private final Context control;
  private final Supplier<Future<SidecarConfig>> configSource;
  private final Map<String, String> env;
  private final ActiveRoutes routes = new ActiveRoutes();
  private final Tunnels tunnels = new Tunnels();
  /** Counts and health beside the table; survives every reload. */
  private final LiveState live;
  private final HealthChecks healthChecks;
  private final SidecarMeters meters;
  private final Refusals refusals = new Refusals();
  private final ConnectionLimiter limiter;
  private final List<PublicListener> listeners = new CopyOnWriteArrayList<>();
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> reloadStarted = new CopyOnWriteArrayList<>();
  private final List<Consumer<ReloadOutcome>> reloadFinished = new CopyOnWriteArrayList<>();
  private final ReloadRequests<ReloadOutcome> requests;
  private final Instant startedAt = Instant.now();
  private volatile SidecarConfig config;
  private volatile List<LoadedCertificate> certificates = List.of();
  private volatile String environment = "";
  private volatile ReloadOutcome lastReload;
  private volatile boolean stopping;
  /** True once the public listener is bound on every event loop. */
  private volatile boolean bound;
  private AdminListener admin;
  private DirectoryWatcher watcher;

  private Sidecar(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                  Map<String, String> env, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.control = vertx.getOrCreateContext();
    this.config = config;
    this.limiter = new ConnectionLimiter(config.limits());
    this.configSource = configSource;
    this.env = env;
    this.requests = new ReloadRequests<>(control, this::reload);
    this.live = new LiveState(config.health().enabled());
    this.healthChecks = new HealthChecks(vertx, live, config.health(),
      new BackendTrust(config.proxy().backendTls()));
    if (config.proxy().backendTls().insecure()) {
      // Said at every start: proxy.* needs a restart, so no reload can switch it on unseen.
      LOG.warn("proxy.backendTls.insecure is true: backends reached over TLS are NOT verified (neither chain nor name);"
        + " use it only for self-signed certificates on loopback");
    }
    this.meters = new SidecarMeters(registry, this);
  }

  /** Starts with a fixed configuration: explicit reloads read servers.json and the certificates again. */
  public static Future<Sidecar> start(Vertx vertx, SidecarConfig config) {
    return start(vertx, config, null, System.getenv());
  }

  /**
   * @param configSource reads the configuration file again on an explicit reload (SIGHUP, admin API); null keeps
   *                     {@code config}
   */
  public static Future<Sidecar> start(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                                      Map<String, String> env) {
    return prepare(vertx, config, configSource, env, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
  }

  /**
   * A sidecar that has read and bound nothing yet, so that its admin API can be watched through the whole start
   * ({@code /readyz} answers 503 until {@link #start()} has loaded the table and bound the public listener).
   *
   * @param registry where the sidecar's series go; the one Vert.x's own metrics use, when it was built with them
   */
  public static Sidecar prepare(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                                Map<String, String> env, PrometheusMeterRegistry registry) {
    return new Sidecar(vertx, config, configSource, env, registry);
  }

  /** Reads everything, then binds the public listener and the admin API; fails without binding on a bad file. */
  public Future<Sidecar> start() {
    Promise<Sidecar> started = Promise.promise();
    control.runOnContext(v -> begin().onComplete(started));
    return started.future();
  }

  private Future<Sidecar> begin() {
    return vertx.executeBlocking(() -> {
      // Here, not on the event loop: the rule resolves admin.host.
      java.util.Optional<ConfigProblem> openAdmin = config.admin().problem(config.file().toString());
      if (openAdmin.isPresent()) {
        throw new ConfigException(openAdmin.get());
      }
      return LoadedFiles.read(config, env).orThrow();
    }, false).compose(files -> {
      warn(files);
      RouteTable table = files.plan().table();
      live.follow(table);
      routes.install(table, files.servers().sha256(), Instant.now());
      environment = files.servers().environment();
      certificates = files.certificates();
      admin = new AdminListener(config.admin(), this);
      int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
      return vertx.deployVerticle(() -> {
          PublicListener listener = new PublicListener(config, ServerTls.options(certificates), routes, tunnels,
            live, limiter, refusals);
          listeners.add(listener);
          return listener;
        }, new DeploymentOptions().setInstances(instances).setThreadingModel(ThreadingModel.EVENT_LOOP))
        .compose(id -> {
          deployments.add(id);
          bound = true;
          return vertx.deployVerticle(admin);
        })
        .map(id -> {
          deployments.add(id);
          healthChecks.start();
          lastReload = new ReloadOutcome("start", Instant.now(), routes.snapshot().generation(), ReloadOutcome.OK,
            List.of(), RouteDiff.between(RouteTable.empty(), table), true, List.of());
          watch();
          RouteAnnouncement.log(config, routes.current(), certificates, publicPort(), adminPort(),
            vertx.isNativeTransportEnabled());
          return this;
        })
        .recover(e -> stop(Duration.ZERO).transform(ignored -> Future.failedFuture(e)));
    });
  }

  // ---- reload ------------------------------------------------------------------------------------------------

  /**
   * Asks for a reload; concurrent requests are coalesced. {@code full} also reads the configuration file again
   * (SIGHUP, admin API); file watching reads only servers.json and the certificates.
   */
  public Future<ReloadOutcome> requestReload(String trigger, boolean full) {
    return requests.request(trigger, full);
  }

  /** Called with the trigger when a reload begins (systemd's RELOADING=1). */
  public void onReloadStarted(Consumer<String> listener) {
    reloadStarted.add(listener);
  }

  /** Called with the outcome of every reload (systemd's READY=1, logs). */
  public void onReloadFinished(Consumer<ReloadOutcome> listener) {
    reloadFinished.add(listener);
  }

  private Future<ReloadOutcome> reload(String trigger, boolean full) {
    if (stopping) {
      return Future.failedFuture("the sidecar is stopping");
    }
    reloadStarted.forEach(l -> l.accept(trigger));
    Future<SidecarConfig> next = full && configSource != null ? configSource.get() : Future.succeededFuture(config);
    return next.transform(read -> {
      List<String> errors = new ArrayList<>();
      List<String> needsRestart = List.of();
      SidecarConfig effective = config;
      if (read.failed()) {
        errors.addAll(problemsOf(read.cause()));
      } else {
        needsRestart = config.restartOnlyChanges(read.result());
        effective = config.withReloadable(read.result());
      }
      SidecarConfig candidate = effective;
      return vertx.executeBlocking(() -> LoadedFiles.read(candidate, env), false)
        .compose(files -> apply(trigger, candidate, files, errors, read.succeeded() ? read.result() : null));
    }).map(outcome -> {
      lastReload = outcome;
      if (outcome.result().equals(ReloadOutcome.ERROR)) {
        LOG.error("{}; keeping the last good state:\n  {}", outcome.summary(), String.join("\n  ", outcome.errors()));
      } else if (outcome.result().equals(ReloadOutcome.UNCHANGED)) {
        LOG.debug("{}", outcome.summary());
      } else {
        LOG.info("{}", outcome.summary());
      }
      reloadFinished.forEach(l -> l.accept(outcome));
      return outcome;
    });
  }

  /** Switches in every part that read well; runs on the control context. */
  private Future<ReloadOutcome> apply(String trigger, SidecarConfig candidate, LoadedFiles files, List<String> errors,
                              SidecarConfig readConfig) {
    for (ConfigProblem p : files.problems()) {
      errors.add(p.toString());
    }
    warn(files);
    if (readConfig != null) {
      // Each part of the new configuration is adopted with the files it describes, or not at all.
      SidecarConfig adopted = config.withReload(candidate.reload());
      if (files.plan() != null) {
        adopted = adopted.withPomelo(candidate.pomelo()).withRoutes(candidate.routes());
      }
      if (files.certificates() != null) {
        adopted = adopted.withTls(candidate.tls());
      }
      config = adopted;
    }
    RouteDiff diff = RouteDiff.NONE;
    if (files.plan() != null) {
      RouteTable after = files.plan().table();
      diff = RouteDiff.between(routes.current(), after);
      if (diff.isEmpty()) {
        routes.touch(files.servers().sha256());
      } else {
        live.follow(after);
        routes.install(after, files.servers().sha256(), Instant.now());
        environment = files.servers().environment();
        afterRemoval(diff.removed());
        // New servers are tried at once (unknown counts as healthy); a check now tells sooner if they are down.
        healthChecks.checkAll();
      }
    }
    RouteDiff installed = diff;
    Future<Boolean> tls = Future.succeededFuture(false);
    if (files.certificates() != null && !sameCertificates(certificates, files.certificates())) {
      tls = updateTls(files.certificates());
    }
    if (readConfig != null) {
      watch();
    }
    return tls.transform(updated -> {
      if (updated.failed()) {
        errors.add("the new certificates could not be put in use: " + updated.cause().getMessage());
      }
      boolean newCertificates = updated.succeeded() && updated.result();
      List<String> needsRestart = readConfig == null ? List.of() : config.restartOnlyChanges(readConfig);
      String result = !errors.isEmpty() ? ReloadOutcome.ERROR
        : installed.isEmpty() && !newCertificates ? ReloadOutcome.UNCHANGED : ReloadOutcome.OK;
      return Future.succeededFuture(new ReloadOutcome(trigger, Instant.now(), routes.snapshot().generation(), result,
        errors, installed, newCertificates, needsRestart));
    });
  }

  /**
   * Puts new certificates in use on every event loop's listener, for new handshakes; open connections keep their
   * sessions. {@code force} in Vert.x makes it reload even when the options look alike (same paths, new bytes).
   */
  private Future<Boolean> updateTls(List<LoadedCertificate> next) {
    List<Future<Boolean>> updates = new ArrayList<>();
    for (PublicListener listener : listeners) {
      updates.add(listener.updateTls(ServerTls.options(next)));
    }
    return Future.all(updates).map(all -> {
      certificates = next;
      return true;
    });
  }

  /** Applies the removed-routes policy: drain leaves them be; close-after ends them after the grace period. */
  private void afterRemoval(List<String> removed) {
    if (removed.isEmpty()) {
      return;
    }
    Set<String> paths = Set.copyOf(removed);
    ReloadConfig policy = config.reload();
    int open = tunnels.countOnRoutes(paths);
    if (policy.removedRoutes() == ReloadConfig.RemovedRoutes.DRAIN || open == 0) {
      if (open > 0) {
        LOG.info("{} open connections on removed routes {} stay until they close (reload.removedRoutes: drain)",
          open, removed);
      }
      return;
    }
    LOG.info("{} open connections on removed routes {} will be closed with 1012 in {}", open, removed,
      policy.closeAfter());
    vertx.setTimer(Math.max(1, policy.closeAfter().toMillis()), id -> control.runOnContext(v -> {
      // A route added back in the meantime keeps its connections.
      Set<String> stillGone = paths.stream().filter(p -> routes.current().byPath(p) == null)
        .collect(Collectors.toSet());
      int closed = tunnels.closeRoutes(stillGone, SidecarClose.ROUTE_REMOVED);
      if (closed > 0) {
        LOG.info("closed {} connections on removed routes {} with 1012", closed, stillGone);
      }
    }));
  }

  private void watch() {
    if (!config.reload().watch()) {
      return;
    }
    Set<Path> files = new LinkedHashSet<>();
    Set<Path> optional = new LinkedHashSet<>();
    Path servers = config.pomelo().serversFile();
    files.add(servers);
    // The environment-directory layout: config/<env>/servers.json, read when config/servers.json is absent.
    Path parent = servers.toAbsolutePath().getParent();
    if (parent != null && !environment.isEmpty()) {
      Path byEnvironment = parent.resolve(environment).resolve(servers.getFileName());
      files.add(byEnvironment);
      optional.add(byEnvironment);
    }
    for (CertificateConfig c : config.tls().certificates()) {
      if (c.isPem()) {
        files.add(c.certFile());
        files.add(c.keyFile());
      } else {
        files.add(c.keystore());
      }
    }
    try {
      if (watcher == null) {
        watcher = new DirectoryWatcher(() -> requestReload("files changed", false));
      }
      watcher.watch(files, optional);
    } catch (IOException e) {
      LOG.warn("cannot watch files ({}); reload with SIGHUP or POST /api/reload", e.toString());
    }
  }

  private static boolean sameCertificates(List<LoadedCertificate> a, List<LoadedCertificate> b) {
    if (a.size() != b.size()) {
      return false;
    }
    try {
      for (int i = 0; i < a.size(); i++) {
        if (!a.get(i).chain().equals(b.get(i).chain())
          || !Arrays.equals(a.get(i).key().getEncoded(), b.get(i).key().getEncoded())
          || !Arrays.equals(a.get(i).leaf().getEncoded(), b.get(i).leaf().getEncoded())) {
          return false;
        }
      }
    } catch (CertificateEncodingException e) {
      return false;
    }
    return true;
  }

  private static List<String> problemsOf(Throwable cause) {
    if (cause instanceof ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    return List.of(String.valueOf(cause.getMessage()));
  }

  private static void warn(LoadedFiles files) {
    files.warnings().forEach(w -> LOG.warn("{}", w));
  }

  // ---- stop --------------------------------------------------------------------------------------------------

  /**
   * Stops gracefully: the public listener stops accepting at once, open WebSockets get {@code drain} to end by
   * themselves, the rest are closed with WebSocket close code 1001 (going away), and then everything is released.
   */
  public Future<Void> stop(Duration drain) {
    Promise<Void> done = Promise.promise();
    control.runOnContext(v -> {
      stopping = true;
      healthChecks.stop();
      if (watcher != null) {
        try {
          watcher.close();
        } catch (IOException e) {
          // stopping anyway
        }
      }
      // Its future ends only when every connection has, so the drain runs beside it rather than after it.
      listeners.forEach(l -> l.stopAccepting(drain.plusSeconds(5)));
      waitForTunnels(drain)
        .compose(ignored -> {
          if (tunnels.size() > 0) {
            LOG.info("closing {} open connections with 1001 (going away)", tunnels.size());
            tunnels.closeAll(SidecarClose.STOPPING);
            return waitForTunnels(Duration.ofSeconds(2));
          }
          return Future.succeededFuture();
        })
        .transform(ignored -> {
          tunnels.abortAll();
          return Future.join(deployments.stream().map(vertx::undeploy).toList());
        })
        .<Void>mapEmpty()
        .onComplete(done);
    });
    return done.future();
  }

  /** Completes when no tunnel is open, or when {@code limit} has passed. */
  private Future<Void> waitForTunnels(Duration limit) {
    Promise<Void> promise = Promise.promise();
    long deadline = System.nanoTime() + limit.toNanos();
    vertx.setPeriodic(0, 50, id -> {
      if (tunnels.size() == 0 || System.nanoTime() >= deadline) {
        vertx.cancelTimer(id);
        promise.tryComplete();
      }
    });
    return promise.future();
  }

  // ---- what the admin API and the command line read ----------------------------------------------------------

  /** The bound public port; 0 before the listener is bound. */
  public int publicPort() {
    return bound ? listeners.get(0).actualPort() : 0;
  }

  /** The bound admin port; 0 before the admin listener is bound. */
  public int adminPort() {
    return admin == null ? 0 : admin.actualPort();
  }

  /** Counts per route and health per server, kept across reloads. */
  public LiveState live() {
    return live;
  }

  public SidecarMeters meters() {
    return meters;
  }

  public RouteTable routes() {
    return routes.current();
  }

  public ActiveRoutes.Snapshot routeSnapshot() {
    return routes.snapshot();
  }

  public Tunnels tunnels() {
    return tunnels;
  }

  public SidecarConfig config() {
    return config;
  }

  /** Every client the public port turned away, by reason: for metrics. */
  public Refusals refusals() {
    return refusals;
  }

  /** Open connections on the public port, in total and per client address. */
  public ConnectionLimiter connections() {
    return limiter;
  }

  public String environment() {
    return environment;
  }

  public List<LoadedCertificate> certificates() {
    return certificates;
  }

  public ReloadOutcome lastReload() {
    return lastReload;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** True once the table is loaded and the public listener is bound, until the stop begins. */
  public boolean ready() {
    return !stopping && bound && routes.snapshot().generation() > 0;
  }
}
