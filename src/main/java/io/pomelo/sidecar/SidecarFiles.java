package io.pomelo.sidecar;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.pomelo.PomeloEnvironment;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.pomelo.ServersFileReader;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.route.RoutePlanner;
import io.pomelo.sidecar.tls.CertificateLoader;
import io.pomelo.sidecar.tls.LoadedCertificate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sidecar reads from disk besides its own configuration, all checked: Pomelo's servers.json, the route plan
 * made from it, and the certificates. {@code run} reads it before it binds anything; {@code check} and
 * {@code export-nginx} read it the same way, so what {@code check} accepts is exactly what {@code run} serves.
 *
 * @param servers      the servers.json actually read, for the environment in use
 * @param plan         the route table with the planner's warnings
 * @param certificates the public listener's certificates, each matched to its key and valid now
 */
public record SidecarFiles(ServersFile servers, RoutePlan plan, List<LoadedCertificate> certificates) {

  public SidecarFiles {
    certificates = List.copyOf(certificates);
  }

  /**
   * Reads and checks everything, blocking on file I/O. A bad certificate does not hide a bad servers.json: every
   * problem found is in the one exception.
   */
  public static SidecarFiles load(SidecarConfig config) throws ConfigException {
    List<ConfigProblem> problems = new ArrayList<>();
    List<LoadedCertificate> certificates = List.of();
    if (config.tls().certificates().isEmpty()) {
      problems.add(new ConfigProblem(config.file().toString(), "tls.certificates", null,
        "at least one certificate is needed (or use --dev for a self-signed one)"));
    } else {
      try {
        certificates = CertificateLoader.loadAll(config.tls().certificates(), Instant.now());
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    ServersFile servers = null;
    RoutePlan plan = null;
    try {
      servers = ServersFileReader.read(config.pomelo().serversFile(),
        PomeloEnvironment.resolve(config.pomelo().environment(), System.getenv()));
      plan = new RoutePlanner(config.routes(), config.file().toString()).plan(servers);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new SidecarFiles(servers, plan, certificates);
  }

  /** What was accepted but deserves a look: the servers file's warnings (each naming the file), then the plan's. */
  public List<String> warnings() {
    List<String> all = new ArrayList<>();
    for (String warning : servers.warnings()) {
      all.add(servers.path() + ": " + warning);
    }
    all.addAll(plan.warnings());
    return all;
  }
}
