package io.pomelo.sidecar.run;

import io.pomelo.sidecar.acme.ManagedCertificate;
import io.pomelo.sidecar.config.AcmeConfig;
import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.master.MasterServers;
import io.pomelo.sidecar.pomelo.PomeloEnvironment;
import io.pomelo.sidecar.pomelo.ServersFile;
import io.pomelo.sidecar.pomelo.ServersFileReader;
import io.pomelo.sidecar.route.RoutePlan;
import io.pomelo.sidecar.tls.CertificateLoader;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.TicketKey;
import io.pomelo.sidecar.tls.TicketKeyFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the sidecar reads besides its own configuration: servers.json (with the Pomelo master's additions)
 * turned into a route plan, the certificates, and the session ticket keys, each checked. The parts succeed or fail
 * independently, so that a reload with a bad certificate still applies a good servers.json and the other way round.
 * Every file is read through {@link BoundedFile} under {@code reload.maxFileSize}, so each read ends within its
 * deadline. Blocking: call it off the event loop.
 *
 * @param servers      the servers file as Pomelo reads it, or null when it was bad
 * @param plan         the routes it gives, or null when the file or the plan was bad
 * @param certificates the checked certificates, or null when any was bad
 * @param problems     every problem found, in both parts
 * @param fromMaster   the ids of the servers the plan has from the master's list, not from servers.json
 * @param ticketKeys   the session ticket keys of {@code tls.sessionTicketKeys}, [] when none is set, or null when the
 *                     file was bad
 */
public record LoadedFiles(ServersFile servers, RoutePlan plan, List<LoadedCertificate> certificates,
                          List<ConfigProblem> problems, List<String> fromMaster, List<TicketKey> ticketKeys) {

  public LoadedFiles {
    problems = List.copyOf(problems);
    fromMaster = List.copyOf(fromMaster);
  }

  public LoadedFiles(ServersFile servers, RoutePlan plan, List<LoadedCertificate> certificates,
                     List<ConfigProblem> problems, List<String> fromMaster) {
    this(servers, plan, certificates, problems, fromMaster, List.of());
  }

  public static LoadedFiles read(SidecarConfig config, Map<String, String> env) {
    return read(config, env, null);
  }

  /**
   * @param master the master's last list, or null when no master is followed: its frontend servers that servers.json
   *               does not name join the plan as if the file named them
   */
  public static LoadedFiles read(SidecarConfig config, Map<String, String> env, MasterServers master) {
    BoundedFile files = BoundedFile.limitedBy(config.reload());
    List<ConfigProblem> problems = new ArrayList<>();
    List<LoadedCertificate> certificates = null;
    AcmeConfig acme = config.tls().acme();
    if (config.tls().certificates().isEmpty() && acme == null) {
      problems.add(new ConfigProblem(config.file().toString(), "tls.certificates", null,
        "at least one certificate is needed (or tls.acme to order one, or --dev for a self-signed one)"));
    } else {
      try {
        certificates = new ArrayList<>(CertificateLoader.loadAll(config.tls().certificates(), Instant.now(), files));
        if (acme != null) {
          certificates.add(managed(config, acme, files));
        }
      } catch (ConfigException e) {
        problems.addAll(e.problems());
        certificates = null;
      }
    }
    ServersFile servers = null;
    RoutePlan plan = null;
    List<String> fromMaster = new ArrayList<>();
    try {
      servers = ServersFileReader.read(config.pomelo().serversFile(),
        PomeloEnvironment.resolve(config.pomelo().environment(), env), files);
      MasterAdditions additions = MasterAdditions.plan(config, servers, master);
      List<String> warnings = new ArrayList<>(additions.plan().warnings());
      additions.refused().forEach(why -> warnings.add("the Pomelo master's server " + why + "; it gets no route"));
      plan = new RoutePlan(additions.plan().table(), warnings);
      fromMaster.addAll(additions.added());
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    return new LoadedFiles(servers, plan, certificates, problems, fromMaster, ticketKeys(config, files, problems));
  }

  /** The ordered certificate when one is stored and good, else its self-signed stand-in. */
  private static LoadedCertificate managed(SidecarConfig config, AcmeConfig acme, BoundedFile files)
    throws ConfigException {
    try {
      return CertificateLoader.load(ManagedCertificate.servable(config.stateDir(), acme, Instant.now()), "tls.acme",
        Instant.now(), files);
    } catch (IOException e) {
      throw new ConfigException(config.stateDir().toString(), "tls.acme", null,
        "the state directory must be writable for ordered certificates (" + e.getMessage() + ")");
    }
  }

  private static List<TicketKey> ticketKeys(SidecarConfig config, BoundedFile files, List<ConfigProblem> problems) {
    Path file = config.tls().sessionTicketKeys();
    if (file == null) {
      return List.of();
    }
    try {
      return TicketKeyFile.parse(file.toString(), files.read(file, "tls.sessionTicketKeys"));
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return null;
    }
  }

  /** What was accepted but deserves a look: the servers file's warnings (each naming the file), then the plan's. */
  public List<String> warnings() {
    List<String> all = new ArrayList<>();
    if (servers != null) {
      all.addAll(servers.warnings());
    }
    if (plan != null) {
      all.addAll(plan.warnings());
    }
    return all;
  }

  /** At start-up every part must be good: the first problem list is the operator's to fix. */
  public LoadedFiles orThrow() throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return this;
  }
}
