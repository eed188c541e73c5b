package io.pomelo.sidecar.master;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one master: logs in, asks for the live server list every {@link FollowSettings#interval()}, and on any
 * failure drops the connection and logs in again after a back-off that doubles up to
 * {@link FollowSettings#backoffMax()}. The last good list is kept through failures: a master that is away says
 * nothing about its servers, which keep running without it.
 *
 * <p>{@link #start()} returns at once; nothing here blocks or waits for the master. Everything runs on one Vert.x
 * context, the one {@link #start()} is called on (or a new one), and the listener is called there.
 */
public final class MasterFollower {

  private static final Logger LOG = LoggerFactory.getLogger(MasterFollower.class);

  private final Vertx vertx;
  private final MasterEndpoint endpoint;
  private final FollowSettings settings;
  private final MasterListener listener;
  private final Clock clock;
  private final ServerListReader reader = new ServerListReader();

  private Context context;
  private volatile MasterStatus status;
  private volatile MasterServers servers;
  private MasterConsoleClient client;
  // Bumped at each failure and at stop, so an answer from an abandoned connection is ignored.
  private long generation;
  private long timer = -1;
  private Duration backoff;
  private boolean stopped;
  private volatile long connectAttempts;

  public MasterFollower(Vertx vertx, MasterEndpoint endpoint, FollowSettings settings, MasterListener listener) {
    this(vertx, endpoint, settings, listener, Clock.systemUTC());
  }

  MasterFollower(Vertx vertx, MasterEndpoint endpoint, FollowSettings settings, MasterListener listener,
                 Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.clock = clock;
    this.backoff = settings.backoffMin();
    this.status = new MasterStatus(endpoint.address(), MasterState.CONNECTING, null, clock.instant(), null);
  }

  /** Starts following; the first state change comes once the master answers or fails. */
  public MasterFollower start() {
    if (context != null) {
      throw new IllegalStateException("already started");
    }
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> connect());
    return this;
  }

  /** The current state; readable from any thread. */
  public MasterStatus status() {
    return status;
  }

  /** The last list the master answered, kept while it is away; empty until it first answers. */
  public Optional<MasterServers> servers() {
    return Optional.ofNullable(servers);
  }

  public MasterEndpoint endpoint() {
    return endpoint;
  }

  /** How many times it has tried to log in: lets a test wait for retries instead of sleeping. */
  long connectAttempts() {
    return connectAttempts;
  }

  /** Stops polling and logs out; the last list stays readable. */
  public Future<Void> stop() {
    if (context == null) {
      stopped = true;
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (stopped) {
        done.complete();
        return;
      }
      stopped = true;
      generation++;
      vertx.cancelTimer(timer);
      MasterConsoleClient closing = client;
      client = null;
      change(MasterState.STOPPED, null);
      (closing == null ? Future.<Void>succeededFuture() : closing.close()).onComplete(c -> done.complete());
    });
    return done.future();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    long attempt = generation;
    connectAttempts++;
    MasterConsoleClient.connect(vertx, endpoint, settings.requestTimeout()).onComplete(connected -> {
      if (stopped || attempt != generation) {
        if (connected.succeeded()) {
          connected.result().close();
        }
        return;
      }
      if (connected.failed()) {
        failed(connected.cause());
        return;
      }
      client = connected.result();
      client.closeHandler(cause -> {
        if (!stopped && attempt == generation) {
          failed(cause);
        }
      });
      poll(attempt);
    });
  }

  private void poll(long attempt) {
    if (stopped || attempt != generation) {
      // A timer set before the connection failed: the reconnect owns what happens next.
      return;
    }
    reader.read(client, settings.requestTimeout()).onComplete(read -> {
      if (stopped || attempt != generation) {
        return;
      }
      if (read.failed()) {
        failed(read.cause());
        return;
      }
      backoff = settings.backoffMin();
      listed(read.result());
      timer = vertx.setTimer(settings.interval().toMillis(), t -> poll(attempt));
    });
  }

  private void listed(MasterServers answer) {
    // The list first: a reader that sees CONNECTED finds the list that made it so.
    boolean changed = !answer.equals(servers);
    servers = answer;
    MasterStatus before = status;
    MasterStatus after = new MasterStatus(endpoint.address(), MasterState.CONNECTED, null,
      before.state() == MasterState.CONNECTED ? before.since() : clock.instant(), clock.instant());
    status = after;
    if (after.differsFrom(before)) {
      tell(() -> listener.statusChanged(after));
    }
    if (changed) {
      tell(() -> listener.serversChanged(answer));
    }
  }

  private void failed(Throwable cause) {
    generation++;
    vertx.cancelTimer(timer);
    if (client != null) {
      client.close();
      client = null;
    }
    boolean refused = cause instanceof MasterRefusedException;
    change(refused ? MasterState.REFUSED : MasterState.UNREACHABLE, MasterConsoleClient.describe(cause));
    Duration wait = backoff;
    backoff = backoff.multipliedBy(2).compareTo(settings.backoffMax()) > 0 ? settings.backoffMax()
      : backoff.multipliedBy(2);
    timer = vertx.setTimer(wait.toMillis(), t -> connect());
  }

  private void change(MasterState state, String error) {
    MasterStatus before = status;
    MasterStatus after = new MasterStatus(endpoint.address(), state, error, clock.instant(), before.lastListAt());
    if (after.differsFrom(before)) {
      status = after;
      tell(() -> listener.statusChanged(after));
    }
  }

  // A listener that throws must not stop the following.
  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("a master listener failed", e);
    }
  }
}
