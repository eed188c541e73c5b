package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.CloseReason;
import io.pomelo.sidecar.route.Target;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * One line per WebSocket upgrade, on its own logger so that logback can send it to its own file or silence it:
 * written when the upgrade is refused, or for an accepted one when the connection ends, with how long it lasted and
 * the bytes each way. Never one per message. The query string is left out: game clients put tokens there.
 *
 * <pre>
 * 2025-01-01T10:00:00Z 203.0.113.7:50412 /connector/ connector-server-1 127.0.0.1:3150 101 93.204s in=1843 out=20511 close=client
 * 2025-01-01T10:00:01Z 203.0.113.7:50413 /connector/ - - 502 0.001s in=0 out=0 close=-
 * </pre>
 */
final class AccessLog {

  /** Not under io.pomelo.sidecar, so that SIDECAR_LOG_LEVEL=WARN quiets the sidecar without losing this. */
  static final String LOGGER = "pomelo-sidecar.access";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final boolean enabled;

  AccessLog(boolean enabled) {
    this.enabled = enabled;
  }

  /** False when the log is off (by configuration or by the logger's level): nothing needs to be kept for it. */
  boolean enabled() {
    return enabled && LOG.isInfoEnabled();
  }

  /**
   * @param target null when no server was chosen (no route, none healthy)
   * @param reason null when the upgrade never became a tunnel
   */
  void upgrade(Instant started, SocketAddress client, String path, Target target, int status, long startedNanos,
               long bytesIn, long bytesOut, CloseReason reason) {
    if (!enabled()) {
      return;
    }
    long micros = (System.nanoTime() - startedNanos) / 1_000;
    LOG.info("{} {} {} {} {} {} {}.{}s in={} out={} close={}", started,
      client == null ? "-" : client.hostAddress() + ":" + client.port(), path,
      target == null ? "-" : target.serverId(), target == null ? "-" : target.address(), status,
      micros / 1_000_000, String.format("%03d", (micros / 1_000) % 1_000), bytesIn, bytesOut,
      reason == null ? "-" : reason.label());
  }
}
