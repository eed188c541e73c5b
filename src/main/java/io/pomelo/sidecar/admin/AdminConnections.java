package io.pomelo.sidecar.admin;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the admin listener allows a connection: at most {@code admin.maxConnections} open at once, any one over that
 * closed as soon as it is accepted (Vert.x's HTTP server has no such option), and a complete request head within
 * {@code admin.idleTimeout} of the connection opening or of its previous answer ending (slowloris). Vert.x's idle
 * timeout happens to catch a slow head too, because its idle handler sits behind the HTTP decoder and sees no read
 * until a head is whole; this bound does not lean on that order. Nothing is answered, since an answer needs the
 * request the client is withholding.
 *
 * <p>The admin listener is one verticle, so every method runs on its one event loop.
 */
final class AdminConnections {

  private final Vertx vertx;
  private final int max;
  private final long headMillis;
  private final Map<HttpConnection, Waiting> open = new IdentityHashMap<>();

  private static final class Waiting {
    long timer = -1;
    int inFlight;
  }

  AdminConnections(Vertx vertx, int max, long headMillis) {
    this.vertx = vertx;
    this.max = max;
    this.headMillis = headMillis;
  }

  /** The HTTP server's connection handler. */
  void connected(HttpConnection connection) {
    if (open.size() >= max) {
      connection.close();
      return;
    }
    Waiting waiting = new Waiting();
    open.put(connection, waiting);
    connection.closeHandler(v -> disarm(open.remove(connection)));
    arm(connection, waiting);
  }

  /** The router's first handler: a request head is complete, so its connection's clock stops until the answer ends. */
  void headComplete(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Waiting waiting = open.get(connection);
    if (waiting != null) {
      disarm(waiting);
      waiting.inFlight++;
      ctx.addEndHandler(ended -> {
        waiting.inFlight--;
        if (waiting.inFlight == 0 && open.get(connection) == waiting) {
          arm(connection, waiting);
        }
      });
    }
    ctx.next();
  }

  private void arm(HttpConnection connection, Waiting waiting) {
    waiting.timer = vertx.setTimer(headMillis, id -> {
      waiting.timer = -1;
      if (waiting.inFlight == 0 && open.get(connection) == waiting) {
        connection.close();
      }
    });
  }

  private void disarm(Waiting waiting) {
    if (waiting != null && waiting.timer >= 0) {
      vertx.cancelTimer(waiting.timer);
      waiting.timer = -1;
    }
  }
}
