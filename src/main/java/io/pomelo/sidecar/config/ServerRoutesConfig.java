package io.pomelo.sidecar.config;

/**
 * Settings for one Pomelo server by id ({@code routes.servers.connector-server-1}); they override its type's.
 *
 * @param backendTls {@code tls} and {@code tlsServerName}: how the sidecar reaches this server
 */
public record ServerRoutesConfig(BackendTls backendTls) {
}
