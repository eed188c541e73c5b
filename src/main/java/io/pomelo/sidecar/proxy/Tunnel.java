package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * One upgraded WebSocket: the client's socket and the Pomelo server's, wired together as bytes. Frames are never
 * decoded. Each direction stops reading while the other side's write queue is full (back-pressure), so a client
 * that stops reading makes the sidecar stop reading from the server instead of buffering without bound.
 */
final class Tunnel {

  private final Route route;
  private final Target target;
  private final SocketAddress clientAddress;
  private final NetSocket client;
  private final NetSocket backend;
  private final long openedAtNanos = System.nanoTime();
  private final Tunnels registry;
  private final Context context;
  private long bytesFromClient;
  private long bytesToClient;
  private boolean closed;

  Tunnel(Route route, Target target, SocketAddress clientAddress, NetSocket client, NetSocket backend,
         Tunnels registry, Context context) {
    this.route = route;
    this.target = target;
    this.clientAddress = clientAddress;
    this.client = client;
    this.backend = backend;
    this.registry = registry;
    this.context = context;
  }

  void start() {
    registry.opened(this);
    client.handler(buffer -> {
      bytesFromClient += buffer.length();
      forward(buffer, client, backend);
    });
    backend.handler(buffer -> {
      bytesToClient += buffer.length();
      forward(buffer, backend, client);
    });
    // Whichever side goes first, the other follows: a WebSocket close frame has already been relayed as bytes.
    client.closeHandler(v -> closed());
    backend.closeHandler(v -> closed());
    client.exceptionHandler(e -> client.close());
    backend.exceptionHandler(e -> backend.close());
  }

  private static void forward(Buffer buffer, NetSocket from, NetSocket to) {
    to.write(buffer);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void closed() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    backend.close();
    registry.closed(this);
  }

  /** Ends both sides now (shutdown, or a removed route with a close policy); safe from any thread. */
  void close() {
    context.runOnContext(v -> closed());
  }

  Route route() {
    return route;
  }

  Target target() {
    return target;
  }

  SocketAddress clientAddress() {
    return clientAddress;
  }

  long bytesFromClient() {
    return bytesFromClient;
  }

  long bytesToClient() {
    return bytesToClient;
  }

  long openedAtNanos() {
    return openedAtNanos;
  }
}
