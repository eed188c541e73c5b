package io.pomelo.sidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for processes that cannot bind port 0 and report back (nginx, Pomelo): free a moment ago, on loopback. */
public final class Ports {

  private Ports() {
  }

  /** A port nothing listened on at 127.0.0.1 when asked; the caller binds it at once. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("finding a free port", e);
    }
  }
}
