package io.pomelo.sidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for processes that cannot bind port 0 and report back (nginx, Pomelo): free a moment ago. */
public final class Ports {

  /** The port to bind when the kernel is to pick one; named, because a bare 0 reads like a missing value. */
  public static final int ANY_FREE_PORT = 0;

  private Ports() {
  }

  /** A port nothing listened on at 127.0.0.1 when asked; the caller binds it at once. */
  public static int free() {
    return freeOn(InetAddress.getLoopbackAddress());
  }

  /**
   * A port nothing listened on at any address when asked: for Pomelo's RPC and master listeners, which ignore the
   * host they are given and take every interface.
   */
  public static int freeOnEveryInterface() {
    return freeOn(null);
  }

  /** {@code address} null is the wildcard address. */
  private static int freeOn(InetAddress address) {
    try (ServerSocket socket = new ServerSocket(ANY_FREE_PORT, 1, address)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("finding a free port", e);
    }
  }
}
