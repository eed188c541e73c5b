package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.backend.BackendState;
import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.master.MasterStatus;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteDiff;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.state.Following;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.RunningState;
import io.pomelo.sidecar.acme.ManagedStatus;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** What {@code GET /api/status} and {@code POST /api/reload} say. Its own shapes, never internal objects. */
public final class StatusView {

  private StatusView() {
  }

  /** One snapshot of the running state, so that no answer mixes before and after a reload. */
  public static JsonObject of(AdminView view, int adminPort, String version) {
    RunningState state = view.state().get();
    ActiveRoutes.Snapshot routes = state.routes();
    JsonArray certificates = new JsonArray();
    for (LoadedCertificate c : state.certificates()) {
      certificates.add(certificate(c.leaf()));
    }
    return new JsonObject()
      .put("version", version)
      .put("startedAt", state.startedAt().toString())
      .put("uptimeSeconds", Duration.between(state.startedAt(), Instant.now()).toSeconds())
      .put("listen", new JsonObject().put("host", state.config().listen().host()).put("port", state.publicPort()))
      .put("admin", new JsonObject().put("host", state.config().admin().listener().host())
        .put("port", adminPort))
      .put("pomelo", new JsonObject()
        .put("serversFile", state.config().pomelo().serversFile().toString())
        .put("environment", state.environment()))
      .put("routes", new JsonObject()
        .put("generation", routes.generation())
        .put("loadedAt", routes.loadedAt().toString())
        .put("sha256", routes.sha256())
        .put("count", routes.table().routes().size()))
      .put("ready", state.ready())
      .put("phase", phase(state.phase()))
      .put("openConnections", view.tunnels().size())
      .put("health", health(state, view.live()))
      .put("lastReload", reload(state.lastReload()))
      .put("master", master(state.following()))
      .put("certificates", certificates)
      .put("orderedCertificates", ordered(view.ordered().get()));
  }

  /** {@code tls.acme}'s certificates: what the CA issued, when the sidecar next acts, and the CA's last complaint. */
  private static JsonArray ordered(List<ManagedStatus> ordered) {
    JsonArray all = new JsonArray();
    for (ManagedStatus m : ordered) {
      all.add(new JsonObject()
        .put("names", new JsonArray(m.names()))
        .put("directory", m.directory())
        .put("state", m.state())
        .put("notAfter", m.notAfter() == null ? null : m.notAfter().toString())
        .put("nextAttempt", m.nextAttempt() == null ? null : m.nextAttempt().toString())
        .put("lastError", m.lastError())
        .put("failures", m.failures()));
    }
    return all;
  }

  /** The phase as the API writes it: starting, serving, lame-duck, draining, stopping. */
  static String phase(RunningState.Phase phase) {
    return phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public static JsonObject reload(ReloadOutcome outcome) {
    if (outcome == null) {
      return null;
    }
    RouteDiff diff = outcome.diff();
    return new JsonObject()
      .put("trigger", outcome.trigger())
      .put("at", outcome.at().toString())
      .put("generation", outcome.generation())
      .put("result", outcome.result().label())
      .put("errors", new JsonArray(List.copyOf(outcome.errors())))
      .put("diff", new JsonObject()
        .put("added", new JsonArray(List.copyOf(diff.added())))
        .put("removed", new JsonArray(List.copyOf(diff.removed())))
        .put("retargeted", new JsonArray(List.copyOf(diff.retargeted())))
        .put("changed", new JsonArray(List.copyOf(diff.changed()))))
      .put("certificatesReloaded", outcome.certificatesReloaded())
      .put("ticketKeysRotated", outcome.ticketKeysRotated())
      .put("needsRestart", new JsonArray(List.copyOf(outcome.needsRestart())));
  }

  /** Whether checks run, and how many servers of the current table are up and down. */
  private static JsonObject health(RunningState state, LiveState live) {
    HealthConfig config = state.config().health();
    Set<String> up = new TreeSet<>();
    Set<String> down = new TreeSet<>();
    for (Route route : state.routes().table().routes()) {
      for (Target target : route.targets()) {
        BackendState backend = live.backend(target);
        boolean usable = (!live.healthAware() || backend.health().usable()) && !backend.unlisted();
        (usable ? up : down).add(target.serverId());
      }
    }
    return new JsonObject()
      .put("enabled", config.enabled())
      .put("intervalMillis", config.interval().toMillis())
      .put("timeoutMillis", config.timeout().toMillis())
      .put("serversUp", up.size())
      .put("serversDown", new JsonArray(List.copyOf(down)));
  }

  /** The master's connection, or null when none is followed. */
  private static JsonObject master(Following following) {
    if (following == null) {
      return null;
    }
    MasterStatus status = following.status();
    return new JsonObject()
      .put("address", status.address())
      .put("state", status.state().name().toLowerCase(Locale.ROOT))
      .put("since", status.since().toString())
      .put("lastListAt", status.lastListAt() == null ? null : status.lastListAt().toString())
      .put("error", status.error())
      .put("addedServers", new JsonArray(List.copyOf(following.addedServers())));
  }

  private static JsonObject certificate(X509Certificate leaf) {
    JsonArray names = new JsonArray(CertificateNames.all(leaf));
    Instant notAfter = leaf.getNotAfter().toInstant();
    return new JsonObject()
      .put("subject", leaf.getSubjectX500Principal().getName())
      .put("issuer", leaf.getIssuerX500Principal().getName())
      .put("serial", leaf.getSerialNumber().toString(16))
      .put("names", names)
      .put("notAfter", notAfter.toString())
      .put("secondsUntilExpiry", Duration.between(Instant.now(), notAfter).toSeconds());
  }
}
