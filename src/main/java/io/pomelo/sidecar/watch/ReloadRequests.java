package io.pomelo.sidecar.watch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.BiFunction;

/**
 * Runs reloads one at a time and coalesces requests: while one runs, any number of further requests make exactly
 * one more run afterwards, which reads the newest files (newest wins). A burst of file events (an editor's two
 * writes, a deploy's create and rename) becomes at most two reads. Confined to one Vert.x context.
 */
public final class ReloadRequests<T> {

  private final Context context;
  private final BiFunction<String, Boolean, Future<T>> reload;
  private boolean running;
  private String pendingTrigger;
  private boolean pendingFull;
  private Promise<T> pending;

  /**
   * @param reload runs one reload for the named trigger ("files changed", "SIGHUP", "admin API"); the flag says
   *               whether the configuration file is read again too (explicit reloads) or only the watched files
   */
  public ReloadRequests(Context context, BiFunction<String, Boolean, Future<T>> reload) {
    this.context = context;
    this.reload = reload;
  }

  /** Asks for a reload from any thread; the future completes with the outcome of the run that covered it. */
  public Future<T> request(String trigger, boolean full) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> enqueue(trigger, full, promise));
    return promise.future();
  }

  private void enqueue(String trigger, boolean full, Promise<T> promise) {
    if (!running) {
      start(trigger, full, promise);
      return;
    }
    if (pending == null) {
      pending = Promise.promise();
      pendingTrigger = trigger;
      pendingFull = full;
    } else {
      if (!pendingTrigger.contains(trigger)) {
        pendingTrigger = pendingTrigger + ", " + trigger;
      }
      pendingFull |= full;
    }
    pending.future().onComplete(promise);
  }

  private void start(String trigger, boolean full, Promise<T> promise) {
    running = true;
    reload.apply(trigger, full).onComplete(ar -> {
      promise.handle(ar);
      running = false;
      if (pending != null) {
        Promise<T> next = pending;
        String nextTrigger = pendingTrigger;
        boolean nextFull = pendingFull;
        pending = null;
        pendingTrigger = null;
        start(nextTrigger, nextFull, next);
      }
    });
  }
}
