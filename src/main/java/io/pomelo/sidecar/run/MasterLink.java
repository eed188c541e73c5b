package io.pomelo.sidecar.run;

import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.master.FollowSettings;
import io.pomelo.sidecar.master.MasterDiscovery;
import io.pomelo.sidecar.master.MasterEndpoint;
import io.pomelo.sidecar.master.MasterFollower;
import io.pomelo.sidecar.master.MasterListener;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.master.MasterState;
import io.pomelo.sidecar.master.MasterStatus;
import io.pomelo.sidecar.state.Following;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.state.RunningState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The sidecar's side of following the Pomelo master: each changed list becomes a reload (which plans servers.json
 * with the master's additions), each state change is logged once and goes into the running state, and while the
 * master answers, a server it does not list is not chosen for type routes and aliases. It is started from the start
 * sequence, on the context it runs on, which the follower takes as its own (getOrCreateContext).
 */
final class MasterLink implements MasterListener {

  private static final Logger LOG = LoggerFactory.getLogger(MasterLink.class);
  /** A restarted master is followed within this; a retry costs one connect to a host the sidecar shares or neighbours. */
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(5);

  private final MasterFollower follower;
  private final AtomicReference<RunningState> state;
  private final LiveState live;
  private final Consumer<ReloadRequest> reload;
  private volatile MasterServers latest;
  private final int masterPort;

  private MasterLink(Vertx vertx, MasterEndpoint endpoint, Duration interval, AtomicReference<RunningState> state,
                     LiveState live, Consumer<ReloadRequest> reload) {
    FollowSettings defaults = FollowSettings.defaults();
    this.follower = new MasterFollower(vertx, endpoint,
      new FollowSettings(interval, defaults.requestTimeout(), defaults.backoffMin(), BACKOFF_MAX), this);
    this.state = state;
    this.live = live;
    this.reload = reload;
    this.masterPort = endpoint.port();
  }

  /** Follows the master {@code decision} names, saying why or why not; null when it names none. */
  static MasterLink follow(Vertx vertx, MasterDiscovery.Decision decision, AtomicReference<RunningState> state,
                           LiveState live, Consumer<ReloadRequest> reload) {
    decision.problems().forEach(p -> LOG.warn("not following the Pomelo master: {}", p));
    if (decision.endpoint().isEmpty()) {
      LOG.info("not following the Pomelo master: {}", decision.why());
      return null;
    }
    MasterEndpoint endpoint = decision.endpoint().get();
    LOG.info("connecting to the Pomelo master at {} ({})", endpoint.address(), decision.why());
    MasterLink link = new MasterLink(vertx, endpoint, state.get().config().master().interval(), state, live, reload);
    state.updateAndGet(s -> s.withFollowing(new Following(link.follower.status(), List.of())));
    link.follower.start();
    return link;
  }

  /** The master's last list, kept while it is away; null until it first answers. */
  MasterServers latest() {
    return latest;
  }

  Future<Void> stop() {
    return follower.stop();
  }

  @Override
  public void statusChanged(MasterStatus status) {
    state.updateAndGet(s -> s.withFollowing(s.following().withStatus(status)));
    String address = status.address();
    switch (status.state()) {
      case CONNECTED -> LOG.info("following the Pomelo master at {}", address);
      case REFUSED -> LOG.warn("the Pomelo master at {} refused the login ({}); serving servers.json and the last "
        + "list, retrying with back-off", address, status.error());
      case UNREACHABLE -> LOG.warn("the Pomelo master at {} cannot be reached ({}); serving servers.json and the last "
        + "list, retrying with back-off", address, status.error());
      default -> LOG.debug("the Pomelo master at {}: {}", address, status.state());
    }
    mark();
  }

  @Override
  public void serversChanged(MasterServers servers) {
    // The admin console's own port is never a client port: a master that says so gets no route to itself.
    latest = new MasterServers(servers.frontends().stream().filter(s -> s.clientPort() != masterPort).toList(),
      servers.liveIds(), servers.unusable());
    servers.unusable().forEach(why -> LOG.warn("a server the Pomelo master lists gets no route: {}", why));
    mark();
    reload.accept(ReloadRequest.files("master list changed"));
  }

  /**
   * Absences count only while the master answers: a master that is away says nothing about who is running. A server
   * the master added and no longer lists is not marked: the reload this list asks for removes its routes.
   */
  private void mark() {
    MasterServers list = latest;
    if (follower.status().state() != MasterState.CONNECTED || list == null) {
      live.listedBy(id -> true);
      return;
    }
    // Sets, once per change: the predicate runs for every target of every route.
    Set<String> listed = Set.copyOf(list.liveIds());
    Set<String> added = Set.copyOf(state.get().fromMaster());
    live.listedBy(id -> listed.contains(id) || added.contains(id));
  }
}
