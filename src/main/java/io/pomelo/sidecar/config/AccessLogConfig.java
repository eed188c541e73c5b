package io.pomelo.sidecar.config;

/**
 * The access log ({@code accessLog:}): one line per WebSocket upgrade on the SLF4J logger
 * {@code pomelo-sidecar.access}, written when the upgrade is refused or, for an accepted one, when the connection
 * ends. Never one per message.
 *
 * @param enabled default true
 */
public record AccessLogConfig(boolean enabled) {

  public static AccessLogConfig defaults() {
    return new AccessLogConfig(true);
  }
}
