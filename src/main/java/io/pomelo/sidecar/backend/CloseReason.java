package io.pomelo.sidecar.backend;

/** Why a tunnel ended, as far as the sidecar can see it from the bytes and sockets. */
public enum CloseReason {
  /** The client sent the first close frame, or dropped its connection first without one. */
  CLIENT("client"),
  /** The Pomelo server sent the first close frame, or dropped its connection first without one. */
  BACKEND("backend"),
  /** The route went away in a reload and the sidecar closed with 1012 (service restart). */
  ROUTE_REMOVED("route_removed"),
  /** The sidecar stopped: close frame 1001 (going away), or the sockets cut at the end of the drain. */
  SHUTDOWN("shutdown"),
  /** The route's idle timeout passed with no byte either way; the sidecar closed with 1001. */
  IDLE("idle"),
  /** A socket error (reset, TLS failure) ended it. */
  ERROR("error");

  private final String label;

  CloseReason(String label) {
    this.label = label;
  }

  /** The value of the {@code reason} label and of the access log's {@code close=}. */
  public String label() {
    return label;
  }
}
