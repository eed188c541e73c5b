package io.pomelo.sidecar.proxy;

import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * Notices a tunnel that passed no byte either way for its route's idle timeout. Each buffer only records the time;
 * one timer per tunnel wakes at the earliest moment the tunnel could be idle, and sleeps again if it was not.
 *
 * <p>Confined to the tunnel's event loop: created, touched and stopped there.
 */
final class IdleWatch {

  private final Vertx vertx;
  private final long timeoutNanos;
  private final Runnable onIdle;
  private long lastActivity = System.nanoTime();
  private long timer = -1;
  private boolean stopped;

  private IdleWatch(Vertx vertx, Duration timeout, Runnable onIdle) {
    this.vertx = vertx;
    this.timeoutNanos = timeout.toNanos();
    this.onIdle = onIdle;
  }

  /** Starts watching; null when {@code timeout} is zero (no idle timeout), which callers treat as "never". */
  static IdleWatch start(Vertx vertx, Duration timeout, Runnable onIdle) {
    if (timeout.isZero() || timeout.isNegative()) {
      return null;
    }
    IdleWatch watch = new IdleWatch(vertx, timeout, onIdle);
    watch.schedule(watch.timeoutNanos);
    return watch;
  }

  void touch() {
    lastActivity = System.nanoTime();
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void schedule(long nanos) {
    timer = vertx.setTimer(Math.max(1, nanos / 1_000_000), id -> check());
  }

  private void check() {
    timer = -1;
    if (stopped) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle >= timeoutNanos) {
      stopped = true;
      onIdle.run();
    } else {
      schedule(timeoutNanos - idle);
    }
  }
}
