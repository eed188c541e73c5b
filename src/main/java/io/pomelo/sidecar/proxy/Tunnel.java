package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.pomelo.sidecar.backend.CloseReason;
import io.pomelo.sidecar.backend.RouteCounters;
import io.pomelo.sidecar.route.Route;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;

/**
 * One upgraded WebSocket: the client's socket and the Pomelo server's, wired together as bytes. Frames are never
 * decoded. Each direction stops reading while the other side's write queue is full (back-pressure), so a client
 * that stops reading makes the sidecar stop reading from the server instead of buffering without bound.
 *
 * <p>The bytes move at the Netty level ({@link TunnelEnd} last in each socket's pipeline): no copy to the heap, no
 * Vert.x dispatch, one flush per read batch. The client's socket is taken from Vert.x's HTTP server when the tunnel
 * starts ({@link ClientSocket}): an open tunnel holds its two channels and this, nothing of Vert.x's connection.
 *
 * <p>All state is confined to the event loop the client arrived on; the server socket was dialled from it too.
 * Bytes are also added to the route's counters once per read (not per frame), so a connection that stays open for
 * hours still shows its traffic in the admin API while it runs.
 */
final class Tunnel {

  private final Route route;
  private final Channel clientChannel;
  private final Channel backendChannel;
  private final Tunnels registry;
  private final Context context;
  private final Refusals refusals;
  /** Where the server's frames end, so the sidecar's own close frame never splits one. */
  private final FrameBoundary toClientFrames = new FrameBoundary();
  /** Only to see who sends the first close frame, for the close reason. */
  private final FrameBoundary fromClientFrames = new FrameBoundary();
  private final RouteCounters counters;
  private final Handler<Tunnel> onEnd;
  private final TunnelEnd clientEnd;
  private final TunnelEnd backendEnd;
  private CloseReason closeReason;
  private long bytesFromClient;
  private long bytesToClient;
  /** The close frame to send at the next frame boundary, or null. */
  private SidecarClose closing;
  /** The sidecar's close frame went out: nothing more is relayed either way. */
  private boolean closeSent;
  private boolean closed;
  /** Null when the route has no idle timeout. */
  private IdleWatch idle;
  /** Set by {@link #start}. */
  private ClientSocket client;

  /**
   * @param client the channel of the client's upgrade request ({@link ClientSocket#channelOf})
   * @param onEnd  called once, on the tunnel's event loop, after both sockets are closed
   */
  Tunnel(Route route, Channel client, Channel backend, Tunnels registry, Context context,
         RouteCounters counters, Refusals refusals, Handler<Tunnel> onEnd) {
    this.route = route;
    this.clientChannel = client;
    this.backendChannel = backend;
    this.registry = registry;
    this.context = context;
    this.counters = counters;
    this.refusals = refusals;
    this.onEnd = onEnd;
    this.clientEnd = new TunnelEnd(clientChannel, backendChannel, this::fromClient, e -> {
      this.client.failed(e);
      because(CloseReason.ERROR);
      clientChannel.close();
    });
    this.backendEnd = new TunnelEnd(backendChannel, clientChannel, this::fromBackend, e -> {
      because(CloseReason.ERROR);
      backendChannel.close();
    });
  }

  /**
   * Answers the client's {@code request} with a 101 carrying the server's {@code headers} and wires the two sockets;
   * the server's {@link BackendUpgradeAnswer} hands over whatever followed its 101.
   */
  void start(HttpServerRequest request, Iterable<Map.Entry<String, String>> headers) {
    // First: if it fails, the tunnel was never registered and the caller ends both sockets.
    client = ClientSocket.take(request, headers, TunnelEnd.NAME, clientEnd);
    registry.opened(this);
    idle = IdleWatch.start(context.owner(), route.idleTimeout(), this::closeIdle);
    BackendUpgradeAnswer answer = (BackendUpgradeAnswer) backendChannel.pipeline().get(BackendUpgradeAnswer.NAME);
    ByteBuf early = answer.takeHeld();
    backendChannel.pipeline().replace(answer, TunnelEnd.NAME, backendEnd);
    if (early != null) {
      fromBackend(early);
      backendEnd.flush();
    }
    clientChannel.config().setAutoRead(true);
    backendChannel.config().setAutoRead(true);
    // Whichever side goes first, the other follows: a WebSocket close frame has already been relayed as bytes.
    // Each runs at once if that side already left while the 101 was on its way.
    backendChannel.closeFuture().addListener(f -> closed(CloseReason.BACKEND));
    clientChannel.closeFuture().addListener(f -> closed(CloseReason.CLIENT));
  }

  private void fromClient(ByteBuf buffer) {
    if (closing != null) {
      // Closing: the server is not to hear more, and the client's close frame would only cross ours.
      buffer.release();
      return;
    }
    if (idle != null) {
      idle.touch();
    }
    int n = buffer.readableBytes();
    bytesFromClient += n;
    counters.addIn(n);
    fromClientFrames.consume(buffer);
    if (fromClientFrames.closeSeen()) {
      because(CloseReason.CLIENT);
    }
    clientEnd.relay(buffer);
  }

  /** The first reason seen wins: a close frame, an error, or the sidecar's own close come before the socket ends. */
  private void because(CloseReason reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  private void fromBackend(ByteBuf buffer) {
    if (closeSent) {
      buffer.release();
      return;
    }
    if (idle != null) {
      idle.touch();
    }
    if (closing == null) {
      toClientFrames.consume(buffer);
      if (toClientFrames.closeSeen()) {
        because(CloseReason.BACKEND);
      }
      toClient(buffer);
      return;
    }
    int end = toClientFrames.consumeToBoundary(buffer);
    if (end > 0) {
      toClient(buffer.retainedSlice(buffer.readerIndex(), end));
    }
    buffer.release();
    if (toClientFrames.atBoundary()) {
      sendClose();
    }
  }

  private void toClient(ByteBuf bytes) {
    int n = bytes.readableBytes();
    bytesToClient += n;
    counters.addOut(n);
    backendEnd.relay(bytes);
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
    backendChannel.close();
    registry.closed(this);
    onEnd.handle(this);
  }

  /** Ends both sides now, without a close frame (the last step of a stop); safe from any thread. */
  void close() {
    context.runOnContext(v -> closed(CloseReason.SHUTDOWN));
  }

  /**
   * Ends the tunnel with the sidecar's own close frame, {@code close}. The frame goes out at the next boundary of the
   * server's frames; the server's connection is then closed. Safe from any thread.
   */
  void closeWith(SidecarClose close) {
    context.runOnContext(v -> {
      if (closed || closing != null) {
        return;
      }
      closing = close;
      because(close.reason());
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
      closeWith(SidecarClose.IDLE);
    } else {
      closed(CloseReason.IDLE);
    }
  }

  private void sendClose() {
    if (closed || closeSent) {
      return;
    }
    closeSent = true;
    // After what relay() queued, then the FIN: the client needs no answer from the server now.
    clientChannel.writeAndFlush(FrameBoundary.closeFrame(closing.code(), closing.text()))
      .addListener(ChannelFutureListener.CLOSE);
    backendChannel.close();
  }

  Route route() {
    return route;
  }

  /** The client's socket; for tests. */
  Channel clientChannel() {
    return clientChannel;
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
