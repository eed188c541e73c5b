package io.pomelo.sidecar.testing;

import io.pomelo.sidecar.run.Sidecar;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test class opened, closed in reverse order by one {@code @AfterAll}: a sidecar stops before the Vert.x it
 * runs on, which closes before the backends it dialled. Each thing is registered as it opens, so a start that fails
 * halfway closes only what exists.
 */
public final class Closer implements AutoCloseable {

  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  public <T extends AutoCloseable> T add(T closeable) {
    opened.push(closeable);
    return closeable;
  }

  /** Closes this Vert.x and waits for it. */
  public Vertx add(Vertx vertx) {
    opened.push(() -> Await.await(vertx.close()));
    return vertx;
  }

  /** Stops this sidecar without draining: the tests are done with its connections. */
  public Sidecar add(Sidecar sidecar) {
    opened.push(() -> Await.await(sidecar.stop(Duration.ZERO)));
    return sidecar;
  }

  /** Closes everything, newest first; a failure does not keep the rest open, and the first is rethrown. */
  @Override
  public void close() throws Exception {
    Exception first = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
