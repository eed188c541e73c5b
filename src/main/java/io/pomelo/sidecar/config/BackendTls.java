package io.pomelo.sidecar.config;

/**
 * Whether the sidecar speaks TLS to a backend, set per type, per server or per alias; a null field inherits (alias
 * over server over type over the default, plain).
 *
 * @param tls        true: the server's connector is itself a TLS server ({@code connectorConfig.ssl}), so the
 *                   sidecar re-encrypts; default false
 * @param serverName the name sent as SNI and checked against the backend's certificate, as nginx's
 *                   {@code proxy_ssl_name}; default the host dialled
 */
public record BackendTls(Boolean tls, String serverName) {

  static final BackendTls INHERIT = new BackendTls(null, null);

  /** This setting where it is set, the other one where it is not. */
  public BackendTls over(BackendTls other) {
    return new BackendTls(tls != null ? tls : other.tls, serverName != null ? serverName : other.serverName);
  }
}
