package io.pomelo.sidecar.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How frontend servers become paths ({@code routes:} in sidecar.yaml).
 *
 * @param stripPrefix   default false: the backend sees the path unchanged, as nginx's {@code proxy_pass http://host:port;}
 *                      does. True gives {@code /socket.io/...} to a socket.io connector behind {@code /gate/socket.io/...}
 * @param dial          default {@code host}: which of a server's addresses to dial
 * @param types         per-type overrides of {@code stripPrefix} and {@code dial}, keyed by Pomelo server type
 * @param aliases       extra paths, default none
 * @param hostOverrides default empty: replaces a host from servers.json by another before dialling (NAT, containers)
 * @param webSocketOnly default false: a request without a WebSocket upgrade is proxied as HTTP (socket.io's
 *                      long-polling needs that); true answers it 426 Upgrade Required
 * @param idleTimeout   default zero, never: an established WebSocket that passes no byte either way for this long is
 *                      closed (1001 at a frame boundary). Game clients sit quiet for minutes; Pomelo's heartbeat
 *                      keeps a live one busy
 * @param clientPortPaths default false: also route {@code /ws/<clientPort>/} to the server with that clientPort, the
 *                      URL pomelo-weixin-client builds from a gate's usual {@code {host, port: clientPort}} answer
 * @param servers       default none: per-server settings keyed by Pomelo server id, over the type's
 */
public record RoutesConfig(boolean stripPrefix, DialAddress dial, Map<String, TypeRoutesConfig> types,
                           List<AliasConfig> aliases, Map<String, String> hostOverrides, boolean webSocketOnly,
                           Duration idleTimeout, boolean clientPortPaths, Map<String, ServerRoutesConfig> servers) {

  public RoutesConfig {
    types = Map.copyOf(types);
    aliases = List.copyOf(aliases);
    hostOverrides = Map.copyOf(hostOverrides);
    servers = Map.copyOf(servers);
  }

  public RoutesConfig(boolean stripPrefix, DialAddress dial, Map<String, TypeRoutesConfig> types,
                      List<AliasConfig> aliases, Map<String, String> hostOverrides, boolean webSocketOnly,
                      Duration idleTimeout, boolean clientPortPaths) {
    this(stripPrefix, dial, types, aliases, hostOverrides, webSocketOnly, idleTimeout, clientPortPaths, Map.of());
  }

  public RoutesConfig(boolean stripPrefix, DialAddress dial, Map<String, TypeRoutesConfig> types,
                      List<AliasConfig> aliases, Map<String, String> hostOverrides) {
    this(stripPrefix, dial, types, aliases, hostOverrides, false, Duration.ZERO, false);
  }

  public RoutesConfig(boolean stripPrefix, DialAddress dial, Map<String, TypeRoutesConfig> types,
                      List<AliasConfig> aliases, Map<String, String> hostOverrides, boolean clientPortPaths) {
    this(stripPrefix, dial, types, aliases, hostOverrides, false, Duration.ZERO, clientPortPaths);
  }

  public RoutesConfig(boolean stripPrefix, DialAddress dial, Map<String, TypeRoutesConfig> types,
                      List<AliasConfig> aliases, Map<String, String> hostOverrides, boolean webSocketOnly,
                      Duration idleTimeout) {
    this(stripPrefix, dial, types, aliases, hostOverrides, webSocketOnly, idleTimeout, false);
  }

  public static RoutesConfig defaults() {
    return new RoutesConfig(false, DialAddress.HOST, Map.of(), List.of(), Map.of());
  }

  public RoutesConfig withTraffic(boolean webSocketOnly, Duration idleTimeout) {
    return new RoutesConfig(stripPrefix, dial, types, aliases, hostOverrides, webSocketOnly, idleTimeout,
      clientPortPaths, servers);
  }

  /** The server's own TLS setting over its type's; fields still null after this mean the defaults. */
  public BackendTls backendTlsOf(String serverType, String serverId) {
    ServerRoutesConfig server = servers.get(serverId);
    TypeRoutesConfig type = types.get(serverType);
    BackendTls typeTls = type == null ? BackendTls.INHERIT : type.backendTls();
    return server == null ? typeTls : server.backendTls().over(typeTls);
  }

  public boolean stripPrefixOf(String serverType) {
    TypeRoutesConfig type = types.get(serverType);
    return type != null && type.stripPrefix() != null ? type.stripPrefix() : stripPrefix;
  }

  public DialAddress dialOf(String serverType) {
    TypeRoutesConfig type = types.get(serverType);
    return type != null && type.dial() != null ? type.dial() : dial;
  }

  public boolean webSocketOnlyOf(String serverType) {
    TypeRoutesConfig type = types.get(serverType);
    return type != null && type.webSocketOnly() != null ? type.webSocketOnly() : webSocketOnly;
  }

  public Duration idleTimeoutOf(String serverType) {
    TypeRoutesConfig type = types.get(serverType);
    return type != null && type.idleTimeout() != null ? type.idleTimeout() : idleTimeout;
  }
}
