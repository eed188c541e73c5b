package io.pomelo.sidecar.run;

import io.pomelo.sidecar.proxy.SidecarClose;
import io.pomelo.sidecar.proxy.Tunnels;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A graceful stop of the public port: it stops accepting at once, open WebSockets get the drain period to end by
 * themselves, the rest get close code 1001 (going away) and two seconds, and whatever is left is cut.
 */
final class Drain {

  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
  private static final Duration AFTER_GOING_AWAY = Duration.ofSeconds(2);

  private Drain() {
  }

  /** Completes, on {@code control}, once no tunnel is open. */
  static Future<Void> run(Vertx vertx, Context control, PublicListeners listeners, Tunnels tunnels,
                          Duration drain) {
    if (listeners != null) {
      // Their close ends only when every connection has, so the drain runs beside it rather than after it.
      listeners.stopAccepting(drain.plusSeconds(5));
    }
    return emptyWithin(vertx, control, tunnels, drain)
      .compose(ignored -> {
        if (tunnels.size() == 0) {
          return Future.succeededFuture();
        }
        LOG.info("closing {} open connections with 1001 (going away)", tunnels.size());
        tunnels.closeAll(SidecarClose.STOPPING);
        return emptyWithin(vertx, control, tunnels, AFTER_GOING_AWAY);
      })
      .onComplete(ignored -> tunnels.abortAll());
  }

  /** Completes on {@code control} when the last tunnel closes or {@code limit} has passed, whichever is first. */
  private static Future<Void> emptyWithin(Vertx vertx, Context control, Tunnels tunnels, Duration limit) {
    Promise<Void> done = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, limit.toMillis()), id -> control.runOnContext(v -> done.tryComplete()));
    tunnels.whenEmpty().onComplete(ar -> control.runOnContext(v -> {
      vertx.cancelTimer(timer);
      done.tryComplete();
    }));
    return done.future();
  }
}
