package io.pomelo.sidecar.run;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RoutePlanner;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of the Pomelo master's frontend servers join servers.json's in the route plan. The master is trusted less
 * than the file an operator wrote: at most {@link #MOST} additions, only on hosts the cluster already uses (or
 * {@code master.allowedHosts}), never on the sidecar's own ports, and each only if the plan still builds with it, so
 * that a clashing server is left out with a warning instead of blocking every later reload.
 *
 * @param plan    the plan of servers.json and the accepted additions
 * @param added   the ids of the accepted additions
 * @param refused each left-out addition with why, to log
 */
record MasterAdditions(RoutePlan plan, List<String> added, List<String> refused) {

  /** Far more frontends than any Pomelo cluster runs; bounds routes, health checks and metric series. */
  static final int MOST = 256;

  /** @throws ConfigException when servers.json's own plan does not build */
  static MasterAdditions plan(SidecarConfig config, ServersFile file, MasterServers master) throws ConfigException {
    RoutePlanner planner = new RoutePlanner(config.routes(), config.file().toString());
    RoutePlan plan = planner.plan(file);
    if (master == null) {
      return new MasterAdditions(plan, List.of(), List.of());
    }
    Set<String> named = new HashSet<>();
    Set<String> hosts = new HashSet<>(config.master().allowedHosts());
    for (FrontendServer server : file.frontends()) {
      named.add(server.id());
      hosts.add(server.host());
      if (server.clientHost() != null) {
        hosts.add(server.clientHost());
      }
    }
    // The configured ports; 0 (a port picked at bind, in tests) names none.
    Set<Integer> ownPorts = new HashSet<>(List.of(config.listen().port(), config.admin().listener().port()));
    ownPorts.remove(0);
    List<FrontendServer> all = new ArrayList<>(file.frontends());
    List<String> added = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (FrontendServer server : master.frontends()) {
      if (!named.add(server.id())) {
        // servers.json names it: the file's record wins.
        continue;
      }
      String why = added.size() >= MOST ? "more than " + MOST + " servers added by the master"
        : !hosts.contains(server.host()) ? "host " + server.host() + " is not one servers.json uses nor in master.allowedHosts"
        : ownPorts.contains(server.clientPort()) ? "clientPort " + server.clientPort() + " is one of the sidecar's own"
        : null;
      if (why != null) {
        refused.add(server.id() + ": " + why);
        continue;
      }
      all.add(server);
      try {
        plan = planner.plan(withFrontends(file, all));
        added.add(server.id());
      } catch (ConfigException e) {
        all.remove(all.size() - 1);
        refused.add(server.id() + ": " + e.problems().get(0).rule());
      }
    }
    return new MasterAdditions(plan, added, refused);
  }

  private static ServersFile withFrontends(ServersFile file, List<FrontendServer> frontends) {
    return new ServersFile(file.path(), file.environment(), frontends,
      file.serverCount() + frontends.size() - file.frontends().size(), file.warnings(), file.sha256());
  }
}
