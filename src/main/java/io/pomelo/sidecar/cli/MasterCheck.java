package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.MasterConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.FollowSettings;
import io.pomelo.sidecar.master.MasterConsoleClient;
import io.pomelo.sidecar.master.MasterDiscovery;
import io.pomelo.sidecar.master.MasterEndpoint;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code check} says about the Pomelo master: whom {@code run} would follow, and whether that master answers
 * now. An unreachable master fails the check only with {@code follow: true}: with {@code auto} the sidecar serves
 * servers.json without it, so it is a warning.
 */
final class MasterCheck {

  /** A deploy step waits for an answer, not for a retry: run keeps retrying, check says what it saw now. */
  static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(5);

  /** How the line counts. */
  enum Verdict { OK, WARNING, ERROR }

  /**
   * What was found.
   *
   * @param line     {@code master: ...}, never the password
   * @param verdict  whether the line is news, a warning or an error
   * @param warnings what else to warn of: Pomelo's master files with {@code follow: auto}, servers the master lists
   *                 that get no route
   */
  record Outcome(String line, Verdict verdict, List<String> warnings) {

    Outcome {
      warnings = List.copyOf(warnings);
    }
  }

  private MasterCheck() {
  }

  /**
   * Decides as {@code run} does and, when there is a master, connects once, logs in and reads its list.
   *
   * @throws ConfigException with {@code follow: true}, when no master can be named (as {@code run} would fail)
   */
  static Outcome run(SidecarConfig config, Map<String, String> env) throws Exception {
    MasterDiscovery.Decision decision = MasterDiscovery.decide(config, env);
    List<String> warnings = new ArrayList<>(decision.problems().stream().map(String::valueOf).toList());
    if (decision.endpoint().isEmpty()) {
      return new Outcome("master: not followed: " + decision.why(), Verdict.OK, warnings);
    }
    MasterEndpoint endpoint = decision.endpoint().get();
    Vertx vertx = Vertx.vertx();
    try {
      MasterServers servers;
      try {
        servers = ConfigOptions.await(MasterConsoleClient.connect(vertx, endpoint, LOGIN_TIMEOUT)
          // pomelo-admin's list waits up to 10 s for a silent server: the follower's request timeout allows for that.
          .compose(client -> client.servers(FollowSettings.defaults().requestTimeout()).eventually(client::close)));
      } catch (Exception e) {
        Verdict verdict = config.master().follow() == MasterConfig.Follow.TRUE ? Verdict.ERROR : Verdict.WARNING;
        return new Outcome("master: " + endpoint.address() + ": " + MasterConsoleClient.describe(e), verdict,
          warnings);
      }
      servers.unusable().forEach(why -> warnings.add("master: " + endpoint.address() + " lists " + why));
      return new Outcome("master: " + endpoint.address() + " answers as " + endpoint.credentials().username() + ": "
        + frontends(servers.frontends()), Verdict.OK, warnings);
    } finally {
      ConfigOptions.await(vertx.close());
    }
  }

  /** {@code 3 frontend servers (connector-server-1, connector-server-2, gate-server-1)}: by type, then id. */
  static String frontends(List<FrontendServer> frontends) {
    String count = frontends.size() + (frontends.size() == 1 ? " frontend server" : " frontend servers");
    if (frontends.isEmpty()) {
      return count;
    }
    return count + " (" + frontends.stream().map(FrontendServer::id).collect(Collectors.joining(", ")) + ")";
  }
}
