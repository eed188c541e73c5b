package io.pomelo.sidecar.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.backend.CloseReason;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.backend.RouteCounters;
import io.pomelo.sidecar.master.MasterState;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.state.Following;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.RunningState;
import io.pomelo.sidecar.acme.ManagedStatus;
import io.pomelo.sidecar.tls.LoadedCertificate;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The sidecar's own series in the Prometheus registry. They are read from the live state and the route table at
 * scrape time, so the proxy's hot path never touches Micrometer; before each scrape the set of series is made to
 * match the current table, so a removed route or server stops being reported. Labels are route paths, server ids,
 * statuses and reasons: bounded by the configuration, never by clients.
 */
public final class SidecarMeters {

  private final PrometheusMeterRegistry registry;
  private final AdminView view;
  /** The series this class made, with the object each reads, so a replaced object gets a new series. */
  private final Map<Meter.Id, Owned> owned = new HashMap<>();

  private record Owned(Meter meter, Object source) {
  }

  public SidecarMeters(PrometheusMeterRegistry registry, AdminView view) {
    this.registry = registry;
    this.view = view;
    for (ReloadOutcome.Result result : ReloadOutcome.Result.values()) {
      reloads(result);
    }
    // Clients turned away before any server was dialled: a fixed set of reasons, so the labels stay bounded.
    for (io.pomelo.sidecar.proxy.Refusal refusal : io.pomelo.sidecar.proxy.Refusal.values()) {
      FunctionCounter.builder("pomelo.sidecar.refusals", view.refusals(), r -> r.count(refusal))
        .description("Clients the public port turned away, by reason and the status it answered (0: closed)")
        .tags("reason", refusal.name().toLowerCase(java.util.Locale.ROOT), "status", String.valueOf(refusal.status()))
        .register(registry);
    }
    // Live state kept across reloads, so one gauge for the process: how full the affinity table is.
    Gauge.builder("pomelo.sidecar.engineio.sessions", view.live().sessions(), s -> s.size())
      .description("engine.io sessions pinned to their server on routes that spread (at most 100000)")
      .strongReference(true).register(registry);
    // What /readyz answers, for Prometheus, which scrapes /metrics and not /readyz.
    Gauge.builder("pomelo.sidecar.ready", view, v -> v.state().get().ready() ? 1 : 0)
      .description("1 once the route table is loaded and the public listener is bound, 0 before and while stopping")
      .strongReference(true).register(registry);
    // NaN while no master is followed, so that an alert on 0 fires only for a master that is followed and away.
    Gauge.builder("pomelo.sidecar.master.connected", view, v -> masterConnected(v.state().get().following()))
      .description("1 while the followed Pomelo master answers its list requests, 0 while it is away or refuses")
      .strongReference(true).register(registry);
    Gauge.builder("pomelo.sidecar.master.servers.added", view, v -> v.state().get().fromMaster().size())
      .description("Routed servers that came from the Pomelo master's list, not from servers.json")
      .strongReference(true).register(registry);
  }

  private static double masterConnected(Following following) {
    if (following == null) {
      return Double.NaN;
    }
    return following.status().state() == MasterState.CONNECTED ? 1 : 0;
  }

  /** Counts one finished reload by its result. */
  public void reloaded(ReloadOutcome outcome) {
    reloads(outcome.result()).increment();
  }

  private Counter reloads(ReloadOutcome.Result result) {
    return Counter.builder("pomelo.sidecar.reloads")
      .description("Reloads by result: ok (applied), unchanged, error (the last good state was kept)")
      .tag("result", result.label()).register(registry);
  }

  /** The registry, Prometheus text format: the sidecar's series, plus Vert.x's and the JVM's when enabled. */
  public synchronized String scrape() {
    Set<Meter.Id> wanted = new HashSet<>();
    RunningState state = view.state().get();
    LiveState live = view.live();
    Set<String> servers = new HashSet<>();
    for (Route route : state.routes().table().routes()) {
      route(wanted, route.path(), live.route(route.path()));
      for (Target target : route.targets()) {
        if (servers.add(target.serverId())) {
          backend(wanted, target.serverId(), live.backend(target), live.healthAware());
        }
      }
    }
    upgrades(wanted, LiveState.UNMATCHED, live.unmatched());
    for (LoadedCertificate certificate : state.certificates()) {
      String name = CertificateNames.primary(certificate.leaf());
      Instant notAfter = certificate.leaf().getNotAfter().toInstant();
      gauge(wanted, "pomelo.sidecar.certificate.expiry.seconds", "Seconds until the certificate expires",
        Tags.of("name", name), notAfter, n -> Duration.between(Instant.now(), n).toSeconds());
    }
    // Each status is a new object, so a series is registered again when it changes and reads it as it was.
    for (ManagedStatus ordered : view.ordered().get()) {
      Tags name = Tags.of("name", ordered.names().get(0));
      if (ordered.notAfter() != null) {
        gauge(wanted, "pomelo.sidecar.acme.certificate.expiry.timestamp.seconds",
          "When the ordered certificate expires, in seconds since the epoch", name, ordered,
          o -> o.notAfter().getEpochSecond());
      }
      counter(wanted, "pomelo.sidecar.acme.renewal.failures", "Orders of the certificate that failed since start",
        name, ordered, ManagedStatus::failures);
    }
    for (Iterator<Map.Entry<Meter.Id, Owned>> it = owned.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Meter.Id, Owned> e = it.next();
      if (!wanted.contains(e.getKey())) {
        registry.remove(e.getValue().meter());
        it.remove();
      }
    }
    return registry.scrape();
  }

  private void route(Set<Meter.Id> wanted, String path, RouteCounters c) {
    Tags route = Tags.of("route", path);
    gauge(wanted, "pomelo.sidecar.route.connections",
      "WebSocket connections on the route: open ones and upgrades in progress", route, c, RouteCounters::active);
    counter(wanted, "pomelo.sidecar.route.bytes", "WebSocket bytes after the upgrade; in: from clients",
      route.and("direction", "in"), c, RouteCounters::bytesIn);
    counter(wanted, "pomelo.sidecar.route.bytes", "WebSocket bytes after the upgrade; in: from clients",
      route.and("direction", "out"), c, RouteCounters::bytesOut);
    for (CloseReason reason : CloseReason.values()) {
      counter(wanted, "pomelo.sidecar.route.closes", "Ended WebSocket connections by who or what ended them",
        route.and("reason", reason.label()), c, x -> x.closes(reason));
    }
    upgrades(wanted, path, c);
  }

  private void upgrades(Set<Meter.Id> wanted, String path, RouteCounters c) {
    for (Integer status : c.upgrades().keySet()) {
      counter(wanted, "pomelo.sidecar.upgrades", "WebSocket upgrades by route and answer (101 accepted)",
        Tags.of("route", path, "status", String.valueOf(status)), c,
        x -> x.upgrades().getOrDefault(status, 0L));
    }
  }

  private void backend(Set<Meter.Id> wanted, String serverId, BackendState state, boolean healthAware) {
    Tags server = Tags.of("server", serverId);
    gauge(wanted, "pomelo.sidecar.server.up",
      "1 when the server is usable (last check passed, or not checked yet), 0 when it is down or the followed Pomelo"
        + " master does not list it", server, state,
      s -> (!healthAware || s.health().usable()) && !s.unlisted() ? 1 : 0);
    gauge(wanted, "pomelo.sidecar.server.connections",
      "WebSocket connections to the server: open ones and upgrades in progress", server, state,
      BackendState::active);
  }

  private <T> void gauge(Set<Meter.Id> wanted, String name, String help, Tags tags, T source,
                         ToDoubleFunction<T> value) {
    Meter.Id id = new Meter.Id(name, tags, null, help, Meter.Type.GAUGE);
    wanted.add(id);
    if (!replaceIfStale(id, source)) {
      return;
    }
    Meter meter = Gauge.builder(name, source, value).description(help).tags(tags).strongReference(true)
      .register(registry);
    owned.put(meter.getId(), new Owned(meter, source));
  }

  private <T> void counter(Set<Meter.Id> wanted, String name, String help, Tags tags, T source,
                           ToDoubleFunction<T> value) {
    Meter.Id id = new Meter.Id(name, tags, null, help, Meter.Type.COUNTER);
    wanted.add(id);
    if (!replaceIfStale(id, source)) {
      return;
    }
    Meter meter = FunctionCounter.builder(name, source, value).description(help).tags(tags).register(registry);
    owned.put(meter.getId(), new Owned(meter, source));
  }

  /** True when the series must be (re)registered: it is new, or it reads an object that has been replaced. */
  private boolean replaceIfStale(Meter.Id id, Object source) {
    Owned existing = owned.get(id);
    if (existing != null && existing.source() == source) {
      return false;
    }
    if (existing != null) {
      registry.remove(existing.meter());
      owned.remove(id);
    }
    return true;
  }
}
