package io.pomelo.sidecar.run;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.acme.HttpChallenges;
import io.pomelo.sidecar.acme.ManagedStatus;
import io.pomelo.sidecar.admin.AdminListener;
import io.pomelo.sidecar.admin.AdminView;
import io.pomelo.sidecar.admin.SidecarMeters;
import io.pomelo.sidecar.backend.HealthChecks;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.MasterDiscovery;
import io.pomelo.sidecar.proxy.ConnectionLimiter;
import io.pomelo.sidecar.proxy.Refusals;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.state.RunningState;
import io.pomelo.sidecar.systemd.ListenFds;
import io.pomelo.sidecar.tls.AlpnChallenges;
import io.pomelo.sidecar.tls.BackendTrust;
import io.pomelo.sidecar.tls.TicketKeyRing;
import io.pomelo.sidecar.watch.ReloadRequests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A running sidecar, wired: the running state behind one reference, the public listener on every event loop, the
 * admin listener, and the reloads that keep them current. {@link #start} reads and checks everything before it binds
 * anything, so a bad file at start-up binds nothing; a reload is {@link Reloader}'s, a stop is {@link Shutdown}'s.
 */
public final class Sidecar {

  private final Vertx vertx;
  /** Reloads, swaps and the stop run here, one at a time. */
  private final Context control;
  private final Map<String, String> env;
  private final AtomicReference<RunningState> state;
  private final Tunnels tunnels = new Tunnels();
  /** Counts and health beside the table; survives every reload. */
  private final LiveState live;
  private final HealthChecks healthChecks;
  private final Refusals refusals = new Refusals();
  /** The session ticket keys of every public TLS context; a reload rotates them in place. */
  private final TicketKeyRing ticketKeys = new TicketKeyRing();
  private final ConnectionLimiter limiter;
  private final SidecarMeters meters;
  private final FileWatch watch;
  private final Reloader reloader;
  private final ReloadRequests<ReloadOutcome> requests;
  private final InheritedListeners inherited;
  private volatile PublicListeners listeners;
  private volatile AdminListener admin;
  private volatile String adminDeployment;
  private volatile MasterLink master;
  /** The TLS-ALPN-01 answers the public port gives while a {@code tls.acme} order waits for the CA. */
  private final AlpnChallenges alpnChallenges = new AlpnChallenges();
  private final HttpChallenges httpChallenges = new HttpChallenges();
  private volatile CertificateOrdering ordering;
  private final Shutdown shutdown;

  private Sidecar(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                  Map<String, String> env, PrometheusMeterRegistry registry, InheritedListeners inherited) {
    this.vertx = vertx;
    this.inherited = inherited;
    this.control = vertx.getOrCreateContext();
    this.env = env;
    this.state = new AtomicReference<>(RunningState.starting(config, Instant.now()));
    this.limiter = new ConnectionLimiter(config.limits());
    this.live = new LiveState(config.health().enabled());
    this.healthChecks = new HealthChecks(vertx, live, config.health(), new BackendTrust(config.proxy().backendTls()));
    this.watch = new FileWatch(() -> requestReload(ReloadRequest.files("files changed")));
    this.reloader = new Reloader(vertx, state, configSource, env, live, healthChecks,
      new RemovedRoutes(vertx, control, tunnels, () -> state.get().routes().table()), watch, () -> listeners,
      () -> master == null ? null : master.latest(), ticketKeys);
    this.requests = new ReloadRequests<>(control, reloader::reload);
    this.meters = new SidecarMeters(registry, view());
    reloader.onFinished(meters::reloaded);
    this.shutdown = new Shutdown(vertx, control, state, tunnels, healthChecks, watch, () -> listeners,
      () -> master, () -> adminDeployment, () -> ordering);
  }

  /** Starts with a fixed configuration: explicit reloads read servers.json and the certificates again. */
  public static Future<Sidecar> start(Vertx vertx, SidecarConfig config) {
    return start(vertx, config, null, System.getenv());
  }

  /** @param configSource reads the configuration file again on SIGHUP and the admin API's reload; null: never */
  public static Future<Sidecar> start(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                                      Map<String, String> env) {
    return prepare(vertx, config, configSource, env, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
  }

  /**
   * A sidecar that has read and bound nothing yet, so that its admin API can be watched through the whole start.
   *
   * @param registry where the sidecar's series go; the one Vert.x's own metrics use, when it was built with them
   */
  public static Sidecar prepare(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                                Map<String, String> env, PrometheusMeterRegistry registry) {
    return prepare(vertx, config, configSource, env, registry, InheritedListeners.none());
  }

  /**
   * @param inherited the sockets systemd passed (socket activation), which {@code vertx} was built to serve on
   *                  ({@link VertxRuntime}); the listeners without one bind as configured
   */
  public static Sidecar prepare(Vertx vertx, SidecarConfig config, Supplier<Future<SidecarConfig>> configSource,
                                Map<String, String> env, PrometheusMeterRegistry registry,
                                InheritedListeners inherited) {
    return new Sidecar(vertx, config, configSource, env, registry, inherited);
  }

  /** Reads everything, then binds the public listener and the admin API; fails without binding on a bad file. */
  public Future<Sidecar> start() {
    Promise<Sidecar> started = Promise.promise();
    control.runOnContext(v -> begin().onComplete(started));
    return started.future();
  }

  private Future<Sidecar> begin() {
    SidecarConfig config = state.get().config();
    AtomicReference<MasterDiscovery.Decision> following = new AtomicReference<>();
    return vertx.executeBlocking(() -> {
      // Here, not on the event loop: the rule resolves admin.host.
      config.admin().requireSafe(config.file().toString());
      following.set(MasterDiscovery.decide(config, env));
      return LoadedFiles.read(config, env).orThrow();
    }, false).compose(files -> {
      Reloader.warn(files);
      RouteTable table = files.plan().table();
      live.follow(table);
      TicketKeyRotation.use(ticketKeys, files.ticketKeys(), config.tls().sessionTicketKeys());
      state.updateAndGet(s -> s.withTable(table, files.servers().sha256(), files.servers().environment(),
        Instant.now()).withCertificates(files.certificates()));
      admin = new AdminListener(config.admin(), view(), meters);
      return inherited.listen(ListenFds.PUBLIC, () -> PublicListeners.deploy(vertx, config, files.certificates(),
          new ActiveRoutes(() -> state.get().routes()), tunnels, live, limiter, refusals, ticketKeys,
          alpnChallenges))
        .compose(deployed -> {
          listeners = deployed;
          return inherited.listen(ListenFds.ADMIN, () -> vertx.deployVerticle(admin));
        })
        .compose(id -> {
          adminDeployment = id;
          return CertificateOrdering.begin(vertx, config, alpnChallenges, httpChallenges, listeners.port(),
            () -> requestReload(ReloadRequest.files("ordered certificate stored")));
        })
        .compose(orders -> {
          ordering = orders;
          // A stop that came while binding owns what happens next: nothing more may start.
          if (state.get().phase() == RunningState.Phase.STOPPING) {
            if (orders != null) {
              orders.stop();
            }
            return Future.succeededFuture(this);
          }
          healthChecks.start();
          ReloadOutcome started = ReloadOutcome.started(state.get().routes().generation(), table);
          RunningState serving = state.updateAndGet(s -> s.withLastReload(started).serving(listeners.port()));
          watch.follow(serving);
          RouteAnnouncement.log(config, table, serving.certificates(), serving.publicPort(), adminPort(),
            vertx.isNativeTransportEnabled());
          // After READY, so that the master never holds up a start: its first list comes as a reload.
          master = MasterLink.follow(vertx, following.get(), state, live, this::requestReload);
          return Future.succeededFuture(this);
        })
        .recover(e -> stop(Duration.ZERO).transform(ignored -> Future.failedFuture(e)));
    });
  }

  /**
   * Asks for a reload; concurrent requests are coalesced. {@code EVERYTHING} also reads the configuration file again
   * (SIGHUP, admin API); file watching reads only servers.json and the certificates.
   */
  public Future<ReloadOutcome> requestReload(ReloadRequest request) {
    return requests.request(request);
  }

  /** Called with the trigger when a reload begins (systemd's RELOADING=1). */
  public void onReloadStarted(Consumer<String> listener) {
    reloader.onStarted(listener);
  }

  /** Called with the outcome of every reload (systemd's READY=1, logs). */
  public void onReloadFinished(Consumer<ReloadOutcome> listener) {
    reloader.onFinished(listener);
  }

  /** {@code POST /api/drain}: the lame duck, then the drain; the process stays up, not ready ({@link Shutdown}). */
  public Future<RunningState.Phase> drain() {
    return shutdown.drain();
  }

  /** Stops gracefully at once ({@link Drain}: {@code drain} for open WebSockets to end), then releases everything. */
  public Future<Void> stop(Duration drain) {
    return shutdown.stop(Duration.ZERO, drain);
  }

  /** The lame duck, the drain, then everything released; a drain under way (POST /api/drain) is joined. */
  public Future<Void> stop(Duration lameDuck, Duration drain) {
    return shutdown.stop(lameDuck, drain);
  }

  /** Ends the lame duck now, if one runs (a second SIGTERM): the drain begins at once. */
  public void endLameDuck() {
    shutdown.endLameDuck();
  }

  /** What an admin listener reads and may ask: the narrow view, never this class. */
  public AdminView view() {
    return new AdminView(state::get, this::requestReload, this::drain, live, tunnels, refusals,
      this::orderedCertificates);
  }

  /** Everything the sidecar serves with now, as one snapshot. */
  public RunningState state() {
    return state.get();
  }

  /** The bound public port; 0 before the listener is bound. */
  public int publicPort() {
    return state.get().publicPort();
  }

  /** The ordered certificates of {@code tls.acme}, none without it. */
  public List<ManagedStatus> orderedCertificates() {
    CertificateOrdering orders = ordering;
    return orders == null ? List.of() : orders.status();
  }

  /** The plain listener's bound port (tls.acme.httpPort); 0 when there is none. */
  public int plainPort() {
    CertificateOrdering orders = ordering;
    return orders == null ? 0 : orders.plainPort();
  }

  /** The bound admin port; 0 before the admin listener is bound. */
  public int adminPort() {
    AdminListener bound = admin;
    return bound == null || adminDeployment == null ? 0 : bound.actualPort();
  }

  public SidecarMeters meters() {
    return meters;
  }

  public RouteTable routes() {
    return state.get().routes().table();
  }

  public SidecarConfig config() {
    return state.get().config();
  }

  /** Open connections on the public port, in total and per client address. */
  public ConnectionLimiter connections() {
    return limiter;
  }
}
