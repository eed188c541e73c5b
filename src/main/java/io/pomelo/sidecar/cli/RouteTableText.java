package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;

import java.util.ArrayList;
import java.util.List;

/**
 * The route table as aligned columns for a terminal: one line per target, so a type route over three connectors
 * shows all three; the route's own columns are printed on its first line only.
 */
final class RouteTableText {

  private static final List<String> HEADER = List.of("PATH", "TARGET", "SERVER", "TYPE", "KIND", "PREFIX");

  private RouteTableText() {
  }

  static String render(RouteTable table) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Route route : table.routes()) {
      boolean first = true;
      for (Target target : route.targets()) {
        rows.add(List.of(
          first ? route.path() : "",
          // Plain targets as before; a TLS one says so, as nginx's proxy_pass https:// would.
          target.tls() ? "wss://" + target.address() : target.address(),
          target.serverId(),
          first ? route.serverType() : "",
          first ? route.kind().label() : "",
          // What the Pomelo server sees of /gate/x: the same path, or /x.
          first ? (route.stripPrefix() ? "stripped" : "kept") : ""));
        first = false;
      }
    }
    return columns(rows);
  }

  /** Rows of cells as left-aligned columns two spaces apart; the first row is the header. */
  static String columns(List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length() + 2));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
