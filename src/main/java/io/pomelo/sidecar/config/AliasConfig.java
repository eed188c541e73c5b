package io.pomelo.sidecar.config;

/**
 * An extra path for a type or a server, such as {@code /conn/} for the connectors (the Pomelo WeChat client's
 * README uses it). Exactly one of {@code serverType} and {@code serverId} is set.
 *
 * @param path        the prefix, normalised to start and end with {@code /}
 * @param serverType  the Pomelo type it spreads over, or null
 * @param serverId    the one Pomelo server it reaches, or null
 * @param stripPrefix whether the prefix is removed before forwarding; null inherits the type's or the global value
 * @param backendTls  {@code tls} and {@code tlsServerName} for this alias's targets, over the server's and the type's
 */
public record AliasConfig(String path, String serverType, String serverId, Boolean stripPrefix,
                          BackendTls backendTls) {

  public AliasConfig {
    backendTls = backendTls == null ? BackendTls.INHERIT : backendTls;
  }

  public AliasConfig(String path, String serverType, String serverId, Boolean stripPrefix) {
    this(path, serverType, serverId, stripPrefix, null);
  }
}
