package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteTable;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * What {@code check} and {@code export-nginx} say about socket.io connectors (Pomelo's default, the sioconnector).
 * servers.json does not say which servers run one, so these are notes about the routes, never problems.
 */
final class SocketIoNotes {

  /** engine.io's default ping interval, which Pomelo's sio template keeps: the longest a server holds a long-poll. */
  static final Duration PING_INTERVAL = Duration.ofSeconds(25);
  /** Room above the ping interval for the client's round trip and a busy server. */
  static final Duration MARGIN = Duration.ofSeconds(5);

  private SocketIoNotes() {
  }

  /** A warning when {@code proxy.responseTimeout} would cut held long-polls, which ends their sessions. */
  static List<String> warnings(SidecarConfig config) {
    Duration timeout = config.proxy().responseTimeout();
    Duration least = PING_INTERVAL.plus(MARGIN);
    if (timeout.compareTo(least) >= 0) {
      return List.of();
    }
    return List.of(new ConfigProblem(config.file().toString(), "proxy.responseTimeout",
      NginxExport.nginxTime(timeout), "under " + NginxExport.nginxTime(least) + ": a socket.io connector holds each "
      + "long-poll up to its ping interval (" + NginxExport.nginxTime(PING_INTERVAL) + " by default), so a poll "
      + "held longer would get 504 and end its session").toString());
  }

  /** One line for check's summary: how long a poll may be held, where sessions are pinned, where polls are refused. */
  static String summary(SidecarConfig config, RouteTable table) {
    List<String> pinned = table.routes().stream().filter(r -> r.targets().size() > 1 && !r.webSocketOnly())
      .map(Route::path).toList();
    TreeSet<String> refused = new TreeSet<>();
    table.routes().stream().filter(Route::webSocketOnly).forEach(r -> refused.add(r.serverType()));
    StringBuilder b = new StringBuilder("socket.io: polls held up to ")
      .append(NginxExport.nginxTime(config.proxy().responseTimeout())).append(" (proxy.responseTimeout)");
    if (!pinned.isEmpty()) {
      // Session affinity: without it the next poll of a session meets another server, which answers "unknown sid".
      b.append("; sessions kept on their server on ").append(String.join(", ", pinned));
    }
    if (!refused.isEmpty()) {
      b.append("; no polling (webSocketOnly, 426) for ").append(refused.size() == 1 ? "type " : "types ")
        .append(String.join(", ", refused));
    }
    return b.toString();
  }
}
