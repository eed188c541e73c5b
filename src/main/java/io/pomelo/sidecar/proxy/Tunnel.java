package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.health.CloseReason;
import io.pomelo.sidecar.health.RouteCounters;
import io.pomelo.sidecar.route.Route;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * One upgraded WebSocket: the client's socket and the Pomelo server's, wired together as bytes. Frames are never
 * decoded. Each direction stops reading while the other side's write queue is full (back-pressure), so a client
 * that stops reading makes the sidecar stop reading from the server instead of buffering without bound.
 *
 * <p>All state is confined to the event loop the client arrived on; the server socket was dialled from it too.
 * Bytes are also added to the route's counters once per read (not per frame), so a connection that stays open for
 * hours still shows its traffic in the admin API while it runs.
 */
final class Tunnel {

  private final Route route;
  private final NetSocket client;
  private final NetSocket backend;
  private final Tunnels registry;
  private final Context context;
  private final Refusals refusals;
  /** Where the server's frames end, so the sidecar's own close frame never splits one. */
  private final FrameBoundary toClientFrames = new FrameBoundary();
  /** Only to see who sends the first close frame, for the close reason. */
  private final FrameBoundary fromClientFrames = new FrameBoundary();
  private final RouteCounters counters;
  private final Handler<Tunnel> onEnd;
  private CloseReason closeReason;
  private long bytesFromClient;
  private long bytesToClient;
  /** Close code to send at the next frame boundary, or 0. */
  private int closingCode;
  private String closingReason;
  private boolean closed;
  /** Null when the route has no idle timeout. */
  private IdleWatch idle;

  /** @param onEnd called once, on the tunnel's event loop, after both sockets are closed */
  Tunnel(Route route, NetSocket client, NetSocket backend, Tunnels registry, Context context, RouteCounters counters,
         Refusals refusals, Handler<Tunnel> onEnd) {
    this.route = route;
    this.client = client;
    this.backend = backend;
    this.registry = registry;
    this.context = context;
    this.counters = counters;
    this.refusals = refusals;
    this.onEnd = onEnd;
  }

  void start() {
    registry.opened(this);
    idle = IdleWatch.start(context.owner(), route.idleTimeout(), this::closeIdle);
    client.handler(buffer -> {
      if (idle != null) {
        idle.touch();
      }
      bytesFromClient += buffer.length();
      counters.addIn(buffer.length());
      fromClientFrames.consume(buffer);
      if (closeReason == null && fromClientFrames.closeSeen()) {
        closeReason = CloseReason.CLIENT;
      }
      forward(buffer, client, backend);
    });
    backend.handler(this::fromBackend);
    // Whichever side goes first, the other follows: a WebSocket close frame has already been relayed as bytes.
    client.closeHandler(v -> closed(CloseReason.CLIENT));
    backend.closeHandler(v -> closed(CloseReason.BACKEND));
    client.exceptionHandler(e -> {
      because(CloseReason.ERROR);
      client.close();
    });
    backend.exceptionHandler(e -> {
      because(CloseReason.ERROR);
      backend.close();
    });
  }

  /** The first reason seen wins: a close frame, an error, or the sidecar's own close come before the socket ends. */
  private void because(CloseReason reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  private void fromBackend(Buffer buffer) {
    if (idle != null) {
      idle.touch();
    }
    if (closingCode == 0) {
      toClientFrames.consume(buffer);
      if (closeReason == null && toClientFrames.closeSeen()) {
        closeReason = CloseReason.BACKEND;
      }
      bytesToClient += buffer.length();
      counters.addOut(buffer.length());
      forward(buffer, backend, client);
      return;
    }
    int end = toClientFrames.consumeToBoundary(buffer);
    if (end > 0) {
      Buffer head = end == buffer.length() ? buffer : buffer.getBuffer(0, end);
      bytesToClient += head.length();
      counters.addOut(head.length());
      client.write(head);
    }
    if (toClientFrames.atBoundary()) {
      sendClose();
    }
  }

  private static void forward(Buffer buffer, NetSocket from, NetSocket to) {
    to.write(buffer);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void closed(CloseReason reason) {
    if (closed) {
      return;
    }
    because(reason);
    closed = true;
    if (idle != null) {
      idle.stop();
    }
    client.close();
    backend.close();
    registry.closed(this);
    onEnd.handle(this);
  }

  /** Ends both sides now, without a close frame (the last step of a stop); safe from any thread. */
  void close() {
    context.runOnContext(v -> closed(CloseReason.SHUTDOWN));
  }

  /**
   * Ends the tunnel with a WebSocket close frame of the sidecar's own ({@code 1012} service restart when a route
   * is removed, {@code 1001} going away at shutdown), so clients reconnect cleanly instead of seeing an abnormal
   * 1006. The frame goes out at the next boundary of the server's frames; the server's connection is then closed.
   * Safe from any thread.
   */
  void closeWith(int code, String reason) {
    context.runOnContext(v -> {
      if (closed || closingCode != 0) {
        return;
      }
      closingCode = code;
      closingReason = reason;
      because(code == Tunnels.SERVICE_RESTART ? CloseReason.ROUTE_REMOVED : CloseReason.SHUTDOWN);
      client.handler(null);
      if (toClientFrames.atBoundary()) {
        sendClose();
      }
    });
  }

  /**
   * The route's idle timeout passed with no byte either way: a 1001 close frame when the server's stream is between
   * frames (it nearly always is when nothing moves), else the sockets are simply closed.
   */
  private void closeIdle() {
    refusals.record(Refusal.IDLE_TIMEOUT);
    because(CloseReason.IDLE);
    if (toClientFrames.atBoundary()) {
      closeWith(Tunnels.GOING_AWAY, "idle timeout");
    } else {
      closed(CloseReason.IDLE);
    }
  }

  private void sendClose() {
    if (closed) {
      return;
    }
    backend.handler(null);
    client.write(FrameBoundary.closeFrame(closingCode, closingReason));
    // end() flushes the close frame before the FIN; the client needs no answer from the server now.
    client.end();
    backend.close();
  }

  Route route() {
    return route;
  }

  long bytesFromClient() {
    return bytesFromClient;
  }

  long bytesToClient() {
    return bytesToClient;
  }

  /** Why it ended; null while open. */
  CloseReason closeReason() {
    return closed ? closeReason : null;
  }

}
