package io.pomelo.sidecar.pomelo;

import java.nio.file.Path;
import java.util.List;

/**
 * What Pomelo makes of one servers.json for one environment.
 *
 * @param path        the file actually read (config/servers.json, or config/&lt;env&gt;/servers.json)
 * @param environment the environment used
 * @param frontends   frontend servers in the order Pomelo registers them
 * @param serverCount how many servers (frontend and backend) Pomelo registers
 * @param warnings    things Pomelo accepts but an operator should know (duplicate ids, deprecated wsPort, ...)
 * @param sha256      hex digest of the file's bytes, so a reload can tell an unchanged file
 */
public record ServersFile(Path path, String environment, List<FrontendServer> frontends, int serverCount,
                          List<String> warnings, String sha256) {

  public ServersFile {
    frontends = List.copyOf(frontends);
    warnings = List.copyOf(warnings);
  }
}
