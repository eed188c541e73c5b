package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.proxy.HeadClock;
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
  private final Map<HttpConnection, HeadClock> open = new IdentityHashMap<>();

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
    HeadClock clock = new HeadClock(vertx, connection::close);
    open.put(connection, clock);
    connection.closeHandler(v -> {
      HeadClock gone = open.remove(connection);
      if (gone != null) {
        gone.stop();
      }
    });
    clock.start(headMillis);
  }

  /** The router's first handler: a request head is complete, so its connection's clock stops until the answer ends. */
  void headComplete(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    HeadClock clock = open.get(connection);
    if (clock != null) {
      clock.headArrived();
      ctx.addEndHandler(ended -> clock.answered(headMillis));
    }
    ctx.next();
  }
}
