package io.pomelo.sidecar.run;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * The time between "not ready" and "not accepting": /readyz already answers 503 while the public port still accepts
 * and serves, so a balancer's next health check takes the sidecar out before any new connection is refused.
 */
final class LameDuck {

  private final Vertx vertx;
  private final Context control;
  private final Promise<Void> over = Promise.promise();
  private final long timer;

  private LameDuck(Vertx vertx, Context control, Duration length) {
    this.vertx = vertx;
    this.control = control;
    this.timer = length.isZero() ? -1
      : vertx.setTimer(length.toMillis(), id -> control.runOnContext(v -> over.tryComplete()));
    if (length.isZero()) {
      over.complete();
    }
  }

  /** Begins now; a zero {@code length} is over at once. */
  static LameDuck begin(Vertx vertx, Context control, Duration length) {
    return new LameDuck(vertx, control, length);
  }

  /** Completes on the control context when the lame duck is over, by its clock or by {@link #cut}. */
  Future<Void> over() {
    return over.future();
  }

  /** Ends it now (a second SIGTERM): the drain starts at once. */
  void cut() {
    control.runOnContext(v -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      over.tryComplete();
    });
  }
}
