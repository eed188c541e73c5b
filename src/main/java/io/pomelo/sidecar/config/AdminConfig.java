package io.pomelo.sidecar.config;

/**
 * The admin REST API ({@code admin:}).
 *
 * @param listener default 127.0.0.1:9090; loopback only, so that nothing off the host can read the routes
 */
public record AdminConfig(ListenerConfig listener) {
}
