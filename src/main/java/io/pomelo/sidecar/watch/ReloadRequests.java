package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.state.ReloadRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Function;

/**
 * Runs reloads one at a time and coalesces requests: while one runs, any number of further requests make exactly
 * one more run afterwards, which reads the newest files (newest wins). A burst of file events (an editor's two
 * writes, a deploy's create and rename) becomes at most two reads. Confined to one Vert.x context.
 */
public final class ReloadRequests<T> {

  private final Context context;
  private final Function<ReloadRequest, Future<T>> reload;
  private boolean running;
  private ReloadRequest pendingRequest;
  private Promise<T> pending;

  /** @param reload runs one reload for a request, which says what asked and what to read again */
  public ReloadRequests(Context context, Function<ReloadRequest, Future<T>> reload) {
    this.context = context;
    this.reload = reload;
  }

  /** Asks for a reload from any thread; the future completes with the outcome of the run that covered it. */
  public Future<T> request(ReloadRequest request) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> enqueue(request, promise));
    return promise.future();
  }

  private void enqueue(ReloadRequest request, Promise<T> promise) {
    if (!running) {
      start(request, promise);
      return;
    }
    if (pending == null) {
      pending = Promise.promise();
      pendingRequest = request;
    } else {
      pendingRequest = pendingRequest.and(request);
    }
    pending.future().onComplete(promise);
  }

  private void start(ReloadRequest request, Promise<T> promise) {
    running = true;
    reload.apply(request).onComplete(ar -> {
      promise.handle(ar);
      running = false;
      if (pending != null) {
        Promise<T> next = pending;
        ReloadRequest nextRequest = pendingRequest;
        pending = null;
        pendingRequest = null;
        start(nextRequest, next);
      }
    });
  }
}
