package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.proxy.HeadClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connections of one {@link PlainListener}: how many are open (beyond {@code limits.connections} a new one is
 * closed at once, unanswered, since an answer is what a flood wants to cost us), the clock on each one's next request
 * head ({@code limits.requestHeadTimeout} after accept, {@code limits.keepAliveTimeout} after each response; a
 * slowloris client sending a byte a second is never idle, so an idle timeout would not do), and which were given
 * their last answer, so a request pipelined behind it is never served.
 *
 * <p>Confined to the listener's event loop: every method runs there.
 */
final class OpenConnections {

  private final Vertx vertx;
  private final int max;
  private final long headMillis;
  private final long keepAliveMillis;
  private final Map<HttpConnection, Open> open = new IdentityHashMap<>();

  private static final class Open {
    final HeadClock clock;
    boolean lastAnswerGiven;

    Open(HeadClock clock) {
      this.clock = clock;
    }
  }

  /** A limit of 0 is off, as everywhere in {@code limits:}. */
  OpenConnections(Vertx vertx, int max, long headMillis, long keepAliveMillis) {
    this.vertx = vertx;
    this.max = max;
    this.headMillis = headMillis;
    this.keepAliveMillis = keepAliveMillis;
  }

  /** The server's connection handler: counts the connection, or closes it when the listener is full. */
  void connected(HttpConnection connection) {
    if (max > 0 && open.size() >= max) {
      connection.close();
      return;
    }
    Open state = new Open(new HeadClock(vertx, connection::close));
    open.put(connection, state);
    connection.closeHandler(v -> {
      Open gone = open.remove(connection);
      if (gone != null) {
        gone.clock.stop();
      }
    });
    state.clock.start(headMillis);
  }

  /**
   * A request head arrived complete: stops its connection's clock until the response ends. False when the request
   * must not be served: it came behind a last answer, or on a connection refused at accept. Its connection is closed.
   */
  boolean headComplete(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Open state = open.get(connection);
    if (state == null || state.lastAnswerGiven) {
      connection.close();
      return false;
    }
    state.clock.headArrived();
    request.response().endHandler(v -> state.clock.answered(keepAliveMillis));
    return true;
  }

  /** Marks the request's connection: the answer being written is its last, and it closes once that is written. */
  void lastAnswer(HttpServerRequest request) {
    Open state = open.get(request.connection());
    if (state != null) {
      state.lastAnswerGiven = true;
      // It closes once the answer is written; no further head is waited for.
      state.clock.stop();
    }
  }

  /** Open connections now; for tests. */
  int count() {
    return open.size();
  }
}
