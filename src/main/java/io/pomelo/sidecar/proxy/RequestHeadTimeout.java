package io.pomelo.sidecar.proxy;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Bounds how long a connection may take to deliver a request head: {@code limits.requestHeadTimeout} from the end of
 * the TLS handshake, and {@code limits.keepAliveTimeout} from the end of each response on a kept-alive connection.
 * Netty's idle timeout cannot do this, because a slowloris client sending one header byte a second is never idle.
 * On expiry the connection is closed without an answer (there is no complete request to answer). An upgrade request
 * is not timed here: it ends in a tunnel or in an answer that closes the connection, each phase on its own
 * clock (connect, upgrade).
 *
 * <p>One instance per event loop; every method runs on it. Connections are known by their channel: an open tunnel
 * keeps its channel, and nothing here may keep Vert.x's HTTP connection reachable (see {@link ClientSocket}).
 */
final class RequestHeadTimeout {

  private final Vertx vertx;
  private final long headMillis;
  private final long keepAliveMillis;
  private final Refusals refusals;
  private final Map<Channel, HeadClock> connections = new IdentityHashMap<>();

  RequestHeadTimeout(Vertx vertx, long headMillis, long keepAliveMillis, Refusals refusals) {
    this.vertx = vertx;
    this.headMillis = headMillis;
    this.keepAliveMillis = keepAliveMillis;
    this.refusals = refusals;
  }

  void connected(Channel connection) {
    HeadClock clock = new HeadClock(vertx, () -> {
      refusals.record(Refusal.REQUEST_HEAD_TIMEOUT);
      connection.close();
    });
    connections.put(connection, clock);
    clock.start(headMillis);
  }

  /** A request head arrived complete on its connection: stops the clock until its response ends. */
  void headComplete(HttpServerRequest request) {
    Channel connection = ClientSocket.channelOf(request.connection());
    if (request.canUpgradeToWebSocket()) {
      // It becomes a tunnel, or is refused with Connection: close; either way no further head comes.
      closed(connection);
      return;
    }
    HeadClock clock = connections.get(connection);
    if (clock == null) {
      return;
    }
    clock.headArrived();
    request.response().endHandler(v -> clock.answered(keepAliveMillis));
  }

  void closed(Channel connection) {
    HeadClock clock = connections.remove(connection);
    if (clock != null) {
      clock.stop();
    }
  }

  /** Connections being timed now; for tests. */
  int timed() {
    return connections.size();
  }
}
