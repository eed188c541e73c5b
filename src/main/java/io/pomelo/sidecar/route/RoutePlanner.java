package io.pomelo.sidecar.route;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.BackendTls;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.pomelo.ServersFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns Pomelo's frontend servers and the route settings into a route table: {@code /<serverId>/} per server,
 * {@code /<serverType>/} per type, then the aliases. Every clash is reported with both sides named; nothing is
 * silently shadowed.
 */
public final class RoutePlanner {

  /** RFC 3986 unreserved characters: a name made of these is a path segment as it stands. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

  private final RoutesConfig config;
  private final String configFile;

  /**
   * @param config     the {@code routes:} section
   * @param configFile the sidecar configuration file, for messages about aliases
   */
  public RoutePlanner(RoutesConfig config, String configFile) {
    this.config = config;
    this.configFile = configFile;
  }

  public RoutePlan plan(ServersFile servers) throws ConfigException {
    String serversFile = servers.path().toString();
    List<ConfigProblem> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, Route> routes = new LinkedHashMap<>();
    Map<String, List<Target>> byType = new LinkedHashMap<>();
    Map<String, Target> byId = new LinkedHashMap<>();

    for (FrontendServer server : servers.frontends()) {
      Target target = targetOf(server);
      byType.computeIfAbsent(server.serverType(), t -> new ArrayList<>()).add(target);
      byId.put(server.id(), target);
      if (!SEGMENT.matcher(server.id()).matches()) {
        warnings.add("server " + server.id() + " gets no /<serverId>/ route: its id is not a plain path segment "
          + "(letters, digits, '.', '_', '~', '-'); it is still reachable through /" + server.serverType() + "/");
        continue;
      }
      String path = "/" + server.id() + "/";
      routes.put(path, route(path, RouteKind.SERVER, server.serverType(), List.of(target),
        config.stripPrefixOf(server.serverType())));
    }

    for (Map.Entry<String, List<Target>> type : byType.entrySet()) {
      String serverType = type.getKey();
      if (!SEGMENT.matcher(serverType).matches()) {
        warnings.add("type " + serverType + " gets no /<serverType>/ route: its name is not a plain path segment");
        continue;
      }
      String path = "/" + serverType + "/";
      Route route = route(path, RouteKind.TYPE, serverType, type.getValue(), config.stripPrefixOf(serverType));
      Route existing = routes.get(path);
      if (existing == null) {
        routes.put(path, route);
      } else if (!existing.targets().equals(route.targets())) {
        // An id equal to a type name is fine while it is that type's only server (corpus 16: id "connector").
        problems.add(new ConfigProblem(serversFile, serverType, null,
          "route " + path + " would be both server " + existing.targets().get(0).serverId() + " (type "
            + existing.serverType() + ") and type " + serverType + " (" + ids(route.targets())
            + "); rename the server or the type"));
      }
    }

    if (config.clientPortPaths()) {
      portRoutes(byId, routes, warnings);
    }

    for (int i = 0; i < config.aliases().size(); i++) {
      AliasConfig alias = config.aliases().get(i);
      String place = "routes.aliases[" + i + "]";
      List<Target> targets;
      String serverType;
      if (alias.serverId() != null) {
        Target target = byId.get(alias.serverId());
        if (target == null) {
          problems.add(new ConfigProblem(configFile, place + ".serverId", alias.serverId(),
            "no frontend server with this id in " + serversFile + " (environment " + servers.environment() + ")"));
          continue;
        }
        targets = List.of(withTls(target, alias.backendTls()));
        serverType = target.serverType();
      } else {
        targets = byType.get(alias.serverType());
        if (targets == null) {
          problems.add(new ConfigProblem(configFile, place + ".serverType", alias.serverType(),
            "no frontend server of this type in " + serversFile + " (environment " + servers.environment()
              + "); types present: " + byType.keySet()));
          continue;
        }
        serverType = alias.serverType();
        targets = targets.stream().map(t -> withTls(t, alias.backendTls())).toList();
      }
      Route existing = routes.get(alias.path());
      if (existing != null) {
        problems.add(new ConfigProblem(configFile, place + ".path", alias.path(),
          "clashes with the " + existing.kind().label() + " route " + existing.path() + " of "
            + describe(existing) + " from " + (existing.kind() == RouteKind.ALIAS ? configFile : serversFile)));
        continue;
      }
      boolean strip = alias.stripPrefix() != null ? alias.stripPrefix() : config.stripPrefixOf(serverType);
      routes.put(alias.path(), route(alias.path(), RouteKind.ALIAS, serverType, targets, strip));
    }

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new RoutePlan(new RouteTable(new ArrayList<>(routes.values())), warnings);
  }

  /** {@code /ws/<clientPort>/} for each port that exactly one frontend server uses. */
  private void portRoutes(Map<String, Target> byId, Map<String, Route> routes, List<String> warnings) {
    Map<Integer, List<Target>> byPort = new java.util.TreeMap<>();
    for (Target target : byId.values()) {
      byPort.computeIfAbsent(target.port(), p -> new ArrayList<>()).add(target);
    }
    for (Map.Entry<Integer, List<Target>> port : byPort.entrySet()) {
      String path = "/ws/" + port.getKey() + "/";
      if (port.getValue().size() > 1) {
        // Servers on different hosts often share a clientPort; a port then names no single server.
        warnings.add("no " + path + " route: clientPort " + port.getKey() + " belongs to " + ids(port.getValue()));
        continue;
      }
      Target target = port.getValue().get(0);
      routes.putIfAbsent(path, route(path, RouteKind.PORT, target.serverType(), List.of(target),
        config.stripPrefixOf(target.serverType())));
    }
  }

  /** A route with its type's traffic settings (plain HTTP or not, idle timeout). */
  private Route route(String path, RouteKind kind, String serverType, List<Target> targets, boolean stripPrefix) {
    return new Route(path, kind, serverType, targets, stripPrefix, config.webSocketOnlyOf(serverType),
      config.idleTimeoutOf(serverType));
  }

  private Target targetOf(FrontendServer server) {
    String host = server.host();
    if (config.dialOf(server.serverType()) == DialAddress.CLIENT_HOST && server.clientHost() != null
      && !server.clientHost().isBlank()) {
      host = server.clientHost();
    }
    host = config.hostOverrides().getOrDefault(host, host);
    BackendTls tls = config.backendTlsOf(server.serverType(), server.id());
    return new Target(server.id(), server.serverType(), loopbackForWildcard(host), server.clientPort(),
      Boolean.TRUE.equals(tls.tls()), tls.serverName());
  }

  /** The target as an alias reaches it: the alias's TLS settings over the server's and the type's. */
  private Target withTls(Target target, BackendTls alias) {
    BackendTls own = config.backendTlsOf(target.serverType(), target.serverId());
    BackendTls tls = alias.over(own);
    return new Target(target.serverId(), target.serverType(), target.host(), target.port(),
      Boolean.TRUE.equals(tls.tls()), tls.serverName());
  }

  /** A server bound to every interface is reached on loopback: the sidecar runs on the Pomelo host. */
  static String loopbackForWildcard(String host) {
    return switch (host) {
      case "", "0.0.0.0", "*" -> "127.0.0.1";
      case "::", "[::]", "::0" -> "::1";
      default -> host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    };
  }

  private static String describe(Route route) {
    return route.kind() == RouteKind.TYPE ? "type " + route.serverType() : ids(route.targets());
  }

  private static String ids(List<Target> targets) {
    StringBuilder b = new StringBuilder();
    for (Target t : targets) {
      b.append(b.length() == 0 ? "" : ", ").append(t.serverId());
    }
    return b.toString();
  }
}
