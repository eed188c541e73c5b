package io.pomelo.sidecar.run;

import io.pomelo.sidecar.backend.HealthChecks;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.ConfigSection;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.route.RouteDiff;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.state.RunningState;
import io.pomelo.sidecar.tls.TicketKeyRing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One reload: read (the configuration file when asked, then servers.json and the certificates, off the event loop),
 * check, build, and swap each part that read well into the running state; a bad part keeps its last good state and
 * its problems go into the outcome. Runs on the control context, one at a time.
 */
final class Reloader {

  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  private final Vertx vertx;
  private final AtomicReference<RunningState> state;
  private final Supplier<Future<SidecarConfig>> configSource;
  private final Map<String, String> env;
  private final LiveState live;
  private final HealthChecks healthChecks;
  private final RemovedRoutes removedRoutes;
  private final FileWatch watch;
  private final Supplier<PublicListeners> listeners;
  private final Supplier<MasterServers> master;
  private final TicketKeyRing ticketKeys;
  private final List<Consumer<String>> started = new CopyOnWriteArrayList<>();
  private final List<Consumer<ReloadOutcome>> finished = new CopyOnWriteArrayList<>();

  /** @param configSource reads the configuration file again; null keeps the one in use */
  Reloader(Vertx vertx, AtomicReference<RunningState> state, Supplier<Future<SidecarConfig>> configSource,
           Map<String, String> env, LiveState live, HealthChecks healthChecks, RemovedRoutes removedRoutes,
           FileWatch watch, Supplier<PublicListeners> listeners, Supplier<MasterServers> master,
           TicketKeyRing ticketKeys) {
    this.vertx = vertx;
    this.state = state;
    this.configSource = configSource;
    this.env = env;
    this.live = live;
    this.healthChecks = healthChecks;
    this.removedRoutes = removedRoutes;
    this.watch = watch;
    this.listeners = listeners;
    this.master = master;
    this.ticketKeys = ticketKeys;
  }

  void onStarted(Consumer<String> listener) {
    started.add(listener);
  }

  void onFinished(Consumer<ReloadOutcome> listener) {
    finished.add(listener);
  }

  Future<ReloadOutcome> reload(ReloadRequest request) {
    RunningState.Phase phase = state.get().phase();
    if (phase == RunningState.Phase.STOPPING || phase == RunningState.Phase.DRAINING) {
      return Future.failedFuture("the sidecar is " + (phase == RunningState.Phase.STOPPING ? "stopping" : "drained"));
    }
    started.forEach(l -> l.accept(request.trigger()));
    SidecarConfig config = state.get().config();
    boolean rereadConfig = request.scope() == ReloadRequest.Scope.EVERYTHING && configSource != null;
    Future<SidecarConfig> next = rereadConfig ? configSource.get() : Future.succeededFuture(config);
    return next.transform(read -> {
      List<String> errors = new ArrayList<>();
      SidecarConfig candidate = config;
      if (read.failed()) {
        errors.addAll(problemsOf(read.cause()));
      } else {
        candidate = config.withReloadable(read.result());
      }
      SidecarConfig effective = candidate;
      return vertx.executeBlocking(() -> LoadedFiles.read(effective, env, master.get()), false)
        .compose(files -> swap(request.trigger(), effective, files, errors, read.succeeded() ? read.result() : null));
    }).map(outcome -> {
      state.updateAndGet(s -> s.withLastReload(outcome));
      switch (outcome.result()) {
        case ERROR -> LOG.error("{}; keeping the last good state:\n  {}", outcome.summary(),
          String.join("\n  ", outcome.errors()));
        case UNCHANGED -> LOG.debug("{}", outcome.summary());
        case OK -> LOG.info("{}", outcome.summary());
      }
      finished.forEach(l -> l.accept(outcome));
      return outcome;
    });
  }

  /** Swaps in every part that read well; {@code readConfig} is the configuration file as read, or null. */
  private Future<ReloadOutcome> swap(String trigger, SidecarConfig candidate, LoadedFiles files, List<String> errors,
                                     SidecarConfig readConfig) {
    files.problems().forEach(p -> errors.add(p.toString()));
    warn(files);
    if (readConfig != null) {
      state.updateAndGet(s -> s.withConfig(adopted(s.config(), candidate, files)));
    }
    RouteDiff diff = RouteDiff.NONE;
    if (files.plan() != null) {
      state.updateAndGet(s -> s.withAddedServers(files.fromMaster()));
      RouteTable after = files.plan().table();
      diff = RouteDiff.between(state.get().routes().table(), after);
      if (diff.isEmpty()) {
        state.updateAndGet(s -> s.withDigest(files.servers().sha256()));
      } else {
        live.follow(after);
        state.updateAndGet(s -> s.withTable(after, files.servers().sha256(), files.servers().environment(),
          Instant.now()));
        removedRoutes.removed(diff.removed(), state.get().config().reload());
        // New servers are tried at once (unknown counts as healthy); a check now tells sooner if they are down.
        healthChecks.checkAll();
      }
    }
    RouteDiff installed = diff;
    Future<Boolean> tls = Future.succeededFuture(false);
    if (files.certificates() != null && !CertificateRotation.same(state.get().certificates(), files.certificates())) {
      tls = listeners.get().useCertificates(files.certificates()).map(v -> {
        state.updateAndGet(s -> s.withCertificates(files.certificates()));
        return true;
      });
    }
    // Only keys of the file the adopted configuration names: a TLS section kept back keeps its keys too.
    Path keyFile = candidate.tls().sessionTicketKeys();
    boolean keysRotated = Objects.equals(keyFile, state.get().config().tls().sessionTicketKeys())
      && TicketKeyRotation.use(ticketKeys, files.ticketKeys(), keyFile);
    if (readConfig != null) {
      watch.follow(state.get());
    }
    return tls.transform(updated -> {
      if (updated.failed()) {
        errors.add("the new certificates could not be put in use: " + updated.cause().getMessage());
      }
      boolean newCertificates = updated.succeeded() && updated.result();
      List<String> needsRestart = readConfig == null ? List.of() : state.get().config().restartOnlyChanges(readConfig);
      ReloadOutcome.Result result = !errors.isEmpty() ? ReloadOutcome.Result.ERROR
        : installed.isEmpty() && !newCertificates && !keysRotated ? ReloadOutcome.Result.UNCHANGED
        : ReloadOutcome.Result.OK;
      return Future.succeededFuture(new ReloadOutcome(trigger, Instant.now(), state.get().routes().generation(),
        result, errors, installed, newCertificates, keysRotated, needsRestart));
    });
  }

  /** Each part of the new configuration is adopted with the files it describes, or not at all. */
  private static SidecarConfig adopted(SidecarConfig current, SidecarConfig candidate, LoadedFiles files) {
    Set<ConfigSection> sections = EnumSet.of(ConfigSection.RELOAD);
    if (files.plan() != null) {
      sections.addAll(List.of(ConfigSection.POMELO, ConfigSection.ROUTES));
    }
    if (files.certificates() != null && files.ticketKeys() != null) {
      sections.add(ConfigSection.TLS);
    }
    return current.adopt(candidate, sections);
  }

  private static List<String> problemsOf(Throwable cause) {
    if (cause instanceof ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    return List.of(String.valueOf(cause.getMessage()));
  }

  static void warn(LoadedFiles files) {
    files.warnings().forEach(w -> LOG.warn("{}", w));
  }
}
