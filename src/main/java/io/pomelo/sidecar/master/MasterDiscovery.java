package io.pomelo.sidecar.master;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.MasterConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.pomelo.PomeloEnvironment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether and whom to follow: sidecar.yaml's {@code master:} keys over Pomelo's own master.json and
 * adminUser.json, found where Pomelo looks for them. Blocking (it reads files): call it off the event loop.
 */
public final class MasterDiscovery {

  /**
   * What was decided.
   *
   * @param endpoint the master to follow, or empty
   * @param why      in words: where the endpoint came from, or why there is none (for the start-up log)
   * @param problems with {@code follow: auto}, what was wrong with Pomelo's files (a warning, not an error)
   */
  public record Decision(Optional<MasterEndpoint> endpoint, String why, List<ConfigProblem> problems) {

    public Decision {
      problems = List.copyOf(problems);
    }

    static Decision none(String why) {
      return new Decision(Optional.empty(), why, List.of());
    }
  }

  private MasterDiscovery() {
  }

  /**
   * @throws ConfigException with {@code follow: true}, when no master can be named or its files are bad
   */
  public static Decision decide(SidecarConfig config, Map<String, String> env) throws ConfigException {
    MasterConfig master = config.master();
    if (master.follow() == MasterConfig.Follow.FALSE) {
      return Decision.none("master.follow is false");
    }
    String environment = PomeloEnvironment.resolve(config.pomelo().environment(), env);
    Path configDir = MasterFiles.configDirOf(config.pomelo().serversFile(), environment);
    try {
      return endpoint(config, master, configDir, environment);
    } catch (ConfigException e) {
      if (master.follow() == MasterConfig.Follow.TRUE) {
        throw e;
      }
      // Pomelo runs without adminUser.json (its master then refuses every admin client), so auto is only a warning.
      return new Decision(Optional.empty(), "Pomelo's master files could not be used", e.problems());
    }
  }

  private static Decision endpoint(SidecarConfig config, MasterConfig master, Path configDir, String environment)
    throws ConfigException {
    String file = config.file().toString();
    Optional<Path> masterJson = MasterFiles.findMasterJson(configDir, environment);
    String host = master.host();
    int port = master.port();
    String from = "sidecar.yaml's master.host and master.port";
    if (host.isEmpty() || port == 0) {
      if (masterJson.isEmpty()) {
        String why = "no master.json in " + configDir + " or " + configDir.resolve(environment);
        if (master.follow() == MasterConfig.Follow.TRUE) {
          throw new ConfigException(file, "master.follow", "true", why + "; set master.host and master.port");
        }
        return Decision.none(why);
      }
      MasterFiles.MasterJson read = MasterFiles.readMasterJson(masterJson.get(), environment,
        BoundedFile.limitedBy(config.reload()));
      host = host.isEmpty() ? read.host() : host;
      port = port == 0 ? read.port() : port;
      from = read.file().toString();
    }
    AdminCredentials user;
    if (!master.username().isEmpty()) {
      if (master.password().isEmpty()) {
        throw new ConfigException(file, "master.password", null,
          "is needed with master.username (or master.passwordFile)");
      }
      user = new AdminCredentials(master.username(), master.password(), master.md5());
    } else {
      Path adminUsers = MasterFiles.findAdminUserJson(configDir, environment).orElseThrow(() -> new ConfigException(
        configDir.resolve("adminUser.json").toString(), "", null, "does not exist, and neither does "
        + configDir.resolve(environment).resolve("adminUser.json") + "; without one the master refuses every admin "
        + "client (set master.username and master.password, or master.follow: false)"));
      AdminCredentials first = MasterFiles.readAdminUsers(adminUsers, BoundedFile.limitedBy(config.reload())).get(0);
      user = new AdminCredentials(first.username(), first.password(), master.md5());
      from += ", user " + first.username() + " of " + adminUsers;
    }
    return new Decision(Optional.of(new MasterEndpoint(host, port, user)), from, List.of());
  }
}
