package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.CloseReason;

/**
 * A close the sidecar starts on an open tunnel: the WebSocket close frame it sends (code and text) and the
 * {@link CloseReason} the tunnel is counted under. A close frame, not a cut, so that clients reconnect cleanly
 * instead of seeing an abnormal 1006.
 */
public enum SidecarClose {
  /** The route went away in a reload: 1012, service restart, so the client reconnects to where it went. */
  ROUTE_REMOVED(1012, "route removed", CloseReason.ROUTE_REMOVED),
  /** The sidecar is stopping: 1001, going away. */
  STOPPING(1001, "sidecar stopping", CloseReason.SHUTDOWN),
  /** The route's idle timeout passed with no byte either way: 1001, going away. */
  IDLE(1001, "idle timeout", CloseReason.IDLE);

  private final int code;
  private final String text;
  private final CloseReason reason;

  SidecarClose(int code, String text, CloseReason reason) {
    this.code = code;
    this.text = text;
    this.reason = reason;
  }

  /** The close frame's status code (RFC 6455 7.4.1). */
  int code() {
    return code;
  }

  /** The close frame's reason text. */
  String text() {
    return text;
  }

  CloseReason reason() {
    return reason;
  }
}
