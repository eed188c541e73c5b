package io.pomelo.sidecar.proxy;

import io.vertx.core.Vertx;

/**
 * One connection's clock on its next complete request head, for every listener that reads HTTP from strangers (the
 * public, plain and admin listeners): started at accept, stopped while a request is answered, started again when
 * the last answer in flight ends. An idle timeout cannot do this, because a slowloris client sending one header byte
 * a second is never idle. When it runs out nothing is answered (there is no complete request to answer).
 *
 * <p>Confined to the connection's event loop: every method runs there.
 */
public final class HeadClock {

  private final Vertx vertx;
  private final Runnable expired;
  private long timer = -1;
  /** Requests whose answer has not ended: while one runs (a 25 s long-poll), the clock is stopped. */
  private int inFlight;
  private boolean stopped;

  /** {@code expired} runs on the event loop when a head takes too long; it closes the connection. */
  public HeadClock(Vertx vertx, Runnable expired) {
    this.vertx = vertx;
    this.expired = expired;
  }

  /** Starts the clock: a complete head must arrive within {@code millis} (at least one, as Vert.x's timers need). */
  public void start(long millis) {
    disarm();
    if (stopped) {
      return;
    }
    timer = vertx.setTimer(Math.max(1, millis), id -> {
      timer = -1;
      if (inFlight == 0 && !stopped) {
        expired.run();
      }
    });
  }

  /** A request head arrived complete: the clock waits until its answer ends. */
  public void headArrived() {
    disarm();
    inFlight++;
  }

  /** An answer ended: when none is left in flight, the next head has {@code millis}. */
  public void answered(long millis) {
    inFlight--;
    if (inFlight == 0) {
      start(millis);
    }
  }

  /** The connection closed, or needs no further head: the clock never runs again. */
  public void stop() {
    stopped = true;
    disarm();
  }

  private void disarm() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
